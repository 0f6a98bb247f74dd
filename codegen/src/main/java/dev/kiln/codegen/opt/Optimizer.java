package dev.kiln.codegen.opt;

import dev.kiln.graph.Graph;
import dev.kiln.graph.pass.PassContext;
import dev.kiln.graph.pass.PassPipeline;

import java.util.List;

/** Entry point used by the runtime: runs the pipeline of an opt level over a graph, in place. */
public final class Optimizer {
    private Optimizer() {}

    public static List<PassPipeline.Step> optimize(Graph graph, int level, PassContext ctx) {
        return Pipelines.forLevel(level).run(graph, ctx);
    }
}
