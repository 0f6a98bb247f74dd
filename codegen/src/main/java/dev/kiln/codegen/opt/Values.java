package dev.kiln.codegen.opt;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Dim;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.graph.pass.GraphEdit;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

import java.util.List;

/** Small questions the clean-up passes ask about values, and the one safe way to turn a value into a constant. */
final class Values {
    private Values() {}

    /**
     * Constant data a pass may rely on: an initializer that the caller cannot override. A graph input with a
     * default (IR &lt; 4, or input+init) is not constant: feeding it replaces the default.
     */
    static Tensor constant(Graph g, Value v) {
        if (v == null || v.constant() == null || g.inputs().contains(v)) return null;
        return v.constant();
    }

    static boolean absent(Value v) { return v == null || v.name().isEmpty(); }

    /** The integer values of a small constant (shapes, axes, perms), or null. */
    static long[] longs(Graph g, Value v) {
        Tensor t = constant(g, v);
        if (t == null || t.numel() > 1024 || t.dtype().kind() == DType.Kind.FLOAT || t.dtype() == DType.STRING) return null;
        long[] out = new long[(int) t.numel()];
        for (int i = 0; i < out.length; i++) out[i] = t.getLong(i);
        return out;
    }

    static ValueType.TensorType tensorType(Value v) {
        return v != null && v.type() instanceof ValueType.TensorType t ? t : null;
    }

    /** The dims of a ranked tensor type, else null. */
    static List<Dim> dims(Value v) {
        ValueType.TensorType t = tensorType(v);
        return t == null ? null : t.dims();
    }

    static DType dtype(Value v) {
        ValueType.TensorType t = tensorType(v);
        return t == null ? null : t.dtype();
    }

    static long[] ints(Node n, String attr) {
        Attribute a = n.attribute(attr);
        return a == null || a.kind() != Attribute.Kind.INTS ? null : a.asInts();
    }

    static long intAttr(Node n, String attr, long dflt) {
        Attribute a = n.attribute(attr);
        return a == null || a.kind() != Attribute.Kind.INT ? dflt : a.asInt();
    }

    static boolean hasSubgraph(Node n) {
        for (Attribute a : n.attributes().values())
            if (a.kind() == Attribute.Kind.GRAPH || a.kind() == Attribute.Kind.GRAPHS) return true;
        return false;
    }

    /**
     * Whether {@link GraphEdit#replaceAllUses} can replace {@code old} by {@code repl} without inserting an
     * Identity: replacing a graph output by a value that cannot take over its name would only add a node back,
     * and passes that did so would never reach a fixed point.
     */
    static boolean replaceable(Graph g, Value old, Value repl) {
        if (!g.outputs().contains(old)) return true;
        Node p = repl.producer();
        return p != null && g.nodes().contains(p) && !g.outputs().contains(repl) && !g.inputs().contains(repl);
    }

    /**
     * Makes {@code old} (a node output) a constant: a new initializer of the same name takes its place everywhere,
     * graph outputs included, so the model's interface keeps its names. The old value keeps pointing at its dead
     * producer, which is why it is replaced rather than edited (patterns follow producers).
     */
    static Value replaceByConstant(Graph g, Value old, Tensor data) {
        Value c = new Value(old.name(), ValueType.TensorType.of(data.dtype(), data.shape()));
        c.setConstant(data);
        g.initializers().add(c);
        for (int i = 0; i < g.outputs().size(); i++) if (g.outputs().get(i) == old) g.outputs().set(i, c);
        GraphEdit.replaceAllUses(g, old, c);
        return c;
    }
}
