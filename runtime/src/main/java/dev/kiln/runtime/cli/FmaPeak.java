package dev.kiln.runtime.cli;

import dev.kiln.runtime.cpu.KilnPool;
import dev.kiln.runtime.cpu.VectorConfig;
import jdk.incubator.vector.FloatVector;

import static dev.kiln.runtime.cpu.VectorConfig.F;

/**
 * Measures this machine's FMA throughput with independent register-resident chains, the ceiling GEMM reports
 * are compared with (nominal clocks and FMA ports are unknowable from Java; a measurement includes turbo).
 * Each thread's own CPU time is used: the result is the per-core rate times the thread count.
 */
final class FmaPeak {
    private FmaPeak() {}

    static double estimate(int threads) {
        if (VectorConfig.SCALAR) return Double.NaN;
        try (KilnPool pool = new KilnPool(threads)) {
            double best = 0;
            for (int round = 0; round < 8; round++) {
                long[] ns = new long[threads];
                long iters = 5_000_000;
                pool.run(threads, part -> ns[part] = chains(iters));
                long worst = 0;
                for (long x : ns) worst = Math.max(worst, x);
                best = Math.max(best, threads * iters * 12.0 * 2 * F.length() / worst);
            }
            return best;
        }
    }

    /** 12 independent FMA chains (enough to cover latency x ports on current x86 and ARM cores). */
    private static long chains(long iters) {
        FloatVector m = FloatVector.broadcast(F, 0.999999f), a = FloatVector.broadcast(F, 1e-7f);
        FloatVector c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a, c8 = a, c9 = a, c10 = a, c11 = a;
        // thread CPU time, so a machine shared with other processes still shows the core's own rate
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        long t = mx.getCurrentThreadCpuTime();
        for (long i = 0; i < iters; i++) {
            c0 = c0.fma(m, a); c1 = c1.fma(m, a); c2 = c2.fma(m, a); c3 = c3.fma(m, a);
            c4 = c4.fma(m, a); c5 = c5.fma(m, a); c6 = c6.fma(m, a); c7 = c7.fma(m, a);
            c8 = c8.fma(m, a); c9 = c9.fma(m, a); c10 = c10.fma(m, a); c11 = c11.fma(m, a);
        }
        long dt = mx.getCurrentThreadCpuTime() - t;
        float s = c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).add(c8).add(c9).add(c10).add(c11).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        if (s == 42f) System.out.print(""); // keeps the chains live
        return dt;
    }
}
