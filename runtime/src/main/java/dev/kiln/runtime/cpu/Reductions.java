package dev.kiln.runtime.cpu;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

/**
 * ONNX f32 reductions over any set of axes. The reduced axes are moved innermost (a copy only when they are
 * not already the trailing ones), so every output element is one vectorized row reduction.
 */
public final class Reductions {
    private Reductions() {}

    public enum Kind { SUM, MEAN, MAX, MIN, PROD, L1, L2, SUM_SQUARE, LOG_SUM, LOG_SUM_EXP }

    /** Reduces {@code x} over {@code axes} (empty: all axes). Requires a non-empty reduction (rows of >= 1). */
    public static Tensor reduce(Kind kind, Tensor x, long[] axes, boolean keepDims, KilnPool pool) {
        Shape s = x.shape();
        int r = s.rank();
        boolean[] red = new boolean[r];
        if (axes == null || axes.length == 0) Arrays.fill(red, true);
        else for (long a : axes) red[s.axis(a)] = true;
        int nk = 0;
        for (boolean b : red) if (!b) nk++;
        int[] perm = new int[r];
        long[] outDims = new long[keepDims ? r : nk];
        long n = 1;
        for (int i = 0, j = 0, o = 0; i < r; i++) {
            if (!red[i]) perm[j++] = i;
            if (red[i]) n *= s.dim(i);
            if (keepDims) outDims[o++] = red[i] ? 1 : s.dim(i);
            else if (!red[i]) outDims[o++] = s.dim(i);
        }
        for (int i = 0, j = nk; i < r; i++) if (red[i]) perm[j++] = i;
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("reduction over " + n + " elements");
        Tensor rows = isIdentity(perm) ? x.contiguous() : x.permute(perm).contiguous();
        Tensor y = Tensor.allocate(DType.F32, Shape.of(outDims));
        long count = y.numel();
        if (count == 0) return y;
        int len = (int) n;
        MemorySegment xs = rows.segment(), ys = y.segment();
        long xo = rows.offset();
        NnKernels.forRows(pool, count, n, (r0, r1) -> {
            for (long o = r0; o < r1; o++) Activation.setF(ys, o, row(kind, xs, xo + o * len, len));
        });
        return y;
    }

    private static boolean isIdentity(int[] perm) {
        for (int i = 0; i < perm.length; i++) if (perm[i] != i) return false;
        return true;
    }

    static float row(Kind kind, MemorySegment x, long xo, int n) {
        return switch (kind) {
            case SUM -> RowKernels.sum(x, xo, n);
            case MEAN -> RowKernels.sum(x, xo, n) / n;
            case MAX -> RowKernels.max(x, xo, n);
            case MIN -> RowKernels.min(x, xo, n);
            case PROD -> RowKernels.prod(x, xo, n);
            case L1 -> RowKernels.sumAbs(x, xo, n);
            case L2 -> (float) Math.sqrt(RowKernels.sumSquares(x, xo, n));
            case SUM_SQUARE -> RowKernels.sumSquares(x, xo, n);
            case LOG_SUM -> (float) Math.log(RowKernels.sum(x, xo, n));
            case LOG_SUM_EXP -> {
                float m = RowKernels.max(x, xo, n);
                if (Float.isInfinite(m)) yield m == Float.NEGATIVE_INFINITY ? m : Float.POSITIVE_INFINITY;
                yield m + (float) Math.log(RowKernels.sumExp(x, xo, m, null, 0, n));
            }
        };
    }
}
