package dev.kiln.codegen.opt;

import dev.kiln.graph.Graph;
import dev.kiln.graph.pass.Pass;
import dev.kiln.graph.pass.PassContext;
import dev.kiln.graph.pass.PassPipeline;
import dev.kiln.graph.text.IrParser;
import dev.kiln.graph.text.IrPrinter;
import dev.kiln.ops.OpRegistry;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Before/Expected IR text checks (TVM style): parse, run passes with the verifier on, compare printed text. */
public final class PassTesting {
    private PassTesting() {}

    public static final OpRegistry REGISTRY = OpRegistry.standard();

    public static PassContext context(Graph g) {
        return new PassContext(n -> REGISTRY.lookup(n.domain(), n.opType(), g.opset(n.domain())), Set.of(), true, null);
    }

    /** Runs {@code passes} (input+init defaults parse as zeros) once each, in order, on {@code before}; returns the graph. */
    public static Graph run(String before, Pass... passes) {
        Graph g = IrParser.parse(before, IrParser.Options.ZERO_FILL);
        new PassPipeline("test", List.of(passes)).run(g, context(g));
        return g;
    }

    static void assertRewrites(String before, String expected, Pass... passes) {
        Graph g = run(before, passes);
        // Expected text goes through the parser too, so it must itself be well-formed IR.
        assertEquals(IrPrinter.print(IrParser.parse(expected, IrParser.Options.ZERO_FILL)), IrPrinter.print(g));
    }

    static void assertUnchanged(String before, Pass... passes) { assertRewrites(before, before, passes); }
}
