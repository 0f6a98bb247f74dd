package dev.kiln.graph.pass;

import dev.kiln.graph.Graph;

import java.util.List;

/**
 * Repeats a group of passes until a whole round changes nothing (or a round limit is hit, which is a bug in some
 * pass that keeps flip-flopping, reported rather than looping forever).
 */
public final class FixedPoint implements Pass {
    private final String name;
    private final List<Pass> passes;
    private final int maxRounds;
    private PassPipeline.Listener listener = PassPipeline.Listener.NONE;

    public FixedPoint(String name, int maxRounds, Pass... passes) {
        this.name = name;
        this.passes = List.of(passes);
        this.maxRounds = maxRounds;
    }

    public List<Pass> passes() { return passes; }

    void setListener(PassPipeline.Listener l) { this.listener = l; }

    @Override public String name() { return name; }

    @Override public boolean run(Graph graph, PassContext ctx) {
        boolean any = false;
        for (int round = 0; round < maxRounds; round++) {
            boolean changed = false;
            for (Pass p : passes) {
                if (ctx.disabled().contains(p.name())) continue;
                changed |= PassPipeline.runOne(p, graph, ctx, listener);
            }
            if (!changed) return any;
            any = true;
        }
        throw new IllegalStateException("fixed point '" + name + "' did not converge in " + maxRounds + " rounds");
    }
}
