package dev.kiln.codegen.opt.fuse;

import dev.kiln.graph.pass.Pass;

import java.util.List;

/**
 * The O2 fusion passes in the order they must run: patterns that other fusions build on come first (GELU and
 * layer norm before the MatMul epilogue and skip-layer-norm folds; attention before bias+softmax, which would
 * otherwise take the attention mask).
 */
public final class Fusions {
    private Fusions() {}

    /** Fresh pass objects (each counts its own firings). */
    public static List<FusionPass> all() {
        return List.of(new GeluFusion(), new LayerNormFusion(), new AttentionFusion(), new BiasSoftmaxFusion(),
                new MatMulBiasFusion(), new SkipLayerNormFusion(), new ConvFusion());
    }

    public static List<Pass> passes() { return List.copyOf(all()); }
}
