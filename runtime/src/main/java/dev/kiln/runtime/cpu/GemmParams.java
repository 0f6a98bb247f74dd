package dev.kiln.runtime.cpu;

/**
 * Blocking of one SGEMM call: micro-tile MR x (NV vectors), cache blocks MC x KC (packed A, sized for L2) and
 * KC x NC (packed B, sized for L3), and how the threads split C: {@code threadsM x threadsN} rectangles.
 * The tuner searches these; {@link #defaults} is the untuned guess.
 */
public record GemmParams(int mr, int nv, int mc, int kc, int nc, int threadsM, int threadsN) {
    public GemmParams {
        if (!VectorConfig.SCALAR && MicroKernels.shapeId(mr, nv) < 0)
            throw new IllegalArgumentException("no micro-kernel " + mr + "x" + nv);
        if (mc < 1 || kc < 1 || nc < 1 || threadsM < 1 || threadsN < 1)
            throw new IllegalArgumentException("bad gemm params " + this);
    }

    public int nr() { return nv * VectorConfig.LANES; }
    public int threads() { return threadsM * threadsN; }

    /** The same blocking with another thread split. */
    public GemmParams withThreads(int tm, int tn) { return new GemmParams(mr, nv, mc, kc, nc, tm, tn); }

    /**
     * Sound untuned blocking: a 4 x 2-vector register tile (8 accumulators; measured fastest on AVX-512 Zen 4
     * and, per earlier AVX2 measurements, the one that avoids spills with 16 registers), KC = 256, MC up to 512
     * rows of A (L2), NC up to 1024 columns of B. Threads split the longer side of C (see below).
     */
    public static GemmParams defaults(int m, int n, int k, int threads) {
        int mr = 4, nv = 2;
        int nr = nv * VectorConfig.LANES;
        int kc = Math.max(1, Math.min(k, 256));
        int mc = Math.max(mr, Math.min(roundUp(m, mr), 512));
        int nc = Math.max(nr, Math.min(roundUp(n, nr), 1024 / nr * nr));
        int tm = 1, tn = 1;
        if (threads > 1) {
            // Splitting M makes every thread pack all of B (K x N), splitting N all of A (M x K): split the
            // longer side, unless it has too few tiles to go around.
            boolean splitN = n >= m ? (long) n / nr >= threads || (long) m / mr < threads : (long) m / mr < threads;
            if (splitN) tn = threads; else tm = threads;
        }
        return new GemmParams(mr, nv, mc, kc, nc, tm, tn);
    }

    static int roundUp(int x, int to) { return (x + to - 1) / to * to; }
}
