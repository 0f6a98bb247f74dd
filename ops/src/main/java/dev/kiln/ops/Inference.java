package dev.kiln.ops;

import dev.kiln.graph.InferenceContext;

/** Type inference of an op; see {@link dev.kiln.graph.OpDef#inferTypes}. */
@FunctionalInterface
public interface Inference {
    void infer(InferenceContext ctx);

    /** Leaves the outputs' types unknown; the interpreter still runs the op. */
    Inference NONE = ctx -> { };
}
