package dev.kiln.runtime.cpu.fused;

import dev.kiln.ops.Kernel;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.fused.AttentionOp;
import dev.kiln.runtime.cpu.Epilogue;
import dev.kiln.runtime.cpu.KilnPool;
import dev.kiln.runtime.cpu.NnKernels;
import dev.kiln.runtime.cpu.Sgemm;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * dev.kiln.Attention: for each (batch, head), in blocks of query rows, scores = scale * Q K^T by the packed GEMM
 * (K read transposed through its strides, so heads are never copied out), + mask, softmax over the keys, then
 * scores x V written straight into the output's layout. (batch, head) pairs are split across the pool; each
 * GEMM runs on its thread. Score blocks are bounded ({@link #BLOCK_ELEMS}) so long sequences do not allocate
 * Sq x Sk at once.
 */
final class AttentionKernel implements Kernel {
    static final long BLOCK_ELEMS = 1 << 16;
    private static final KilnPool INLINE = new KilnPool(1);
    /** Per-thread score blocks, off-heap: the Vector API reads heap memory only when it is a byte[]. */
    private static final ThreadLocal<MemorySegment[]> SCRATCH = ThreadLocal.withInitial(() -> new MemorySegment[]{MemorySegment.NULL});

    private final KilnPool pool;

    AttentionKernel(KilnPool pool) { this.pool = pool; }

    @Override public Object[] execute(KernelContext ctx) {
        AttentionOp.Views w = AttentionOp.views(ctx);
        Tensor q = w.q(), k = w.k(), v = w.v(), mask = w.mask();
        long b = q.shape().dim(0), h = q.shape().dim(1), sq = q.shape().dim(2), d = q.shape().dim(3);
        long sk = k.shape().dim(2), dv = v.shape().dim(3);
        if (sq > Integer.MAX_VALUE || sk > Integer.MAX_VALUE || d > Integer.MAX_VALUE || dv > Integer.MAX_VALUE) return null;
        if (mask != null && mask.strides()[3] != 1 && sk > 1) mask = mask.contiguous();
        float scale = ctx.attrFloat("scale");
        boolean bshd = w.bshd();
        Tensor y = Tensor.allocate(DType.F32, bshd ? Shape.of(b, sq, h, dv) : Shape.of(b, h, sq, dv));
        if (y.numel() == 0) return FusedCpuKernels.one(y);
        if (sk == 0) return null;   // softmax of an empty row: the reference decides
        int rowsPerBlock = (int) Math.max(1, Math.min(sq, BLOCK_ELEMS / sk));
        long pairs = b * h;
        int parts = (int) Math.min(pool.threads(), pairs);
        final Tensor fm = mask;
        pool.run(parts, part -> {
            for (long pi = pairs * part / parts; pi < pairs * (part + 1) / parts; pi++)
                head(pi / h, pi % h, q, k, v, fm, y, bshd, scale, rowsPerBlock, (int) sq, (int) sk, (int) d, (int) dv);
        });
        return FusedCpuKernels.one(y);
    }

    private static void head(long bi, long hi, Tensor q, Tensor k, Tensor v, Tensor mask, Tensor y, boolean bshd, float scale,
                             int rowsPerBlock, int sq, int sk, int d, int dv) {
        long[] qs = q.strides(), ks = k.strides(), vs = v.strides();
        long qo = q.offset() + bi * qs[0] + hi * qs[1];
        long ko = k.offset() + bi * ks[0] + hi * ks[1];
        long vo = v.offset() + bi * vs[0] + hi * vs[1];
        long h = y.shape().dim(bshd ? 2 : 1);
        // output rows of this head: BSHD rows are H*Dv apart, BHSD rows Dv apart
        long yo = bshd ? bi * sq * h * dv + hi * dv : (bi * h + hi) * (long) sq * dv;
        long ldy = bshd ? h * dv : dv;
        MemorySegment[] holder = SCRATCH.get();
        long need = (long) rowsPerBlock * sk * 4;
        if (holder[0].byteSize() < need) holder[0] = Arena.ofAuto().allocate(need, 64);
        MemorySegment sc = holder[0];
        for (int i0 = 0; i0 < sq; i0 += rowsPerBlock) {
            int rows = Math.min(rowsPerBlock, sq - i0);
            // scores[i, j] = scale * sum_c Q[i, c] K[j, c]: B(p=c, j) = K[j, c]
            Sgemm.gemm(rows, sk, d, scale, q.segment(), qo + i0 * qs[2], qs[2], qs[3],
                    k.segment(), ko, ks[3], ks[2], 0f, sc, 0, sk, Epilogue.NONE, null, INLINE);
            if (mask != null) addMask(mask, bi, hi, i0, rows, sk, sc);
            Tensor probs = NnKernels.softmax(Tensor.wrap(DType.F32, Shape.of(rows, sk), sc), -1, false, false, INLINE);
            Sgemm.gemm(rows, dv, sk, 1f, probs.segment(), probs.offset(), sk, 1,
                    v.segment(), vo, vs[2], vs[3], 0f, y.segment(), yo + i0 * ldy, ldy, Epilogue.NONE, null, INLINE);
        }
    }

    private static void addMask(Tensor mask, long bi, long hi, int i0, int rows, int sk, MemorySegment sc) {
        long[] ms = mask.strides();
        for (int i = 0; i < rows; i++) {
            long mo = mask.offset() + bi * ms[0] + hi * ms[1] + (i0 + i) * ms[2];
            if (ms[3] == 1 || sk == 1) RowOps.addRow(sc, (long) i * sk, mask.segment(), mo, sc, (long) i * sk, sk);
            else for (int j = 0; j < sk; j++) {
                long at = ((long) i * sk + j) * 4;
                sc.set(RowOps.F32, at, sc.get(RowOps.F32, at) + mask.segment().get(RowOps.F32, (mo + j * ms[3]) * 4));
            }
        }
    }
}
