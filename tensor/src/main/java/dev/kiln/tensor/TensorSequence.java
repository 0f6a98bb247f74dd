package dev.kiln.tensor;

import java.util.List;

/** An ONNX sequence value: an ordered list of tensors of one element type (which an empty sequence still has). */
public record TensorSequence(DType elementType, List<Tensor> items) {
    public TensorSequence {
        items = List.copyOf(items);
        for (Tensor t : items)
            if (elementType != null && t.dtype() != elementType)
                throw new IllegalArgumentException("sequence of " + elementType + " holds a " + t.dtype() + " tensor");
    }
    public int size() { return items.size(); }
    public Tensor get(int i) { return items.get(i); }
}
