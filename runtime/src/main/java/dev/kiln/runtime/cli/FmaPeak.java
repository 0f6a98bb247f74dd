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
            for (int round = 0; round < 12; round++) {
                long[] ns = new long[threads];
                final int calls = 100, iters = 20_000;
                pool.run(threads, part -> {
                    var mx = java.lang.management.ManagementFactory.getThreadMXBean();
                    long t = mx.getCurrentThreadCpuTime();
                    float sink = 0;
                    for (int c = 0; c < calls; c++) sink += chains(iters);
                    ns[part] = mx.getCurrentThreadCpuTime() - t + (sink == 42f ? 1 : 0);
                });
                long worst = 1;
                for (long x : ns) worst = Math.max(worst, x);
                best = Math.max(best, threads * (double) calls * iters * 8 * 2 * F.length() / worst);
            }
            return best;
        }
    }

    /**
     * 8 independent FMA chains (latency x ports of current x86 and ARM cores). Short and called often, so it is
     * compiled normally: a bigger OSR-only loop could stay in slow C1 code and understate the peak.
     */
    private static float chains(int iters) {
        FloatVector m = FloatVector.broadcast(F, 0.999999f), a = FloatVector.broadcast(F, 1e-7f);
        FloatVector c0 = a, c1 = a, c2 = a, c3 = a, c4 = a, c5 = a, c6 = a, c7 = a;
        for (int i = 0; i < iters; i++) {
            c0 = c0.fma(m, a); c1 = c1.fma(m, a); c2 = c2.fma(m, a); c3 = c3.fma(m, a);
            c4 = c4.fma(m, a); c5 = c5.fma(m, a); c6 = c6.fma(m, a); c7 = c7.fma(m, a);
        }
        return c0.add(c1).add(c2).add(c3).add(c4).add(c5).add(c6).add(c7).reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
    }
}
