package dev.kiln.runtime.cpu;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.lang.foreign.MemorySegment;

/**
 * ONNX MatMul (numpy semantics: 1-D promotion, broadcast batch dims) and Gemm on f32 tensors of any strides.
 * Transposed views cost nothing: GEMM reads A and B through their strides.
 */
public final class MatMulKernels {
    private MatMulKernels() {}

    private static final KilnPool INLINE = new KilnPool(1);

    /**
     * Y = A x B. {@code packedB} (may be null) is B pre-packed, used when B is 2-D; the caller guarantees it
     * holds B's values.
     */
    public static Tensor matmul(Tensor a, Tensor b, PackedB packedB, Epilogue ep, KilnPool pool) {
        boolean aVec = a.rank() == 1, bVec = b.rank() == 1;
        Tensor a2 = aVec ? a.unsqueeze(0) : a, b2 = bVec ? b.unsqueeze(1) : b;
        if (a2.rank() < 2 || b2.rank() < 2) throw new IllegalArgumentException("MatMul of scalars");
        int ra = a2.rank(), rb = b2.rank();
        long m = a2.shape().dim(ra - 2), k = a2.shape().dim(ra - 1), kb = b2.shape().dim(rb - 2), n = b2.shape().dim(rb - 1);
        if (k != kb) throw new IllegalArgumentException("MatMul inner dims differ: " + a.shape() + " x " + b.shape());
        Shape batchA = Shape.of(java.util.Arrays.copyOf(a2.shape().dims(), ra - 2));
        Shape batchB = Shape.of(java.util.Arrays.copyOf(b2.shape().dims(), rb - 2));
        Shape batch = Shape.broadcast(batchA, batchB);
        long[] outDims = new long[batch.rank() + 2];
        System.arraycopy(batch.dims(), 0, outDims, 0, batch.rank());
        outDims[batch.rank()] = m;
        outDims[batch.rank() + 1] = n;
        checkInt(m, n, k);
        // outputs are freshly zeroed, so every GEMM below accumulates onto them (beta 1) instead of zeroing again
        Tensor y = Tensor.allocate(DType.F32, Shape.of(outDims));
        long count = batch.numel();
        if (y.numel() == 0) return finish(y, aVec, bVec);
        MemorySegment ys = y.segment();
        long[] sa = a2.strides(), sb = b2.strides();
        // B shared by every batch and A's batch+row axes collapse: one tall GEMM
        if (batchB.numel() == 1 && collapsesRows(a2)) {
            long rows = count * m;
            checkInt(rows, n, k);
            long aOff = a2.offset(), bOff = b2.offset();
            if (packedB != null && packedB.k() == k && packedB.n() == n)
                Sgemm.gemm((int) rows, (int) n, (int) k, 1f, a2.segment(), aOff, sa[ra - 2], sa[ra - 1], packedB, 1f, ys, 0, n, ep, null, pool);
            else
                Sgemm.gemm((int) rows, (int) n, (int) k, 1f, a2.segment(), aOff, sa[ra - 2], sa[ra - 1],
                        b2.segment(), bOff, sb[rb - 2], sb[rb - 1], 1f, ys, 0, n, ep, null, pool);
            return finish(y, aVec, bVec);
        }
        Tensor ea = a2.expand(concat(batch, m, k)), eb = b2.expand(concat(batch, k, n));
        long[] xa = ea.strides(), xb = eb.strides();
        int br = batch.rank();
        long[] bdims = batch.dims();
        final int mi = (int) m, ni = (int) n, ki = (int) k;
        // small per-batch products (attention heads) run one per thread; big ones use the whole pool each
        boolean perThread = count >= pool.threads() && 2.0 * m * n * k < 64e6;
        int parts = perThread ? (int) Math.min(pool.threads(), count) : 1;
        pool.run(Math.max(1, parts), part -> {
            long[] idx = new long[br];
            long b0 = count * part / Math.max(1, parts), b1 = count * (part + 1) / Math.max(1, parts);
            for (long bi = b0; bi < b1; bi++) {
                long rem = bi, offA = ea.offset(), offB = eb.offset();
                for (int d = br - 1; d >= 0; d--) {
                    idx[d] = rem % bdims[d];
                    rem /= bdims[d];
                    offA += idx[d] * xa[d];
                    offB += idx[d] * xb[d];
                }
                Sgemm.gemm(mi, ni, ki, 1f, ea.segment(), offA, xa[br], xa[br + 1], eb.segment(), offB, xb[br], xb[br + 1],
                        1f, ys, bi * mi * ni, ni, ep, null, perThread ? INLINE : pool);
            }
        });
        return finish(y, aVec, bVec);
    }

    /**
     * ONNX Gemm: Y = alpha * A' x B' + beta * C with A' = transA ? A^T : A (2-D), C unidirectionally
     * broadcastable to M x N (or null).
     */
    public static Tensor gemm(Tensor a, Tensor b, Tensor c, float alpha, float beta, boolean transA, boolean transB,
                              PackedB packedB, KilnPool pool) {
        if (a.rank() != 2 || b.rank() != 2) throw new IllegalArgumentException("Gemm needs 2-D A and B, got " + a.shape() + ", " + b.shape());
        long[] sa = a.strides(), sb = b.strides();
        long m = a.shape().dim(transA ? 1 : 0), k = a.shape().dim(transA ? 0 : 1);
        long kb = b.shape().dim(transB ? 1 : 0), n = b.shape().dim(transB ? 0 : 1);
        if (k != kb) throw new IllegalArgumentException("Gemm inner dims differ: A' is " + m + "x" + k + ", B' is " + kb + "x" + n);
        checkInt(m, n, k);
        Tensor y = Tensor.allocate(DType.F32, Shape.of(m, n));
        if (y.numel() == 0) return y;
        long ars = transA ? sa[1] : sa[0], acs = transA ? sa[0] : sa[1];
        long brs = transB ? sb[1] : sb[0], bcs = transB ? sb[0] : sb[1];
        float effBeta = 0f;
        Epilogue ep = Epilogue.NONE;
        if (c != null && beta != 0f) {
            Shape cs = c.shape();
            boolean rowVec = cs.numel() == n && (cs.rank() == 1 || (cs.rank() == 2 && cs.dim(0) == 1));
            if (rowVec) {
                Tensor bias = scaled(c.contiguous(), beta);
                ep = Epilogue.columnBias(bias.segment(), bias.offset(), Activation.NONE);
            } else {
                y.copyFrom(c.expand(Shape.of(m, n)));
                effBeta = beta;
            }
        }
        MemorySegment ys = y.segment();
        if (effBeta == 0f) effBeta = 1f; // y is freshly zeroed: accumulating onto it skips GEMM's zeroing pass
        if (packedB != null && packedB.k() == k && packedB.n() == n)
            Sgemm.gemm((int) m, (int) n, (int) k, alpha, a.segment(), a.offset(), ars, acs, packedB, effBeta, ys, 0, n, ep, null, pool);
        else
            Sgemm.gemm((int) m, (int) n, (int) k, alpha, a.segment(), a.offset(), ars, acs, b.segment(), b.offset(), brs, bcs,
                    effBeta, ys, 0, n, ep, null, pool);
        return y;
    }

    private static Tensor scaled(Tensor c, float beta) {
        if (beta == 1f) return c;
        return Elementwise.binary(BinaryLoops.Op.MUL, c, Tensor.scalar(DType.F32, beta));
    }

    /** True when A's batch axes and row axis form one linear run of rows (for example any contiguous A). */
    private static boolean collapsesRows(Tensor a) {
        int r = a.rank();
        long[] s = a.strides();
        long[] d = a.shape().dims();
        long expect = s[r - 2] * d[r - 2];
        for (int i = r - 3; i >= 0; i--) {
            if (d[i] == 1) continue;
            if (s[i] != expect) return false;
            expect = s[i] * d[i];
        }
        return true;
    }

    private static Shape concat(Shape batch, long x, long y) {
        long[] d = java.util.Arrays.copyOf(batch.dims(), batch.rank() + 2);
        d[batch.rank()] = x;
        d[batch.rank() + 1] = y;
        return Shape.of(d);
    }

    private static Tensor finish(Tensor y, boolean aVec, boolean bVec) {
        if (bVec) y = y.squeeze(y.rank() - 1);
        if (aVec) y = y.squeeze(y.rank() - (bVec ? 1 : 2));
        return y;
    }

    private static void checkInt(long... v) {
        for (long x : v) if (x > Integer.MAX_VALUE) throw new IllegalArgumentException("GEMM dimension " + x + " exceeds 2^31-1");
    }
}
