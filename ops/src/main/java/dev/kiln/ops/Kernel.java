package dev.kiln.ops;

/**
 * A scalar reference implementation of one op. It returns one entry per node output: a
 * {@link dev.kiln.tensor.Tensor}, {@link dev.kiln.tensor.TensorSequence} or {@link dev.kiln.tensor.OptionalValue}
 * (null for an optional output that was not requested). Kernels never modify their inputs.
 */
@FunctionalInterface
public interface Kernel {
    Object[] execute(KernelContext ctx);
}
