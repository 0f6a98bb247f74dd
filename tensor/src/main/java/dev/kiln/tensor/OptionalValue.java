package dev.kiln.tensor;

/**
 * An ONNX optional value: empty, or holding a {@link Tensor} or a {@link TensorSequence}.
 * {@code elementType} describes what it would hold (kept even when empty, for type checks).
 */
public record OptionalValue(Object value, String elementType) {
    public OptionalValue {
        if (value != null && !(value instanceof Tensor) && !(value instanceof TensorSequence))
            throw new IllegalArgumentException("optional can hold a tensor or a sequence, not " + value.getClass().getSimpleName());
    }
    public static OptionalValue empty(String elementType) { return new OptionalValue(null, elementType); }
    public boolean isPresent() { return value != null; }
}
