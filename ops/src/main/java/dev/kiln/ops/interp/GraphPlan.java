package dev.kiln.ops.interp;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Liveness for one graph: which values die after each node, so the interpreter frees intermediates as soon as
 * their last reader has run. Reads from inside a node's subgraphs count as reads by that node.
 */
final class GraphPlan {
    private final List<List<Value>> releasedAfter;

    private GraphPlan(List<List<Value>> releasedAfter) { this.releasedAfter = releasedAfter; }

    List<Value> releasedAfter(int nodeIndex) { return releasedAfter.get(nodeIndex); }

    static GraphPlan of(Graph g) {
        Map<Value, Integer> lastUse = new IdentityHashMap<>();
        List<Node> nodes = g.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            for (Value v : readsOf(nodes.get(i))) lastUse.put(v, i);
        }
        Set<Value> keep = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        keep.addAll(g.outputs());
        keep.addAll(g.inputs());
        keep.addAll(g.initializers());
        List<List<Value>> released = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) released.add(new ArrayList<>());
        for (Map.Entry<Value, Integer> e : lastUse.entrySet()) {
            Value v = e.getKey();
            if (keep.contains(v) || v.producer() == null || !nodes.contains(v.producer())) continue;
            released.get(e.getValue()).add(v);
        }
        return new GraphPlan(released);
    }

    /** Direct inputs plus every value a subgraph of the node reads from outside itself. */
    private static Set<Value> readsOf(Node n) {
        Set<Value> out = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        for (Value v : n.inputs()) if (v != null) out.add(v);
        for (Attribute a : n.attributes().values()) {
            if (a.kind() == Attribute.Kind.GRAPH) collectCaptures(a.asGraph(), out);
            if (a.kind() == Attribute.Kind.GRAPHS) for (Graph sg : a.asGraphs()) collectCaptures(sg, out);
        }
        return out;
    }

    private static void collectCaptures(Graph g, Set<Value> out) {
        Set<Value> local = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        local.addAll(g.inputs());
        local.addAll(g.initializers());
        for (Node n : g.nodes()) for (Value v : n.outputs()) if (v != null) local.add(v);
        for (Node n : g.nodes()) for (Value v : readsOf(n)) if (!local.contains(v)) out.add(v);
        for (Value v : g.outputs()) if (!local.contains(v)) out.add(v);
    }
}
