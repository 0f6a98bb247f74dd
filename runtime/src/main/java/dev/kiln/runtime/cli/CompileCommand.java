package dev.kiln.runtime.cli;

import dev.kiln.codegen.opt.Optimizer;
import dev.kiln.graph.Graph;
import dev.kiln.graph.pass.PassContext;
import dev.kiln.graph.pass.PassPipeline;
import dev.kiln.graph.text.IrPrinter;
import dev.kiln.ops.OpRegistry;
import dev.kiln.runtime.LoadedModel;
import dev.kiln.runtime.ModelAnalysis;
import dev.kiln.runtime.ModelFiles;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * `kiln compile`: load a model, infer types, run the optimization pipeline of an opt level, and dump the IR
 * before and after every pass ({@code --dump-ir DIR}) or print the final IR.
 */
final class CompileCommand implements Command {
    private static final String USAGE = "usage: kiln compile MODEL [--dump-ir DIR] [--opt-level N] [--verify-ir]\n"
            + "  Loads and types the model, runs the optimization pipeline of level N (default 1), and prints the\n"
            + "  final IR, or writes the IR before and after every pass to DIR.\n"
            + "  --verify-ir   check IR invariants after every pass";

    @Override public String name() { return "compile"; }
    @Override public String summary() {
        return "optimize a model and dump the IR after each pass: kiln compile MODEL [--dump-ir DIR] [--opt-level N]";
    }

    @Override public int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        if (args.contains("--help") || args.contains("-h")) {
            out.println(USAGE);
            return 0;
        }
        ModelCommandArgs a = ModelCommandArgs.parse(args, Set.of("--dump-ir", "--opt-level"), Set.of("--verify-ir"));
        Path model = Path.of(a.onlyPositional("MODEL path (kiln compile MODEL --dump-ir DIR)"));
        int level = a.intOption("--opt-level", 1);
        if (level < 0 || level > 3) throw new UsageException("--opt-level must be 0..3, got " + level);
        try (LoadedModel m = ModelFiles.load(model)) {
            return compile(m.graph(), level, a.get("--dump-ir"), a.flag("--verify-ir"), out, err);
        }
    }

    private static int compile(Graph g, int level, String dir, boolean verify, PrintStream out, PrintStream err) {
        OpRegistry registry = OpRegistry.standard();
        ModelAnalysis info = ModelAnalysis.infer(g, registry);
        PassContext ctx = PassContext.fromSystemProperties(n -> registry.lookup(n.domain(), n.opType(), g.opset(n.domain())));
        if (verify) ctx = ctx.withVerify(true);
        if (dir != null) ctx = ctx.withDumpDir(Path.of(dir));
        List<PassPipeline.Step> steps = Optimizer.optimize(g, level, ctx);
        if (dir == null) out.print(IrPrinter.print(g));
        out.println("# O" + level + ": " + steps.size() + " pass run(s)");
        for (PassPipeline.Step s : steps)
            out.printf("#   %-28s %s  nodes %d -> %d  (%d us)%n", s.pass(), s.changed() ? "changed" : "no change",
                    s.nodesBefore(), s.nodesAfter(), s.micros());
        if (dir != null) out.println("# IR dumps written to " + dir);
        if (!info.unsupported().isEmpty()) err.println("note: unsupported ops: " + String.join(", ", info.unsupported()));
        return 0;
    }
}
