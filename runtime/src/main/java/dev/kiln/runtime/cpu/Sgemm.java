package dev.kiln.runtime.cpu;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Single-precision GEMM: {@code C = epilogue(alpha * A x B + beta * C)} with A (M x K) and B (K x N) given by
 * element strides (so transposes are free) and C row-major. Offsets and strides are in elements.
 *
 * <p>Goto/BLIS structure: B is packed per (KC x NC) block into NR-wide panels, A per (MC x KC) block into MR-tall
 * panels, and a register-blocked micro-kernel ({@link MicroKernels}) runs over MR x NR tiles. Threads own
 * rectangles of C ({@link GemmParams#threadsM()} x {@link GemmParams#threadsN()}) and pack their own operands,
 * which trades a little redundant packing for no synchronization inside the call.
 */
public final class Sgemm {
    private Sgemm() {}

    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Plain row-major arrays, BLAS style: lda/ldb/ldc are the row lengths of the stored (untransposed) arrays. */
    public static void sgemm(boolean transA, boolean transB, int m, int n, int k, float alpha, float[] a, int lda,
                             float[] b, int ldb, float beta, float[] c, int ldc) {
        gemm(m, n, k, alpha, MemorySegment.ofArray(a), 0, transA ? 1 : lda, transA ? lda : 1,
                MemorySegment.ofArray(b), 0, transB ? 1 : ldb, transB ? ldb : 1,
                beta, MemorySegment.ofArray(c), 0, ldc, Epilogue.NONE, null, KilnPool.shared());
    }

    /**
     * The general entry point. {@code params} null means tuned-or-default parameters for this shape; the call
     * uses at most {@code pool.threads()} threads.
     */
    public static void gemm(int m, int n, int k, float alpha,
                            MemorySegment a, long aOff, long aRs, long aCs,
                            MemorySegment b, long bOff, long bRs, long bCs,
                            float beta, MemorySegment c, long cOff, long ldc,
                            Epilogue ep, GemmParams params, KilnPool pool) {
        run(new Call(m, n, k, alpha, a, aOff, aRs, aCs, b, bOff, bRs, bCs, null, beta, c, cOff, ldc, ep), params, pool);
    }

    /** GEMM against a pre-packed constant B (see {@link #packB}). */
    public static void gemm(int m, int n, int k, float alpha, MemorySegment a, long aOff, long aRs, long aCs,
                            PackedB b, float beta, MemorySegment c, long cOff, long ldc,
                            Epilogue ep, GemmParams params, KilnPool pool) {
        if (b.k != k || b.n != n) throw new IllegalArgumentException("packed B is " + b.k + "x" + b.n + ", call needs " + k + "x" + n);
        run(new Call(m, n, k, alpha, a, aOff, aRs, aCs, null, 0, 0, 0, b, beta, c, cOff, ldc, ep), params, pool);
    }

    /** Packs B(p, j) = b[off + p*rs + j*cs] (K x N) into panels for micro-kernels NV vectors wide. */
    public static PackedB packB(int k, int n, MemorySegment b, long off, long rs, long cs, int nv) {
        int nr = nv * VectorConfig.LANES;
        long size = (long) GemmParams.roundUp(Math.max(n, 1), nr) * k;
        if (size > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("B of " + k + "x" + n + " is too large to pack");
        float[] data = new float[(int) size];
        Packing.packB(b, off, rs, cs, 0, k, 0, n, nr, data, 0);
        return new PackedB(k, n, nv, data);
    }

    /** A packed B for the default kernel width of this machine. */
    public static PackedB packB(int k, int n, MemorySegment b, long off, long rs, long cs) {
        return packB(k, n, b, off, rs, cs, GemmParams.defaults(1, n, k, 1).nv());
    }

    /** One GEMM's operands; immutable, shared by the threads of the call. */
    record Call(int m, int n, int k, float alpha, MemorySegment a, long aOff, long aRs, long aCs,
                MemorySegment b, long bOff, long bRs, long bCs, PackedB packed,
                float beta, MemorySegment c, long cOff, long ldc, Epilogue ep) {}

    private static void run(Call call, GemmParams p, KilnPool pool) {
        int m = call.m, n = call.n, k = call.k;
        if (m < 0 || n < 0 || k < 0) throw new IllegalArgumentException("negative GEMM size " + m + "x" + n + "x" + k);
        if (m == 0 || n == 0) return;
        if (p == null) p = GemmTuning.params(m, n, k, pool.threads());
        if (call.packed != null && !VectorConfig.SCALAR && call.packed.nv != p.nv()) {
            int mr = MicroKernels.shapeId(p.mr(), call.packed.nv) >= 0 ? p.mr() : 4;
            p = new GemmParams(mr, call.packed.nv, p.mc(), p.kc(), p.nc(), p.threadsM(), p.threadsN());
        }
        if (k == 0 || VectorConfig.SCALAR) {
            ScalarGemm.run(call, 0, m, 0, n);
            return;
        }
        int tm = Math.min(p.threadsM(), Math.max(1, m / p.mr()));
        int tn = Math.min(p.threadsN(), Math.max(1, n / p.nr()));
        while (tm * tn > pool.threads()) { if (tm >= tn) tm--; else tn--; }
        final GemmParams fp = p;
        final int ftm = tm, ftn = tn;
        if (tm * tn == 1) {
            block(call, fp, 0, m, 0, n);
            return;
        }
        pool.run(tm * tn, part -> {
            int pm = part / ftn, pn = part % ftn;
            int m0 = split(m, ftm, pm, fp.mr()), m1 = split(m, ftm, pm + 1, fp.mr());
            int n0 = split(n, ftn, pn, fp.nr()), n1 = split(n, ftn, pn + 1, fp.nr());
            if (m0 < m1 && n0 < n1) block(call, fp, m0, m1, n0, n1);
        });
    }

    /** Start of part {@code i} of {@code parts} over [0, len), aligned to {@code align} so tiles stay whole. */
    static int split(int len, int parts, int i, int align) {
        if (i >= parts) return len;
        long units = (len + align - 1) / align;
        return (int) Math.min(len, units * i / parts * align);
    }

    /** Per-thread packing buffers and an edge-tile scratch, grown on demand and reused across calls. */
    private static final class Scratch {
        float[] a = new float[0], b = new float[0];
        final MemorySegment tile = Arena.ofAuto().allocate(64L * 128 * 4, 64);
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /** Computes C[m0:m1, n0:n1] with blocking {@code p} on the calling thread. */
    static void block(Call call, GemmParams p, int m0, int m1, int n0, int n1) {
        final int mr = p.mr(), nr = p.nr(), kid = MicroKernels.shapeId(mr, p.nv());
        final int k = call.k;
        // Blocks are balanced (K = 384 with KC 256 runs as 2 x 192, not 256 + 128: a thin last block wastes the
        // C update) and hold whole micro-tiles (pre-packed B panels are addressed by jc / NR).
        final int kcMax = balance(k, p.kc(), 1);
        final int mcStep = balance(m1 - m0, p.mc(), mr), ncStep = balance(n1 - n0, p.nc(), nr);
        final int mcMax = GemmParams.roundUp(Math.min(mcStep, m1 - m0), mr);
        final int ncMax = GemmParams.roundUp(Math.min(ncStep, n1 - n0), nr);
        Scratch s = SCRATCH.get();
        if (s.a.length < mcMax * kcMax) s.a = new float[mcMax * kcMax];
        if (call.packed == null && s.b.length < ncMax * kcMax) s.b = new float[ncMax * kcMax];
        final float[] abuf = s.a;
        final MemorySegment c = call.c, tile = s.tile;
        final long ldcBytes = call.ldc * 4;
        // the micro-kernels accumulate (C += A x B): apply beta to this thread's rectangle first
        scaleC(c, call.cOff, call.ldc, m0, m1, n0, n1, call.beta);
        final float alpha = call.alpha;
        for (int jc = n0; jc < n1; jc += ncStep) {
            int nc = Math.min(ncStep, n1 - jc);
            for (int pc = 0; pc < k; pc += kcMax) {
                int kc = Math.min(kcMax, k - pc);
                float[] bbuf;
                int bBase, panelStride;
                if (call.packed != null) {
                    bbuf = call.packed.data;
                    bBase = (jc / nr) * call.packed.k * nr + pc * nr;
                    panelStride = call.packed.k * nr;
                } else {
                    bbuf = s.b;
                    Packing.packB(call.b, call.bOff, call.bRs, call.bCs, pc, kc, jc, nc, nr, bbuf, 0);
                    bBase = 0;
                    panelStride = kc * nr;
                }
                boolean last = pc + kc >= k;
                for (int ic = m0; ic < m1; ic += mcStep) {
                    int mc = Math.min(mcStep, m1 - ic);
                    Packing.packA(call.a, call.aOff, call.aRs, call.aCs, ic, mc, pc, kc, mr, alpha, abuf);
                    for (int jr = 0; jr < nc; jr += nr) {
                        int nrr = Math.min(nr, nc - jr);
                        int bo = bBase + (jr / nr) * panelStride;
                        long cCol = call.cOff + jc + jr;
                        for (int ir = 0; ir < mc; ir += mr) {
                            int mrr = Math.min(mr, mc - ir);
                            long co = (cCol + (long) (ic + ir) * call.ldc) * 4;
                            if (mrr == mr && nrr == nr) {
                                MicroKernels.run(kid, abuf, ir * kc, bbuf, bo, kc, c, co, ldcBytes);
                            } else {
                                tile.asSlice(0, (long) mr * nr * 4).fill((byte) 0);
                                MicroKernels.run(kid, abuf, ir * kc, bbuf, bo, kc, tile, 0, nr * 4L);
                                mergeEdge(tile, nr, c, co, call.ldc, mrr, nrr);
                            }
                        }
                    }
                    if (last) call.ep.apply(c, call.cOff, call.ldc, ic, ic + mc, jc, jc + nc);
                }
            }
        }
    }

    /** The block size at most {@code max} (rounded up to {@code unit}) that splits {@code len} evenly. */
    static int balance(int len, int max, int unit) {
        int blocks = Math.max(1, (len + max - 1) / Math.max(1, max));
        return Math.max(unit, GemmParams.roundUp((len + blocks - 1) / blocks, unit));
    }

    /** C += tile on the valid mrr x nrr corner of an edge tile. */
    private static void mergeEdge(MemorySegment tile, int nr, MemorySegment c, long co, long ldc, int mrr, int nrr) {
        for (int i = 0; i < mrr; i++) {
            long row = co + i * ldc * 4;
            for (int j = 0; j < nrr; j++) {
                long at = row + j * 4L;
                c.set(F32, at, c.get(F32, at) + tile.get(F32, (long) (i * nr + j) * 4));
            }
        }
    }

    /** C = beta * C on rows [m0, m1) x columns [n0, n1); beta 0 writes zeros without reading (NaN-safe). */
    static void scaleC(MemorySegment c, long cOff, long ldc, int m0, int m1, int n0, int n1, float beta) {
        if (beta == 1f) return;
        for (int i = m0; i < m1; i++) {
            long row = (cOff + i * ldc + n0) * 4;
            if (beta == 0f) c.asSlice(row, (long) (n1 - n0) * 4).fill((byte) 0);
            else RowKernels.scaleShift(c, row / 4, beta, 0f, c, row / 4, n1 - n0);
        }
    }
}
