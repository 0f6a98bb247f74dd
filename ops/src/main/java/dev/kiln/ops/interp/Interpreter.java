package dev.kiln.ops.interp;

import dev.kiln.graph.Graph;
import dev.kiln.graph.InvalidInputException;
import dev.kiln.graph.KilnException;
import dev.kiln.graph.Node;
import dev.kiln.graph.UnsupportedOperatorException;
import dev.kiln.graph.Value;
import dev.kiln.ops.Kernel;
import dev.kiln.ops.KernelSelector;
import dev.kiln.ops.OpFailure;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;

import dev.kiln.tensor.OptionalValue;
import dev.kiln.tensor.Tensor;
import dev.kiln.tensor.TensorSequence;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The reference interpreter: runs a graph node by node in topological order with the scalar reference kernels,
 * and drops each intermediate after its last use. It is the oracle every optimized path is tested against.
 * Thread-safe: all per-run state lives in {@link Scope}s.
 */
public final class Interpreter {
    private final Graph graph;
    private final OpRegistry registry;
    private final KernelSelector selector;
    private final Map<Graph, GraphPlan> plans = new IdentityHashMap<>();
    private final Map<Node, Kernel> kernels = new IdentityHashMap<>();

    /** The pure reference interpreter. */
    public Interpreter(Graph graph, OpRegistry registry) {
        this(graph, registry, KernelSelector.REFERENCE);
    }

    /**
     * Resolves every node (subgraphs included) to a schema and a kernel chosen by {@code selector};
     * unknown ops are reported all at once.
     */
    public Interpreter(Graph graph, OpRegistry registry, KernelSelector selector) {
        this.graph = graph;
        this.registry = registry;
        this.selector = selector;
        Map<String, List<String>> missing = new TreeMap<>();
        resolve(graph, graph, missing);
        if (!missing.isEmpty()) throw new UnsupportedOperatorException(describeMissing(missing));
    }

    public Graph graph() { return graph; }

    /** One entry per op and opset, with a node count and the first few node names, so the message stays readable. */
    private static String describeMissing(Map<String, List<String>> missing) {
        StringBuilder sb = new StringBuilder("unsupported operators: ");
        boolean first = true;
        for (Map.Entry<String, List<String>> e : missing.entrySet()) {
            if (!first) sb.append("; ");
            first = false;
            List<String> nodes = e.getValue();
            sb.append(e.getKey()).append(": ").append(nodes.size()).append(nodes.size() == 1 ? " node " : " nodes, e.g. ");
            sb.append(String.join(", ", nodes.subList(0, Math.min(3, nodes.size()))));
        }
        return sb.toString();
    }

    private void resolve(Graph g, Graph root, Map<String, List<String>> missing) {
        for (Node n : g.nodes()) {
            int opset = root.opset(n.domain());
            if (opset < 0) opset = g.opset(n.domain());
            OpSchema s = registry.lookup(n.domain(), n.opType(), opset);
            if (s == null) {
                String dom = n.domain().isEmpty() ? "" : n.domain() + ".";
                missing.computeIfAbsent(dom + n.opType() + " (opset " + opset + ")", k -> new ArrayList<>()).add(n.describe());
            } else {
                n.setOp(s);
                Kernel k = selector.select(n, s);
                kernels.put(n, k == null ? s.kernel() : k);
            }
            for (var a : n.attributes().values()) {
                if (a.kind() == dev.kiln.graph.Attribute.Kind.GRAPH) resolve(a.asGraph(), root, missing);
                if (a.kind() == dev.kiln.graph.Attribute.Kind.GRAPHS) for (Graph sg : a.asGraphs()) resolve(sg, root, missing);
            }
        }
        synchronized (plans) { plans.put(g, GraphPlan.of(g)); }
    }

    int opsetFor(Node n) {
        int v = graph.opset(n.domain());
        return v < 0 ? Integer.MAX_VALUE : v;
    }

    GraphPlan plan(Graph g) {
        synchronized (plans) {
            return plans.computeIfAbsent(g, GraphPlan::of);
        }
    }

    /**
     * Runs the top-level graph. {@code inputs} maps input names to Tensor / TensorSequence / OptionalValue; the
     * result maps every graph output name to its value, in output order.
     */
    public Map<String, Object> run(Map<String, ?> inputs) {
        return run(inputs, NodeObserver.NONE);
    }

    /** As {@link #run(Map)}, reporting each node's execution time to {@code observer}. */
    public Map<String, Object> run(Map<String, ?> inputs, NodeObserver observer) {
        List<Object> in = new ArrayList<>();
        for (Value v : graph.inputs()) {
            Object x = inputs.get(v.name());
            if (x == null && v.constant() == null)
                throw new InvalidInputException("missing input '" + v.name() + "'");
            in.add(x == null ? v.constant() : x);
        }
        // Intermediates live in one arena per run, freed as soon as the run ends; outputs are copied out of it.
        try (Arena arena = Arena.ofShared()) {
            List<Object> out = Tensor.inArena(arena, () -> runGraph(graph, in, new Scope(null, observer)));
            Map<String, Object> result = new java.util.LinkedHashMap<>();
            for (int i = 0; i < graph.outputs().size(); i++)
                result.put(graph.outputs().get(i).name(), escape(out.get(i), arena));
            return result;
        }
    }

    /** A copy of {@code v} that does not live in {@code arena} (the value itself when nothing in it does). */
    private static Object escape(Object v, Arena arena) {
        if (v instanceof Tensor t) return t.isIn(arena) ? t.copy() : t;
        if (v instanceof TensorSequence s) {
            List<Tensor> items = new ArrayList<>();
            for (Tensor t : s.items()) items.add(t.isIn(arena) ? t.copy() : t);
            return new TensorSequence(s.elementType(), items);
        }
        if (v instanceof OptionalValue o && o.value() != null) return new OptionalValue(escape(o.value(), arena), o.elementType());
        return v;
    }

    /** Runs {@code g} with positional inputs inside {@code parent}'s scope. */
    List<Object> runGraph(Graph g, List<Object> inputs, Scope parent) {
        GraphPlan plan = plan(g);
        Scope scope = new Scope(parent, parent.observer());
        for (Value init : g.initializers()) scope.put(init, init.constant());
        for (int i = 0; i < g.inputs().size(); i++) {
            Object x = i < inputs.size() ? inputs.get(i) : null;
            if (x != null) scope.put(g.inputs().get(i), x);
        }
        List<Node> nodes = g.nodes();
        for (int idx = 0; idx < nodes.size(); idx++) {
            Node n = nodes.get(idx);
            // Cooperative cancellation: a caller that gave up (a timeout) stops the run at the next node.
            if (Thread.currentThread().isInterrupted())
                throw new KilnException("run interrupted before node " + n.describe());
            NodeContext ctx = new NodeContext(this, n, scope);
            Object[] outs;
            long t0 = System.nanoTime();
            try {
                outs = kernels.get(n).execute(ctx);
                scope.observer().executed(n, System.nanoTime() - t0);
            } catch (KilnException | OpFailure e) {
                throw e;
            } catch (RuntimeException e) {
                throw new OpFailure(n.describe() + ": " + e.getClass().getSimpleName() + ": " + e.getMessage(), e);
            }
            for (int o = 0; o < n.outputs().size(); o++) {
                Value v = n.outputs().get(o);
                if (v == null || v.name().isEmpty()) continue;
                Object val = o < outs.length ? outs[o] : null;
                scope.put(v, val);
            }
            for (Value dead : plan.releasedAfter(idx)) scope.remove(dead);
        }
        List<Object> out = new ArrayList<>();
        for (Value v : g.outputs()) out.add(scope.get(v));
        return out;
    }
}
