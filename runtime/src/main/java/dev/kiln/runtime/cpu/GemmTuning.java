package dev.kiln.runtime.cpu;

import dev.kiln.runtime.tune.DeviceFingerprint;
import dev.kiln.runtime.tune.Measurement;
import dev.kiln.runtime.tune.Measurer;
import dev.kiln.runtime.tune.Progress;
import dev.kiln.runtime.tune.SearchSpace;
import dev.kiln.runtime.tune.Strategy;
import dev.kiln.runtime.tune.TuningDb;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Where GEMM calls get their blocking (the tuning database when it has this machine and shape bucket, else
 * {@link GemmParams#defaults}), and the SGEMM tuner that fills the database.
 */
public final class GemmTuning {
    private GemmTuning() {}

    /** Bump when the kernels or blocking change meaning, so old winners are ignored. */
    public static final int KERNEL_VERSION = 1;
    public static final String KERNEL = "sgemm";

    private static volatile Map<String, GemmParams> tuned;
    private static volatile String device;

    /** Tuned parameters for this shape and thread count, or sound defaults. Never throws for a bad database. */
    public static GemmParams params(int m, int n, int k, int threads) {
        Map<String, GemmParams> t = tuned;
        if (t == null) t = loadTuned();
        if (!t.isEmpty()) {
            GemmParams p = t.get(bucket(m, n, k, threads));
            if (p != null) return p;
        }
        return GemmParams.defaults(m, n, k, threads);
    }

    static String bucket(int m, int n, int k, int threads) {
        return "m" + TuningDb.bucket(m) + "_n" + TuningDb.bucket(n) + "_k" + TuningDb.bucket(k) + "_t" + threads;
    }

    private static String device() {
        String d = device;
        if (d == null) device = d = DeviceFingerprint.cpu(VectorConfig.BITS).key();
        return d;
    }

    private static synchronized Map<String, GemmParams> loadTuned() {
        if (tuned != null) return tuned;
        Map<String, GemmParams> map = new ConcurrentHashMap<>();
        if (!Boolean.getBoolean("kiln.tuning.disable")) {
            try {
                TuningDb db = TuningDb.load(TuningDb.defaultFile());
                for (TuningDb.Entry e : db.entries()) {
                    TuningDb.Key key = e.key();
                    if (!key.device().equals(device()) || !key.kernel().equals(KERNEL) || key.kernelVersion() != KERNEL_VERSION || !key.dtype().equals("f32")) continue;
                    GemmParams p = fromMap(e.params());
                    if (p != null) map.put(key.bucket(), p);
                }
            } catch (RuntimeException e) {
                System.err.println("kiln: ignoring tuning database: " + e.getMessage());
            }
        }
        tuned = map;
        return map;
    }

    private static GemmParams fromMap(Map<String, Integer> m) {
        try {
            return new GemmParams(m.get("mr"), m.get("nv"), m.get("mc"), m.get("kc"), m.get("nc"), m.get("tm"), m.get("tn"));
        } catch (RuntimeException e) {
            return null; // a kernel shape this build lacks, or a hand-edited entry
        }
    }

    static Map<String, Integer> toMap(GemmParams p) {
        Map<String, Integer> m = new LinkedHashMap<>();
        m.put("mr", p.mr()); m.put("nv", p.nv()); m.put("mc", p.mc()); m.put("kc", p.kc()); m.put("nc", p.nc());
        m.put("tm", p.threadsM()); m.put("tn", p.threadsN());
        return m;
    }

    /** The SGEMM search space for {@code threads} threads: register tile, cache blocks and thread split. */
    public static SearchSpace space(int m, int n, int k, int threads) {
        int[] shapes = new int[MicroKernels.SHAPES.length];
        for (int i = 0; i < shapes.length; i++) shapes[i] = i;
        int[] splits = java.util.stream.IntStream.rangeClosed(1, threads).filter(d -> threads % d == 0).toArray();
        return new SearchSpace()
                .param("shape", shapes)
                .param("mc", 32, 64, 96, 128, 192, 256)
                .param("kc", 128, 192, 256, 384, 512)
                .param("nc", 256, 512, 1024, 2048, 4096)
                .param("tm", splits)
                .constraint(c -> c.get("kc") <= Math.max(128, GemmParams.roundUp(k, 64)))
                .constraint(c -> c.get("mc") <= Math.max(32, GemmParams.roundUp(m, 32)))
                .constraint(c -> c.get("nc") <= Math.max(256, GemmParams.roundUp(n, 256)))
                .constraint(c -> MicroKernels.SHAPES[c.get("shape")][0] <= c.get("mc"));
    }

    static GemmParams toParams(SearchSpace.Config c, int threads) {
        int[] s = MicroKernels.SHAPES[c.get("shape")];
        int tm = c.get("tm");
        return new GemmParams(s[0], s[1], c.get("mc"), c.get("kc"), c.get("nc"), tm, threads / tm);
    }

    /** Outcome of tuning one shape. */
    public record Tuned(GemmParams params, double gflops, double defaultGflops, int measured, int rejected) {}

    /**
     * Tunes SGEMM for one shape on {@code pool} and stores the winner in {@code db} (saved by the caller). Each
     * candidate must reproduce exact dot products at sampled positions before it is timed.
     */
    public static Tuned tune(int m, int n, int k, KilnPool pool, Strategy strategy, Measurer measurer, Progress progress, TuningDb db) {
        if (VectorConfig.SCALAR) throw new IllegalStateException("scalar mode (kiln.vector.bits=0) has nothing to tune");
        int threads = pool.threads();
        // one thread runs on the caller: its CPU clock ignores other processes' load
        if (threads == 1) measurer = measurer.withThreadCpuTime(true);
        Arena arena = Arena.ofShared();
        try {
            MemorySegment a = arena.allocate(4L * m * k, 64), b = arena.allocate(4L * k * n, 64), c = arena.allocate(4L * m * n, 64);
            Random r = new Random(42);
            for (long i = 0; i < (long) m * k; i++) a.setAtIndex(ValueLayout.JAVA_FLOAT, i, r.nextFloat() - 0.5f);
            for (long i = 0; i < (long) k * n; i++) b.setAtIndex(ValueLayout.JAVA_FLOAT, i, r.nextFloat() - 0.5f);
            int samples = 64;
            int[] si = new int[samples], sj = new int[samples];
            double[] want = new double[samples], mag = new double[samples];
            for (int s = 0; s < samples; s++) {
                si[s] = r.nextInt(m);
                sj[s] = r.nextInt(n);
                for (int q = 0; q < k; q++) {
                    double x = (double) a.getAtIndex(ValueLayout.JAVA_FLOAT, (long) si[s] * k + q) * b.getAtIndex(ValueLayout.JAVA_FLOAT, (long) q * n + sj[s]);
                    want[s] += x;
                    mag[s] += Math.abs(x);
                }
            }
            double flops = 2.0 * m * n * k;
            Strategy.Evaluator ev = (cfg, meas) -> {
                GemmParams p;
                try {
                    p = toParams(cfg, threads);
                } catch (IllegalArgumentException e) {
                    return null;
                }
                Runnable run = () -> Sgemm.gemm(m, n, k, 1f, a, 0, k, 1, b, 0, n, 1, 0f, c, 0, n, Epilogue.NONE, p, pool);
                c.fill((byte) 0x7f); // garbage, so a candidate that skips tiles cannot pass
                run.run();
                for (int s = 0; s < samples; s++) {
                    float got = c.getAtIndex(ValueLayout.JAVA_FLOAT, (long) si[s] * n + sj[s]);
                    if (!(Math.abs(got - want[s]) <= 1e-5 * (mag[s] + 1))) return null;
                }
                return meas.measure(run);
            };
            Strategy.Result res = strategy.search(space(m, n, k, threads), ev, measurer, progress);
            if (res.best() == null) throw new IllegalStateException("no SGEMM candidate matched the reference for " + m + "x" + n + "x" + k);
            GemmParams best = toParams(res.best(), threads);
            GemmParams def = GemmParams.defaults(m, n, k, threads);
            Measurement dm = measurer.measure(() -> Sgemm.gemm(m, n, k, 1f, a, 0, k, 1, b, 0, n, 1, 0f, c, 0, n, Epilogue.NONE, def, pool));
            double g = res.measurement().gflops(flops), dg = dm.gflops(flops);
            // keep the default when the search did not beat it (noise can crown a worse candidate)
            GemmParams store = g >= dg ? best : def;
            Map<String, Object> metrics = new LinkedHashMap<>();
            metrics.put("gflops", Math.round(Math.max(g, dg) * 10) / 10.0);
            metrics.put("default_gflops", Math.round(dg * 10) / 10.0);
            metrics.put("spread", Math.round(res.measurement().spread() * 1000) / 1000.0);
            metrics.put("shape", m + "x" + n + "x" + k);
            db.put(new TuningDb.Key(device(), KERNEL, KERNEL_VERSION, "f32", bucket(m, n, k, threads)), toMap(store), metrics);
            Map<String, GemmParams> t = tuned;
            if (t == null) t = loadTuned();
            t.put(bucket(m, n, k, threads), store);
            return new Tuned(store, Math.max(g, dg), dg, res.measured(), res.rejected());
        } finally {
            arena.close();
        }
    }

    /** For tests: forget the cached database so the next call re-reads {@code kiln.cache}. */
    static synchronized void reset() { tuned = null; }

    static Path file() { return TuningDb.defaultFile(); }

    static void save(TuningDb db) throws IOException { db.save(); }
}
