package dev.kiln.ops.ml;

import dev.kiln.ops.KernelContext;
import dev.kiln.ops.shape.Args;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * TreeEnsembleRegressor and TreeEnsembleClassifier (ai.onnx.ml 1 and 3, deprecated by TreeEnsemble but what most
 * scikit-learn exports contain). Nodes are addressed by (tree id, node id); a NaN feature follows
 * nodes_missing_value_tracks_true whatever the node's rule; each leaf carries weighted votes per target/class.
 */
final class LegacyTrees {
    private LegacyTrees() {}

    /** The parsed forest plus, per node index, the vote entries attached to that leaf. */
    private record Forest(long[] tree, String[] modes, long[] feature, double[] value, long[] tIds, long[] fIds,
                          long[] missTrue, Map<Long, Integer> index, int[] roots, List<List<Integer>> votes) {}

    private static long key(long tree, long node) { return tree * 0x100000001L + node; }

    private static double[] floats(KernelContext ctx, String name) {
        if (ctx.hasAttr(name + "_as_tensor")) return ctx.attrTensor(name + "_as_tensor").toDoubleArray();
        float[] f = ctx.attrFloats(name);
        if (f == null) return null;
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    private static Forest forest(KernelContext ctx, String prefix) {
        long[] tree = ctx.attrInts("nodes_treeids"), node = ctx.attrInts("nodes_nodeids");
        String[] modes = ctx.attrStrings("nodes_modes");
        long[] feature = ctx.attrInts("nodes_featureids"), tIds = ctx.attrInts("nodes_truenodeids"), fIds = ctx.attrInts("nodes_falsenodeids");
        double[] value = floats(ctx, "nodes_values");
        long[] missTrue = ctx.attrInts("nodes_missing_value_tracks_true");
        if (tree == null || node == null || modes == null || feature == null || tIds == null || fIds == null || value == null)
            throw ctx.fail("the nodes_* attributes are required");
        int n = tree.length;
        if (node.length != n || modes.length != n || feature.length != n || tIds.length != n || fIds.length != n || value.length != n)
            throw ctx.fail("nodes_* attributes differ in length");
        Map<Long, Integer> index = new HashMap<>();
        TreeMap<Long, Integer> roots = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            index.put(key(tree[i], node[i]), i);
            roots.putIfAbsent(tree[i], i);   // a tree's root is its first listed node
        }
        long[] vTree = ctx.attrInts(prefix + "_treeids"), vNode = ctx.attrInts(prefix + "_nodeids");
        if (vTree == null || vNode == null || vTree.length != vNode.length) throw ctx.fail(prefix + "_treeids/_nodeids are required and of equal length");
        List<List<Integer>> votes = new ArrayList<>();
        for (int i = 0; i < n; i++) votes.add(new ArrayList<>());
        for (int v = 0; v < vTree.length; v++) {
            Integer at = index.get(key(vTree[v], vNode[v]));
            if (at == null) throw ctx.fail(prefix + " entry " + v + " names a node that does not exist");
            votes.get(at).add(v);
        }
        int[] r = roots.values().stream().mapToInt(Integer::intValue).toArray();
        return new Forest(tree, modes, feature, value, tIds, fIds, missTrue, index, r, votes);
    }

    /** The leaf reached by row {@code row} from root index {@code at}. */
    private static int walk(KernelContext ctx, Forest f, Tensor x, long row, long nFeat, int at) {
        int steps = 0;
        while (!f.modes[at].equals("LEAF")) {
            if (++steps > f.modes.length) throw ctx.fail("tree " + f.tree[at] + " has a cycle");
            long fi = f.feature[at];
            if (fi < 0 || fi >= nFeat) throw ctx.fail("feature id " + fi + " out of range for " + nFeat + " features");
            double v = x.getDouble(row * nFeat + fi), th = f.value[at];
            boolean go;
            if (Double.isNaN(v)) go = f.missTrue != null && at < f.missTrue.length && f.missTrue[at] >= 1;
            else go = switch (f.modes[at]) {
                case "BRANCH_LEQ" -> v <= th;
                case "BRANCH_LT" -> v < th;
                case "BRANCH_GTE" -> v >= th;
                case "BRANCH_GT" -> v > th;
                case "BRANCH_EQ" -> v == th;
                case "BRANCH_NEQ" -> v != th;
                default -> throw ctx.fail("unknown node mode '" + f.modes[at] + "'");
            };
            Integer next = f.index.get(key(f.tree[at], go ? f.tIds[at] : f.fIds[at]));
            if (next == null) throw ctx.fail("tree " + f.tree[at] + " refers to a missing node");
            at = next;
        }
        return at;
    }

    private static Tensor rows(KernelContext ctx) {
        Tensor x = ctx.input(0);
        if (x.rank() == 1) return x.reshape(1, x.numel());
        if (x.rank() != 2) throw ctx.fail("X must be [N, F], got " + x.shape());
        return x;
    }

    static Object[] regressor(KernelContext ctx) {
        Tensor x = rows(ctx);
        Forest f = forest(ctx, "target");
        long[] ids = ctx.attrInts("target_ids");
        double[] w = floats(ctx, "target_weights");
        if (ids == null || w == null || ids.length != w.length) throw ctx.fail("target_ids and target_weights are required and of equal length");
        long nt = ctx.attrInt("n_targets");
        String agg = ctx.attrString("aggregate_function");
        double[] base = floats(ctx, "base_values");
        PostTransform post = PostTransform.parse(ctx, ctx.attrString("post_transform"));
        long n = x.shape().dim(0), nf = x.shape().dim(1);
        Shape outShape = Args.shape(ctx, new long[]{n, nt});
        double[] out = new double[(int) outShape.numel()];
        for (long row = 0; row < n; row++) {
            int o = (int) (row * nt);
            double init = agg.equals("MIN") ? Float.MAX_VALUE : agg.equals("MAX") ? -Float.MAX_VALUE : 0;
            for (int t = 0; t < nt; t++) out[o + t] = init;
            for (int root : f.roots) {
                for (int v : f.votes.get(walk(ctx, f, x, row, nf, root))) {
                    long t = ids[v];
                    if (t < 0 || t >= nt) throw ctx.fail("target id " + t + " out of range");
                    int at = o + (int) t;
                    out[at] = switch (agg) {
                        case "SUM", "AVERAGE" -> out[at] + w[v];
                        case "MIN" -> Math.min(out[at], w[v]);
                        case "MAX" -> Math.max(out[at], w[v]);
                        default -> throw ctx.fail("unknown aggregate_function '" + agg + "'");
                    };
                }
            }
            for (int t = 0; t < nt; t++) {
                if (agg.equals("AVERAGE")) out[o + t] /= f.roots.length;
                if (base != null && base.length > 0) out[o + t] += base[base.length == 1 ? 0 : t];
            }
            post.apply(out, o, (int) nt);
        }
        Tensor y = Tensor.allocate(DType.F32, outShape);
        for (int i = 0; i < out.length; i++) y.setDouble(i, out[i]);
        return new Object[]{y};
    }

    static Object[] classifier(KernelContext ctx) {
        Tensor x = rows(ctx);
        Forest f = forest(ctx, "class");
        long[] ids = ctx.attrInts("class_ids");
        double[] w = floats(ctx, "class_weights");
        if (ids == null || w == null || ids.length != w.length) throw ctx.fail("class_ids and class_weights are required and of equal length");
        long[] intLabels = ctx.attrInts("classlabels_int64s");
        String[] strLabels = ctx.attrStrings("classlabels_strings");
        int nc = intLabels != null ? intLabels.length : strLabels != null ? strLabels.length : 0;
        if (nc == 0) throw ctx.fail("classlabels_int64s or classlabels_strings is required");
        double[] base = floats(ctx, "base_values");
        PostTransform post = PostTransform.parse(ctx, ctx.attrString("post_transform"));
        boolean binary = java.util.Arrays.stream(ids).distinct().count() == 1;
        int cols = binary && nc == 1 ? 2 : nc;
        long n = x.shape().dim(0), nf = x.shape().dim(1);
        Shape scoreShape = Args.shape(ctx, new long[]{n, cols});
        double[] s = new double[(int) scoreShape.numel()];
        Tensor labels = Tensor.allocate(strLabels != null ? DType.STRING : DType.I64, Shape.of(n));
        for (long row = 0; row < n; row++) {
            int o = (int) (row * cols);
            for (int c = 0; c < nc; c++) s[o + c] = base != null && base.length > 0 ? base[base.length == 1 ? 0 : c] : 0;
            for (int root : f.roots) {
                for (int v : f.votes.get(walk(ctx, f, x, row, nf, root))) {
                    if (ids[v] < 0 || ids[v] >= nc) throw ctx.fail("class id " + ids[v] + " out of range");
                    s[o + (int) ids[v]] += w[v];
                }
            }
            if (binary) {
                // One vote column scores the positive class; the negative class mirrors it.
                s[o + 1] = s[o];
                s[o] = post == PostTransform.NONE || post == PostTransform.PROBIT ? 1 - s[o + 1] : -s[o + 1];
            }
            post.apply(s, o, cols);
            int best = 0;
            for (int c = 1; c < cols; c++) if (s[o + c] > s[o + best]) best = c;
            if (strLabels != null) labels.setString(row, strLabels[Math.min(best, nc - 1)]);
            else if (nc == 1) labels.setLong(row, best == 1 ? intLabels[0] : 0);
            else labels.setLong(row, intLabels[best]);
        }
        Tensor scores = Tensor.allocate(DType.F32, scoreShape);
        for (int i = 0; i < s.length; i++) scores.setDouble(i, s[i]);
        return new Object[]{labels, scores};
    }
}
