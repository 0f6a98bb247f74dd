package dev.kiln.graph.infer;

import dev.kiln.graph.InferenceContext;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.tensor.Tensor;

import java.util.Map;

/**
 * The {@link InferenceContext} of one node. Results are collected here rather than written straight into the
 * output values, so the driver can merge them with the types the model declares.
 */
final class NodeInference implements InferenceContext {
    private final Node node;
    private final int opset;
    private final Map<Value, Tensor> constants;
    private final ValueType[] results;

    NodeInference(Node node, int opset, Map<Value, Tensor> constants) {
        this.node = node;
        this.opset = opset;
        this.constants = constants;
        this.results = new ValueType[node.outputs().size()];
    }

    @Override public Node node() { return node; }
    @Override public int opsetVersion() { return opset; }
    @Override public int inputCount() { return node.inputs().size(); }

    @Override public ValueType inputType(int i) {
        Value v = node.input(i);
        if (v == null || v.name().isEmpty()) return ValueType.UNKNOWN;
        return v.type();
    }

    @Override public Tensor constantInput(int i) {
        Value v = node.input(i);
        if (v == null || v.name().isEmpty()) return null;
        Tensor c = constants.get(v);
        return c != null ? c : v.constant();
    }

    @Override public int outputCount() { return node.outputs().size(); }

    @Override public void setOutputType(int i, ValueType type) {
        // Rules may set types of outputs the node does not have (optional trailing outputs); ignore those.
        if (i >= 0 && i < results.length) results[i] = type;
    }

    ValueType result(int i) { return results[i]; }
}
