package dev.kiln.graph;

import dev.kiln.tensor.Tensor;

import java.util.Arrays;
import java.util.List;

/**
 * A node attribute (ONNX AttributeProto). {@code value} holds: Float, Long, String, Tensor, Graph, ValueType,
 * float[], long[], String[], Tensor[], Graph[] or ValueType[] according to {@link Kind}.
 */
public record Attribute(String name, Kind kind, Object value) {
    public enum Kind { FLOAT, INT, STRING, TENSOR, GRAPH, TYPE, FLOATS, INTS, STRINGS, TENSORS, GRAPHS, TYPES }

    public static Attribute of(String name, float v) { return new Attribute(name, Kind.FLOAT, v); }
    public static Attribute of(String name, long v) { return new Attribute(name, Kind.INT, v); }
    public static Attribute of(String name, String v) { return new Attribute(name, Kind.STRING, v); }
    public static Attribute of(String name, Tensor v) { return new Attribute(name, Kind.TENSOR, v); }
    public static Attribute of(String name, Graph v) { return new Attribute(name, Kind.GRAPH, v); }
    public static Attribute of(String name, float[] v) { return new Attribute(name, Kind.FLOATS, v); }
    public static Attribute of(String name, long[] v) { return new Attribute(name, Kind.INTS, v); }
    public static Attribute of(String name, String[] v) { return new Attribute(name, Kind.STRINGS, v); }

    private IllegalArgumentException wrong(String want) {
        return new IllegalArgumentException("attribute '" + name + "' is " + kind + ", expected " + want);
    }

    public float asFloat() {
        if (kind == Kind.FLOAT) return (Float) value;
        if (kind == Kind.INT) return (Long) value;
        throw wrong("FLOAT");
    }
    public long asInt() {
        if (kind == Kind.INT) return (Long) value;
        throw wrong("INT");
    }
    public String asString() {
        if (kind == Kind.STRING) return (String) value;
        throw wrong("STRING");
    }
    public Tensor asTensor() {
        if (kind == Kind.TENSOR) return (Tensor) value;
        throw wrong("TENSOR");
    }
    public Graph asGraph() {
        if (kind == Kind.GRAPH) return (Graph) value;
        throw wrong("GRAPH");
    }
    public ValueType asType() {
        if (kind == Kind.TYPE) return (ValueType) value;
        throw wrong("TYPE");
    }
    public float[] asFloats() {
        if (kind == Kind.FLOATS) return ((float[]) value).clone();
        throw wrong("FLOATS");
    }
    public long[] asInts() {
        if (kind == Kind.INTS) return ((long[]) value).clone();
        throw wrong("INTS");
    }
    public String[] asStrings() {
        if (kind == Kind.STRINGS) return ((String[]) value).clone();
        throw wrong("STRINGS");
    }
    public Tensor[] asTensors() {
        if (kind == Kind.TENSORS) return ((Tensor[]) value).clone();
        throw wrong("TENSORS");
    }
    public Graph[] asGraphs() {
        if (kind == Kind.GRAPHS) return ((Graph[]) value).clone();
        throw wrong("GRAPHS");
    }

    @Override public String toString() {
        String v = switch (kind) {
            case FLOATS -> Arrays.toString((float[]) value);
            case INTS -> Arrays.toString((long[]) value);
            case STRINGS -> Arrays.toString((String[]) value);
            case STRING -> "\"" + value + "\"";
            case GRAPH -> "<graph " + ((Graph) value).name() + ">";
            case TENSORS, GRAPHS, TYPES -> List.of((Object[]) value).toString();
            default -> String.valueOf(value);
        };
        return name + "=" + v;
    }
}
