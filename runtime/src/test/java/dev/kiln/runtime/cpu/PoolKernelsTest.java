package dev.kiln.runtime.cpu;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertNotNull;

/** Max/average pooling and global pooling against direct window loops. */
class PoolKernelsTest {
    private static final KilnPool POOL = new KilnPool(2);

    @Property(tries = 150)
    void poolMatchesWindows(@ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 4) int c,
                            @ForAll @IntRange(min = 1, max = 9) int h, @ForAll @IntRange(min = 1, max = 10) int w,
                            @ForAll @IntRange(min = 1, max = 3) int k, @ForAll @IntRange(min = 1, max = 3) int s,
                            @ForAll @IntRange(min = 1, max = 2) int d, @ForAll @IntRange(min = 0, max = 1) int pad,
                            @ForAll boolean max, @ForAll boolean includePad, @ForAll long seed) {
        Random r = new Random(seed);
        ConvKernels.Conv2d g = new ConvKernels.Conv2d(k, k, s, s, d, d, pad, pad, pad, pad);
        int oh = g.outH(h), ow = g.outW(w);
        if (oh <= 0 || ow <= 0) return;
        Tensor x = TensorGen.random(r, n, c, h, w);
        Tensor got = PoolKernels.pool2d(x, max, includePad, g, POOL);
        assertNotNull(got);
        Tensor want = Tensor.allocate(DType.F32, Shape.of(n, c, oh, ow));
        for (int p = 0; p < n * c; p++)
            for (int oy = 0; oy < oh; oy++)
                for (int ox = 0; ox < ow; ox++) {
                    double acc = max ? Double.NEGATIVE_INFINITY : 0;
                    int cnt = 0;
                    for (int i = 0; i < k; i++)
                        for (int j = 0; j < k; j++) {
                            int iy = oy * s - pad + i * d, ix = ox * s - pad + j * d;
                            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
                            double v = x.getDouble(((long) p * h + iy) * w + ix);
                            acc = max ? Math.max(acc, v) : acc + v;
                            cnt++;
                        }
                    want.setDouble(((long) p * oh + oy) * ow + ox, max ? acc : acc / (includePad ? k * k : Math.max(cnt, 1)));
                }
        TensorGen.assertClose(want, got, 1e-6, 1e-6);
    }

    @Property(tries = 50)
    void globalPooling(@ForAll @IntRange(min = 1, max = 3) int n, @ForAll @IntRange(min = 1, max = 5) int c,
                       @ForAll @IntRange(min = 1, max = 12) int h, @ForAll @IntRange(min = 1, max = 12) int w,
                       @ForAll boolean max, @ForAll long seed) {
        Random r = new Random(seed);
        Tensor x = TensorGen.random(r, n, c, h, w);
        Tensor got = PoolKernels.global(x, max, POOL);
        Tensor want = Tensor.allocate(DType.F32, Shape.of(n, c, 1, 1));
        for (int p = 0; p < n * c; p++) {
            double acc = max ? Double.NEGATIVE_INFINITY : 0;
            for (int i = 0; i < h * w; i++) acc = max ? Math.max(acc, x.getDouble((long) p * h * w + i)) : acc + x.getDouble((long) p * h * w + i);
            want.setDouble(p, max ? acc : acc / (h * w));
        }
        TensorGen.assertClose(want, got, 1e-5, 1e-6);
    }
}
