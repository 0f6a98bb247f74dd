package dev.kiln.codegen.opt.layout;

import dev.kiln.codegen.opt.PassTesting;
import dev.kiln.graph.Graph;
import dev.kiln.graph.pass.Pass;
import dev.kiln.graph.text.IrParser;
import dev.kiln.graph.text.IrPrinter;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Before/Expected IR text checks for the layout passes, on {@link PassTesting}'s runner (verifier on after every
 * pass), comparing structure only: node names derive from rule names.
 */
final class LayoutTesting {
    private LayoutTesting() {}

    static Graph run(String before, Pass... passes) { return PassTesting.run(before, passes); }

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
