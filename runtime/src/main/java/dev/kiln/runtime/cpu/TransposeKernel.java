package dev.kiln.runtime.cpu;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

import java.lang.foreign.MemorySegment;

/**
 * Transpose (any permutation) of 4-byte tensors into a dense result. Axes that stay adjacent are merged first;
 * when the innermost axis stays innermost whole runs are bulk-copied (the attention head reshuffles of BERT),
 * otherwise the two innermost output axes are walked in square tiles so reads and writes both stay in cache.
 */
public final class TransposeKernel {
    private TransposeKernel() {}

    private static final int TILE = 16;

    /** {@code x} permuted by {@code perm} (output axis i is input axis perm[i]); x must have a 4-byte dtype. */
    public static Tensor transpose(Tensor x, int[] perm) {
        if (x.dtype().byteSize() != 4) throw new IllegalArgumentException("transpose kernel handles 4-byte dtypes, got " + x.dtype());
        Tensor v = x.permute(perm);
        Tensor y = Tensor.allocate(x.dtype(), v.shape());
        if (v.numel() == 0) return y;
        // merge output axes that are also adjacent and in order in the input
        long[] dims = v.shape().dims(), st = v.strides();
        int r = 0;
        long[] d = new long[dims.length], s = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == 1) continue;
            if (r > 0 && s[r - 1] == st[i] * dims[i]) { d[r - 1] *= dims[i]; s[r - 1] = st[i]; }
            else { d[r] = dims[i]; s[r] = st[i]; r++; }
        }
        MemorySegment src = v.segment(), dst = y.segment();
        long base = v.offset();
        if (r == 0) { dst.set(Activation.F32, 0, src.get(Activation.F32, base * 4)); return y; }
        if (s[r - 1] == 1) {
            long run = d[r - 1];
            long rows = v.numel() / run;
            long[] idx = new long[r];
            long pos = base;
            for (long row = 0; row < rows; row++) {
                MemorySegment.copy(src, pos * 4, dst, row * run * 4, run * 4);
                for (int ax = r - 2; ax >= 0; ax--) {
                    pos += s[ax];
                    if (++idx[ax] < d[ax]) break;
                    pos -= s[ax] * d[ax];
                    idx[ax] = 0;
                }
            }
            return y;
        }
        if (r == 1) {
            for (long i = 0; i < d[0]; i++) dst.set(Activation.F32, i * 4, src.get(Activation.F32, (base + i * s[0]) * 4));
            return y;
        }
        // tiled walk over the two innermost output axes, odometer over the rest
        long rowsN = d[r - 2], colsN = d[r - 1], rs = s[r - 2], cs = s[r - 1];
        long outer = v.numel() / (rowsN * colsN);
        long[] idx = new long[Math.max(r - 2, 0)];
        long pos = base, out = 0;
        for (long o = 0; o < outer; o++) {
            for (long i0 = 0; i0 < rowsN; i0 += TILE) {
                long i1 = Math.min(rowsN, i0 + TILE);
                for (long j0 = 0; j0 < colsN; j0 += TILE) {
                    long j1 = Math.min(colsN, j0 + TILE);
                    for (long i = i0; i < i1; i++) {
                        long sp = pos + i * rs, dp = out + i * colsN;
                        for (long j = j0; j < j1; j++)
                            dst.set(Activation.F32, (dp + j) * 4, src.get(Activation.F32, (sp + j * cs) * 4));
                    }
                }
            }
            out += rowsN * colsN;
            for (int ax = r - 3; ax >= 0; ax--) {
                pos += s[ax];
                if (++idx[ax] < d[ax]) break;
                pos -= s[ax] * d[ax];
                idx[ax] = 0;
            }
        }
        return y;
    }
}
