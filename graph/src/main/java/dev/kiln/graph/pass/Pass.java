package dev.kiln.graph.pass;

import dev.kiln.graph.Graph;

/**
 * One graph transformation. A pass edits the graph in place and reports whether it changed anything, so a
 * {@link FixedPoint} can repeat a group until nothing more happens. Passes must keep the graph's meaning: every
 * pass is tested by running the optimized graph against the reference interpreter on the unoptimized one.
 */
public interface Pass {
    /** Stable, kebab-case name: used in dumps, in `-Dkiln.disablePasses`, and in reports. */
    String name();

    boolean run(Graph graph, PassContext ctx);
}
