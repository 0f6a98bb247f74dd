package dev.kiln.codegen.jvm;

import dev.kiln.graph.Node;
import dev.kiln.ops.Kernel;
import dev.kiln.ops.KernelSelector;
import dev.kiln.ops.OpSchema;
import dev.kiln.ops.fused.FusedElementwiseOp;

/**
 * The kernel selector for nodes whose code is generated at run time: {@code dev.kiln.FusedElementwise} gets a
 * {@link FusedElementwiseKernel}; every other node null (the caller's own choice or the reference applies).
 * Backends compose it in front of their selector.
 */
public final class GeneratedKernels implements KernelSelector {
    public static final GeneratedKernels INSTANCE = new GeneratedKernels();

    private GeneratedKernels() {}

    @Override public Kernel select(Node node, OpSchema schema) {
        if (FusedElementwiseOp.DOMAIN.equals(node.domain()) && FusedElementwiseOp.OP_TYPE.equals(node.opType()))
            return new FusedElementwiseKernel();
        return null;
    }
}
