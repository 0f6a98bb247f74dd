package dev.kiln.graph;

import dev.kiln.tensor.Tensor;

/**
 * An SSA value of the IR: a graph input, an initializer (with {@link #constant()}), or a node output.
 * Identity is by object; names are unique within a graph and its subgraphs' visible scope.
 */
public final class Value {
    private final String name;
    private ValueType type;
    private Node producer;
    private Tensor constant;

    public Value(String name, ValueType type) {
        this.name = name;
        this.type = type == null ? ValueType.UNKNOWN : type;
    }

    public String name() { return name; }
    public ValueType type() { return type; }
    public void setType(ValueType type) { this.type = type == null ? ValueType.UNKNOWN : type; }
    /** The node computing this value, or null for graph inputs and initializers. */
    public Node producer() { return producer; }
    void setProducer(Node producer) { this.producer = producer; }
    /** The value's constant data when it is an initializer or a folded constant, else null. */
    public Tensor constant() { return constant; }
    public void setConstant(Tensor constant) { this.constant = constant; }

    @Override public String toString() { return "%" + name + ":" + type; }
}
