package dev.kiln.codegen.opt.layout;

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

/** Before/Expected IR text checks for the layout passes (verifier on after every pass). */
final class LayoutTesting {
    private LayoutTesting() {}

    static final OpRegistry REGISTRY = OpRegistry.standard();

    static PassContext context(Graph g) {
        return new PassContext(n -> REGISTRY.lookup(n.domain(), n.opType(), g.opset(n.domain())), Set.of(), true, null);
    }

    static Graph run(String before, Pass... passes) {
        Graph g = IrParser.parse(before, IrParser.Options.ZERO_FILL);
        new PassPipeline("test", List.of(passes)).run(g, context(g));
        return g;
    }

    /** Node names (the printer's trailing comments) derive from rule names; the structure is what counts. */
    static String strip(String ir) { return ir.replaceAll("(?m)  # .*$", ""); }

    static void assertRewrites(String before, String expected, Pass... passes) {
        Graph g = run(before, passes);
        String got = strip(IrPrinter.print(g));
        Graph want;
        try {
            want = IrParser.parse(expected, IrParser.Options.ZERO_FILL);
        } catch (RuntimeException e) {
            throw new AssertionError("expected text does not parse (" + e.getMessage() + "); got:\n" + got, e);
        }
        assertEquals(strip(IrPrinter.print(want)), got);
    }

    static void assertUnchanged(String before, Pass... passes) { assertRewrites(before, before, passes); }
}
