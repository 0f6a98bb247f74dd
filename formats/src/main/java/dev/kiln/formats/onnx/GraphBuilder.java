package dev.kiln.formats.onnx;

import dev.kiln.formats.onnx.Msg.AttrMsg;
import dev.kiln.formats.onnx.Msg.GraphMsg;
import dev.kiln.formats.onnx.Msg.NodeMsg;
import dev.kiln.formats.onnx.Msg.TensorMsg;
import dev.kiln.formats.onnx.Msg.ValueInfoMsg;
import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.ModelFormatException;
import dev.kiln.graph.Node;
import dev.kiln.graph.UnsupportedOperatorException;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.tensor.Tensor;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;

/**
 * Builds the IR from decoded messages: resolves names through nested scopes (a subgraph's node may read a value of
 * any enclosing graph and gets that very {@link Value}), orders nodes topologically (files need not be), and
 * reports every dangling input, duplicate name and cycle of a graph at once.
 */
final class GraphBuilder {
    private final TensorDecoder tensors;
    private final Map<String, Integer> opsets;
    private final String source;

    GraphBuilder(TensorDecoder tensors, Map<String, Integer> opsets, String source) {
        this.tensors = tensors;
        this.opsets = opsets;
        this.source = source;
    }

    /** Name -> Value bindings of one graph, chained to the enclosing graph's. */
    private static final class Scope {
        final Scope parent;
        final Map<String, Value> names = new HashMap<>();
        Scope(Scope parent) { this.parent = parent; }
        Value lookup(String n) {
            for (Scope s = this; s != null; s = s.parent) {
                Value v = s.names.get(n);
                if (v != null) return v;
            }
            return null;
        }
    }

    Graph build(GraphMsg g) { return build(g, null, "graph"); }

    private Graph build(GraphMsg g, Scope parent, String where) {
        String at = source + ": " + where + (g.name.isEmpty() ? "" : " '" + g.name + "'");
        if (g.sparseInitializers > 0)
            throw new UnsupportedOperatorException(at + ": sparse_initializer is not supported (" + g.sparseInitializers + " found)");
        Graph graph = new Graph(g.name);
        graph.opsetImports().putAll(opsets);
        Scope scope = new Scope(parent);
        List<String> problems = new ArrayList<>();

        Map<String, ValueType> declared = new HashMap<>();
        for (ValueInfoMsg v : g.valueInfo) if (v.hasType) declared.put(v.name, v.type);
        for (ValueInfoMsg v : g.outputs) if (v.hasType) declared.put(v.name, v.type);

        for (ValueInfoMsg in : g.inputs) {
            if (in.name.isEmpty()) { problems.add("graph input with an empty name"); continue; }
            if (scope.names.containsKey(in.name)) { problems.add("input '" + in.name + "' is declared twice"); continue; }
            Value v = new Value(in.name, in.type);
            scope.names.put(in.name, v);
            graph.inputs().add(v);
        }
        Set<String> inputNames = new HashSet<>(scope.names.keySet());
        Set<String> initNames = new HashSet<>();
        for (TensorMsg t : g.initializers) {
            if (t.name.isEmpty()) { problems.add("initializer with an empty name (" + t.where + ")"); continue; }
            if (!initNames.add(t.name)) { problems.add("initializer '" + t.name + "' is defined twice"); continue; }
            Tensor data = tensors.decode(t);
            Value existing = scope.names.get(t.name);
            if (existing != null) {
                // IR < 4: an initializer that is also an input is the input's default value.
                existing.setConstant(data);
                if (existing.type() instanceof ValueType.UnknownType) existing.setType(typeOf(data));
                continue;
            }
            Value v = new Value(t.name, typeOf(data));
            v.setConstant(data);
            scope.names.put(t.name, v);
            graph.initializers().add(v);
        }

        List<NodeMsg> order = sort(g.nodes, scope, inputNames, initNames, problems);
        if (!problems.isEmpty()) throw failure(at, problems);

        for (NodeMsg n : order) {
            List<Value> outs = new ArrayList<>(n.outputs.size());
            for (String o : n.outputs) {
                if (o.isEmpty()) { outs.add(null); continue; }
                Value v = new Value(o, declared.getOrDefault(o, ValueType.UNKNOWN));
                outs.add(v);
            }
            List<Value> ins = new ArrayList<>(n.inputs.size());
            for (String i : n.inputs) ins.add(i.isEmpty() ? null : scope.lookup(i));
            Map<String, Attribute> attrs = new LinkedHashMap<>();
            String nodeWhere = where + " node " + describe(n);
            for (AttrMsg a : n.attributes) {
                if (attrs.containsKey(a.name))
                    throw new ModelFormatException(source + ": " + nodeWhere + ": attribute '" + a.name + "' appears twice");
                attrs.put(a.name, attribute(a, scope, nodeWhere));
            }
            graph.addNode(new Node(n.name, n.domain, n.opType, ins, outs, attrs));
            for (Value v : outs) if (v != null) scope.names.put(v.name(), v);
        }

        for (ValueInfoMsg out : g.outputs) {
            Value v = out.name.isEmpty() ? null : scope.lookup(out.name);
            if (v == null) { problems.add("graph output '" + out.name + "' is not produced by any node, input or initializer"); continue; }
            if (out.hasType && v.type() instanceof ValueType.UnknownType) v.setType(out.type);
            graph.outputs().add(v);
        }
        if (!problems.isEmpty()) throw failure(at, problems);
        return graph;
    }

    private static ValueType typeOf(Tensor t) { return ValueType.TensorType.of(t.dtype(), t.shape()); }

    private static String describe(NodeMsg n) {
        String first = n.outputs.isEmpty() ? "?" : n.outputs.get(0);
        return (n.name.isEmpty() ? "" : "'" + n.name + "' ") + "(" + (n.domain.isEmpty() ? "" : n.domain + ".") + n.opType + " -> " + first + ")";
    }

    private static ModelFormatException failure(String at, List<String> problems) {
        int shown = Math.min(problems.size(), 50);
        StringBuilder sb = new StringBuilder(at).append(": ").append(problems.size()).append(" problem(s):");
        for (int i = 0; i < shown; i++) sb.append("\n  - ").append(problems.get(i));
        if (shown < problems.size()) sb.append("\n  ... and ").append(problems.size() - shown).append(" more");
        return new ModelFormatException(sb.toString());
    }

    /**
     * Topological order (Kahn), stable: among ready nodes the one earliest in the file goes first, so a file that is
     * already sorted keeps its order. Dependencies include names a node's subgraphs capture from this graph.
     */
    private List<NodeMsg> sort(List<NodeMsg> nodes, Scope scope, Set<String> inputNames, Set<String> initNames,
                               List<String> problems) {
        Map<String, Integer> producer = new HashMap<>();
        for (int i = 0; i < nodes.size(); i++) {
            for (String o : nodes.get(i).outputs) {
                if (o.isEmpty()) continue;
                if (inputNames.contains(o) || initNames.contains(o))
                    problems.add("node " + describe(nodes.get(i)) + " output '" + o + "' redefines a graph input or initializer");
                else if (producer.putIfAbsent(o, i) != null)
                    problems.add("value '" + o + "' is produced by both " + describe(nodes.get(producer.get(o))) + " and " + describe(nodes.get(i)));
            }
        }
        int n = nodes.size();
        int[] pending = new int[n];
        List<List<Integer>> users = new ArrayList<>(n);
        for (int i = 0; i < n; i++) users.add(new ArrayList<>());
        for (int i = 0; i < n; i++) {
            Set<String> deps = new HashSet<>();
            NodeMsg node = nodes.get(i);
            for (String s : node.inputs) if (!s.isEmpty()) deps.add(s);
            for (AttrMsg a : node.attributes) {
                if (a.g != null) freeNames(a.g, deps);
                for (GraphMsg sub : a.graphs) freeNames(sub, deps);
            }
            for (String d : deps) {
                Integer p = producer.get(d);
                if (p != null) {
                    if (p == i && node.inputs.contains(d)) { problems.add("node " + describe(node) + " reads its own output '" + d + "'"); continue; }
                    if (p == i) continue;
                    users.get(p).add(i);
                    pending[i]++;
                } else if (scope.lookup(d) == null) {
                    boolean direct = node.inputs.contains(d);
                    problems.add("node " + describe(node) + (direct ? " input '" : " subgraph reads '") + d + "', which no node, input or initializer defines");
                }
            }
        }
        PriorityQueue<Integer> ready = new PriorityQueue<>();
        for (int i = 0; i < n; i++) if (pending[i] == 0) ready.add(i);
        List<NodeMsg> out = new ArrayList<>(n);
        while (!ready.isEmpty()) {
            int i = ready.poll();
            out.add(nodes.get(i));
            for (int u : users.get(i)) if (--pending[u] == 0) ready.add(u);
        }
        if (out.size() < n && problems.isEmpty()) {
            List<String> stuck = new ArrayList<>();
            for (int i = 0; i < n && stuck.size() < 20; i++) if (pending[i] > 0) stuck.add(describe(nodes.get(i)));
            problems.add("the graph has a cycle; " + (n - out.size()) + " node(s) can never run, e.g. " + stuck);
        }
        return out;
    }

    /** Names a graph reads but does not define: its captures from enclosing scopes. */
    static void freeNames(GraphMsg g, Set<String> into) {
        Set<String> defined = new HashSet<>();
        for (ValueInfoMsg v : g.inputs) defined.add(v.name);
        for (TensorMsg t : g.initializers) defined.add(t.name);
        for (NodeMsg n : g.nodes) defined.addAll(n.outputs);
        Set<String> used = new HashSet<>();
        for (NodeMsg n : g.nodes) {
            used.addAll(n.inputs);
            for (AttrMsg a : n.attributes) {
                if (a.g != null) freeNames(a.g, used);
                for (GraphMsg sub : a.graphs) freeNames(sub, used);
            }
        }
        for (ValueInfoMsg v : g.outputs) used.add(v.name);
        for (String u : used) if (!u.isEmpty() && !defined.contains(u)) into.add(u);
    }

    private Attribute attribute(AttrMsg a, Scope scope, String where) {
        String at = where + " attribute '" + a.name + "'";
        if (!a.refAttrName.isEmpty())
            throw new ModelFormatException(source + ": " + at + " refers to '" + a.refAttrName + "' outside a function body");
        return switch (a.type) {
            case 1 -> Attribute.of(a.name, a.f);
            case 2 -> Attribute.of(a.name, a.i);
            case 3 -> Attribute.of(a.name, a.s == null ? "" : new String(a.s, StandardCharsets.UTF_8));
            case 4 -> {
                if (a.t == null) throw new ModelFormatException(source + ": " + at + " is TENSOR but has no tensor");
                yield Attribute.of(a.name, tensors.decode(a.t));
            }
            case 5 -> {
                if (a.g == null) throw new ModelFormatException(source + ": " + at + " is GRAPH but has no graph");
                yield Attribute.of(a.name, build(a.g, new Scope(scope), at));
            }
            case 6 -> Attribute.of(a.name, a.floats == null ? new float[0] : a.floats);
            case 7 -> Attribute.of(a.name, a.ints == null ? new long[0] : a.ints);
            case 8 -> {
                String[] s = new String[a.strings.size()];
                for (int i = 0; i < s.length; i++) s[i] = new String(a.strings.get(i), StandardCharsets.UTF_8);
                yield Attribute.of(a.name, s);
            }
            case 9 -> {
                Tensor[] t = new Tensor[a.tensors.size()];
                for (int i = 0; i < t.length; i++) t[i] = tensors.decode(a.tensors.get(i));
                yield new Attribute(a.name, Attribute.Kind.TENSORS, t);
            }
            case 10 -> {
                Graph[] gs = new Graph[a.graphs.size()];
                for (int i = 0; i < gs.length; i++) gs[i] = build(a.graphs.get(i), new Scope(scope), at + "[" + i + "]");
                yield new Attribute(a.name, Attribute.Kind.GRAPHS, gs);
            }
            case 13 -> new Attribute(a.name, Attribute.Kind.TYPE, a.tp == null ? ValueType.UNKNOWN : a.tp);
            case 14 -> new Attribute(a.name, Attribute.Kind.TYPES, a.typeProtos.toArray(new ValueType[0]));
            case 11, 12 -> throw new UnsupportedOperatorException(source + ": " + at + ": sparse tensor attributes are not supported");
            default -> throw new ModelFormatException(source + ": " + at + " has unknown attribute type " + a.type);
        };
    }
}
