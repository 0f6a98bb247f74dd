package dev.kiln.ops.nn;

import dev.kiln.ops.KernelContext;
import dev.kiln.tensor.Tensor;

/**
 * ONNX RotaryEmbedding (opset 23). Input is (B, H, S, D) or (B, S, H*D) with num_heads; the first
 * rotary_embedding_dim (default D) features of each head are rotated pairwise: pairs are (x[k], x[k + r/2])
 * or, when interleaved, (x[2k], x[2k+1]); the rest pass through. cos/sin are (B, S, r/2), or
 * (max_position, r/2) indexed by position_ids (B, S).
 */
final class RotaryKernel {
    private RotaryKernel() {}

    static Object[] run(KernelContext ctx) {
        Tensor xT = ctx.input(0), cosT = ctx.input(1), sinT = ctx.input(2), posT = ctx.optionalInput(3);
        AttnIo.requireFloat(ctx, xT, "input");
        int rank = xT.rank();
        int b, s, h, d;
        if (rank == 4) {
            b = (int) xT.shape().dim(0); h = (int) xT.shape().dim(1); s = (int) xT.shape().dim(2); d = (int) xT.shape().dim(3);
        } else if (rank == 3) {
            long nh = ctx.attrInt("num_heads");
            if (nh <= 0) throw ctx.fail("3-D input needs a positive num_heads attribute");
            b = (int) xT.shape().dim(0); s = (int) xT.shape().dim(1); h = (int) nh;
            long hidden = xT.shape().dim(2);
            if (hidden % nh != 0) throw ctx.fail("hidden size " + hidden + " is not divisible by num_heads " + nh);
            d = (int) (hidden / nh);
        } else {
            throw ctx.fail("input must be 3-D or 4-D, got shape " + xT.shape());
        }
        int rd = (int) ctx.attrInt("rotary_embedding_dim");
        if (rd == 0) rd = d;
        if (rd < 0 || rd > d || rd % 2 != 0) throw ctx.fail("rotary_embedding_dim " + rd + " must be even and at most head size " + d);
        int half = rd / 2;
        boolean interleaved = ctx.attrInt("interleaved") != 0;
        if (cosT.shape().dim(cosT.rank() - 1) != half || !cosT.shape().equals(sinT.shape()))
            throw ctx.fail("cos_cache/sin_cache shapes " + cosT.shape() + "/" + sinT.shape() + " must end in rotary_dim/2 = " + half);

        double[] x = AttnIo.doubles(xT), cos = AttnIo.doubles(cosT), sin = AttnIo.doubles(sinT);
        long[] pos = null;
        if (posT != null) {
            if (posT.numel() != (long) b * s) throw ctx.fail("position_ids shape " + posT.shape() + " must be (" + b + ", " + s + ")");
            if (cosT.rank() != 2) throw ctx.fail("with position_ids, cos_cache must be 2-D (max_position, rotary_dim/2)");
            pos = posT.toLongArray();
        } else if (cosT.rank() != 3 || cosT.shape().dim(0) != b || cosT.shape().dim(1) != s) {
            throw ctx.fail("without position_ids, cos_cache must be (" + b + ", " + s + ", " + half + "), got " + cosT.shape());
        }
        long maxPos = cosT.shape().dim(0);
        double[] y = x.clone();
        for (int bi = 0; bi < b; bi++) {
            for (int si = 0; si < s; si++) {
                int cacheRow;
                if (pos != null) {
                    long p = pos[bi * s + si];
                    if (p < 0 || p >= maxPos) throw ctx.fail("position id " + p + " outside cos_cache rows [0, " + maxPos + ")");
                    cacheRow = (int) p * half;
                } else {
                    cacheRow = (bi * s + si) * half;
                }
                for (int hi = 0; hi < h; hi++) {
                    int base = rank == 4 ? ((bi * h + hi) * s + si) * d : ((bi * s + si) * h + hi) * d;
                    for (int k = 0; k < half; k++) {
                        int i1 = interleaved ? base + 2 * k : base + k;
                        int i2 = interleaved ? base + 2 * k + 1 : base + k + half;
                        double c = cos[cacheRow + k], sn = sin[cacheRow + k];
                        double x1 = x[i1], x2 = x[i2];
                        y[i1] = c * x1 - sn * x2;
                        y[i2] = sn * x1 + c * x2;
                    }
                }
            }
        }
        return new Object[]{AttnIo.tensor(xT.dtype(), xT.shape(), y)};
    }
}
