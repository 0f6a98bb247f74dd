package dev.kiln.ops;

import dev.kiln.graph.Node;

/**
 * Chooses the kernel that runs a node. The reference selector always answers the schema's scalar kernel;
 * backends (the CPU Vector API backend, GPU backends) answer a faster kernel for the nodes they cover and fall
 * back to the reference for the rest. Called once per node when an interpreter is built.
 */
@FunctionalInterface
public interface KernelSelector {
    Kernel select(Node node, OpSchema schema);

    KernelSelector REFERENCE = (node, schema) -> schema.kernel();
}
