package dev.kiln.runtime.cli;

import dev.kiln.runtime.IoInfo;
import dev.kiln.runtime.ModelFiles;
import dev.kiln.runtime.Session;
import dev.kiln.runtime.SessionOptions;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** `kiln run`: run a model on .npy inputs, print (and optionally save) its outputs. */
final class RunCommand implements Command {
    private static final int SHOWN_VALUES = 8;

    private static final String USAGE = "usage: kiln run MODEL --input NAME=FILE.npy ... [--output-dir DIR] [--backend NAME] [--opt-level N]\n"
            + "                [--threads N] [--verify]\n"
            + "  Runs the model once and prints each output's dtype, shape and first values.\n"
            + "  --output-dir DIR  also write every output as DIR/<name>.npy\n"
            + "  --backend NAME    cpu (default), reference, or an installed GPU backend\n"
            + "  --verify          also run the reference interpreter and fail on any difference";

    @Override public String name() { return "run"; }
    @Override public String summary() { return "run a model on .npy inputs: kiln run MODEL --input NAME=FILE.npy ... [--output-dir DIR]"; }

    @Override public int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        if (args.contains("--help") || args.contains("-h")) {
            out.println(USAGE);
            return 0;
        }
        ModelCommandArgs a = ModelCommandArgs.parse(args,
                Set.of("--input", "--output-dir", "--backend", "--opt-level", "--threads"), Set.of("--verify"));
        Path model = Path.of(a.onlyPositional("MODEL path (kiln run MODEL --input NAME=FILE.npy ...)"));
        SessionOptions opts = sessionOptions(a);
        Map<String, Tensor> feed = new LinkedHashMap<>();
        for (String spec : a.all("--input")) {
            int eq = spec.indexOf('=');
            if (eq <= 0) throw new UsageException("--input takes NAME=FILE.npy, got '" + spec + "'");
            feed.put(spec.substring(0, eq), ModelFiles.readNpy(Path.of(spec.substring(eq + 1))));
        }
        try (Session s = Session.load(model, opts)) {
            if (feed.isEmpty() && !s.inputs().isEmpty()) {
                StringBuilder sb = new StringBuilder("no --input given; the model needs:");
                for (IoInfo i : s.inputs()) sb.append("\n  --input ").append(i.name()).append("=FILE.npy   (").append(i.type()).append(')');
                throw new UsageException(sb.toString());
            }
            long t0 = System.nanoTime();
            Map<String, Tensor> result = s.run(feed);
            long ms = (System.nanoTime() - t0) / 1_000_000;
            String dir = a.get("--output-dir");
            if (dir != null) Files.createDirectories(Path.of(dir));
            for (Map.Entry<String, Tensor> e : result.entrySet()) {
                out.println(e.getKey() + ": " + describe(e.getValue()));
                if (dir != null && e.getValue() != null) {
                    Path f = Path.of(dir).resolve(safeFileName(e.getKey()) + ".npy");
                    ModelFiles.writeNpy(f, e.getValue());
                    out.println("  -> " + f);
                }
            }
            err.println("ran in " + ms + " ms on backend " + s.backend());
        }
        return 0;
    }

    static SessionOptions sessionOptions(ModelCommandArgs a) {
        SessionOptions o = SessionOptions.defaults();
        if (a.get("--backend") != null) o = o.withBackend(a.get("--backend"));
        try {
            o = o.withOptLevel(a.intOption("--opt-level", o.optLevel())).withThreads(a.intOption("--threads", o.threads()));
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        return o.withVerify(a.flag("--verify"));
    }

    /** dtype, shape and the first few values. */
    static String describe(Tensor t) {
        if (t == null) return "(absent)";
        StringBuilder sb = new StringBuilder(t.dtype().displayName()).append(t.shape()).append(" [");
        long n = Math.min(t.numel(), SHOWN_VALUES);
        for (long i = 0; i < n; i++) {
            if (i > 0) sb.append(", ");
            if (t.dtype() == DType.STRING) sb.append('"').append(t.getString(i)).append('"');
            else if (t.dtype() == DType.BOOL) sb.append(t.getBoolean(i));
            else if (t.dtype().isFloatingPoint()) sb.append(String.format("%.6g", t.getDouble(i)));
            else sb.append(t.getLong(i));
        }
        if (t.numel() > n) sb.append(", ... (").append(t.numel()).append(" values)");
        return sb.append(']').toString();
    }

    private static String safeFileName(String name) {
        String s = name.replaceAll("[^A-Za-z0-9._-]", "_");
        return s.isEmpty() ? "output" : s;
    }
}
