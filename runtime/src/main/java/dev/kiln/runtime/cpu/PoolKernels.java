package dev.kiln.runtime.cpu;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.lang.foreign.MemorySegment;

/**
 * Max and average pooling over 2-D NCHW f32 tensors (planes split across the pool), and global pooling over any
 * spatial rank as a row reduction. Geometry reuses {@link ConvKernels.Conv2d} (kernel, strides, dilations, pads).
 */
public final class PoolKernels {
    private PoolKernels() {}

    /** GlobalMaxPool / GlobalAveragePool: reduce every spatial axis, keeping them as size 1. */
    public static Tensor global(Tensor x, boolean max, KilnPool pool) {
        if (x.rank() < 3) return null;
        long[] axes = new long[x.rank() - 2];
        for (int i = 0; i < axes.length; i++) axes[i] = i + 2;
        for (long a : axes) if (x.shape().dim((int) a) == 0) return null;
        return Reductions.reduce(max ? Reductions.Kind.MAX : Reductions.Kind.MEAN, x, axes, true, pool);
    }

    /**
     * MaxPool (max) or AveragePool over windows of {@code g}, floor output size. Average divides by the window's
     * in-bounds count, or by its full size with {@code countIncludePad}. Windows wholly in padding give -inf
     * (max) as the ONNX reference does.
     */
    public static Tensor pool2d(Tensor x, boolean max, boolean countIncludePad, ConvKernels.Conv2d g, KilnPool pool) {
        if (x.rank() != 4) return null;
        long n = x.shape().dim(0), c = x.shape().dim(1);
        int h = (int) x.shape().dim(2), w = (int) x.shape().dim(3);
        int oh = g.outH(h), ow = g.outW(w);
        if (oh <= 0 || ow <= 0) return null;
        Tensor xc = x.contiguous();
        Tensor y = Tensor.allocate(DType.F32, Shape.of(n, c, oh, ow));
        if (y.numel() == 0) return y;
        MemorySegment xs = xc.segment(), ys = y.segment();
        long xo = xc.offset();
        float full = g.kh() * g.kw();
        NnKernels.forRows(pool, n * c, (long) oh * ow * g.kh() * g.kw(), (p0, p1) -> {
            for (long p = p0; p < p1; p++) {
                long xb = xo + p * h * w, yb = p * oh * ow;
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++) {
                        float acc = max ? Float.NEGATIVE_INFINITY : 0f;
                        int cnt = 0;
                        for (int i = 0; i < g.kh(); i++) {
                            int iy = oy * g.sh() - g.padT() + i * g.dh();
                            if (iy < 0 || iy >= h) continue;
                            for (int j = 0; j < g.kw(); j++) {
                                int ix = ox * g.sw() - g.padL() + j * g.dw();
                                if (ix < 0 || ix >= w) continue;
                                float v = Activation.getF(xs, xb + (long) iy * w + ix);
                                // NaN is skipped (v > acc is false), as the reference kernel and ONNX Runtime do
                                if (max) acc = v > acc ? v : acc; else acc += v;
                                cnt++;
                            }
                        }
                        float out = max ? acc : acc / (countIncludePad ? full : Math.max(cnt, 1));
                        Activation.setF(ys, yb + (long) oy * ow + ox, out);
                    }
            }
        });
        return y;
    }
}
