package dev.kiln.graph.pass;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;

/**
 * IR invariants, checked after every pass in tests (XLA's discipline): nodes are in topological order and every
 * input is defined before it is read (graph inputs, initializers, earlier outputs, or an enclosing graph's values
 * for subgraphs); every value has one producer; graph outputs are defined; value names are unique; constants
 * agree with their declared dtype.
 */
public final class Verifier {
    private Verifier() {}

    public static void verify(Graph g, String where) {
        List<String> problems = new ArrayList<>();
        check(g, Collections.newSetFromMap(new IdentityHashMap<>()), new java.util.HashSet<>(), problems, g.name());
        if (!problems.isEmpty()) {
            int shown = Math.min(problems.size(), 20);
            throw new IrVerificationException("IR verification failed " + where + ": " + problems.size()
                    + " problem(s):\n  " + String.join("\n  ", problems.subList(0, shown))
                    + (shown < problems.size() ? "\n  ..." : ""));
        }
    }

    private static void check(Graph g, Set<Value> outer, Set<String> names, List<String> problems, String path) {
        Set<Value> defined = Collections.newSetFromMap(new IdentityHashMap<>());
        defined.addAll(outer);
        for (Value v : g.inputs()) define(v, defined, names, problems, path, "graph input");
        for (Value v : g.initializers()) {
            if (!g.inputs().contains(v)) define(v, defined, names, problems, path, "initializer");
            if (v.constant() == null) problems.add(path + ": initializer %" + v.name() + " has no data");
            else if (v.type() instanceof ValueType.TensorType t && t.dtype() != null && t.dtype() != v.constant().dtype())
                problems.add(path + ": initializer %" + v.name() + " is typed " + t.dtype() + " but holds " + v.constant().dtype());
        }
        for (Node n : g.nodes()) {
            for (int i = 0; i < n.inputs().size(); i++) {
                Value v = n.inputs().get(i);
                if (v == null || v.name().isEmpty()) continue;
                if (!defined.contains(v) && v.constant() == null)
                    problems.add(path + ": node " + n.describe() + " reads %" + v.name() + " (input " + i + ") before it is defined");
            }
            for (Attribute a : n.attributes().values()) {
                if (a.kind() == Attribute.Kind.GRAPH) check(a.asGraph(), defined, new java.util.HashSet<>(names), problems, path + "/" + n.describe() + "." + a.name());
                if (a.kind() == Attribute.Kind.GRAPHS)
                    for (Graph sg : a.asGraphs()) check(sg, defined, new java.util.HashSet<>(names), problems, path + "/" + n.describe() + "." + a.name());
            }
            for (Value v : n.outputs()) {
                if (v == null || v.name().isEmpty()) continue;
                if (v.producer() != n) problems.add(path + ": %" + v.name() + " is an output of " + n.describe() + " but records producer " + v.producer());
                define(v, defined, names, problems, path, "output of " + n.describe());
            }
        }
        for (Value v : g.outputs())
            if (!defined.contains(v) && v.constant() == null) problems.add(path + ": graph output %" + v.name() + " is never defined");
    }

    private static void define(Value v, Set<Value> defined, Set<String> names, List<String> problems, String path, String what) {
        if (!defined.add(v)) problems.add(path + ": %" + v.name() + " (" + what + ") is defined twice");
        else if (!names.add(v.name())) problems.add(path + ": name %" + v.name() + " (" + what + ") is used by two different values");
    }
}
