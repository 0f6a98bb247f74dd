package dev.kiln.ops.nn;

import dev.kiln.ops.KernelContext;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * Col2Im: the adjoint of im2col. Input (N, C * prod(block), L) where L is the number of sliding blocks over the
 * padded image; each column entry is added back to its image position (overlaps sum, padding is dropped).
 */
final class Col2Im {
    private Col2Im() {}

    static Tensor run(KernelContext ctx) {
        Tensor x = ctx.input(0);
        long[] image = ctx.input(1).toLongArray(), block = ctx.input(2).toLongArray();
        NnTensors.requireRank(ctx, x, 3, "Col2Im input");
        if (image.length != block.length || image.length == 0)
            throw ctx.fail("image_shape " + java.util.Arrays.toString(image) + " and block_shape " + java.util.Arrays.toString(block) + " must have the same non-zero length");
        for (long v : image) if (v < 0) throw ctx.fail("negative image_shape");
        Window w = Window.forward(ctx, image, block, false);
        long kc = w.kernelCount();
        long n = x.shape().dim(0), ck = x.shape().dim(1), l = x.shape().dim(2);
        if (kc == 0 || ck % kc != 0) throw ctx.fail("input dim 1 (" + ck + ") must be a multiple of prod(block_shape) = " + kc);
        if (l != w.outCount()) throw ctx.fail("input dim 2 (" + l + ") must equal the number of blocks " + w.outCount());
        long c = ck / kc;
        int r = image.length;
        long[] od = new long[r + 2];
        od[0] = n;
        od[1] = c;
        System.arraycopy(image, 0, od, 2, r);
        Shape os = Shape.of(od);
        NnTensors.checkedSize(ctx, os, "Col2Im output");
        int imgSp = (int) w.inCount();
        double[] xv = NnTensors.doubles(x), y = new double[(int) os.numel()];
        long[] kOff = w.kernelOffsets(), bIdx = new long[r];
        for (int bl = 0; bl < l; bl++) {
            Window.unflatten(bl, w.out(), bIdx);
            for (int k = 0; k < kc; k++) {
                int flat = 0;
                boolean ok = true;
                for (int a = 0; a < r; a++) {
                    long p = bIdx[a] * w.strides()[a] - w.padBegin()[a] + kOff[k * r + a] * w.dilations()[a];
                    if (p < 0 || p >= image[a]) { ok = false; break; }
                    flat = (int) (flat * image[a] + p);
                }
                if (!ok) continue;
                for (int b = 0; b < n; b++)
                    for (int ch = 0; ch < c; ch++)
                        y[(int) ((b * c + ch) * imgSp + flat)] += xv[(int) (((b * ck) + ch * kc + k) * l + bl)];
            }
        }
        return NnTensors.fromDoubles(x.dtype(), os, y);
    }
}
