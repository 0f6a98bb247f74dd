package dev.kiln.runtime.cli;

import dev.kiln.graph.Graph;
import dev.kiln.graph.text.IrPrinter;
import dev.kiln.ops.OpRegistry;
import dev.kiln.runtime.LoadedModel;
import dev.kiln.runtime.ModelAnalysis;
import dev.kiln.runtime.ModelFiles;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * `kiln compile`: load a model, infer types and dump the IR. Optimization passes will add one dump per pass;
 * today there is the imported (and typed) graph only.
 */
final class CompileCommand implements Command {
    @Override public String name() { return "compile"; }
    @Override public String summary() { return "load and type a model, dump its IR: kiln compile MODEL [--dump-ir DIR]"; }

    @Override public int run(List<String> args, PrintStream out, PrintStream err) throws IOException {
        ModelCommandArgs a = ModelCommandArgs.parse(args, Set.of("--dump-ir"), Set.of());
        Path model = Path.of(a.onlyPositional("MODEL path (kiln compile MODEL --dump-ir DIR)"));
        try (LoadedModel m = ModelFiles.load(model)) {
            return dump(m.graph(), a.get("--dump-ir"), out, err);
        }
    }

    private static int dump(Graph g, String dir, PrintStream out, PrintStream err) throws IOException {
        ModelAnalysis info = ModelAnalysis.infer(g, OpRegistry.standard());
        String text = IrPrinter.print(g);
        if (dir == null) {
            out.print(text);
        } else {
            Path d = Path.of(dir);
            Files.createDirectories(d);
            Path f = d.resolve("00-imported.ir");
            Files.writeString(f, text);
            out.println("wrote " + f + " (" + g.nodes().size() + " nodes)");
        }
        if (!info.unsupported().isEmpty()) err.println("note: unsupported ops: " + String.join(", ", info.unsupported()));
        return 0;
    }
}
