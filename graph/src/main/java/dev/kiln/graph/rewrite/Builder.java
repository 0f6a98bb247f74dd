package dev.kiln.graph.rewrite;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.graph.pass.GraphEdit;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Creates replacement nodes for a rewrite. New nodes are inserted just before the matched root, which keeps the
 * topological order: their inputs are pattern leaves (defined before the root) or other new nodes.
 */
public final class Builder {
    private final Set<String> names;
    private final String base;
    private final List<Node> created = new ArrayList<>();
    private final List<Value> constants = new ArrayList<>();

    Builder(Set<String> names, String base) {
        this.names = names;
        this.base = base;
    }

    /** Adds a node with one output of the given type; returns that output. */
    public Value op(String domain, String opType, List<Value> inputs, List<Attribute> attrs, ValueType outType) {
        return opMulti(domain, opType, inputs, attrs, List.of(outType)).get(0);
    }

    public Value op(String opType, List<Value> inputs, ValueType outType, Attribute... attrs) {
        return op("", opType, inputs, Arrays.asList(attrs), outType);
    }

    public List<Value> opMulti(String domain, String opType, List<Value> inputs, List<Attribute> attrs, List<ValueType> outTypes) {
        List<Value> outs = new ArrayList<>();
        for (ValueType t : outTypes) outs.add(new Value(GraphEdit.freshName(names, base + "/" + opType), t));
        Map<String, Attribute> a = new LinkedHashMap<>();
        for (Attribute x : attrs) a.put(x.name(), x);
        created.add(new Node(GraphEdit.freshName(names, base + "/" + opType + "_node"), domain, opType, inputs, outs, a));
        return outs;
    }

    /** A new initializer holding {@code t}. */
    public Value constant(String hint, Tensor t) {
        Value v = new Value(GraphEdit.freshName(names, base + "/" + hint), ValueType.TensorType.of(t.dtype(), t.shape()));
        v.setConstant(t);
        constants.add(v);
        return v;
    }

    List<Node> created() { return created; }
    List<Value> constants() { return constants; }
}
