package dev.kiln.ops.nn;

import dev.kiln.graph.Attribute;
import dev.kiln.ops.OpFailure;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static dev.kiln.ops.nn.NnOpRunner.assertClose;
import static dev.kiln.ops.nn.NnOpRunner.random;
import static dev.kiln.ops.nn.NnOpRunner.run1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class ConvOpsTest {

    @Property(tries = 60)
    void oneByOneConvIsAMatMul(@ForAll @IntRange(min = 1, max = 3) int n, @ForAll @IntRange(min = 1, max = 6) int c,
                               @ForAll @IntRange(min = 1, max = 6) int m, @ForAll @IntRange(min = 1, max = 7) int h,
                               @ForAll @IntRange(min = 1, max = 5) int w, @ForAll long seed) {
        Random rnd = new Random(seed);
        Tensor x = random(rnd, n, c, h, w), wt = random(rnd, m, c, 1, 1);
        Tensor y = run1("Conv", 22, List.of(), x, wt);
        // Y[b] = W[m, c] x X[b][c, h*w]
        Tensor want = MatMulOpsTest.naiveMatMul(wt.reshape(m, c), x.reshape(n, c, (long) h * w)).reshape(n, m, h, w);
        assertClose(want, y, 1e-5, 1e-5);
    }

    /** A 3x3 all-ones kernel with SAME_UPPER padding sums each pixel's neighbourhood. */
    @Test
    void sameUpperPaddingKeepsTheSpatialSize() {
        Tensor x = Tensor.of(new float[]{1, 2, 3, 4, 5, 6, 7, 8, 9}, 1, 1, 3, 3);
        Tensor w = Tensor.of(new float[]{1, 1, 1, 1, 1, 1, 1, 1, 1}, 1, 1, 3, 3);
        Tensor y = run1("Conv", 22, List.of(Attribute.of("auto_pad", "SAME_UPPER")), x, w);
        assertArrayEquals(new float[]{12, 21, 16, 27, 45, 33, 24, 39, 28}, y.toFloatArray());
        Tensor s2 = run1("Conv", 22, List.of(Attribute.of("auto_pad", "SAME_UPPER"), Attribute.of("strides", new long[]{2, 2})), x, w);
        assertEquals(Shape.of(1, 1, 2, 2), s2.shape());
        // Total pad 2 per axis split 1/1: windows centred at (0,0),(0,2),(2,0),(2,2).
        assertArrayEquals(new float[]{12, 16, 24, 28}, s2.toFloatArray());
    }

    @Test
    void depthwiseGroupsAndDilationAndBias() {
        Random rnd = new Random(7);
        Tensor x = random(rnd, 1, 2, 5, 5), w = random(rnd, 2, 1, 2, 2), b = Tensor.of(new float[]{10, -10}, 2);
        Tensor y = run1("Conv", 22, List.of(Attribute.of("group", 2L), Attribute.of("dilations", new long[]{2, 2})), x, w, b);
        assertEquals(Shape.of(1, 2, 3, 3), y.shape());
        for (int ch = 0; ch < 2; ch++)
            for (int i = 0; i < 3; i++)
                for (int j = 0; j < 3; j++) {
                    double s = ch == 0 ? 10 : -10;
                    for (int a = 0; a < 2; a++)
                        for (int bb = 0; bb < 2; bb++)
                            s += x.getDouble(new long[]{0, ch, i + 2 * a, j + 2 * bb}) * w.getDouble(new long[]{ch, 0, a, bb});
                    assertEquals(s, y.getDouble(new long[]{0, ch, i, j}), 1e-5);
                }
    }

    /** ConvTranspose is the adjoint of Conv: <conv(x), y> == <x, convT(y)> for the same weights. */
    @Property(tries = 40)
    void convTransposeIsTheAdjointOfConv(@ForAll @IntRange(min = 1, max = 3) int c, @ForAll @IntRange(min = 1, max = 3) int m,
                                         @ForAll @IntRange(min = 3, max = 7) int h, @ForAll @IntRange(min = 1, max = 3) int k,
                                         @ForAll @IntRange(min = 1, max = 2) int s, @ForAll @IntRange(min = 0, max = 1) int p,
                                         @ForAll long seed) {
        Random rnd = new Random(seed);
        Tensor x = random(rnd, 1, c, h, h), w = random(rnd, m, c, k, k);
        List<Attribute> attrs = List.of(Attribute.of("strides", new long[]{s, s}), Attribute.of("pads", new long[]{p, p, p, p}));
        Tensor cx = run1("Conv", 22, attrs, x, w);
        Tensor y = random(rnd, cx.shape().dims());
        // Output padding makes convT's output exactly x's size when the stride leaves a remainder.
        long natural = (long) s * (cx.shape().dim(2) - 1) + k - 2L * p;
        long op = h - natural;
        List<Attribute> tAttrs = List.of(Attribute.of("strides", new long[]{s, s}), Attribute.of("pads", new long[]{p, p, p, p}),
                Attribute.of("output_padding", new long[]{op, op}));
        Tensor ty = run1("ConvTranspose", 22, tAttrs, y, w);
        assertEquals(x.shape(), ty.shape());
        double lhs = 0, rhs = 0;
        for (long i = 0; i < cx.numel(); i++) lhs += cx.getDouble(i) * y.getDouble(i);
        for (long i = 0; i < x.numel(); i++) rhs += x.getDouble(i) * ty.getDouble(i);
        assertEquals(lhs, rhs, 1e-3 * (1 + Math.abs(lhs)));
    }

    @Test
    void convIntegerSubtractsZeroPoints() {
        Tensor x = Tensor.fromLongs(DType.U8, new long[]{2, 3, 4, 5}, 1, 1, 2, 2);
        Tensor w = Tensor.fromLongs(DType.U8, new long[]{1, 1, 1, 1}, 1, 1, 2, 2);
        Tensor xz = Tensor.scalarLong(DType.U8, 1), wz = Tensor.scalarLong(DType.U8, 0);
        Tensor y = run1("ConvInteger", 10, List.of(), x, w, xz, wz);
        assertEquals(DType.I32, y.dtype());
        assertEquals(10, y.getLong(0));
    }

    @Test
    void badGroupIsAClearError() {
        Random rnd = new Random(1);
        assertThrows(OpFailure.class, () -> run1("Conv", 22, List.of(Attribute.of("group", 2L)), random(rnd, 1, 3, 4, 4), random(rnd, 2, 1, 1, 1)));
    }

    @Test
    void col2ImInvertsNonOverlappingBlocks() {
        // 1 channel, 2x2 blocks tiling a 4x4 image with stride 2: column l holds block l's pixels.
        Tensor cols = Tensor.of(new float[]{
                0, 2, 8, 10,
                1, 3, 9, 11,
                4, 6, 12, 14,
                5, 7, 13, 15}, 1, 4, 4);
        Tensor y = run1("Col2Im", 18, List.of(Attribute.of("strides", new long[]{2, 2})), cols,
                Tensor.ofLongs(new long[]{4, 4}, 2), Tensor.ofLongs(new long[]{2, 2}, 2));
        float[] want = new float[16];
        for (int i = 0; i < 16; i++) want[i] = i;
        assertArrayEquals(want, y.toFloatArray());
    }

    /** The im2col+GEMM path and the direct loop agree exactly over strides, pads, dilations and groups. */
    @Property(tries = 80)
    void columnsPathEqualsDirectLoop(@ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 3) int groups,
                                     @ForAll @IntRange(min = 1, max = 2) int cPerG, @ForAll @IntRange(min = 1, max = 2) int mPerG,
                                     @ForAll @IntRange(min = 1, max = 3) int k, @ForAll @IntRange(min = 1, max = 3) int s,
                                     @ForAll @IntRange(min = 1, max = 2) int d, @ForAll @IntRange(min = 0, max = 2) int p,
                                     @ForAll @IntRange(min = 1, max = 3) int rank, @ForAll long seed) {
        Random rnd = new Random(seed);
        long[] in = new long[rank], kern = new long[rank];
        for (int i = 0; i < rank; i++) { in[i] = 3 + rnd.nextInt(5); kern[i] = k; }
        long[] pads = new long[2 * rank], strides = new long[rank], dil = new long[rank];
        java.util.Arrays.fill(pads, p);
        java.util.Arrays.fill(strides, s);
        java.util.Arrays.fill(dil, d);
        Window.Attrs attrs = new Window.Attrs() {
            @Override public long[] ints(String name) {
                return switch (name) { case "pads" -> pads; case "strides" -> strides; case "dilations" -> dil; default -> null; };
            }
            @Override public String string(String name) { return null; }
            @Override public OpFailure fail(String message) { return new OpFailure(message); }
        };
        Window w;
        try {
            w = Window.forward(attrs, in, kern, false);
        } catch (OpFailure tooBig) {
            return;   // kernel larger than the padded input: no convolution to compare
        }
        int c = groups * cPerG, m = groups * mPerG;
        double[] x = new double[(int) (n * c * w.inCount())], wt = new double[(int) (m * cPerG * w.kernelCount())], b = new double[m];
        for (int i = 0; i < x.length; i++) x[i] = rnd.nextGaussian();
        for (int i = 0; i < wt.length; i++) wt[i] = rnd.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = rnd.nextGaussian();
        assertArrayEquals(DirectConv.direct(w, x, n, c, wt, m, groups, b), DirectConv.viaColumns(w, x, n, c, wt, m, groups, b));
    }
}
