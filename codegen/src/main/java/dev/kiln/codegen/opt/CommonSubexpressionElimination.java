package dev.kiln.codegen.opt;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.pass.GraphEdit;
import dev.kiln.graph.pass.Pass;
import dev.kiln.graph.pass.PassContext;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Common-subexpression elimination: two nodes with the same domain, op, attributes and inputs compute the same
 * values, so the later one is replaced by the earlier. Small constants count as equal by value (exporters emit
 * one {@code Constant 1} per use), so identical small initializers are merged first. Random ops are never merged:
 * two draws are two different values.
 */
public final class CommonSubexpressionElimination implements Pass {
    /** Constants up to this size are compared by value; larger ones only by identity (cost bound). */
    static final int VALUE_COMPARE_ELEMENTS = 64;
    private static final Set<String> NONDETERMINISTIC = Set.of("RandomNormal", "RandomUniform", "RandomNormalLike",
            "RandomUniformLike", "Bernoulli", "Multinomial", "Dropout");

    @Override public String name() { return "cse"; }

    @Override public boolean run(Graph g, PassContext ctx) {
        boolean changed = mergeConstants(g);
        Map<String, Node> seen = new HashMap<>();
        Map<Value, String> ids = new IdentityHashMap<>();
        for (int i = 0; i < g.nodes().size(); i++) {
            Node n = g.nodes().get(i);
            if (NONDETERMINISTIC.contains(n.opType()) || Values.hasSubgraph(n) || n.outputs().isEmpty()) continue;
            String key = key(n, ids);
            Node first = seen.putIfAbsent(key, n);
            if (first == null || !sameOutputShape(first, n)) continue;
            boolean ok = true;
            for (int k = 0; k < n.outputs().size() && ok; k++) {
                Value dup = n.output(k), keep = first.output(k);
                if (Values.absent(dup)) continue;
                ok = !Values.absent(keep) && Values.replaceable(g, dup, keep);
            }
            if (!ok) continue;
            for (int k = 0; k < n.outputs().size(); k++) {
                Value dup = n.output(k);
                if (!Values.absent(dup)) GraphEdit.replaceAllUses(g, dup, first.output(k));
            }
            changed = true;
        }
        if (changed) GraphEdit.removeDeadCode(g);
        return changed;
    }

    /** Both nodes have the same number of outputs (an optional output may be requested by one only). */
    private static boolean sameOutputShape(Node a, Node b) { return a.outputs().size() == b.outputs().size(); }

    /** Identical small initializers (not overridable inputs) become one. */
    private static boolean mergeConstants(Graph g) {
        Map<String, Value> byContent = new HashMap<>();
        boolean changed = false;
        for (Value v : List.copyOf(g.initializers())) {
            if (Values.constant(g, v) == null || v.constant().numel() > VALUE_COMPARE_ELEMENTS) continue;
            Value first = byContent.putIfAbsent(constantKey(v.constant()), v);
            if (first == null || !Values.replaceable(g, v, first) || g.outputs().contains(v)) continue;
            GraphEdit.replaceAllUses(g, v, first);
            changed = true;
        }
        if (changed) GraphEdit.removeDeadCode(g);
        return changed;
    }

    private static String key(Node n, Map<Value, String> ids) {
        StringBuilder sb = new StringBuilder(n.domain()).append('|').append(n.opType()).append('|');
        for (Attribute a : n.attributes().values()) sb.append(a.name()).append('=').append(attributeKey(a)).append(';');
        sb.append('|');
        for (Value v : n.inputs()) sb.append(Values.absent(v) ? "_" : valueId(v, ids)).append(',');
        sb.append('|').append(n.outputs().size());
        return sb.toString();
    }

    private static String valueId(Value v, Map<Value, String> ids) {
        return ids.computeIfAbsent(v, x -> "#" + ids.size());
    }

    private static String attributeKey(Attribute a) {
        return switch (a.kind()) {
            case FLOATS -> Arrays.toString((float[]) a.value());
            case INTS -> Arrays.toString((long[]) a.value());
            case STRINGS -> Arrays.toString((String[]) a.value());
            case TENSOR -> tensorKey((Tensor) a.value());
            case TENSORS -> {
                StringBuilder sb = new StringBuilder("[");
                for (Tensor t : (Tensor[]) a.value()) sb.append(tensorKey(t)).append(',');
                yield sb.append(']').toString();
            }
            case FLOAT -> "f" + Float.floatToIntBits((Float) a.value());
            default -> a.kind() + ":" + a.value();
        };
    }

    private static String tensorKey(Tensor t) {
        return t.numel() <= VALUE_COMPARE_ELEMENTS ? constantKey(t) : "@" + System.identityHashCode(t);
    }

    /** dtype, shape and exact bits of every element (NaN payloads and -0.0 distinguished: no false merges). */
    static String constantKey(Tensor t) {
        StringBuilder sb = new StringBuilder(t.dtype().displayName()).append(Arrays.toString(t.shape().dims())).append('{');
        for (long i = 0; i < t.numel(); i++) {
            if (t.dtype() == DType.STRING) sb.append('"').append(t.getString(i).replace("\"", "\\\"")).append('"');
            else if (t.dtype().isFloatingPoint()) sb.append(Double.doubleToRawLongBits(t.getDouble(i)));
            else sb.append(t.getLong(i));
            sb.append(',');
        }
        return sb.append('}').toString();
    }
}
