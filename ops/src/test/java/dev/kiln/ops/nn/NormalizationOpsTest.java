package dev.kiln.ops.nn;

import dev.kiln.graph.Attribute;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static dev.kiln.ops.nn.NnOpRunner.random;
import static dev.kiln.ops.nn.NnOpRunner.run;
import static dev.kiln.ops.nn.NnOpRunner.run1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NormalizationOpsTest {

    private static Tensor ones(long... dims) {
        Tensor t = Tensor.allocate(DType.F32, Shape.of(dims));
        for (long i = 0; i < t.numel(); i++) t.setDouble(i, 1);
        return t;
    }

    @Property(tries = 60)
    void layerNormOutputHasMeanZeroAndUnitVariance(@ForAll @IntRange(min = 1, max = 4) int a, @ForAll @IntRange(min = 2, max = 9) int b,
                                                   @ForAll @IntRange(min = 1, max = 5) int c, @ForAll @IntRange(min = -2, max = 1) int axis,
                                                   @ForAll long seed) {
        Random rnd = new Random(seed);
        Tensor x = random(rnd, a, b, c);
        for (long i = 0; i < x.numel(); i++) x.setDouble(i, x.getDouble(i) * 3 + 5);   // shift and scale away from N(0,1)
        int ax = axis < 0 ? axis + 3 : axis;
        long[] norm = java.util.Arrays.copyOfRange(new long[]{a, b, c}, ax, 3);
        Tensor[] out = run("LayerNormalization", 17, 3, List.of(Attribute.of("axis", (long) axis), Attribute.of("epsilon", 0f)),
                x, ones(norm), null);
        Tensor y = out[0];
        long inner = 1;
        for (long d : norm) inner *= d;
        if (inner < 2) return;
        for (long o = 0; o < y.numel() / inner; o++) {
            double m = 0, v = 0;
            for (long i = 0; i < inner; i++) m += y.getDouble(o * inner + i);
            m /= inner;
            for (long i = 0; i < inner; i++) { double t = y.getDouble(o * inner + i) - m; v += t * t; }
            v /= inner;
            assertEquals(0, m, 1e-5);
            assertEquals(1, v, 1e-3);
            // Mean output holds the statistic of the same block of the input.
            double xm = 0;
            for (long i = 0; i < inner; i++) xm += x.getDouble(o * inner + i);
            assertEquals(xm / inner, out[1].getDouble(o), 1e-4);
        }
        long[] stat = new long[]{a, b, c};
        for (int i = ax; i < 3; i++) stat[i] = 1;
        assertEquals(Shape.of(stat), out[1].shape());
        assertEquals(Shape.of(stat), out[2].shape());
    }

    /** Opset 18 scales per group, opset 21 per channel; the same numbers must read differently. */
    @Test
    void groupNormalizationScaleSemanticsDifferBetweenOpsets() {
        Tensor x = Tensor.of(new float[]{1, 2, 3, 4, 5, 6, 7, 8}, 1, 4, 2);
        List<Attribute> attrs = List.of(Attribute.of("num_groups", 2L), Attribute.of("epsilon", 0f));
        Tensor y18 = run1("GroupNormalization", 18, attrs, x, Tensor.of(new float[]{1, 2}, 2), Tensor.of(new float[]{0, 0}, 2));
        Tensor y21 = run1("GroupNormalization", 21, attrs, x, Tensor.of(new float[]{1, 1, 2, 2}, 4), Tensor.of(new float[]{0, 0, 0, 0}, 4));
        assertArrayEquals(y18.toFloatArray(), y21.toFloatArray(), 1e-6f);
        // Group 0 = channels 0,1 = {1,2,3,4}: standardized then scaled by 1; group 1 scaled by 2.
        double sd = Math.sqrt(1.25);
        assertEquals((1 - 2.5) / sd, y21.getDouble(0), 1e-5);
        assertEquals(2 * (8 - 6.5) / sd, y21.getDouble(7), 1e-5);
    }

    @Test
    void batchNormInferenceAndTrainingOutputs() {
        Tensor x = Tensor.of(new float[]{1, 3, 10, 20}, 2, 1, 2);   // channel values {1,3,10,20}
        Tensor s = Tensor.of(new float[]{2}, 1), b = Tensor.of(new float[]{1}, 1);
        Tensor mean = Tensor.of(new float[]{1}, 1), var = Tensor.of(new float[]{4}, 1);
        Tensor y = run1("BatchNormalization", 15, List.of(Attribute.of("epsilon", 0f)), x, s, b, mean, var);
        assertArrayEquals(new float[]{1, 3, 10, 20}, y.toFloatArray(), 1e-6f);   // (x-1)/2*2+1 = x
        Tensor[] t = run("BatchNormalization", 15, 3, List.of(Attribute.of("epsilon", 0f), Attribute.of("training_mode", 1L),
                Attribute.of("momentum", 0.5f)), x, s, b, mean, var);
        assertEquals(0.5 * 1 + 0.5 * 8.5, t[1].getDouble(0), 1e-5);            // batch mean 8.5
        double bv = ((1 - 8.5) * (1 - 8.5) + (3 - 8.5) * (3 - 8.5) + 1.5 * 1.5 + 11.5 * 11.5) / 4;
        assertEquals(0.5 * 4 + 0.5 * bv, t[2].getDouble(0), 1e-4);
        assertEquals((1 - 8.5) / Math.sqrt(bv) * 2 + 1, t[0].getDouble(0), 1e-5);
    }

    @Test
    void dropoutInferenceIsIdentityWithTrueMask() {
        Tensor x = random(new Random(2), 3, 4);
        Tensor[] out = run("Dropout", 22, 2, List.of(), x, Tensor.scalar(DType.F32, 0.9));
        assertSame(x, out[0]);
        assertEquals(DType.BOOL, out[1].dtype());
        for (long i = 0; i < 12; i++) assertTrue(out[1].getBoolean(i));
        Tensor[] tr = run("Dropout", 22, 2, List.of(Attribute.of("seed", 3L)), x, Tensor.scalar(DType.F32, 0.5), Tensor.ofBooleans(new boolean[]{true}));
        for (long i = 0; i < 12; i++)
            assertEquals(tr[1].getBoolean(i) ? x.getDouble(i) * 2 : 0, tr[0].getDouble(i), 1e-6);
    }

    @Test
    void lrnMatchesDefinition() {
        Tensor x = Tensor.of(new float[]{1, 2, 3, 4}, 1, 4, 1, 1);
        Tensor y = run1("LRN", 13, List.of(Attribute.of("size", 3L), Attribute.of("alpha", 3f), Attribute.of("beta", 1f), Attribute.of("bias", 1f)), x);
        // channel 1 window {0,1,2}: sum sq = 1+4+9 = 14 -> 2 / (1 + 14) ; channel 3 window {2,3}: 9+16 = 25 -> 4/26
        assertEquals(2.0 / 15, y.getDouble(1), 1e-6);
        assertEquals(4.0 / 26, y.getDouble(3), 1e-6);
    }
}
