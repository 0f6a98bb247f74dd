package dev.kiln.runtime.cli;

import dev.kiln.runtime.cpu.GemmTuning;
import dev.kiln.runtime.cpu.KilnPool;
import dev.kiln.runtime.tune.DeviceFingerprint;
import dev.kiln.runtime.tune.Measurer;
import dev.kiln.runtime.tune.Progress;
import dev.kiln.runtime.tune.Strategy;
import dev.kiln.runtime.tune.TuningDb;
import dev.kiln.runtime.cpu.VectorConfig;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;

/** `kiln tune`: autotune kernels for this machine and store the winners in the tuning database. */
final class TuneCommand implements Command {
    @Override public String name() { return "tune"; }
    @Override public String summary() { return "autotune kernels for this machine (kiln tune gemm --shapes ...)"; }

    @Override public int run(List<String> args, PrintStream out, PrintStream err) throws Exception {
        if (args.isEmpty() || !args.get(0).equals("gemm"))
            throw new UsageException("usage: kiln tune gemm --shapes MxNxK[,MxNxK...] [--threads T] "
                    + "[--strategy halving|random|exhaustive] [--candidates N]");
        args.remove(0);
        String shapes = CliOptions.take(args, "--shapes");
        int threads = CliOptions.takeInt(args, "--threads", Runtime.getRuntime().availableProcessors());
        String strategyName = CliOptions.take(args, "--strategy");
        int candidates = CliOptions.takeInt(args, "--candidates", 40);
        if (!args.isEmpty()) throw new UsageException("unexpected arguments " + args);
        if (shapes == null) throw new UsageException("--shapes MxNxK[,MxNxK...] is required");
        if (threads < 1 || candidates < 1) throw new UsageException("--threads and --candidates must be positive");
        List<int[]> list = new ArrayList<>();
        for (String s : shapes.split(",")) {
            String[] p = s.trim().toLowerCase().split("x");
            if (p.length != 3) throw new UsageException("shape '" + s + "' is not MxNxK");
            int[] d = new int[3];
            for (int i = 0; i < 3; i++) {
                try { d[i] = Integer.parseInt(p[i]); } catch (NumberFormatException e) { throw new UsageException("shape '" + s + "' is not MxNxK"); }
                if (d[i] < 1 || d[i] > 16384) throw new UsageException("shape '" + s + "': sizes must be in 1..16384");
            }
            list.add(d);
        }
        if (VectorConfig.SCALAR) throw new UsageException("vectors are disabled (kiln.vector.bits=0): nothing to tune");
        Strategy strategy = switch (strategyName == null ? "halving" : strategyName) {
            case "halving" -> Strategy.successiveHalving(candidates, 1);
            case "random" -> Strategy.random(candidates, 1);
            case "exhaustive" -> Strategy.exhaustive();
            default -> throw new UsageException("unknown strategy '" + strategyName + "' (halving, random, exhaustive)");
        };
        TuningDb db = TuningDb.load(TuningDb.defaultFile());
        out.println("device: " + DeviceFingerprint.cpu(VectorConfig.BITS).key());
        out.println("database: " + db.file());
        try (KilnPool pool = new KilnPool(threads)) {
            for (int[] d : list) {
                String title = d[0] + "x" + d[1] + "x" + d[2] + " t" + threads;
                GemmTuning.Tuned t = GemmTuning.tune(d[0], d[1], d[2], pool, strategy, Measurer.standard(), Progress.bar(out, title), db);
                out.printf("  %s: %.1f GFLOP/s (default %.1f), %s; %d measured, %d rejected%n",
                        title, t.gflops(), t.defaultGflops(), t.params(), t.measured(), t.rejected());
                db.save();
            }
        }
        return 0;
    }
}
