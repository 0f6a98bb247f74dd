package dev.kiln.ops.math;

import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * numpy-style multidirectional broadcasting as strided iteration: every input gets strides aligned to the
 * output's rank with 0 on broadcast axes, and the output is visited one innermost row at a time, so kernels run a
 * tight loop per row with precomputed start positions and no per-element index arithmetic or allocation.
 */
public final class Broadcasting {
    private Broadcasting() {}

    /** Receives one innermost row: output flat start, each input's physical start position, row length. */
    @FunctionalInterface
    public interface RowVisitor {
        /** {@code starts} is reused between rows; read it, do not keep it. */
        void row(long outStart, long[] starts, long length);
    }

    /** {@code t}'s strides aligned to {@code out}'s rank, 0 where {@code t} is broadcast (or missing leading axes). */
    public static long[] alignedStrides(Tensor t, Shape out) {
        int r = out.rank(), off = r - t.rank();
        if (off < 0) throw new IllegalArgumentException("cannot broadcast " + t.shape() + " to " + out);
        long[] ts = t.strides();
        long[] s = new long[r];
        for (int i = off; i < r; i++) {
            long d = t.shape().dim(i - off);
            if (d == out.dim(i)) s[i] = d == 1 ? 0 : ts[i - off];
            else if (d == 1) s[i] = 0;
            else throw new IllegalArgumentException("cannot broadcast " + t.shape() + " to " + out);
        }
        return s;
    }

    /** Visits every innermost row of {@code out} for inputs {@code ins} (each broadcast to {@code out}). */
    public static void forEachRow(Shape out, Tensor[] ins, RowVisitor v) {
        long[][] strides = new long[ins.length][];
        long[] offsets = new long[ins.length];
        for (int k = 0; k < ins.length; k++) {
            strides[k] = alignedStrides(ins[k], out);
            offsets[k] = ins[k].offset();
        }
        forEachRow(out, strides, offsets, v);
    }

    /** Row iteration with explicit strides (aligned to {@code out}) and start offsets per operand. */
    public static void forEachRow(Shape out, long[][] strides, long[] offsets, RowVisitor v) {
        if (out.isEmpty()) return;
        int r = out.rank(), n = offsets.length;
        long[] pos = offsets.clone();
        if (r == 0) { v.row(0, pos, 1); return; }
        long inner = out.dim(r - 1);
        long rows = out.numel() / inner;
        long[] idx = new long[r];
        long[] starts = new long[n];
        for (long row = 0; row < rows; row++) {
            System.arraycopy(pos, 0, starts, 0, n);
            v.row(row * inner, starts, inner);
            for (int d = r - 2; d >= 0; d--) {
                if (++idx[d] < out.dim(d)) {
                    for (int k = 0; k < n; k++) pos[k] += strides[k][d];
                    break;
                }
                idx[d] = 0;
                for (int k = 0; k < n; k++) pos[k] -= strides[k][d] * (out.dim(d) - 1);
            }
        }
    }

    /** Innermost stride of each operand (0 for rank 0). */
    public static long innerStride(long[] aligned) { return aligned.length == 0 ? 0 : aligned[aligned.length - 1]; }

    /** Broadcast shape of the tensors, as a typed failure message when incompatible. */
    public static Shape shapeOf(Tensor... ts) {
        Shape s = Shape.SCALAR;
        for (Tensor t : ts) s = Shape.broadcast(s, t.shape());
        return s;
    }
}
