package dev.kiln.graph.rewrite;

import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The bindings of one successful {@link Pattern} match, and every node the pattern covered. */
public final class Match {
    private final Map<String, Value> values = new HashMap<>();
    private final Map<String, Node> nodes = new HashMap<>();
    private final List<Node> covered = new ArrayList<>();

    boolean bindValue(String name, Value v) {
        Value prev = values.putIfAbsent(name, v);
        return prev == null || prev == v;
    }

    boolean bindNode(String name, Node n) {
        Node prev = nodes.putIfAbsent(name, n);
        return prev == null || prev == n;
    }

    void addNode(Node n) { if (!covered.contains(n)) covered.add(n); }

    Match copy() {
        Match m = new Match();
        m.values.putAll(values);
        m.nodes.putAll(nodes);
        m.covered.addAll(covered);
        return m;
    }

    void restore(Match s) {
        values.clear(); values.putAll(s.values);
        nodes.clear(); nodes.putAll(s.nodes);
        covered.clear(); covered.addAll(s.covered);
    }

    public Value value(String name) {
        Value v = values.get(name);
        if (v == null) throw new IllegalArgumentException("pattern bound no value '" + name + "'");
        return v;
    }

    public Node node(String name) {
        Node n = nodes.get(name);
        if (n == null) throw new IllegalArgumentException("pattern bound no node '" + name + "'");
        return n;
    }

    /** The constant data of a bound value (null when it has none). */
    public Tensor constant(String name) { return value(name).constant(); }

    public boolean hasValue(String name) { return values.containsKey(name); }

    /** Every node the pattern matched, root last-in-first-out order not guaranteed. */
    public List<Node> coveredNodes() { return List.copyOf(covered); }
}
