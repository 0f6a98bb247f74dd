package dev.kiln.codegen.opt.elementwise;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.graph.pass.GraphEdit;
import dev.kiln.ops.fused.FusedElementwiseOp;
import dev.kiln.ops.fused.FusedElementwiseProgram;
import dev.kiln.ops.fused.FusedElementwiseProgram.Arg;
import dev.kiln.ops.fused.FusedElementwiseProgram.Inst;
import dev.kiln.ops.fused.FusedElementwiseProgram.Reduction;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Folds ReduceSum / ReduceMean / ReduceMax over the last axis (keepdims) into the elementwise node that feeds
 * it, when nothing else reads the elementwise values: the row is reduced as it is computed and never stored.
 * The producer is a FusedElementwise node or a single fusible elementwise op. Part of the elementwise-fusion
 * pass (it runs right after the grouping).
 */
final class ReduceFusion {
    private ReduceFusion() {}

    private static final Map<String, Reduction> REDUCTIONS = Map.of("ReduceSum", Reduction.SUM, "ReduceMean", Reduction.MEAN, "ReduceMax", Reduction.MAX);

    static boolean apply(Graph g) {
        Map<Value, List<Node>> uses = GraphEdit.uses(g);
        Set<Value> outputs = Collections.newSetFromMap(new IdentityHashMap<>());
        outputs.addAll(g.outputs());
        Set<Node> here = Collections.newSetFromMap(new IdentityHashMap<>());
        here.addAll(g.nodes());
        boolean changed = false;
        for (Node n : List.copyOf(g.nodes())) {
            Reduction red = n.domain().isEmpty() ? REDUCTIONS.get(n.opType()) : null;
            if (red == null || n.outputs().size() != 1) continue;
            Value x = n.input(0), out = n.output(0);
            if (x == null || !lastAxisOnly(n, x) || !ElementwiseOps.isF32(out)) continue;
            Node p = x.producer();
            if (p == null || !here.contains(p) || outputs.contains(x) || !List.of(n).equals(uses.getOrDefault(x, List.of()))) continue;
            List<Value> inputs = new ArrayList<>();
            FusedElementwiseProgram program = programOf(p, uses, inputs);
            if (program == null) continue;
            Node fused = new Node(n.name().isEmpty() ? "fused_" + out.name() : "fused_" + n.name(), FusedElementwiseOp.DOMAIN,
                    FusedElementwiseOp.OP_TYPE, inputs, List.of(out), Map.of(
                    FusedElementwiseOp.PROGRAM, Attribute.of(FusedElementwiseOp.PROGRAM, program.canonical()),
                    FusedElementwiseOp.REDUCE, Attribute.of(FusedElementwiseOp.REDUCE, red.text())));
            g.nodes().set(g.nodes().indexOf(n), fused);
            g.nodes().remove(p);
            here.remove(p);
            changed = true;
        }
        if (changed) g.opsetImports().putIfAbsent(FusedElementwiseOp.DOMAIN, 1);
        return changed;
    }

    /** The producer's program (fills {@code inputs}), or null when it is not a plain elementwise computation. */
    private static FusedElementwiseProgram programOf(Node p, Map<Value, List<Node>> uses, List<Value> inputs) {
        if (FusedElementwiseOp.DOMAIN.equals(p.domain()) && FusedElementwiseOp.OP_TYPE.equals(p.opType())) {
            Attribute r = p.attribute(FusedElementwiseOp.REDUCE);
            if (r != null && !r.asString().isEmpty()) return null;
            inputs.addAll(p.inputs());
            try {
                return FusedElementwiseProgram.parse(p.attribute(FusedElementwiseOp.PROGRAM).asString());
            } catch (RuntimeException e) {
                return null;
            }
        }
        if (ElementwiseOps.kind(p, uses) != ElementwiseOps.Kind.FLOAT) return null;
        FusedElementwiseProgram.Op op = ElementwiseOps.programOp(p);
        if (op == null || op == FusedElementwiseProgram.Op.WHERE) return null;
        List<Arg> args = new ArrayList<>();
        for (Value v : p.inputs()) {
            int k = indexOf(inputs, v);
            if (k < 0) { inputs.add(v); k = inputs.size() - 1; }
            args.add(new Arg.In(k));
        }
        return new FusedElementwiseProgram(inputs.size(), List.of(new Inst(op, args)));
    }

    private static int indexOf(List<Value> vs, Value v) {
        for (int i = 0; i < vs.size(); i++) if (vs.get(i) == v) return i;
        return -1;
    }

    /** keepdims=1 and the axes are exactly the last axis (attribute or constant input), which is non-empty. */
    private static boolean lastAxisOnly(Node n, Value x) {
        if (!(x.type() instanceof TensorType t) || t.dtype() != DType.F32 || !t.hasRank() || t.rank() == 0) return false;
        int r = t.rank();
        if (t.dims().get(r - 1).valueOr(0) <= 0) return false;
        Attribute keep = n.attribute("keepdims");
        if (keep != null && keep.asInt() == 0) return false;
        Attribute noop = n.attribute("noop_with_empty_axes");
        if (noop != null && noop.asInt() != 0) return false;
        long[] axes = null;
        Attribute a = n.attribute("axes");
        if (a != null) axes = a.asInts();
        Value ax = n.input(1);
        if (ax != null && !ax.name().isEmpty()) {
            Tensor c = ax.constant();
            if (c == null || a != null) return false;
            axes = c.toLongArray();
        }
        if (axes == null || axes.length == 0) return r == 1;   // all axes of a vector = its last axis
        return axes.length == 1 && (axes[0] == -1 || axes[0] == r - 1);
    }
}
