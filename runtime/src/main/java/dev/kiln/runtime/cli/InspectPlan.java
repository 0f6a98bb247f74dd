package dev.kiln.runtime.cli;

import dev.kiln.codegen.opt.Optimizer;
import dev.kiln.codegen.plan.MemoryPlan;
import dev.kiln.codegen.plan.MemoryPlanner;
import dev.kiln.graph.Dim;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.graph.pass.PassContext;
import dev.kiln.ops.OpRegistry;
import dev.kiln.runtime.LoadedModel;
import dev.kiln.runtime.ModelAnalysis;
import dev.kiln.runtime.ModelFiles;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The {@code --plan} and {@code --graph} parts of {@code kiln inspect}: the model is loaded again, given concrete
 * input shapes ({@code --shape name=1x128}), typed, optimized at {@code --opt-level}, then memory-planned and/or
 * drawn. Nothing is executed.
 */
final class InspectPlan {
    private InspectPlan() {}

    static int run(Path path, ModelCommandArgs a, int defaultOptLevel, PrintStream out, PrintStream err) {
        int level = a.intOption("--opt-level", defaultOptLevel);
        if (level < 0 || level > 3) throw new UsageException("--opt-level must be 0..3, got " + level);
        try (LoadedModel m = ModelFiles.load(path)) {
            Graph g = m.graph();
            List<String> shapes = a.all("--shape");
            for (String s : shapes) applyShape(g, s);
            OpRegistry registry = OpRegistry.standard();
            ModelAnalysis.infer(g, registry);
            Optimizer.optimize(g, level, PassContext.fromSystemProperties(n -> registry.lookup(n.domain(), n.opType(), g.opset(n.domain()))));
            int rc = 0;
            if (a.flag("--plan")) printPlan(g, level, shapes, out);
            String picture = a.get("--graph");
            if (picture != null) rc = GraphPicture.write(g, Path.of(picture), out, err);
            return rc;
        }
    }

    /** {@code name=1x128}: the graph input gets these static dims (its declared rank must agree). */
    static void applyShape(Graph g, String spec) {
        int eq = spec.indexOf('=');
        if (eq <= 0) throw new UsageException("--shape must be NAME=D1xD2..., got '" + spec + "'");
        String name = spec.substring(0, eq);
        Value input = null;
        for (Value v : g.inputs()) if (v.name().equals(name)) input = v;
        if (input == null) throw new UsageException("--shape: the model has no input '" + name + "'");
        List<Dim> dims = new ArrayList<>();
        String body = spec.substring(eq + 1);
        if (!body.isEmpty()) for (String d : body.split("x")) {
            try {
                long n = Long.parseLong(d.trim());
                if (n < 0) throw new NumberFormatException();
                dims.add(Dim.of(n));
            } catch (NumberFormatException e) {
                throw new UsageException("--shape " + spec + ": '" + d + "' is not a dimension");
            }
        }
        if (!(input.type() instanceof TensorType t)) throw new UsageException("--shape: input '" + name + "' is not a tensor");
        if (t.hasRank() && t.rank() != dims.size())
            throw new UsageException("--shape " + spec + ": input '" + name + "' has rank " + t.rank() + " (" + t + ")");
        input.setType(new TensorType(t.dtype(), dims));
    }

    private static void printPlan(Graph g, int level, List<String> shapes, PrintStream out) {
        MemoryPlan p = MemoryPlanner.plan(g);
        List<String> conflicts = p.conflicts();
        int inPlace = 0;
        for (MemoryPlan.Slot s : p.slots()) if (s.inPlaceOf() != null) inPlace++;
        out.println("memory plan (O" + level + (shapes.isEmpty() ? "" : ", " + String.join(" ", shapes)) + ")");
        out.println("  values     " + p.slots().size() + " computed by nodes (inputs and weights not counted)");
        out.printf("  naive      %s (%,d B): every value its own buffer%n", InspectCommand.bytes(p.naiveBytes()), p.naiveBytes());
        out.printf("  planned    %s (%,d B) peak arena, %.1fx smaller; %d value(s) computed in place%n",
                InspectCommand.bytes(p.peakBytes()), p.peakBytes(),
                p.peakBytes() == 0 ? 1.0 : (double) p.naiveBytes() / p.peakBytes(), inPlace);
        out.println("  validated  " + (conflicts.isEmpty() ? "no two live values overlap" : conflicts.size() + " CONFLICT(S): " + conflicts.getFirst()));
        out.println("  largest values:");
        p.slots().stream().sorted(Comparator.comparingLong(MemoryPlan.Slot::bytes).reversed()).limit(5).forEach(s ->
                out.printf("    %-40s %10s at offset %,d, steps %d..%d%n", s.value(), InspectCommand.bytes(s.bytes()), s.offset(), s.start(), s.end()));
        out.println("  note: the executor does not allocate from this plan yet (each run allocates its intermediates in one arena, freed when the run ends)");
    }
}
