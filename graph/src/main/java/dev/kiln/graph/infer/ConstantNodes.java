package dev.kiln.graph.infer;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Node;
import dev.kiln.tensor.Tensor;

/** The value of a {@code Constant} node, read from its attribute, so inference can use it as a constant input. */
final class ConstantNodes {
    private ConstantNodes() {}

    static Tensor valueOf(Node n) {
        if (!n.domain().isEmpty() || !n.opType().equals("Constant")) return null;
        try {
            for (Attribute a : n.attributes().values()) {
                switch (a.name()) {
                    case "value": return a.asTensor();
                    case "value_float": return Tensor.of(new float[] {a.asFloat()});
                    case "value_int": return Tensor.ofLongs(new long[] {a.asInt()});
                    case "value_floats": { float[] f = a.asFloats(); return Tensor.of(f, f.length); }
                    case "value_ints": { long[] l = a.asInts(); return Tensor.ofLongs(l, l.length); }
                    default: break;
                }
            }
        } catch (RuntimeException e) {
            return null; // a malformed Constant is reported by its kernel at run time
        }
        return null;
    }
}
