package dev.kiln.graph.pass;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Graph surgery shared by passes: use lists, replacing a value everywhere, dead-code removal, fresh names. */
public final class GraphEdit {
    private GraphEdit() {}

    /** Readers of each value among {@code g}'s nodes; a node whose subgraph reads an outer value counts as a reader. */
    public static Map<Value, List<Node>> uses(Graph g) {
        Map<Value, List<Node>> out = new IdentityHashMap<>();
        for (Node n : g.nodes()) for (Value v : reads(n)) out.computeIfAbsent(v, k -> new ArrayList<>()).add(n);
        return out;
    }

    /** Direct inputs of {@code n} plus every outer value its subgraphs read. */
    public static Set<Value> reads(Node n) {
        Set<Value> out = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Value v : n.inputs()) if (v != null && !v.name().isEmpty()) out.add(v);
        for (Attribute a : n.attributes().values()) {
            if (a.kind() == Attribute.Kind.GRAPH) captures(a.asGraph(), out);
            if (a.kind() == Attribute.Kind.GRAPHS) for (Graph sg : a.asGraphs()) captures(sg, out);
        }
        return out;
    }

    private static void captures(Graph g, Set<Value> out) {
        Set<Value> local = Collections.newSetFromMap(new IdentityHashMap<>());
        local.addAll(g.inputs());
        local.addAll(g.initializers());
        for (Node n : g.nodes()) local.addAll(n.outputs());
        for (Node n : g.nodes()) for (Value v : reads(n)) if (!local.contains(v)) out.add(v);
        for (Value v : g.outputs()) if (!local.contains(v)) out.add(v);
    }

    /**
     * Makes every reader of {@code old} (in {@code g} and its subgraphs) read {@code repl} instead. When {@code old}
     * is a graph output its name is part of the model's interface, so {@code repl}'s producer is made to produce
     * {@code old} itself (or, when that is impossible, an Identity keeps the name).
     */
    public static void replaceAllUses(Graph g, Value old, Value repl) {
        if (old == repl) return;
        int outIdx = g.outputs().indexOf(old);
        if (outIdx >= 0) {
            Node p = repl.producer();
            boolean movable = p != null && g.nodes().contains(p) && !g.outputs().contains(repl) && !g.inputs().contains(repl);
            detachProducer(old);
            if (movable) {
                p.setOutput(p.outputs().indexOf(repl), old);
                substitute(g, repl, old);
                return;
            }
            Node id = new Node(old.name() + "_keep", "", "Identity", List.of(repl), List.of(old), Map.of());
            int at = p != null && g.nodes().contains(p) ? g.nodes().indexOf(p) + 1 : 0;
            substitute(g, old, repl);
            g.nodes().add(at, id);
            return;
        }
        substitute(g, old, repl);
    }

    /** The old producer keeps its slot but no longer claims the value (its node usually dies in DCE next). */
    private static void detachProducer(Value v) {
        Node p = v.producer();
        if (p == null) return;
        int i = p.outputs().indexOf(v);
        if (i >= 0) p.setOutput(i, new Value("", ValueType.UNKNOWN));
    }

    private static void substitute(Graph g, Value old, Value repl) {
        for (Node n : g.nodes()) {
            for (int i = 0; i < n.inputs().size(); i++) if (n.inputs().get(i) == old) n.setInput(i, repl);
            for (Attribute a : n.attributes().values()) {
                if (a.kind() == Attribute.Kind.GRAPH) substitute(a.asGraph(), old, repl);
                if (a.kind() == Attribute.Kind.GRAPHS) for (Graph sg : a.asGraphs()) substitute(sg, old, repl);
            }
        }
        for (int i = 0; i < g.outputs().size(); i++) if (g.outputs().get(i) == old) g.outputs().set(i, repl);
    }

    /**
     * Removes nodes none of whose outputs is read (transitively) by a graph output, and initializers nobody reads.
     * Returns whether anything was removed.
     */
    public static boolean removeDeadCode(Graph g) {
        Set<Value> live = Collections.newSetFromMap(new IdentityHashMap<>());
        live.addAll(g.outputs());
        List<Node> nodes = g.nodes();
        boolean[] keep = new boolean[nodes.size()];
        for (int i = nodes.size() - 1; i >= 0; i--) {
            Node n = nodes.get(i);
            boolean needed = false;
            for (Value v : n.outputs()) if (v != null && live.contains(v)) { needed = true; break; }
            if (!needed) continue;
            keep[i] = true;
            live.addAll(reads(n));
        }
        List<Node> kept = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) if (keep[i]) kept.add(nodes.get(i));
        boolean changed = kept.size() != nodes.size();
        if (changed) { nodes.clear(); nodes.addAll(kept); }
        int before = g.initializers().size();
        g.initializers().removeIf(v -> !live.contains(v) && !g.inputs().contains(v));
        return changed || g.initializers().size() != before;
    }

    /** Every value name used in {@code g} and its subgraphs. */
    public static Set<String> names(Graph g) {
        Set<String> out = new HashSet<>();
        collectNames(g, out);
        return out;
    }

    private static void collectNames(Graph g, Set<String> out) {
        for (Value v : g.inputs()) out.add(v.name());
        for (Value v : g.initializers()) out.add(v.name());
        for (Node n : g.nodes()) {
            for (Value v : n.outputs()) if (v != null) out.add(v.name());
            for (Attribute a : n.attributes().values()) {
                if (a.kind() == Attribute.Kind.GRAPH) collectNames(a.asGraph(), out);
                if (a.kind() == Attribute.Kind.GRAPHS) for (Graph sg : a.asGraphs()) collectNames(sg, out);
            }
        }
    }

    /** A name starting with {@code base} not yet in {@code taken}; it is added to {@code taken}. */
    public static String freshName(Set<String> taken, String base) {
        if (taken.add(base)) return base;
        for (int i = 1; ; i++) {
            String n = base + "_" + i;
            if (taken.add(n)) return n;
        }
    }
}
