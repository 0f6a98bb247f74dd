package dev.kiln.bench.jmh;

import dev.kiln.runtime.cpu.Epilogue;
import dev.kiln.runtime.cpu.KilnPool;
import dev.kiln.runtime.cpu.Sgemm;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.openblas.global.openblas_nolapack;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * SGEMM, Kiln vs OpenBLAS cblas_sgemm, in one JMH run (both benchmarks share the fork's parameters). Shapes are
 * "MxNxK": squares 256..2048 and the BERT-base projections at M = 128 and batch 8 (M = 1024). OpenBLAS's
 * thread count comes from OPENBLAS_NUM_THREADS, so set it equal to the threads param (the bench checks).
 * Throughput in ops/ms; GFLOP/s = ops/ms * 2MNK / 1e6. For the per-repetition interleaved comparison use
 * {@link dev.kiln.bench.GemmVsOpenBlas}.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED"})
public class GemmBench {
    @Param({"256x256x256", "512x512x512", "1024x1024x1024", "2048x2048x2048",
            "128x1536x384", "128x384x1536", "128x384x384", "1024x1536x384", "1024x384x1536", "1024x384x384"})
    public String shape;

    @Param({"1"})
    public int threads;

    int m, n, k;
    Arena arena;
    MemorySegment a, b, c;
    FloatPointer pa, pb, pc;
    KilnPool pool;

    @Setup(Level.Trial)
    public void setup() {
        String[] d = shape.split("x");
        m = Integer.parseInt(d[0]); n = Integer.parseInt(d[1]); k = Integer.parseInt(d[2]);
        String env = System.getenv("OPENBLAS_NUM_THREADS");
        if (env == null || Integer.parseInt(env) != threads)
            throw new IllegalStateException("run with OPENBLAS_NUM_THREADS=" + threads);
        Loader.load(openblas_nolapack.class);
        arena = Arena.ofShared();
        a = arena.allocate(4L * m * k, 64); b = arena.allocate(4L * k * n, 64); c = arena.allocate(4L * m * n, 64);
        pa = new FloatPointer((long) m * k); pb = new FloatPointer((long) k * n); pc = new FloatPointer((long) m * n);
        Random r = new Random(1);
        for (long i = 0; i < (long) m * k; i++) { float v = r.nextFloat(); a.setAtIndex(ValueLayout.JAVA_FLOAT, i, v); pa.put(i, v); }
        for (long i = 0; i < (long) k * n; i++) { float v = r.nextFloat(); b.setAtIndex(ValueLayout.JAVA_FLOAT, i, v); pb.put(i, v); }
        pool = new KilnPool(threads);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        pool.close();
        arena.close();
        pa.close(); pb.close(); pc.close();
    }

    @Benchmark
    public MemorySegment kiln() {
        Sgemm.gemm(m, n, k, 1f, a, 0, k, 1, b, 0, n, 1, 0f, c, 0, n, Epilogue.NONE, null, pool);
        return c;
    }

    @Benchmark
    public FloatPointer openblas() {
        openblas_nolapack.cblas_sgemm(openblas_nolapack.CblasRowMajor, openblas_nolapack.CblasNoTrans, openblas_nolapack.CblasNoTrans,
                m, n, k, 1f, pa, k, pb, n, 0f, pc, n);
        return pc;
    }
}
