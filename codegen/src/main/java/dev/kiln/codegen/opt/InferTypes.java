package dev.kiln.codegen.opt;

import dev.kiln.graph.Graph;
import dev.kiln.graph.KilnException;
import dev.kiln.graph.pass.Pass;
import dev.kiln.graph.pass.PassContext;
import dev.kiln.graph.infer.TypeInference;

/**
 * Re-runs static type inference so passes that read types (shape simplification, no-op removal) see what the
 * previous round made constant: a Reshape whose target just folded now has a static output type. Changes no
 * node, so it never keeps a fixed point going. A contradiction is a pass bug: reported when verifying, otherwise
 * left for the kernels to report (inference is an aid, the interpreter is the oracle).
 */
public final class InferTypes implements Pass {
    @Override public String name() { return "infer-types"; }

    @Override public boolean run(Graph g, PassContext ctx) {
        try {
            TypeInference.run(g, (node, opset) -> ctx.resolver().resolve(node));
        } catch (KilnException e) {
            if (ctx.verify()) throw e;
        }
        return false;
    }
}
