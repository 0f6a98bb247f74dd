package dev.kiln.ops.control;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.tensor.DType;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Test helper: a tiny builder for subgraph bodies (values by name, nodes with attributes). */
final class Graphs {
    final Graph g;
    private final Map<String, Value> values = new LinkedHashMap<>();

    Graphs(String name) { g = new Graph(name); }

    Value input(String name) { return input(name, ValueType.UNKNOWN); }

    Value input(String name, ValueType t) {
        Value v = new Value(name, t);
        values.put(name, v);
        g.inputs().add(v);
        return v;
    }

    /** Refers to a value of this graph, or (for outer-scope capture) one of {@code outer}. */
    Value v(String name) {
        Value v = values.get(name);
        if (v == null) throw new IllegalArgumentException("no value " + name);
        return v;
    }

    void use(Value outer) { values.put(outer.name(), outer); }

    Value node(String op, List<String> ins, String out, Attribute... attrs) {
        List<Value> in = new ArrayList<>();
        for (String s : ins) in.add(s == null ? null : v(s));
        Value o = new Value(out, ValueType.UNKNOWN);
        values.put(out, o);
        Map<String, Attribute> a = new LinkedHashMap<>();
        for (Attribute x : attrs) a.put(x.name(), x);
        g.addNode(new Node("", "", op, in, List.of(o), a));
        return o;
    }

    Graphs output(String... names) {
        for (String n : names) g.outputs().add(v(n));
        return this;
    }

    static ValueType tensor(DType dt, long... dims) { return ValueType.TensorType.of(dt, dev.kiln.tensor.Shape.of(dims)); }
}
