package dev.kiln.bench;

import dev.kiln.runtime.cpu.Epilogue;
import dev.kiln.runtime.cpu.GemmParams;
import dev.kiln.runtime.cpu.GemmTuning;
import dev.kiln.runtime.cpu.KilnPool;
import dev.kiln.runtime.cpu.PackedB;
import dev.kiln.runtime.cpu.Sgemm;
import dev.kiln.runtime.cpu.VectorConfig;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.openblas.global.openblas_nolapack;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Kiln SGEMM against OpenBLAS cblas_sgemm in one process, repetitions interleaved (Kiln, OpenBLAS, Kiln, ...)
 * so load from other processes hits both alike and the ratio stays meaningful on a shared machine.
 *
 * <p>usage: GemmVsOpenBlas --shapes MxNxK[xBATCH],... --threads T [--reps R] [--min-ms MS] [--prepacked]
 *        [--params mr,nv,mc,kc,nc,tm,tn] [--cpu-time] [--busiest-thread] [--gap-ms MS]
 */
public final class GemmVsOpenBlas {
    public static void main(String[] args) {
        List<int[]> shapes = new ArrayList<>();
        int threads = 1, reps = 15;
        double minMs = 30;
        boolean prepacked = false;
        GemmParams forced = null;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--shapes" -> { for (String s : args[++i].split(",")) shapes.add(Arrays.stream(s.split("x")).mapToInt(Integer::parseInt).toArray()); }
                case "--threads" -> threads = Integer.parseInt(args[++i]);
                case "--reps" -> reps = Integer.parseInt(args[++i]);
                case "--min-ms" -> minMs = Double.parseDouble(args[++i]);
                case "--prepacked" -> prepacked = true;
                case "--cpu-time" -> cpuTime = true;
                case "--busiest-thread" -> busiestThread = true;
                case "--gap-ms" -> gapMs = Integer.parseInt(args[++i]);
                case "--params" -> {
                    int[] v = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
                    forced = new GemmParams(v[0], v[1], v[2], v[3], v[4], v[5], v[6]);
                }
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
                org.bytedeco.javacpp.Loader.load(openblas_nolapack.class);
        KilnPool pool = new KilnPool(threads);
        String envThreads = System.getenv("OPENBLAS_NUM_THREADS");
        if (envThreads == null || Integer.parseInt(envThreads) != threads)
            throw new IllegalArgumentException("set OPENBLAS_NUM_THREADS=" + threads + " (the bindings cannot set it at run time)");
        if (cpuTime && threads != 1) throw new IllegalArgumentException("--cpu-time measures the calling thread: use it with --threads 1");
        System.out.printf("# species %s, threads %d, %d interleaved reps, %s time%n", VectorConfig.describe(), threads, reps,
                busiestThread ? "busiest-thread CPU" : cpuTime ? "thread CPU" : "wall");
        System.out.printf("%-22s %10s %10s %7s %7s %10s %10s %7s %s%n", "shape (MxNxK[xB])", "kiln GF/s", "oblas GF/s", "ratio", "spread",
                "kiln best", "oblas best", "ratio", "params");
        for (int[] s : shapes) bench(s[0], s[1], s[2], s.length > 3 ? s[3] : 1, threads, reps, minMs, prepacked, forced, pool);
        pool.close();
    }

    static void bench(int m, int n, int k, int batch, int threads, int reps, double minMs, boolean prepacked, GemmParams forced, KilnPool pool) {
        Arena arena = Arena.ofShared();
        long aN = (long) batch * m * k, bN = (long) k * n, cN = (long) batch * m * n;
        MemorySegment a = arena.allocate(aN * 4, 64), b = arena.allocate(bN * 4, 64), c = arena.allocate(cN * 4, 64);
        FloatPointer pa = new FloatPointer(aN), pb = new FloatPointer(bN), pc = new FloatPointer(cN);
        Random r = new Random(1);
        for (long i = 0; i < aN; i++) { float v = r.nextFloat() - 0.5f; a.setAtIndex(ValueLayout.JAVA_FLOAT, i, v); pa.put(i, v); }
        for (long i = 0; i < bN; i++) { float v = r.nextFloat() - 0.5f; b.setAtIndex(ValueLayout.JAVA_FLOAT, i, v); pb.put(i, v); }
        GemmParams p = forced != null ? forced : GemmTuning.params(m * batch, n, k, threads);
        PackedB packed = prepacked ? Sgemm.packB(k, n, b, 0, n, 1, p.nv()) : null;
        // Batched MatMul with a shared weight is one (B*M) x N x K GEMM for both engines.
        int mm = m * batch;
        Runnable kiln = packed != null
                ? () -> Sgemm.gemm(mm, n, k, 1f, a, 0, k, 1, packed, 0f, c, 0, n, Epilogue.NONE, p, pool)
                : () -> Sgemm.gemm(mm, n, k, 1f, a, 0, k, 1, b, 0, n, 1, 0f, c, 0, n, Epilogue.NONE, p, pool);
        Runnable blas = () -> openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans, openblas_nolapack.CblasNoTrans,
                mm, n, k, 1f, pa, k, pb, n, 0f, pc, n);
        double flops = 2.0 * mm * n * k;
        // Warm up both and size the inner loop to about minMs. Warm-up is counted in this thread's CPU time: on a
        // loaded machine the JIT threads get little CPU too, and a wall-clock warm-up can end while the GEMM
        // driver still runs in the interpreter.
        long c0 = MX.getCurrentThreadCpuTime();
        int warm = 0;
        while (MX.getCurrentThreadCpuTime() - c0 < 2_000_000_000L || warm < 20) { kiln.run(); blas.run(); warm++; }
        double perPairMs = (MX.getCurrentThreadCpuTime() - c0) / 1e6 / warm;
        int inner = (int) Math.max(1, Math.ceil(minMs / (perPairMs / 2)));
        double[] gk = new double[reps], gb = new double[reps], ratio = new double[reps];
        for (int rep = 0; rep < reps; rep++) {
            pause();
            gk[rep] = time(kiln, inner, flops);
            pause();
            gb[rep] = time(blas, inner, flops);
            ratio[rep] = gk[rep] / gb[rep];
        }
        // verify once: the two engines agree
        double maxErr = 0;
        for (long i = 0; i < Math.min(cN, 100_000); i++)
            maxErr = Math.max(maxErr, Math.abs(c.getAtIndex(ValueLayout.JAVA_FLOAT, i) - pc.get(i)));
        double mk = median(gk), mb = median(gb);
        double bk = Arrays.stream(gk).max().orElse(0), bb = Arrays.stream(gb).max().orElse(0);
        System.out.printf("%-22s %10.1f %10.1f %7.3f %6.1f%% %10.1f %10.1f %7.3f %s err=%.1e%n", m + "x" + n + "x" + k + (batch > 1 ? "x" + batch : ""),
                mk, mb, median(ratio), 100 * spread(ratio), bk, bb, bk / bb, p, maxErr);
        pa.close(); pb.close(); pc.close();
        arena.close();
    }

    static boolean cpuTime;
    /**
     * Pause before each timed repetition. Both engines' worker threads spin for a while after a call (OpenBLAS
     * for about 2^28 cycles by default) and would steal a core from the other engine's next repetition; the gap
     * lets them park first.
     */
    static int gapMs;
    static final java.lang.management.ThreadMXBean MX = java.lang.management.ManagementFactory.getThreadMXBean();

    /**
     * GFLOP/s of {@code inner} runs. With --cpu-time (1 thread only) the calling thread's CPU time is used, so
     * time spent descheduled by other processes on a shared machine does not count against either engine.
     */
    static double time(Runnable r, int inner, double flops) {
        if (busiestThread) {
            java.util.Map<String, Long> before = schedstat();
            for (int i = 0; i < inner; i++) r.run();
            java.util.Map<String, Long> after = schedstat();
            long dt = 1;
            for (var e : after.entrySet()) dt = Math.max(dt, e.getValue() - before.getOrDefault(e.getKey(), 0L));
            return flops * inner / dt;
        }
        long t = cpuTime ? MX.getCurrentThreadCpuTime() : System.nanoTime();
        for (int i = 0; i < inner; i++) r.run();
        long dt = (cpuTime ? MX.getCurrentThreadCpuTime() : System.nanoTime()) - t;
        return flops * inner / dt;
    }

    /**
     * --busiest-thread: time = the largest CPU time any thread of this process spent during the repetition
     * (from /proc/self/task/N/schedstat, in ns), i.e. the critical path of a parallel GEMM with time spent
     * descheduled by other processes left out. Works the same for Kiln's and OpenBLAS's (native) workers.
     */
    static boolean busiestThread;

    static java.util.Map<String, Long> schedstat() {
        java.util.Map<String, Long> m = new java.util.HashMap<>();
        java.io.File[] tasks = new java.io.File("/proc/self/task").listFiles();
        if (tasks == null) throw new IllegalStateException("--busiest-thread needs /proc/self/task");
        for (java.io.File t : tasks) {
            try {
                String line = java.nio.file.Files.readString(t.toPath().resolve("schedstat")).trim();
                m.put(t.getName(), Long.parseLong(line.substring(0, line.indexOf(' '))));
            } catch (java.io.IOException | RuntimeException gone) {
                // a thread that ended meanwhile
            }
        }
        return m;
    }

    static void pause() {
        if (gapMs <= 0) return;
        try { Thread.sleep(gapMs); } catch (InterruptedException e) { Thread.currentThread().interrupt(); }
    }

    static double median(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Half the interquartile range relative to the median. */
    static double spread(double[] x) {
        double[] s = x.clone();
        Arrays.sort(s);
        return (s[(3 * s.length) / 4] - s[s.length / 4]) / 2 / median(x);
    }
}
