package dev.kiln.bench;

import dev.kiln.runtime.cpu.Epilogue;
import dev.kiln.runtime.cpu.GemmParams;
import dev.kiln.runtime.cpu.KilnPool;
import dev.kiln.runtime.cpu.Sgemm;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Parallel efficiency of Kiln SGEMM on 2 threads, immune to other processes' load: each thread runs exactly
 * the C rectangle the default split gives it and reports its own CPU time; the rate is 2MNK over the slower
 * thread's CPU time. It leaves out what only the wall clock shows (wake-up, descheduling), so read it next to
 * {@link GemmVsOpenBlas} on a quiet machine. usage: GemmThreadScaling (no arguments)
 */
public final class GemmThreadScaling {
    /** Same as Sgemm's split (package-private there). */
    static int split(int len, int parts, int i, int align) {
        if (i >= parts) return len;
        long units = (len + align - 1) / align;
        return (int) Math.min(len, units * i / parts * align);
    }
    public static void main(String[] a) {
        var mx = java.lang.management.ManagementFactory.getThreadMXBean();
        int[][] shapes = {{1024,1024,1024},{128,1536,384},{128,384,1536},{128,384,384},{1024,1536,384},{1024,384,1536},{1024,384,384}};
        KilnPool two = new KilnPool(2), one = new KilnPool(1);
        Arena ar = Arena.ofShared();
        for (int[] s : shapes) {
            int m = s[0], n = s[1], k = s[2];
            MemorySegment A = ar.allocate(4L*m*k, 64), B = ar.allocate(4L*k*n, 64), C = ar.allocate(4L*m*n, 64);
            GemmParams p = GemmParams.defaults(m, n, k, 2);
            // each part runs exactly the rectangle Sgemm gives it, inline, and reports its thread CPU time
            long[] cpu = new long[2];
            double[] rates = new double[30];
            for (int r = 0; r < 40; r++) {
                two.run(2, part -> {
                    long t = mx.getCurrentThreadCpuTime();
                    int m0 = p.threadsM() == 2 ? split(m, 2, part, p.mr()) : 0, m1 = p.threadsM() == 2 ? split(m, 2, part + 1, p.mr()) : m;
                    int n0 = p.threadsN() == 2 ? split(n, 2, part, p.nr()) : 0, n1 = p.threadsN() == 2 ? split(n, 2, part + 1, p.nr()) : n;
                    Sgemm.gemm(m1 - m0, n1 - n0, k, 1f, A, (long) m0 * k, k, 1, B, n0, n, 1, 0f, C, (long) m0 * n + n0, n, Epilogue.NONE, p.withThreads(1, 1), one);
                    cpu[part] = mx.getCurrentThreadCpuTime() - t;
                });
                if (r >= 10) rates[r - 10] = 2.0 * m * n * k / Math.max(cpu[0], cpu[1]);
            }
            java.util.Arrays.sort(rates);
            System.out.printf("%dx%dx%d split %dx%d: 2-thread rate from per-thread CPU time: median %.1f GF/s (best %.1f)%n", m, n, k, p.threadsM(), p.threadsN(), rates[15], rates[29]);
        }
        two.close();
    }
}
