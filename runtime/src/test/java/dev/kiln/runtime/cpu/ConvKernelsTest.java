package dev.kiln.runtime.cpu;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Conv2D (im2col + GEMM, direct 1x1, depthwise) against the six-loop definition in double precision. */
class ConvKernelsTest {
    private static final KilnPool POOL = new KilnPool(2);

    @Property(tries = 150)
    void matchesNaiveConvolution(@ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 5) int c,
                                 @ForAll @IntRange(min = 1, max = 9) int h, @ForAll @IntRange(min = 1, max = 11) int w,
                                 @ForAll @IntRange(min = 1, max = 3) int kh, @ForAll @IntRange(min = 1, max = 3) int kw,
                                 @ForAll @IntRange(min = 1, max = 2) int sh, @ForAll @IntRange(min = 1, max = 2) int sw,
                                 @ForAll @IntRange(min = 1, max = 2) int dh, @ForAll @IntRange(min = 1, max = 2) int dw,
                                 @ForAll @IntRange(min = 0, max = 2) int pad, @ForAll boolean depthwise, @ForAll boolean withBias,
                                 @ForAll @IntRange(min = 1, max = 6) int coutIn, @ForAll long seed) {
        Random r = new Random(seed);
        int cout = depthwise ? c : coutIn, group = depthwise ? c : 1;
        ConvKernels.Conv2d g = new ConvKernels.Conv2d(kh, kw, sh, sw, dh, dw, pad, pad, r.nextInt(pad + 1), pad);
        int oh = g.outH(h), ow = g.outW(w);
        if (oh <= 0 || ow <= 0) return;
        Tensor x = TensorGen.random(r, n, c, h, w), wt = TensorGen.random(r, cout, depthwise ? 1 : c, kh, kw);
        Tensor b = withBias ? TensorGen.random(r, cout) : null;
        Tensor got = ConvKernels.conv2d(x, wt, b, depthwise && c > 1 ? group : 1, g, POOL);
        assertNotNull(got);
        Tensor want = Tensor.allocate(DType.F32, Shape.of(n, cout, oh, ow));
        int cin = depthwise ? 1 : c;
        for (int bi = 0; bi < n; bi++)
            for (int co = 0; co < cout; co++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++) {
                        double s = b == null ? 0 : b.getDouble(co);
                        for (int ci = 0; ci < cin; ci++) {
                            int xc = depthwise ? co : ci;
                            for (int i = 0; i < kh; i++)
                                for (int j = 0; j < kw; j++) {
                                    int iy = oy * sh - g.padT() + i * dh, ix = ox * sw - g.padL() + j * dw;
                                    if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                                    s += x.getDouble(((long) (bi * c + xc) * h + iy) * w + ix) * wt.getDouble((((long) co * cin + ci) * kh + i) * kw + j);
                                }
                        }
                        want.setDouble(((long) (bi * cout + co) * oh + oy) * ow + ox, s);
                    }
        TensorGen.assertClose(want, got, 1e-5, 1e-5 * (c * kh * kw + 1));
    }

    @Property(tries = 80)
    void nhwcMatchesNchw(@ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 5) int c,
                         @ForAll @IntRange(min = 1, max = 8) int h, @ForAll @IntRange(min = 1, max = 8) int w,
                         @ForAll @IntRange(min = 1, max = 3) int k, @ForAll @IntRange(min = 1, max = 2) int s,
                         @ForAll @IntRange(min = 0, max = 1) int pad, @ForAll @IntRange(min = 1, max = 6) int cout,
                         @ForAll boolean withBias, @ForAll long seed) {
        Random r = new Random(seed);
        ConvKernels.Conv2d g = new ConvKernels.Conv2d(k, k, s, s, 1, 1, pad, pad, pad, pad);
        if (g.outH(h) <= 0 || g.outW(w) <= 0) return;
        Tensor x = TensorGen.random(r, n, c, h, w), wt = TensorGen.random(r, cout, c, k, k), b = withBias ? TensorGen.random(r, cout) : null;
        Tensor nchw = ConvKernels.conv2d(x, wt, b, 1, g, POOL);
        Tensor nhwc = ConvKernels.conv2dNhwc(x.permute(0, 2, 3, 1).contiguous(), wt, b, g, POOL);
        assertNotNull(nhwc);
        TensorGen.assertClose(nchw.permute(0, 2, 3, 1).contiguous(), nhwc, 1e-5, 1e-5 * (c * k * k + 1));
    }
}
