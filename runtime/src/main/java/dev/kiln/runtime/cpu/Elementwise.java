package dev.kiln.runtime.cpu;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.lang.foreign.MemorySegment;

/**
 * f32 elementwise kernels over tensors of any layout. Binary ops broadcast numpy-style: both operands are viewed
 * at the output shape (stride 0 on broadcast axes), adjacent axes that stay linear for both are merged, and the
 * innermost run goes to a vector loop: run x run, run x scalar or scalar x run. Only odd strides fall to scalar.
 */
public final class Elementwise {
    private Elementwise() {}

    /** y = op(a, b) with broadcasting; both f32; single-threaded. */
    public static Tensor binary(BinaryLoops.Op op, Tensor a, Tensor b) { return binary(op, a, b, null); }

    /** y = op(a, b) with broadcasting; both f32; rows split across {@code pool} (null: the calling thread). */
    public static Tensor binary(BinaryLoops.Op op, Tensor a, Tensor b, KilnPool pool) {
        Shape out = Shape.broadcast(a.shape(), b.shape());
        Tensor y = Tensor.allocate(DType.F32, out);
        if (out.isEmpty()) return y;
        long[] dims = out.dims();
        long[] sa = a.expand(out).strides(), sb = b.expand(out).strides();
        // merge axes: drop size-1 axes, fuse i into i+1 when both operands stay linear across them
        int r = 0;
        long[] d = new long[dims.length], xa = new long[dims.length], xb = new long[dims.length];
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == 1) continue;
            if (r > 0 && xa[r - 1] == sa[i] * dims[i] && xb[r - 1] == sb[i] * dims[i]) {
                d[r - 1] *= dims[i];
                xa[r - 1] = sa[i];
                xb[r - 1] = sb[i];
            } else {
                d[r] = dims[i];
                xa[r] = sa[i];
                xb[r] = sb[i];
                r++;
            }
        }
        MemorySegment ma = a.segment(), mb = b.segment(), my = y.segment();
        if (r == 0) {
            my.set(Activation.F32, 0, BinaryLoops.scalar(op, Activation.getF(ma, a.offset()), Activation.getF(mb, b.offset())));
            return y;
        }
        long inner = d[r - 1];
        if (inner > Integer.MAX_VALUE) throw new IllegalArgumentException("run of " + inner + " elements is too long");
        int n = (int) inner;
        long ia = xa[r - 1], ib = xb[r - 1];
        long rows = out.numel() / inner;
        final int rr = r;
        RowRangeBody body = (r0, r1) -> {
            // position of row r0: decompose it over the outer axes
            long[] idx = new long[rr];
            long pa = a.offset(), pb = b.offset(), rem = r0;
            for (int ax = rr - 2; ax >= 0; ax--) {
                idx[ax] = rem % d[ax];
                rem /= d[ax];
                pa += idx[ax] * xa[ax];
                pb += idx[ax] * xb[ax];
            }
            long py = r0 * n;
            for (long row = r0; row < r1; row++) {
                runRow(op, ma, pa, ia, mb, pb, ib, my, py, n);
                py += n;
                for (int ax = rr - 2; ax >= 0; ax--) {
                    idx[ax]++;
                    pa += xa[ax];
                    pb += xb[ax];
                    if (idx[ax] < d[ax]) break;
                    pa -= xa[ax] * d[ax];
                    pb -= xb[ax] * d[ax];
                    idx[ax] = 0;
                }
            }
        };
        if (pool == null) body.run(0, rows);
        else NnKernels.forRows(pool, rows, n, body::run);
        return y;
    }

    @FunctionalInterface private interface RowRangeBody { void run(long r0, long r1); }

    private static void runRow(BinaryLoops.Op op, MemorySegment a, long pa, long ia, MemorySegment b, long pb, long ib,
                               MemorySegment y, long py, int n) {
        if (ia == 1 && ib == 1) BinaryLoops.vv(op, a, pa, b, pb, y, py, n);
        else if (ia == 1 && ib == 0) BinaryLoops.vs(op, a, pa, Activation.getF(b, pb), y, py, n);
        else if (ia == 0 && ib == 1) BinaryLoops.sv(op, Activation.getF(a, pa), b, pb, y, py, n);
        else {
            for (int i = 0; i < n; i++)
                Activation.setF(y, py + i, BinaryLoops.scalar(op, Activation.getF(a, pa + i * ia), Activation.getF(b, pb + i * ib)));
        }
    }

    /** y = act(x) for an f32 tensor of any layout; single-threaded. */
    public static Tensor unary(Activation act, Tensor x) { return unary(act, x, null); }

    /** y = act(x) for an f32 tensor of any layout, chunks split across {@code pool} (null: the calling thread). */
    public static Tensor unary(Activation act, Tensor x, KilnPool pool) {
        Tensor src = x.contiguous();
        Tensor y = Tensor.allocate(DType.F32, x.shape());
        long n = x.numel();
        final long chunk = 1 << 14;
        long chunks = (n + chunk - 1) / chunk;
        MemorySegment ss = src.segment(), ys = y.segment();
        long so = src.offset();
        RowRangeBody body = (c0, c1) -> {
            for (long c = c0; c < c1; c++) {
                long at = c * chunk;
                Activation.apply(act, ss, so + at, ys, at, (int) Math.min(chunk, n - at));
            }
        };
        if (pool == null) body.run(0, chunks);
        else NnKernels.forRows(pool, chunks, chunk, body::run);
        return y;
    }
}
