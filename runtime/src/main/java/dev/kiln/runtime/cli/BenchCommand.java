package dev.kiln.runtime.cli;

import dev.kiln.graph.Dim;
import dev.kiln.graph.ValueType;
import dev.kiln.runtime.IoInfo;
import dev.kiln.runtime.Session;
import dev.kiln.runtime.profile.OpProfile;
import dev.kiln.runtime.SessionOptions;
import dev.kiln.runtime.cpu.Epilogue;
import dev.kiln.runtime.cpu.GemmParams;
import dev.kiln.runtime.cpu.GemmTuning;
import dev.kiln.runtime.cpu.KilnPool;
import dev.kiln.runtime.cpu.Sgemm;
import dev.kiln.runtime.cpu.VectorConfig;
import dev.kiln.runtime.tune.Measurement;
import dev.kiln.runtime.tune.Measurer;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/** `kiln bench`: latency of a model ({@code kiln bench MODEL ...}) or SGEMM throughput ({@code kiln bench gemm ...}). */
final class BenchCommand implements Command {
    @Override public String name() { return "bench"; }
    @Override public String summary() { return "measure latency: kiln bench MODEL ... or kiln bench gemm ..."; }

    @Override public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        if (args.isEmpty() || args.contains("--help"))
            throw new UsageException("usage: kiln bench gemm --m M --n N --k K [--threads T] [--repeats R]\n"
                    + "       kiln bench MODEL.onnx [--batch B] [--seq S] [--threads T] [--warmup N] [--iterations N] [--profile]");
        String what = args.remove(0);
        return what.equals("gemm") ? gemm(args, out) : model(Path.of(what), args, out);
    }

    private static int gemm(List<String> args, PrintStream out) {
        int m = CliOptions.takeInt(args, "--m", 1024), n = CliOptions.takeInt(args, "--n", 1024), k = CliOptions.takeInt(args, "--k", 1024);
        int threads = CliOptions.takeInt(args, "--threads", Runtime.getRuntime().availableProcessors());
        int repeats = CliOptions.takeInt(args, "--repeats", 15);
        if (!args.isEmpty()) throw new UsageException("unexpected arguments " + args);
        if (m < 1 || n < 1 || k < 1 || threads < 1 || repeats < 1) throw new UsageException("sizes, --threads and --repeats must be positive");
        if ((long) m * k > Integer.MAX_VALUE / 4 || (long) k * n > Integer.MAX_VALUE / 4 || (long) m * n > Integer.MAX_VALUE / 4)
            throw new UsageException("matrices over 2^29 elements are not benchmarked");
        try (KilnPool pool = new KilnPool(threads); Arena arena = Arena.ofShared()) {
            MemorySegment a = arena.allocate(4L * m * k, 64), b = arena.allocate(4L * k * n, 64), c = arena.allocate(4L * m * n, 64);
            Random r = new Random(1);
            for (long i = 0; i < (long) m * k; i++) a.setAtIndex(ValueLayout.JAVA_FLOAT, i, r.nextFloat() - 0.5f);
            for (long i = 0; i < (long) k * n; i++) b.setAtIndex(ValueLayout.JAVA_FLOAT, i, r.nextFloat() - 0.5f);
            GemmParams p = GemmTuning.params(m, n, k, threads);
            Runnable call = () -> Sgemm.gemm(m, n, k, 1f, a, 0, k, 1, b, 0, n, 1, 0f, c, 0, n, Epilogue.NONE, p, pool);
            Measurer measurer = new Measurer(5, repeats, 20_000_000L);
            Measurement ms = measurer.measure(call);
            double flops = 2.0 * m * n * k, gf = ms.gflops(flops);
            double peak = FmaPeak.estimate(threads);
            out.printf("sgemm %dx%dx%d, %d thread%s, %s vectors, %s%n", m, n, k, threads, threads == 1 ? "" : "s", VectorConfig.describe(), p);
            out.printf("wall clock: median %.3f ms  %.1f GFLOP/s  (spread %.1f%%, %d repeats)  %.0f%% of FMA peak %.1f GFLOP/s%n",
                    ms.medianNs() / 1e6, gf, 100 * ms.spread(), ms.samples(), 100 * gf / peak, peak);
            if (threads == 1) {
                // on a shared machine the thread's own CPU time shows the kernel's speed without other load
                Measurement cpu = measurer.withThreadCpuTime(true).measure(call);
                double gc = cpu.gflops(flops);
                out.printf("thread CPU: median %.3f ms  %.1f GFLOP/s  (spread %.1f%%)  %.0f%% of FMA peak%n",
                        cpu.medianNs() / 1e6, gc, 100 * cpu.spread(), 100 * gc / peak);
            }
        }
        return 0;
    }

    private static int model(Path file, List<String> args, PrintStream out) {
        if (!Files.isRegularFile(file)) throw new UsageException("no model file " + file + " (or use: kiln bench gemm ...)");
        int batch = CliOptions.takeInt(args, "--batch", 1), seq = CliOptions.takeInt(args, "--seq", 128);
        int warmup = CliOptions.takeInt(args, "--warmup", 5), iters = CliOptions.takeInt(args, "--iterations", 20);
        boolean profile = args.remove("--profile");
        SessionOptions opts = CliOptions.sessionOptions(args);
        if (!args.isEmpty()) throw new UsageException("unexpected arguments " + args);
        if (batch < 1 || seq < 1 || warmup < 0 || iters < 1) throw new UsageException("--batch, --seq, --iterations must be positive");
        try (Session s = Session.load(file, opts)) {
            Map<String, Tensor> feed = new LinkedHashMap<>();
            for (IoInfo in : s.inputs()) feed.put(in.name(), syntheticInput(in, batch, seq));
            for (int i = 0; i < warmup; i++) s.run(feed);
            long[] ns = new long[iters];
            for (int i = 0; i < iters; i++) {
                long t = System.nanoTime();
                s.run(feed);
                ns[i] = System.nanoTime() - t;
            }
            long[] sorted = ns.clone();
            Arrays.sort(sorted);
            double med = Measurement.of(ns).medianNs() / 1e6;
            double p90 = sorted[Math.min(sorted.length - 1, (int) Math.ceil(0.9 * sorted.length) - 1)] / 1e6;
            out.printf("%s  backend %s, %d threads, batch %d, seq %d, %d iterations after %d warm-up%n",
                    file.getFileName(), s.backend(), opts.threads(), batch, seq, iters, warmup);
            out.printf("latency ms: min %.2f  median %.2f  p90 %.2f   throughput %.1f sequences/s%n",
                    sorted[0] / 1e6, med, p90, batch * 1000.0 / med);
            if (profile) {
                // Separate runs, so per-node timing overhead never touches the latency numbers above.
                OpProfile prof = new OpProfile();
                for (int i = 0; i < iters; i++) { s.runValues(feed, prof); prof.runFinished(); }
                out.println();
                out.println("where the time goes (" + iters + " profiled runs, optimized graph):");
                prof.print(out);
            }
        }
        return 0;
    }

    /**
     * An input for benchmarking: symbolic dims become the batch (first) and sequence (second) sizes; integer
     * inputs named like masks get ones, token types zeros, other integers small ids; floats get noise.
     */
    static Tensor syntheticInput(IoInfo in, int batch, int seq) {
        if (!(in.type() instanceof ValueType.TensorType tt) || !tt.hasRank())
            throw new UsageException("input " + in.name() + " has no tensor shape to synthesize (" + in.type() + ")");
        long[] dims = new long[tt.rank()];
        int symbolic = 0;
        for (int i = 0; i < dims.length; i++) {
            Dim d = tt.dims().get(i);
            if (d instanceof Dim.Known kd) dims[i] = kd.value();
            else dims[i] = symbolic++ == 0 ? batch : seq;
        }
        Shape shape = Shape.of(dims);
        Tensor t = Tensor.allocate(tt.dtype(), shape);
        String name = in.name().toLowerCase();
        Random r = new Random(7);
        for (long i = 0; i < shape.numel(); i++) {
            if (tt.dtype().isFloatingPoint()) t.setDouble(i, r.nextGaussian());
            else if (tt.dtype() == DType.BOOL || name.contains("mask")) t.setLong(i, 1);
            else if (name.contains("type")) t.setLong(i, 0);
            else t.setLong(i, 1 + r.nextInt(100));
        }
        return t;
    }
}
