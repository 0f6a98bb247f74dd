package dev.kiln.graph;

import dev.kiln.tensor.Tensor;

/** What an op's type inference may look at and set. */
public interface InferenceContext {
    Node node();
    int opsetVersion();
    int inputCount();
    /** The input's type, or {@link ValueType#UNKNOWN} when the input is absent. */
    ValueType inputType(int i);
    /** The input's constant value when statically known (initializer, Constant, folded), else null. */
    Tensor constantInput(int i);
    int outputCount();
    void setOutputType(int i, ValueType type);
}
