package dev.kiln.runtime;

import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.OpDef;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.graph.infer.TypeInference;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.interp.Interpreter;
import dev.kiln.tensor.Tensor;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Folds small shape-arithmetic nodes during type inference by running their reference kernel, so rules such as
 * Reshape's see the target shape that a {@code Shape -> Gather -> Concat} chain computes. Only cheap,
 * deterministic ops on small inputs, with outputs that cannot be large, are folded (no allocation from an unchecked
 * size); the folded values serve inference only and are never executed.
 */
final class ConstantFolder implements TypeInference.Folder {
    private static final long MAX_ELEMENTS = 4096;
    /** Ops whose output is never larger than their inputs together: safe to fold before knowing its shape. */
    private static final Set<String> NON_GROWING = Set.of("Shape", "Size", "Unsqueeze", "Squeeze", "Slice", "Cast",
            "Identity", "Reshape", "Flatten", "Transpose", "Neg", "Abs", "Floor", "Ceil", "Sqrt", "Not", "Concat",
            "ReduceProd");
    /** Ops that may broadcast or gather: folded only when inference already bounded the output's size. */
    private static final Set<String> BOUNDED = Set.of("Gather", "Add", "Sub", "Mul", "Div", "Equal", "Where",
            "Max", "Min", "Greater", "Less", "And", "Or", "Range", "Expand", "ConstantOfShape");

    private final OpRegistry registry;

    ConstantFolder(OpRegistry registry) { this.registry = registry; }

    @Override public Tensor[] fold(Node node, OpDef op, int opsetVersion, List<Tensor> constantInputs) {
        if (!node.domain().isEmpty()) return null;
        if (!NON_GROWING.contains(node.opType()) && !(BOUNDED.contains(node.opType()) && outputsBounded(node))) return null;
        for (Tensor t : constantInputs) if (t != null && t.numel() > MAX_ELEMENTS) return null;
        Graph g = new Graph("fold");
        g.opsetImports().put("", opsetVersion);
        Map<String, Object> feed = new HashMap<>();
        for (int i = 0; i < node.inputs().size(); i++) {
            Value v = node.inputs().get(i);
            if (v == null || v.name().isEmpty() || g.inputs().contains(v)) continue;
            g.inputs().add(v);
            feed.put(v.name(), constantInputs.get(i));
        }
        for (Value v : node.outputs()) if (v != null && !v.name().isEmpty()) g.outputs().add(v);
        g.nodes().add(node);
        Map<String, Object> out = new Interpreter(g, registry).run(feed);
        Tensor[] result = new Tensor[node.outputs().size()];
        for (int i = 0; i < result.length; i++) {
            Value v = node.outputs().get(i);
            if (v == null || v.name().isEmpty()) continue;
            Object x = out.get(v.name());
            if (x instanceof Tensor t) {
                if (t.numel() > MAX_ELEMENTS) return null;
                result[i] = t;
            }
        }
        return result;
    }

    /** Every output has a fully known static shape of at most {@link #MAX_ELEMENTS} elements. */
    private static boolean outputsBounded(Node node) {
        for (Value v : node.outputs()) {
            if (v == null || v.name().isEmpty()) continue;
            if (!(v.type() instanceof ValueType.TensorType t)) return false;
            var shape = t.shapeOrNull();
            if (shape == null || shape.numel() > MAX_ELEMENTS) return false;
        }
        return true;
    }
}
