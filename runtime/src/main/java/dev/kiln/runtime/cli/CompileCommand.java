package dev.kiln.runtime.cli;

import dev.kiln.codegen.opt.Optimizer;
import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.pass.PassContext;
import dev.kiln.graph.pass.PassPipeline;
import dev.kiln.ops.OpRegistry;
import dev.kiln.runtime.LoadedModel;
import dev.kiln.runtime.ModelAnalysis;
import dev.kiln.runtime.ModelFiles;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * `kiln compile`: load a model, infer types, run the optimization pipeline of an opt level with the IR verifier
 * after every pass, and report what each pass did and how the op mix changed. With {@code --dump-ir DIR} the IR
 * is written before the first pass and after each one ({@code 000-input.ir}, {@code 001-<pass>.ir}, ...).
 */
final class CompileCommand implements Command {
    private static final int DEFAULT_LEVEL = 1;
    private static final String USAGE = "usage: kiln compile MODEL [--opt-level N] [--dump-ir DIR] [--disable-pass a,b]\n"
            + "  Loads and types the model, runs the optimization pipeline of level N (default 1) with the IR\n"
            + "  verifier after every pass, and prints a table of the passes (changed?, nodes before/after, time)\n"
            + "  and the op histogram before and after.\n"
            + "  --dump-ir DIR       write the IR before the first pass and after each one (000-input.ir, 001-<pass>.ir, ...)\n"
            + "  --disable-pass a,b  skip the named passes (names as in the table)\n"
            + "  --verify-ir         accepted for compatibility: the verifier always runs here";

    @Override public String name() { return "compile"; }
    @Override public String summary() {
        return "optimize a model, report each pass: kiln compile MODEL [--opt-level N] [--dump-ir DIR] [--disable-pass a,b] (--help)";
    }

    @Override public int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        if (args.contains("--help") || args.contains("-h")) {
            out.println(USAGE);
            return 0;
        }
        ModelCommandArgs a = ModelCommandArgs.parse(args, Set.of("--dump-ir", "--opt-level", "--disable-pass"), Set.of("--verify-ir"));
        Path model = Path.of(a.onlyPositional("MODEL path (kiln compile MODEL [--opt-level N] [--dump-ir DIR])"));
        int level = a.intOption("--opt-level", DEFAULT_LEVEL);
        if (level < 0 || level > 3) throw new UsageException("--opt-level must be 0..3, got " + level);
        Set<String> disabled = new TreeSet<>();
        if (a.get("--disable-pass") != null)
            for (String s : a.get("--disable-pass").split(",")) if (!s.isBlank()) disabled.add(s.strip());
        try (LoadedModel m = ModelFiles.load(model)) {
            Graph g = m.graph();
            OpRegistry registry = OpRegistry.standard();
            ModelAnalysis info = ModelAnalysis.infer(g, registry);
            Map<String, Integer> before = histogram(g);
            PassContext ctx = new PassContext(n -> registry.lookup(n.domain(), n.opType(), g.opset(n.domain())),
                    disabled, true, a.get("--dump-ir") == null ? null : Path.of(a.get("--dump-ir")));
            long t0 = System.nanoTime();
            List<PassPipeline.Step> steps = Optimizer.optimize(g, level, ctx);
            long micros = (System.nanoTime() - t0) / 1000;
            out.println(model.getFileName() + " at O" + level + (disabled.isEmpty() ? "" : ", disabled: " + String.join(",", disabled))
                    + " (IR verified after every pass)");
            out.println();
            printSteps(steps, out);
            Map<String, Integer> after = histogram(g);
            out.println("total " + millis(micros) + ", nodes " + total(before) + " -> " + total(after));
            out.println();
            printHistograms(before, after, out);
            if (ctx.dumpDir() != null) out.println("IR after each pass written to " + ctx.dumpDir());
            warnUnknown(disabled, level, err);
            if (!info.unsupported().isEmpty()) err.println("note: unsupported ops: " + String.join(", ", info.unsupported()));
        }
        return 0;
    }

    private static void printSteps(List<PassPipeline.Step> steps, PrintStream out) {
        if (steps.isEmpty()) { out.println("no passes ran"); return; }
        int w = "pass".length();
        for (PassPipeline.Step s : steps) w = Math.max(w, s.pass().length());
        out.printf("%-3s %-" + w + "s  %-7s  %12s  %10s%n", "#", "pass", "changed", "nodes", "time");
        int i = 0;
        for (PassPipeline.Step s : steps) {
            out.printf("%-3d %-" + w + "s  %-7s  %12s  %10s%n", ++i, s.pass(), s.changed() ? "yes" : "-",
                    s.nodesBefore() + " -> " + s.nodesAfter(), millis(s.micros()));
        }
    }

    private static String millis(long micros) { return String.format("%.1f ms", micros / 1000.0); }

    private static void printHistograms(Map<String, Integer> before, Map<String, Integer> after, PrintStream out) {
        TreeSet<String> ops = new TreeSet<>(before.keySet());
        ops.addAll(after.keySet());
        int w = "op".length();
        for (String op : ops) w = Math.max(w, op.length());
        out.printf("%-" + w + "s  %7s  %7s  %7s%n", "op", "before", "after", "delta");
        for (String op : ops) {
            int b = before.getOrDefault(op, 0), x = after.getOrDefault(op, 0);
            out.printf("%-" + w + "s  %7d  %7d  %7s%n", op, b, x, b == x ? "" : String.format("%+d", x - b));
        }
        out.printf("%-" + w + "s  %7d  %7d  %+7d%n", "total", total(before), total(after), total(after) - total(before));
    }

    private static int total(Map<String, Integer> h) { return h.values().stream().mapToInt(Integer::intValue).sum(); }

    /** Op counts over the graph and its subgraphs, keyed {@code domain.Op}. */
    static Map<String, Integer> histogram(Graph g) {
        Map<String, Integer> out = new TreeMap<>();
        count(g, out);
        return out;
    }

    private static void count(Graph g, Map<String, Integer> out) {
        for (Node n : g.nodes()) {
            out.merge((n.domain().isEmpty() ? "" : n.domain() + ".") + n.opType(), 1, Integer::sum);
            for (Attribute a : n.attributes().values()) {
                if (a.kind() == Attribute.Kind.GRAPH) count(a.asGraph(), out);
                if (a.kind() == Attribute.Kind.GRAPHS) Arrays.stream(a.asGraphs()).forEach(sg -> count(sg, out));
            }
        }
    }

    /** A typo in --disable-pass would silently disable nothing: say which names matched no pass. */
    private static void warnUnknown(Set<String> disabled, int level, PrintStream err) {
        if (disabled.isEmpty()) return;
        Set<String> known = new TreeSet<>();
        collectNames(dev.kiln.codegen.opt.Pipelines.forLevel(level).passes(), known);
        for (String d : disabled) if (!known.contains(d)) err.println("note: --disable-pass " + d + ": no pass of that name at O" + level
                + " (passes: " + String.join(", ", known) + ")");
    }

    private static void collectNames(List<dev.kiln.graph.pass.Pass> passes, Set<String> out) {
        for (dev.kiln.graph.pass.Pass p : passes) {
            out.add(p.name());
            if (p instanceof dev.kiln.graph.pass.FixedPoint fp) collectNames(fp.passes(), out);
        }
    }
}
