package dev.kiln.tests.opsnn;

import dev.kiln.graph.Dim;
import dev.kiln.graph.Graph;
import dev.kiln.graph.InferenceContext;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.ops.OpSchema;
import dev.kiln.ops.OpRegistry;
import dev.kiln.tensor.Tensor;

import java.util.Map;

/**
 * The extra check of every single-node ops-nn backend case: the op's static type inference, given the actual input
 * types (constants for initializers), must agree with the produced outputs.
 */
final class SingleNodeInference {
    private SingleNodeInference() {}

    /** {@link dev.kiln.tests.suite.BackendSuite.AfterRun} for the ops-nn suite: multi-node graphs are not checked. */
    static String afterRun(Graph g, Map<String, Object> inputs, Map<String, Object> got) {
        return g.nodes().size() == 1 ? checkInference(g, inputs, got) : null;
    }

    /**
     * Single-node cases also check the op's static type inference: given the actual input types (constants for
     * initializers), every dtype and dim it claims must match the produced output.
     */
    static String checkInference(Graph g, Map<String, Object> inputs, Map<String, Object> got) {
        Node node = g.nodes().get(0);
        int opset = g.opset(node.domain());
        OpSchema schema = OpRegistry.standard().lookup(node.domain(), node.opType(), opset);
        ValueType[] set = new ValueType[node.outputs().size()];
        schema.inferTypes(new InferenceContext() {
            @Override public Node node() { return node; }
            @Override public int opsetVersion() { return opset; }
            @Override public int inputCount() { return node.inputs().size(); }
            @Override public ValueType inputType(int i) {
                Value v = node.input(i);
                if (v == null || v.name().isEmpty()) return ValueType.UNKNOWN;
                Object x = inputs.containsKey(v.name()) ? inputs.get(v.name()) : v.constant();
                return x instanceof Tensor t ? ValueType.TensorType.of(t.dtype(), t.shape()) : ValueType.UNKNOWN;
            }
            // Inputs count as constants here, the strongest case inference can see (as after constant folding).
            @Override public Tensor constantInput(int i) {
                Value v = node.input(i);
                if (v == null || v.name().isEmpty()) return null;
                return inputs.get(v.name()) instanceof Tensor t ? t : v.constant();
            }
            @Override public int outputCount() { return set.length; }
            @Override public void setOutputType(int i, ValueType type) { if (i < set.length) set[i] = type; }
        });
        for (int o = 0; o < set.length; o++) {
            Value v = node.output(o);
            if (v == null || !(set[o] instanceof ValueType.TensorType t) || !(got.get(v.name()) instanceof Tensor a)) continue;
            String bad = "inference for output " + o + " says " + t + " but the kernel produced " + a.dtype() + a.shape();
            if (t.dtype() != null && t.dtype() != a.dtype()) return bad;
            if (!t.hasRank()) continue;
            if (t.rank() != a.rank()) return bad;
            for (int d = 0; d < t.rank(); d++)
                if (t.dims().get(d) instanceof Dim.Known k && k.value() != a.shape().dim(d)) return bad;
        }
        return null;
    }
}
