package dev.kiln.tests.opsmath;

import dev.kiln.graph.Dim;
import dev.kiln.graph.Graph;
import dev.kiln.graph.InferenceContext;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.Tensor;

import java.util.HashMap;
import java.util.Map;

/**
 * Checks an op's type-inference rule against a single-node backend model: given the declared input types, every
 * inferred output dtype, rank and known dim must agree with the model's declared output type. An unknown (null)
 * inference is allowed; a wrong one is not. Returns null when consistent, else the reason.
 */
final class InferenceCheck {
    private InferenceCheck() {}

    static String check(Graph g) {
        if (g.nodes().size() != 1) return null;
        Node n = g.nodes().get(0);
        int opset = g.opset(n.domain());
        OpSchema s = OpRegistry.standard().lookup(n.domain(), n.opType(), opset);
        if (s == null) return null;
        Map<Integer, ValueType> out = new HashMap<>();
        s.inferTypes(new InferenceContext() {
            @Override public Node node() { return n; }
            @Override public int opsetVersion() { return opset; }
            @Override public int inputCount() { return n.inputs().size(); }
            @Override public ValueType inputType(int i) {
                Value v = n.input(i);
                return v == null || v.name().isEmpty() ? ValueType.UNKNOWN : v.type();
            }
            @Override public Tensor constantInput(int i) {
                Value v = n.input(i);
                return v == null ? null : v.constant();
            }
            @Override public int outputCount() { return n.outputs().size(); }
            @Override public void setOutputType(int i, ValueType t) { out.put(i, t); }
        });
        for (int i = 0; i < n.outputs().size(); i++) {
            Value v = n.output(i);
            if (v == null || v.name().isEmpty() || !(out.get(i) instanceof TensorType inf)) continue;
            if (!(v.type() instanceof TensorType dec)) continue;
            if (inf.dtype() != null && dec.dtype() != null && inf.dtype() != dec.dtype())
                return "inferred " + inf + " but the model declares " + dec + " for output " + i;
            if (inf.hasRank() && dec.hasRank()) {
                if (inf.rank() != dec.rank()) return "inferred " + inf + " but the model declares " + dec + " for output " + i;
                for (int d = 0; d < inf.rank(); d++) {
                    Dim a = inf.dims().get(d), b = dec.dims().get(d);
                    if (a.isKnown() && b.isKnown() && !a.equals(b))
                        return "inferred " + inf + " but the model declares " + dec + " for output " + i;
                }
            }
        }
        return null;
    }
}
