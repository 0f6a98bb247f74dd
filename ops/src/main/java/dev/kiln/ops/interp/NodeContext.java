package dev.kiln.ops.interp;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.ops.AttrSpec;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.Tensor;

import java.util.List;

/** {@link KernelContext} of one node execution inside the interpreter. */
final class NodeContext implements KernelContext {
    private final Interpreter interpreter;
    private final Node node;
    private final Scope scope;
    private final OpSchema schema;

    NodeContext(Interpreter interpreter, Node node, Scope scope) {
        this.interpreter = interpreter;
        this.node = node;
        this.scope = scope;
        this.schema = (OpSchema) node.op();
    }

    @Override public Node node() { return node; }
    @Override public int opsetVersion() { return interpreter.opsetFor(node); }
    @Override public int inputCount() { return node.inputs().size(); }

    @Override public boolean hasInput(int i) {
        Value v = node.input(i);
        return v != null && !v.name().isEmpty() && scope.get(v) != null;
    }

    @Override public Object inputValue(int i) {
        Value v = node.input(i);
        if (v == null || v.name().isEmpty()) return null;
        return scope.get(v);
    }

    @Override public Tensor input(int i) {
        Object x = inputValue(i);
        if (x == null) throw fail("input " + i + " is required but absent");
        if (!(x instanceof Tensor t)) throw fail("input " + i + " must be a tensor, got " + x.getClass().getSimpleName());
        return t;
    }

    @Override public Tensor optionalInput(int i) {
        Object x = inputValue(i);
        if (x == null) return null;
        if (!(x instanceof Tensor t)) throw fail("input " + i + " must be a tensor, got " + x.getClass().getSimpleName());
        return t;
    }

    @Override public int outputCount() { return node.outputs().size(); }

    @Override public boolean outputRequested(int i) {
        Value v = node.output(i);
        return v != null && !v.name().isEmpty();
    }

    @Override public boolean hasAttr(String name) { return node.attribute(name) != null; }

    @Override public Attribute attr(String name) {
        Attribute a = node.attribute(name);
        if (a != null) return a;
        AttrSpec spec = schema.attributes().get(name);
        if (spec == null || spec.defaultValue() == null) return null;
        return new Attribute(name, spec.kind(), spec.defaultValue());
    }

    private Attribute need(String name) {
        Attribute a = attr(name);
        if (a == null) throw fail("attribute '" + name + "' is required");
        return a;
    }

    @Override public long attrInt(String name) { return need(name).asInt(); }
    @Override public float attrFloat(String name) { return need(name).asFloat(); }
    @Override public String attrString(String name) { return need(name).asString(); }
    @Override public long[] attrInts(String name) { Attribute a = attr(name); return a == null ? null : a.asInts(); }
    @Override public float[] attrFloats(String name) { Attribute a = attr(name); return a == null ? null : a.asFloats(); }
    @Override public String[] attrStrings(String name) { Attribute a = attr(name); return a == null ? null : a.asStrings(); }
    @Override public Tensor attrTensor(String name) { Attribute a = attr(name); return a == null ? null : a.asTensor(); }
    @Override public Graph attrGraph(String name) { Attribute a = attr(name); return a == null ? null : a.asGraph(); }

    @Override public List<Object> runSubgraph(Graph body, List<Object> inputs) {
        return interpreter.runGraph(body, inputs, scope);
    }
}
