package dev.kiln.runtime.cpu;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.lang.foreign.MemorySegment;

/** Softmax, LogSoftmax and LayerNormalization on f32 tensors, rows split across the pool. */
public final class NnKernels {
    private NnKernels() {}

    /** Rows below this many elements of work stay on one thread: waking workers would cost more. */
    static final long PARALLEL_MIN_ELEMENTS = 1 << 15;

    /** Runs body(r0, r1) over [0, rows) on up to pool.threads() threads when the work is big enough. */
    static void forRows(KilnPool pool, long rows, long rowLen, RowRange body) {
        int parts = (int) Math.min(pool.threads(), Math.max(1, rows * rowLen / PARALLEL_MIN_ELEMENTS));
        parts = (int) Math.min(parts, Math.max(1, rows));
        if (parts <= 1) { body.run(0, rows); return; }
        final int p = parts;
        pool.run(p, i -> body.run(rows * i / p, rows * (i + 1) / p));
    }

    @FunctionalInterface interface RowRange { void run(long r0, long r1); }

    /**
     * Softmax (log = false) or LogSoftmax of {@code x} along {@code axis}. With {@code flatten} (opsets before 13)
     * the input is viewed as 2-D at axis and normalized over everything from axis on.
     */
    public static Tensor softmax(Tensor x, int axis, boolean flatten, boolean log, KilnPool pool) {
        Shape s = x.shape();
        int ax = s.rank() == 0 ? 0 : s.axis(axis);
        if (s.rank() == 0) return unitSoftmax(x, log);
        if (flatten || ax == s.rank() - 1) {
            long n = 1;
            for (int i = ax; i < s.rank(); i++) n *= s.dim(i);
            return softmaxRows(x.contiguous(), n, log, pool);
        }
        // move the axis last, normalize rows, move it back
        int r = s.rank();
        int[] perm = new int[r], inv = new int[r];
        for (int i = 0, j = 0; i < r; i++) if (i != ax) perm[j++] = i;
        perm[r - 1] = ax;
        for (int i = 0; i < r; i++) inv[perm[i]] = i;
        Tensor moved = x.permute(perm).contiguous();
        Tensor y = softmaxRows(moved, s.dim(ax), log, pool);
        return y.permute(inv).contiguous();
    }

    private static Tensor unitSoftmax(Tensor x, boolean log) {
        float v = x.getFloat(0);
        return Tensor.scalar(DType.F32, Float.isNaN(v) ? v : log ? 0f : 1f);
    }

    private static Tensor softmaxRows(Tensor x, long n, boolean log, KilnPool pool) {
        Tensor y = Tensor.allocate(DType.F32, x.shape());
        if (x.numel() == 0 || n == 0) return y;
        if (n > Integer.MAX_VALUE) throw new IllegalArgumentException("softmax row of " + n + " elements");
        long rows = x.numel() / n;
        MemorySegment xs = x.segment(), ys = y.segment();
        long xo = x.offset();
        int len = (int) n;
        forRows(pool, rows, n, (r0, r1) -> {
            for (long r = r0; r < r1; r++) {
                if (log) RowKernels.logSoftmax(xs, xo + r * n, ys, r * n, len);
                else RowKernels.softmax(xs, xo + r * n, ys, r * n, len);
            }
        });
        return y;
    }

    /**
     * LayerNormalization (Y only): normalize over axes [axis, rank), then scale and shift. Scale and bias must
     * each hold exactly the normalized size (any shape broadcasting to it, e.g. [D] or [1, D]); returns null
     * otherwise so the caller can use the reference kernel.
     */
    public static Tensor layerNorm(Tensor x, Tensor scale, Tensor bias, int axis, float eps, KilnPool pool) {
        Shape s = x.shape();
        int ax = s.axis(axis);
        long n = 1;
        for (int i = ax; i < s.rank(); i++) n *= s.dim(i);
        if (scale.numel() != n || (bias != null && bias.numel() != n) || n > Integer.MAX_VALUE) return null;
        Tensor xc = x.contiguous(), sc = scale.contiguous(), bc = bias == null ? null : bias.contiguous();
        Tensor y = Tensor.allocate(DType.F32, s);
        if (x.numel() == 0 || n == 0) return y;
        long rows = x.numel() / n;
        int len = (int) n;
        final long nn = n;
        MemorySegment xs = xc.segment(), ys = y.segment(), ss = sc.segment(), bs = bc == null ? null : bc.segment();
        long xo = xc.offset(), so = sc.offset(), bo = bc == null ? 0 : bc.offset();
        forRows(pool, rows, n, (r0, r1) -> {
            for (long r = r0; r < r1; r++) RowKernels.layerNorm(xs, xo + r * nn, ys, r * nn, len, eps, ss, so, bs, bo);
        });
        return y;
    }
}
