package dev.kiln.runtime;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.infer.TypeInference;
import dev.kiln.ops.OpRegistry;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * Static facts about a model, computed once at load: inferred types (written into the graph), the op
 * histogram, parameter totals, and the operators this build cannot run. Works on models with unsupported ops
 * too, so {@code kiln inspect} can describe what it cannot run.
 */
public record ModelAnalysis(List<String> warnings, Map<String, Integer> opHistogram, List<String> unsupported,
                            long parameterCount, long parameterBytes, int typedOutputs, int untypedOutputs) {
    public ModelAnalysis {
        warnings = List.copyOf(warnings);
        opHistogram = java.util.Collections.unmodifiableMap(new TreeMap<>(opHistogram));
        unsupported = List.copyOf(unsupported);
    }

    /** Infers types in place (tolerantly) and gathers the rest. */
    public static ModelAnalysis infer(Graph g, OpRegistry registry) {
        TypeInference.Diagnostics d = TypeInference.run(g,
                (node, opset) -> registry.lookup(node.domain(), node.opType(), opset), new ConstantFolder(registry));
        Map<String, Integer> hist = new TreeMap<>();
        Set<String> unsupported = new TreeSet<>();
        walk(g, g, registry, hist, unsupported);
        long count = 0, bytes = 0;
        for (Value init : g.initializers()) {
            Tensor t = init.constant();
            if (t == null) continue;
            count += t.numel();
            bytes += t.dtype() == DType.STRING ? 0 : t.byteSize();
        }
        return new ModelAnalysis(d.warnings(), hist, new ArrayList<>(unsupported), count, bytes, d.typedOutputs(),
                d.untypedOutputs());
    }

    private static void walk(Graph g, Graph root, OpRegistry registry, Map<String, Integer> hist, Set<String> unsupported) {
        for (Node n : g.nodes()) {
            String key = (n.domain().isEmpty() ? "" : n.domain() + ".") + n.opType();
            hist.merge(key, 1, Integer::sum);
            int opset = root.opset(n.domain());
            if (opset < 0) opset = g.opset(n.domain());
            if (registry.lookup(n.domain(), n.opType(), opset) == null)
                unsupported.add(key + " (opset " + opset + ")");
            for (Attribute a : n.attributes().values()) {
                if (a.kind() == Attribute.Kind.GRAPH) walk(a.asGraph(), root, registry, hist, unsupported);
                if (a.kind() == Attribute.Kind.GRAPHS) for (Graph sg : a.asGraphs()) walk(sg, root, registry, hist, unsupported);
            }
        }
    }
}
