package dev.kiln.ops.nn;

import dev.kiln.graph.Attribute;
import dev.kiln.ops.OpFailure;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.List;
import java.util.Random;

import static dev.kiln.ops.nn.NnOpRunner.random;
import static dev.kiln.ops.nn.NnOpRunner.run;
import static dev.kiln.ops.nn.NnOpRunner.run1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad inputs give a typed error naming the node and what was expected; dtype and opset variants behave. */
class NnErrorsTest {
    private final Random rnd = new Random(11);

    private static void failsWith(String fragment, Executable e) {
        OpFailure f = assertThrows(OpFailure.class, e);
        assertTrue(f.getMessage().contains(fragment), f.getMessage());
        assertTrue(f.getMessage().contains("'n'"), "message names the node: " + f.getMessage());
    }

    @Test
    void badShapesAndAttributesAreReported() {
        failsWith("does not broadcast", () -> run1("Gemm", 13, List.of(), random(rnd, 2, 3), random(rnd, 3, 4), random(rnd, 3)));
        failsWith("W must have shape", () -> run("LSTM", 22, 1, List.of(Attribute.of("hidden_size", 2L)),
                random(rnd, 3, 1, 2), random(rnd, 1, 4, 2), random(rnd, 1, 8, 2)));
        failsWith("larger than the padded input", () -> run1("Conv", 22, List.of(), random(rnd, 1, 1, 2, 2), random(rnd, 1, 1, 3, 3)));
        failsWith("too large", () -> run1("MaxPool", 22, List.of(Attribute.of("kernel_shape", new long[]{1L << 40, 1L << 20}),
                Attribute.of("pads", new long[]{1L << 40, 1L << 20, 0, 0})), random(rnd, 1, 1, 2, 2)));
        failsWith("invalid character", () -> run1("Einsum", 12, List.of(Attribute.of("equation", "i1->i")), random(rnd, 3)));
        failsWith("operands", () -> run1("Einsum", 12, List.of(Attribute.of("equation", "ij,jk->ik")), random(rnd, 3, 3)));
        failsWith("outside", () -> run1("MaxUnpool", 22, List.of(Attribute.of("kernel_shape", new long[]{2})),
                random(rnd, 1, 1, 2), Tensor.ofLongs(new long[]{0, 99}, 1, 1, 2)));
        failsWith("number of blocks", () -> run1("Col2Im", 18, List.of(), random(rnd, 1, 4, 5),
                Tensor.ofLongs(new long[]{3, 3}, 2), Tensor.ofLongs(new long[]{2, 2}, 2)));
        failsWith("too large", () -> run1("ConvTranspose", 22, List.of(Attribute.of("output_shape", new long[]{1L << 30, 1L << 30})),
                random(rnd, 1, 1, 2, 2), random(rnd, 1, 1, 2, 2)));
        failsWith("num_groups", () -> run1("GroupNormalization", 21, List.of(Attribute.of("num_groups", 3L)),
                random(rnd, 1, 4, 2), random(rnd, 4), random(rnd, 4)));
    }

    @Test
    void halfPrecisionMatMulRoundsTheExactResult() {
        Tensor a = random(rnd, 3, 5), b = random(rnd, 5, 4);
        Tensor a16 = Tensor.allocate(DType.F16, a.shape()), b16 = Tensor.allocate(DType.F16, b.shape());
        for (long i = 0; i < a.numel(); i++) a16.setDouble(i, a.getDouble(i));
        for (long i = 0; i < b.numel(); i++) b16.setDouble(i, b.getDouble(i));
        Tensor y = run1("MatMul", 13, List.of(), a16, b16);
        assertEquals(DType.F16, y.dtype());
        Tensor want = MatMulOpsTest.naiveMatMul(Tensor.ofDoubles(a16.toDoubleArray(), 3, 5), Tensor.ofDoubles(b16.toDoubleArray(), 5, 4));
        for (long i = 0; i < want.numel(); i++) assertEquals(Float.float16ToFloat(Float.floatToFloat16((float) want.getDouble(i))), y.getFloat(i));
    }

    @Test
    void dropoutMaskTypeFollowsTheOpset() {
        Tensor x = random(rnd, 2, 2);
        assertEquals(DType.F32, run("Dropout", 7, 2, List.of(), x)[1].dtype());
        assertEquals(DType.BOOL, run("Dropout", 10, 2, List.of(), x)[1].dtype());
    }

    @Test
    void seededTrainingDropoutReproducesNumpysStream() {
        // numpy: np.random.seed(0); np.random.uniform(0, 1, 4) -> 0.5488135, 0.71518937, 0.60276338, 0.54488318
        Mt19937 mt = new Mt19937(0);
        double[] want = {0.5488135039273248, 0.7151893663724195, 0.6027633760716439, 0.5448831829968969};
        for (double w : want) assertEquals(w, mt.nextDouble(), 1e-15);
        Tensor x = Tensor.of(new float[]{1, 2, 3, 4}, 4);
        Tensor[] y = run("Dropout", 22, 2, List.of(Attribute.of("seed", 0L)), x, Tensor.scalar(DType.F32, 0.6), Tensor.ofBooleans(new boolean[]{true}));
        assertArrayEquals(new float[]{0, 5, 7.5f, 0}, y[0].toFloatArray(), 1e-5f);
    }

    @Test
    void batchNormSpatialZeroUsesPerElementParameters() {
        Tensor x = Tensor.of(new float[]{1, 2, 3, 4}, 1, 1, 4);
        Tensor s = Tensor.of(new float[]{1, 2, 3, 4}, 1, 4), z = Tensor.of(new float[]{0, 0, 0, 0}, 1, 4);
        Tensor ones = Tensor.of(new float[]{1, 1, 1, 1}, 1, 4);
        Tensor y = run1("BatchNormalization", 7, List.of(Attribute.of("spatial", 0L), Attribute.of("epsilon", 0f)), x, s, z, z, ones);
        assertArrayEquals(new float[]{1, 4, 9, 16}, y.toFloatArray(), 1e-6f);
        assertEquals(Shape.of(1, 1, 4), y.shape());
    }
}
