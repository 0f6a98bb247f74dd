package dev.kiln.runtime.cli;

import dev.kiln.graph.Graph;
import dev.kiln.graph.Value;
import dev.kiln.ops.OpRegistry;
import dev.kiln.runtime.LoadedModel;
import dev.kiln.runtime.ModelAnalysis;
import dev.kiln.runtime.ModelFiles;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** `kiln inspect`: describe a model: inputs, outputs, opsets, op histogram, parameters. */
final class InspectCommand implements Command {
    private static final String USAGE = "usage: kiln inspect MODEL [--warnings] [--plan] [--graph FILE.dot|FILE.svg] [--shape NAME=1x128 ...] [--opt-level N]\n"
            + "  Prints inputs and outputs with inferred types, IR version, producer, opsets, the op histogram,\n"
            + "  parameter count and bytes, and the operators this build cannot run.\n"
            + "  --warnings   list the nodes type inference could not type\n"
            + "  --plan       static memory plan of the optimized graph: peak arena bytes vs every value its own buffer\n"
            + "  --graph F    draw the optimized graph (fused nodes coloured) as DOT, or SVG when Graphviz is installed\n"
            + "  --shape N=DxD  concrete shape for input N (needed for symbolic dims); --opt-level N (default: session's)";

    @Override public String name() { return "inspect"; }
    @Override public String summary() { return "describe a model: inputs, outputs, opsets, op histogram, parameters"; }

    @Override public int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.contains("--help") || args.contains("-h")) {
            out.println(USAGE);
            return 0;
        }
        ModelCommandArgs a = ModelCommandArgs.parse(args, Set.of("--shape", "--opt-level", "--graph"), Set.of("--warnings", "--plan"));
        Path path = Path.of(a.onlyPositional("MODEL path (kiln inspect MODEL [--plan] [--graph FILE.dot|.svg] [--shape NAME=1x128] [--opt-level N])"));
        // Checked up front (InspectPlan checks it too, but only runs with --plan/--graph): a bad level is a usage
        // error whatever else is asked, never silently ignored.
        int level = a.intOption("--opt-level", dev.kiln.runtime.SessionOptions.defaults().optLevel());
        if (level < 0 || level > 3) throw new UsageException("--opt-level must be 0..3, got " + level);
        int rc;
        try (LoadedModel m = ModelFiles.load(path)) {
            rc = describe(path, m, a.flag("--warnings"), out);
        }
        if (rc == 0 && (a.flag("--plan") || a.get("--graph") != null))   // opt-codegen: memory plan and pictures
            rc = InspectPlan.run(path, a, dev.kiln.runtime.SessionOptions.defaults().optLevel(), out, err);
        return rc;
    }

    private static int describe(Path path, LoadedModel m, boolean listWarnings, PrintStream out) {
        Graph g = m.graph();
        ModelAnalysis info = ModelAnalysis.infer(g, OpRegistry.standard());
        out.println("model      " + path);
        out.println("ir version " + (m.irVersion() < 0 ? "?" : m.irVersion()));
        out.println("producer   " + (m.producer().isEmpty() ? "?" : m.producer()));
        StringBuilder opsets = new StringBuilder();
        for (Map.Entry<String, Integer> e : g.opsetImports().entrySet())
            opsets.append(opsets.isEmpty() ? "" : ", ").append(e.getKey().isEmpty() ? "ai.onnx" : e.getKey()).append(' ').append(e.getValue());
        out.println("opsets     " + opsets);
        out.println("inputs");
        for (Value v : g.requiredInputs()) out.println("  " + v.name() + ": " + v.type());
        for (Value v : g.inputs()) if (!g.requiredInputs().contains(v)) out.println("  " + v.name() + ": " + v.type() + " (has default)");
        out.println("outputs");
        for (Value v : g.outputs()) out.println("  " + v.name() + ": " + v.type());
        out.printf("parameters %,d in %d initializers, %s%n", info.parameterCount(), g.initializers().size(), bytes(info.parameterBytes()));
        int nodes = 0;
        for (int c : info.opHistogram().values()) nodes += c;
        out.println("ops        " + nodes + " nodes, " + info.opHistogram().size() + " op types (subgraphs included)");
        info.opHistogram().entrySet().stream()
                .sorted((x, y) -> y.getValue() != x.getValue().intValue() ? y.getValue() - x.getValue() : x.getKey().compareTo(y.getKey()))
                .forEach(e -> out.printf("  %-28s %d%n", e.getKey(), e.getValue()));
        if (info.unsupported().isEmpty()) out.println("unsupported none");
        else out.println("unsupported " + String.join(", ", info.unsupported()));
        out.println("types      " + info.typedOutputs() + " of " + (info.typedOutputs() + info.untypedOutputs())
                + " node outputs have an inferred type (dims may still be symbolic or unknown)");
        if (!info.warnings().isEmpty()) {
            out.println("inference  " + info.warnings().size() + " warning(s)" + (listWarnings ? ":" : " (--warnings to list)"));
            if (listWarnings) for (String w : info.warnings()) out.println("  " + w);
        }
        return 0;
    }

    static String bytes(long b) {
        if (b < 1024) return b + " B";
        if (b < 1024 * 1024) return String.format("%.1f KiB", b / 1024.0);
        if (b < 1024L * 1024 * 1024) return String.format("%.1f MiB", b / (1024.0 * 1024));
        return String.format("%.2f GiB", b / (1024.0 * 1024 * 1024));
    }
}
