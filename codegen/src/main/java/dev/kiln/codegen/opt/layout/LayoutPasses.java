package dev.kiln.codegen.opt.layout;

import dev.kiln.codegen.opt.DeadCodeElimination;
import dev.kiln.codegen.opt.NoOpRemoval;
import dev.kiln.graph.pass.FixedPoint;
import dev.kiln.graph.pass.Pass;

import java.util.List;

/** The O3 layout passes in order: convolutions to channels-last, then sink and cancel the transposes that adds. */
public final class LayoutPasses {
    private LayoutPasses() {}

    public static List<Pass> passes() {
        return List.of(new ConvToNhwc(),
                new FixedPoint("transpose-sinking", 16, new TransposeSinking(), new NoOpRemoval(), new DeadCodeElimination()));
    }
}
