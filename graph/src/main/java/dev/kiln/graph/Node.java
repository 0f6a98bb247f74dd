package dev.kiln.graph;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An operation in the IR. Missing optional inputs are null entries in {@link #inputs()}; optional outputs that
 * nobody asked for are simply absent (or null) in {@link #outputs()}.
 */
public final class Node {
    private final String name;
    private final String domain;
    private final String opType;
    private final List<Value> inputs;
    private final List<Value> outputs;
    private final Map<String, Attribute> attributes;
    private OpDef op;

    public Node(String name, String domain, String opType, List<Value> inputs, List<Value> outputs,
                Map<String, Attribute> attributes) {
        this.name = name == null ? "" : name;
        this.domain = domain == null || domain.equals("ai.onnx") ? "" : domain;
        this.opType = opType;
        this.inputs = new ArrayList<>(inputs);
        this.outputs = new ArrayList<>(outputs);
        this.attributes = new LinkedHashMap<>(attributes);
        for (Value v : this.outputs) if (v != null) v.setProducer(this);
    }

    public String name() { return name; }
    /** "" for the default ONNX domain. */
    public String domain() { return domain; }
    public String opType() { return opType; }
    public List<Value> inputs() { return Collections.unmodifiableList(inputs); }
    public List<Value> outputs() { return Collections.unmodifiableList(outputs); }
    public Value input(int i) { return i < inputs.size() ? inputs.get(i) : null; }
    public Value output(int i) { return i < outputs.size() ? outputs.get(i) : null; }
    public Map<String, Attribute> attributes() { return Collections.unmodifiableMap(attributes); }
    public Attribute attribute(String name) { return attributes.get(name); }

    public void setInput(int i, Value v) { inputs.set(i, v); }

    /** Makes {@code v} this node's i-th output (and this node its producer); used by graph rewrites. */
    public void setOutput(int i, Value v) {
        outputs.set(i, v);
        if (v != null) v.setProducer(this);
    }
    public void setAttribute(Attribute a) { attributes.put(a.name(), a); }

    /** The op definition resolved for this node's opset, or null before resolution. */
    public OpDef op() { return op; }
    public void setOp(OpDef op) { this.op = op; }

    /** A name for messages: the node name if present, else op type and first output. */
    public String describe() {
        String first = outputs.isEmpty() || outputs.get(0) == null ? "?" : outputs.get(0).name();
        return (name.isEmpty() ? "" : "'" + name + "' ") + "(" + (domain.isEmpty() ? "" : domain + ".") + opType + " -> " + first + ")";
    }

    @Override public String toString() { return describe(); }
}
