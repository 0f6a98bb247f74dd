package dev.kiln.codegen.opt.elementwise;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.graph.pass.GraphEdit;
import dev.kiln.graph.pass.Pass;
import dev.kiln.graph.pass.PassContext;
import dev.kiln.ops.fused.FusedElementwiseOp;
import dev.kiln.ops.fused.FusedElementwiseProgram;
import dev.kiln.ops.fused.FusedElementwiseProgram.Arg;
import dev.kiln.ops.fused.FusedElementwiseProgram.Inst;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Merges chains and DAGs of f32 elementwise ops into one {@code dev.kiln.FusedElementwise} node, so the
 * intermediates are never written to memory. A group grows from a root (visited last-to-first) by absorbing
 * producers whose output only group members read and that is not a graph output; the fused node takes the
 * root's place and output, so every external input is already computed there. Scalar f32 constants become
 * literals of the program. Runs after the pattern fusions, so named patterns (Gelu, LayerNorm) win. Then a
 * last-axis ReduceSum/Mean/Max is folded into the elementwise node feeding it ({@link ReduceFusion}).
 */
public final class ElementwiseFusion implements Pass {
    /** Larger groups would make huge generated methods; C2 stops compiling methods past ~8 KB of bytecode. */
    static final int MAX_GROUP = 48;

    @Override public String name() { return "elementwise-fusion"; }

    @Override public boolean run(Graph g, PassContext ctx) {
        List<List<Node>> groups = findGroups(g);
        Set<String> names = GraphEdit.names(g);
        boolean changed = false;
        for (List<Node> group : groups) changed |= rewrite(g, group, names);
        if (changed) g.opsetImports().putIfAbsent(FusedElementwiseOp.DOMAIN, 1);
        if (!Boolean.getBoolean("kiln.noReduceFusion")) changed |= ReduceFusion.apply(g);
        return changed;
    }

    /** Maximal groups (members in graph order, root last), each of at least two nodes. */
    static List<List<Node>> findGroups(Graph g) {
        Map<Value, List<Node>> uses = GraphEdit.uses(g);
        Set<Value> outputs = Collections.newSetFromMap(new IdentityHashMap<>());
        outputs.addAll(g.outputs());
        Map<Node, Integer> index = new IdentityHashMap<>();
        for (int i = 0; i < g.nodes().size(); i++) index.put(g.nodes().get(i), i);
        Set<Node> assigned = Collections.newSetFromMap(new IdentityHashMap<>());
        List<List<Node>> groups = new ArrayList<>();
        for (int i = g.nodes().size() - 1; i >= 0; i--) {
            Node root = g.nodes().get(i);
            if (assigned.contains(root) || ElementwiseOps.kind(root, uses) != ElementwiseOps.Kind.FLOAT) continue;
            Set<Node> group = Collections.newSetFromMap(new IdentityHashMap<>());
            group.add(root);
            boolean grew = true;
            while (grew && group.size() < MAX_GROUP) {
                grew = false;
                for (Node n : List.copyOf(group)) {
                    for (Value v : n.inputs()) {
                        Node p = v == null ? null : v.producer();
                        if (p == null || group.contains(p) || assigned.contains(p) || !index.containsKey(p)) continue;
                        if (outputs.contains(v) || ElementwiseOps.kind(p, uses) == ElementwiseOps.Kind.NONE) continue;
                        if (!group.containsAll(uses.getOrDefault(v, List.of()))) continue;
                        if (group.size() >= MAX_GROUP) break;
                        group.add(p);
                        grew = true;
                    }
                }
            }
            if (!complete(group)) continue;
            if (group.size() < 2) continue;
            assigned.addAll(group);
            List<Node> ordered = new ArrayList<>(group);
            ordered.sort((a, b) -> Integer.compare(index.get(a), index.get(b)));
            groups.add(ordered);
        }
        return groups;
    }

    /** Every Where's condition is computed inside the group (a comparison result cannot cross the boundary). */
    private static boolean complete(Set<Node> group) {
        for (Node n : group)
            if (n.opType().equals("Where") && !group.contains(n.input(0).producer())) return false;
        return true;
    }

    private static boolean rewrite(Graph g, List<Node> group, Set<String> names) {
        Node root = group.getLast();
        Value out = root.output(0);
        int outRank = out.type() instanceof TensorType t && t.hasRank() ? t.rank() : -1;
        Map<Value, Arg> args = new IdentityHashMap<>();
        // External operands first: decide which scalar constants may become literals without changing the
        // broadcast rank of the result (a [1,1] constant also contributes rank).
        Set<Value> produced = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Node n : group) produced.add(n.output(0));
        List<Value> external = new ArrayList<>(new LinkedHashSet<>(externalOperands(group, produced)));
        boolean rankCovered = false;
        for (Value v : external) {
            if (literal(v) != null) continue;
            if (v.type() instanceof TensorType t && t.hasRank() && t.rank() == outRank) rankCovered = true;
        }
        List<Value> inputs = new ArrayList<>();
        for (Value v : external) {
            Tensor c = literal(v);
            if (c != null && (c.rank() == 0 || rankCovered)) args.put(v, new Arg.Const((float) c.getDouble(0)));
            else {
                args.put(v, new Arg.In(inputs.size()));
                inputs.add(v);
            }
        }
        if (inputs.isEmpty()) return false;   // all constant: constant folding's job, not ours
        List<Inst> insts = new ArrayList<>();
        for (Node n : group) {
            List<Arg> a = new ArrayList<>();
            for (Value v : n.inputs()) a.add(args.get(v));
            FusedElementwiseProgram.Op op = ElementwiseOps.programOp(n);
            if (op == null) {   // an f32 -> f32 Cast: no instruction, its output is its input
                args.put(n.output(0), a.get(0));
                continue;
            }
            insts.add(new Inst(op, a));
            args.put(n.output(0), new Arg.Tmp(insts.size() - 1));
        }
        if (insts.isEmpty() || !(args.get(out) instanceof Arg.Tmp t) || t.index() != insts.size() - 1) return false;
        FusedElementwiseProgram program = new FusedElementwiseProgram(inputs.size(), insts);
        String name = GraphEdit.freshName(names, "fused_" + (root.name().isEmpty() ? out.name() : root.name()));
        Node fused = new Node(name, FusedElementwiseOp.DOMAIN, FusedElementwiseOp.OP_TYPE, inputs, List.of(out),
                Map.of(FusedElementwiseOp.PROGRAM, Attribute.of(FusedElementwiseOp.PROGRAM, program.canonical())));
        int at = g.nodes().indexOf(root);
        g.nodes().set(at, fused);
        Set<Node> dead = Collections.newSetFromMap(new IdentityHashMap<>());
        dead.addAll(group);
        dead.remove(root);
        g.nodes().removeIf(dead::contains);
        return true;
    }

    private static List<Value> externalOperands(List<Node> group, Set<Value> produced) {
        List<Value> out = new ArrayList<>();
        for (Node n : group) for (Value v : n.inputs()) if (!produced.contains(v)) out.add(v);
        return out;
    }

    /** The constant when {@code v} is a one-element f32 constant, else null. */
    private static Tensor literal(Value v) {
        Tensor c = v.constant();
        return c != null && c.dtype() == DType.F32 && c.numel() == 1 ? c : null;
    }
}
