package dev.kiln.codegen.opt;

import dev.kiln.codegen.opt.fuse.Fusions;
import dev.kiln.graph.pass.FixedPoint;
import dev.kiln.graph.pass.Pass;
import dev.kiln.graph.pass.PassPipeline;

import java.util.ArrayList;
import java.util.List;

/**
 * The optimization pipeline of each opt level, in one readable place.
 * <ul>
 *   <li>O0: nothing — the graph runs as imported.</li>
 *   <li>O1: exact clean-ups, repeated to a fixed point: type inference, constant folding, shape-arithmetic
 *   simplification, no-op removal, common subexpressions, dead code.</li>
 *   <li>O2: O1 plus fusions ({@link Fusions}: GELU, layer norm, attention, bias+softmax, MatMul+bias+activation,
 *       skip-layer-norm, Conv+BN / Conv+activation), then dead code again.</li>
 *   <li>O3: O2 plus layout changes ({@link dev.kiln.codegen.opt.layout.LayoutPasses}: convolutions channels-last,
 *       transposes sunk and cancelled), placed before elementwise fusion.</li>
 * </ul>
 */
public final class Pipelines {
    private Pipelines() {}

    public static PassPipeline forLevel(int level) {
        List<Pass> passes = new ArrayList<>();
        if (level >= 1) passes.add(new FixedPoint("cleanup", 16,
                new InferTypes(),
                new ConstantFolding(),
                new ShapeSimplification(),
                new NoOpRemoval(),
                new CommonSubexpressionElimination(),
                new DeadCodeElimination()));
        if (level >= 2) {
            passes.addAll(Fusions.passes());
            passes.add(new DeadCodeElimination());
        }
        if (level >= 3) passes.addAll(dev.kiln.codegen.opt.layout.LayoutPasses.passes());   // before elementwise fusion hides the ops it sinks through
        if (level >= 2) passes.add(new dev.kiln.codegen.opt.elementwise.ElementwiseFusion());   // after pattern fusions
        return new PassPipeline("O" + level, passes);
    }
}
