package dev.kiln.ops.interp;

import dev.kiln.graph.Node;

/**
 * Sees every node execution of one run, with its wall time (profiling: `kiln bench --profile`). Called on the
 * running thread; nodes inside subgraphs are reported too, and their time is also part of the enclosing node's.
 */
@FunctionalInterface
public interface NodeObserver {
    void executed(Node node, long nanos);

    NodeObserver NONE = (node, nanos) -> { };
}
