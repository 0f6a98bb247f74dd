package dev.kiln.graph;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;

import java.util.ArrayList;
import java.util.List;

/** The static type of a graph value (ONNX TypeProto). */
public sealed interface ValueType {

    /**
     * A tensor type; {@code dtype} is null when unknown, {@code dims} is null when even the rank is unknown.
     */
    record TensorType(DType dtype, List<Dim> dims) implements ValueType {
        public TensorType {
            if (dims != null) dims = List.copyOf(dims);
        }
        public static TensorType of(DType dtype, Shape shape) {
            List<Dim> d = new ArrayList<>();
            for (long x : shape.dims()) d.add(Dim.of(x));
            return new TensorType(dtype, d);
        }
        public static TensorType unranked(DType dtype) { return new TensorType(dtype, null); }
        public boolean hasRank() { return dims != null; }
        public int rank() {
            if (dims == null) throw new IllegalStateException("rank unknown");
            return dims.size();
        }
        /** The concrete shape when every dim is known, else null. */
        public Shape shapeOrNull() {
            if (dims == null) return null;
            long[] out = new long[dims.size()];
            for (int i = 0; i < out.length; i++) {
                if (!(dims.get(i) instanceof Dim.Known k)) return null;
                out[i] = k.value();
            }
            return Shape.of(out);
        }
        @Override public String toString() {
            String t = dtype == null ? "?" : dtype.displayName();
            if (dims == null) return t + "[*]";
            StringBuilder sb = new StringBuilder(t).append('[');
            for (int i = 0; i < dims.size(); i++) { if (i > 0) sb.append(','); sb.append(dims.get(i)); }
            return sb.append(']').toString();
        }
    }

    record SequenceType(ValueType element) implements ValueType {
        @Override public String toString() { return "seq(" + element + ")"; }
    }

    record OptionalType(ValueType element) implements ValueType {
        @Override public String toString() { return "optional(" + element + ")"; }
    }

    record MapType(DType key, ValueType value) implements ValueType {
        @Override public String toString() { return "map(" + key + "," + value + ")"; }
    }

    /** Type not known (yet): inference could not determine it. */
    record UnknownType() implements ValueType {
        @Override public String toString() { return "?"; }
    }

    ValueType UNKNOWN = new UnknownType();
}
