package dev.kiln.ops.nn;

import dev.kiln.graph.Attribute;
import dev.kiln.ops.OpFailure;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.kiln.ops.nn.AttentionOpRunner.run;
import static org.junit.jupiter.api.Assertions.assertNull;

/**
 * Bad shapes and attributes must end in a deliberate, typed {@link OpFailure} from the kernel's own validation,
 * never in an exception the interpreter had to wrap (an index out of bounds, a negative array size...). Random
 * small shapes make most cases invalid on purpose.
 */
class AttentionRobustnessTest {
    private static Tensor rand(Random rnd, int rank, int maxDim) {
        long[] d = new long[rank];
        int n = 1;
        for (int i = 0; i < rank; i++) { d[i] = rnd.nextInt(maxDim + 1); n *= (int) d[i]; }
        float[] v = new float[n];
        for (int i = 0; i < n; i++) v[i] = (float) rnd.nextGaussian();
        return Tensor.of(v, d);
    }

    private static void runExpectingCleanOutcome(String op, int opset, int outputs, List<Attribute> attrs, Tensor... in) {
        try {
            run(op, opset, outputs, attrs, in);
        } catch (OpFailure e) {
            assertNull(e.getCause(), () -> op + " crashed instead of validating: " + e.getMessage());
        }
    }

    @Property(tries = 300)
    void attentionValidatesShapes(@ForAll @IntRange(min = 2, max = 4) int rank, @ForAll @IntRange(min = 0, max = 3) int maskRank,
                                  @ForAll boolean past, @ForAll long seed) {
        Random rnd = new Random(seed);
        Tensor q = rand(rnd, rank, 3), k = rand(rnd, rank, 3), v = rand(rnd, rank, 3);
        Tensor mask = maskRank == 0 ? null : rand(rnd, maskRank, 3);
        Tensor pk = past ? rand(rnd, 4, 3) : null, pv = past ? rand(rnd, 4, 3) : null;
        List<Attribute> a = new ArrayList<>();
        if (rnd.nextBoolean()) { a.add(Attribute.of("q_num_heads", (long) rnd.nextInt(4))); a.add(Attribute.of("kv_num_heads", (long) rnd.nextInt(4))); }
        if (rnd.nextBoolean()) a.add(Attribute.of("is_causal", 1L));
        a.add(Attribute.of("qk_matmul_output_mode", (long) rnd.nextInt(5) - 1));
        runExpectingCleanOutcome("Attention", 24, 4, a, q, k, v, mask, pk, pv,
                rnd.nextBoolean() ? Tensor.ofLongs(new long[]{rnd.nextInt(5) - 1}, 1) : null);
    }

    @Property(tries = 200)
    void resizeValidatesArguments(@ForAll @IntRange(min = 1, max = 4) int rank, @ForAll boolean sizes, @ForAll long seed) {
        Random rnd = new Random(seed);
        Tensor x = rand(rnd, rank, 4);
        int n = rnd.nextInt(rank + 2);
        Tensor arg;
        if (sizes) {
            long[] s = new long[n];
            for (int i = 0; i < n; i++) s[i] = rnd.nextInt(7) - 1;
            arg = Tensor.ofLongs(s, n);
        } else {
            float[] s = new float[n];
            for (int i = 0; i < n; i++) s[i] = rnd.nextFloat() * 3 - 0.5f;
            arg = Tensor.of(s, n);
        }
        String[] modes = {"nearest", "linear", "cubic"};
        String[] ctms = {"half_pixel", "align_corners", "asymmetric", "tf_crop_and_resize", "pytorch_half_pixel", "half_pixel_symmetric"};
        List<Attribute> a = List.of(Attribute.of("mode", modes[rnd.nextInt(3)]), Attribute.of("coordinate_transformation_mode", ctms[rnd.nextInt(6)]),
                Attribute.of("antialias", (long) rnd.nextInt(2)), Attribute.of("exclude_outside", (long) rnd.nextInt(2)));
        Tensor roi = rnd.nextBoolean() ? rand(rnd, 1, 8) : null;
        runExpectingCleanOutcome("Resize", 19, 1, a, x, roi, sizes ? null : arg, sizes ? arg : null);
    }

    @Property(tries = 200)
    void gridSampleAndRoiAlignValidate(@ForAll @IntRange(min = 2, max = 5) int rank, @ForAll long seed) {
        Random rnd = new Random(seed);
        runExpectingCleanOutcome("GridSample", 20, 1, List.of(Attribute.of("padding_mode", new String[]{"zeros", "border", "reflection"}[rnd.nextInt(3)]),
                Attribute.of("mode", new String[]{"linear", "nearest", "cubic"}[rnd.nextInt(3)])), rand(rnd, rank, 3), rand(rnd, rank, 3));
        long[] batch = {rnd.nextInt(4) - 1, rnd.nextInt(3)};
        runExpectingCleanOutcome("RoiAlign", 16, 1, List.of(Attribute.of("output_height", (long) rnd.nextInt(3)),
                Attribute.of("sampling_ratio", (long) rnd.nextInt(3) - 1)), rand(rnd, rank, 3), rand(rnd, 2, 4),
                Tensor.ofLongs(batch, 2));
    }

    @Property(tries = 200)
    void signalOpsValidate(@ForAll @IntRange(min = 1, max = 4) int rank, @ForAll long seed) {
        Random rnd = new Random(seed);
        Tensor len = rnd.nextBoolean() ? Tensor.scalarLong(DType.I64, rnd.nextInt(6) - 1) : null;
        runExpectingCleanOutcome("DFT", 20, 1, List.of(Attribute.of("onesided", (long) rnd.nextInt(2)), Attribute.of("inverse", (long) rnd.nextInt(2))),
                rand(rnd, rank, 3), len, Tensor.scalarLong(DType.I64, rnd.nextInt(9) - 4));
        runExpectingCleanOutcome("STFT", 17, 1, List.of(), rand(rnd, rank, 5), Tensor.scalarLong(DType.I64, rnd.nextInt(4) - 1),
                rnd.nextBoolean() ? rand(rnd, 1, 5) : null, len);
        runExpectingCleanOutcome("RotaryEmbedding", 23, 1, List.of(Attribute.of("num_heads", (long) rnd.nextInt(3))),
                rand(rnd, rank, 4), rand(rnd, 2, 4), rand(rnd, 2, 4), rnd.nextBoolean() ? Tensor.ofLongs(new long[]{rnd.nextInt(8) - 2}, 1, 1) : null);
    }

    @Property(tries = 200)
    void stateAndDetectionOpsValidate(@ForAll @IntRange(min = 1, max = 4) int rank, @ForAll long seed) {
        Random rnd = new Random(seed);
        runExpectingCleanOutcome("LinearAttention", 27, 2, List.of(Attribute.of("q_num_heads", (long) rnd.nextInt(3)),
                Attribute.of("kv_num_heads", (long) rnd.nextInt(3)), Attribute.of("update_rule", new String[]{"linear", "gated", "delta", "gated_delta"}[rnd.nextInt(4)])),
                rand(rnd, rank, 4), rand(rnd, rank, 4), rand(rnd, rank, 4), rnd.nextBoolean() ? rand(rnd, 4, 3) : null,
                rnd.nextBoolean() ? rand(rnd, 3, 4) : null, rnd.nextBoolean() ? rand(rnd, 3, 3) : null);
        runExpectingCleanOutcome("CausalConvWithState", 27, 2, List.of(), rand(rnd, rank, 4), rand(rnd, 3, 3),
                rnd.nextBoolean() ? rand(rnd, 1, 3) : null, rnd.nextBoolean() ? rand(rnd, 3, 3) : null);
        runExpectingCleanOutcome("NonMaxSuppression", 11, 1, List.of(Attribute.of("center_point_box", (long) rnd.nextInt(2))),
                rand(rnd, 3, 4), rand(rnd, 3, 4), Tensor.ofLongs(new long[]{rnd.nextInt(4) - 1}, 1), null, null);
        long[] size = new long[rnd.nextInt(6)];
        for (int i = 0; i < size.length; i++) size[i] = rnd.nextInt(4) - (i == 0 ? 0 : 1);
        runExpectingCleanOutcome("AffineGrid", 20, 1, List.of(), rand(rnd, 3, 4), Tensor.ofLongs(size, size.length));
        runExpectingCleanOutcome("HannWindow", 17, 1, List.of(Attribute.of("output_datatype", (long) rnd.nextInt(30))),
                Tensor.scalarLong(DType.I64, rnd.nextInt(5) - 1));
        runExpectingCleanOutcome("MelWeightMatrix", 17, 1, List.of(), Tensor.scalarLong(DType.I64, rnd.nextInt(6) - 1),
                Tensor.scalarLong(DType.I64, rnd.nextInt(40) - 1), Tensor.scalarLong(DType.I64, rnd.nextInt(9000) - 1),
                Tensor.scalar(DType.F32, rnd.nextInt(100)), Tensor.scalar(DType.F32, rnd.nextInt(9000)));
    }
}
