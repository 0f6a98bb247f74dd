package dev.kiln.codegen.opt;

import dev.kiln.graph.Graph;
import dev.kiln.graph.pass.GraphEdit;
import dev.kiln.graph.pass.Pass;
import dev.kiln.graph.pass.PassContext;

/** Removes nodes whose outputs no graph output depends on, and initializers nobody reads. */
public final class DeadCodeElimination implements Pass {
    @Override public String name() { return "dce"; }

    @Override public boolean run(Graph graph, PassContext ctx) { return GraphEdit.removeDeadCode(graph); }
}
