package dev.kiln.codegen.opt;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Dim;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.pass.GraphEdit;
import dev.kiln.graph.pass.Pass;
import dev.kiln.graph.pass.PassContext;
import dev.kiln.graph.rewrite.Match;
import dev.kiln.graph.rewrite.Pattern;
import dev.kiln.graph.rewrite.RewritePass;
import dev.kiln.graph.rewrite.RewriteRule;
import dev.kiln.tensor.DType;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static dev.kiln.graph.rewrite.Pattern.any;
import static dev.kiln.graph.rewrite.Pattern.op;

/**
 * Removes ops that do nothing and collapses pairs that undo each other, as a list of local rewrite rules:
 * Identity; Dropout in inference mode; Cast (and CastLike) to the dtype it already has; Reshape of Reshape;
 * Transpose of Transpose (gone when the perms are inverse, else one Transpose); Reshape/Expand to the shape the
 * input already has; Squeeze of Unsqueeze (and back) over the same axes.
 *
 * <p>The rules are built per run because some must look at the graph: a value can vanish only when nothing else
 * needs it under its name (a graph output that would come back as an Identity would never reach a fixed point).
 */
public final class NoOpRemoval implements Pass {
    @Override public String name() { return "noop-removal"; }

    @Override public boolean run(Graph g, PassContext ctx) {
        return new RewritePass(name(), rules(g)).run(g, ctx);
    }

    static List<RewriteRule> rules(Graph g) {
        return List.of(
                // Single-node patterns have no intermediates that could escape: skip that (graph-wide) check.
                RewriteRule.of("identity", op("Identity", any("x")).bind("n"), (m, b) -> drop(g, m)).allowingSharedIntermediates(),
                RewriteRule.of("inference-dropout", op("Dropout", any("x")).moreInputs().bind("n"),
                        (m, b) -> inferenceDropout(g, m.node("n")) ? drop(g, m) : null).allowingSharedIntermediates(),
                RewriteRule.of("cast-to-same-type", op("Cast", any("x")).bind("n"),
                        (m, b) -> {
                            DType from = Values.dtype(m.value("x"));
                            Attribute to = m.node("n").attribute("to");
                            return from != null && to != null && to.kind() == Attribute.Kind.INT
                                    && from.onnxCode() == to.asInt() ? drop(g, m) : null;
                        }).allowingSharedIntermediates(),
                RewriteRule.of("castlike-to-same-type", op("CastLike", any("x"), any("like")).bind("n"),
                        (m, b) -> {
                            DType from = Values.dtype(m.value("x"));
                            return from != null && from == Values.dtype(m.value("like")) ? drop(g, m) : null;
                        }).allowingSharedIntermediates(),
                RewriteRule.of("reshape-of-reshape", op("Reshape", op("Reshape", any("x"), any("s1")), any("s2")).bind("n"),
                        (m, b) -> {
                            Node outer = m.node("n");
                            long[] s2 = Values.longs(g, m.value("s2"));
                            boolean zerosCopy = Values.intAttr(outer, "allowzero", 0) == 0;
                            if (s2 == null || (zerosCopy && Arrays.stream(s2).anyMatch(d -> d == 0))) return null;
                            return b.op("", "Reshape", List.of(m.value("x"), m.value("s2")),
                                    new ArrayList<>(outer.attributes().values()), outer.output(0).type());
                        }),
                RewriteRule.of("transpose-of-transpose", op("Transpose", op("Transpose", any("x")).bind("inner")).bind("n"),
                        (m, b) -> {
                            int rank = rank(m.value("x"), m.node("inner"), m.node("n"));
                            if (rank < 0) return null;
                            long[] p1 = perm(m.node("inner"), rank), p2 = perm(m.node("n"), rank);
                            if (p1 == null || p2 == null) return null;
                            long[] q = new long[rank];
                            boolean identity = true;
                            for (int i = 0; i < rank; i++) { q[i] = p1[(int) p2[i]]; identity &= q[i] == i; }
                            if (identity) return drop(g, m);
                            return b.op("Transpose", List.of(m.value("x")), m.node("n").output(0).type(), Attribute.of("perm", q));
                        }),
                RewriteRule.of("reshape-to-same-shape", op("Reshape", any("x"), any("s")).bind("n"),
                        (m, b) -> reshapeKeepsShape(g, m) ? drop(g, m) : null).allowingSharedIntermediates(),
                RewriteRule.of("expand-to-same-shape", op("Expand", any("x"), any("s")).bind("n"),
                        (m, b) -> expandKeepsShape(g, m) ? drop(g, m) : null).allowingSharedIntermediates(),
                RewriteRule.of("squeeze-of-unsqueeze", op("Squeeze", op("Unsqueeze", any("x")).moreInputs().bind("inner")).moreInputs().bind("n"),
                        (m, b) -> {
                            List<Dim> x = Values.dims(m.value("x"));
                            long[] a1 = axes(g, m.node("inner")), a2 = axes(g, m.node("n"));
                            if (x == null || a1 == null || a2 == null) return null;
                            int r = x.size() + a1.length;
                            return sameAxes(a1, a2, r) ? drop(g, m) : null;
                        }),
                RewriteRule.of("unsqueeze-of-squeeze", op("Unsqueeze", op("Squeeze", any("x")).moreInputs().bind("inner")).moreInputs().bind("n"),
                        (m, b) -> {
                            List<Dim> x = Values.dims(m.value("x"));
                            long[] a1 = axes(g, m.node("inner")), a2 = axes(g, m.node("n"));
                            if (x == null || a1 == null || a2 == null) return null;
                            return sameAxes(a1, a2, x.size()) ? drop(g, m) : null;
                        }));
    }

    /** The rule's result when the matched node is a no-op: its input {@code x}, unless the root's name must stay. */
    private static Value drop(Graph g, Match m) {
        Value out = m.node("n").output(0), x = m.value("x");
        return Values.replaceable(g, out, x) ? x : null;
    }

    private static boolean inferenceDropout(Graph g, Node n) {
        if (g.opset("") < 7 && Values.intAttr(n, "is_test", 0) == 0) return false;
        Value training = n.input(2);
        if (!Values.absent(training)) {
            long[] t = Values.longs(g, training);
            if (t == null || t.length != 1 || t[0] != 0) return false;
        }
        Value mask = n.output(1);
        if (Values.absent(mask)) return true;
        Map<Value, List<Node>> uses = GraphEdit.uses(g);
        return !uses.containsKey(mask) && !g.outputs().contains(mask);
    }

    private static int rank(Value x, Node... transposes) {
        List<Dim> d = Values.dims(x);
        if (d != null) return d.size();
        for (Node t : transposes) {
            long[] p = Values.ints(t, "perm");
            if (p != null) return p.length;
        }
        return -1;
    }

    /** The perm attribute, or the default (reversed dims); null when malformed. */
    private static long[] perm(Node t, int rank) {
        long[] p = Values.ints(t, "perm");
        if (p == null) {
            p = new long[rank];
            for (int i = 0; i < rank; i++) p[i] = rank - 1 - i;
        }
        if (p.length != rank) return null;
        boolean[] seen = new boolean[rank];
        for (long v : p) {
            if (v < 0 || v >= rank || seen[(int) v]) return null;
            seen[(int) v] = true;
        }
        return p;
    }

    /** Reshape to a constant shape that, dim by dim, restates the input's static type. */
    private static boolean reshapeKeepsShape(Graph g, Match m) {
        List<Dim> x = Values.dims(m.value("x"));
        long[] s = Values.longs(g, m.value("s"));
        if (x == null || s == null || s.length != x.size()) return false;
        boolean zerosCopy = Values.intAttr(m.node("n"), "allowzero", 0) == 0;
        int inferred = 0;
        for (int i = 0; i < s.length; i++) {
            long want = s[i];
            long have = x.get(i).valueOr(-1);
            if (have == 0) return false;   // -1 cannot be resolved against zero-size tensors
            if (want == 0 && zerosCopy) continue;
            if (want == -1) { inferred++; continue; }
            if (want != have) return false;
        }
        return inferred <= 1;
    }

    /** Expand by a constant shape that broadcasts to the input's own shape (only 1s or equal known dims). */
    private static boolean expandKeepsShape(Graph g, Match m) {
        List<Dim> x = Values.dims(m.value("x"));
        long[] s = Values.longs(g, m.value("s"));
        if (x == null || s == null || s.length > x.size()) return false;
        for (int i = 0; i < s.length; i++) {
            Dim d = x.get(x.size() - s.length + i);
            if (s[i] != 1 && s[i] != d.valueOr(-1)) return false;
        }
        return true;
    }

    /** Axes of Squeeze/Unsqueeze: the input (opset 13+) or the attribute; null when absent or not constant. */
    private static long[] axes(Graph g, Node n) {
        Value in = n.input(1);
        if (!Values.absent(in)) return Values.longs(g, in);
        return Values.ints(n, "axes");
    }

    private static boolean sameAxes(long[] a, long[] b, int rank) {
        if (a.length != b.length) return false;
        long[] x = normalize(a, rank), y = normalize(b, rank);
        return x != null && y != null && Arrays.equals(x, y);
    }

    private static long[] normalize(long[] axes, int rank) {
        long[] out = new long[axes.length];
        for (int i = 0; i < axes.length; i++) {
            long v = axes[i] < 0 ? axes[i] + rank : axes[i];
            if (v < 0 || v >= rank) return null;
            out[i] = v;
        }
        Arrays.sort(out);
        for (int i = 1; i < out.length; i++) if (out[i] == out[i - 1]) return null;
        return out;
    }
}
