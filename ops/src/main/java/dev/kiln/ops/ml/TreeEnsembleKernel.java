package dev.kiln.ops.ml;

import dev.kiln.ops.KernelContext;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * ai.onnx.ml TreeEnsemble (opset 5): interior nodes in nodes_* arrays, leaves in leaf_* arrays; each node's
 * true/false child is a node index or, when the matching *leafs flag is set, a leaf index.
 */
final class TreeEnsembleKernel {
    private TreeEnsembleKernel() {}

    private static final int LEQ = 0, LT = 1, GTE = 2, GT = 3, EQ = 4, NEQ = 5, MEMBER = 6;

    static Object[] run(KernelContext ctx) {
        Tensor x = ctx.input(0);
        if (x.rank() != 2) throw ctx.fail("X must be [N, F], got " + x.shape());
        double[] splits = ctx.attrTensor("nodes_splits").toDoubleArray();
        long[] feat = ctx.attrInts("nodes_featureids");
        long[] modes = ctx.attrTensor("nodes_modes").toLongArray();
        long[] tIds = ctx.attrInts("nodes_truenodeids"), fIds = ctx.attrInts("nodes_falsenodeids");
        long[] tLeaf = ctx.attrInts("nodes_trueleafs"), fLeaf = ctx.attrInts("nodes_falseleafs");
        long[] missTrue = ctx.attrInts("nodes_missing_value_tracks_true");
        long[] leafTargets = ctx.attrInts("leaf_targetids");
        double[] leafW = ctx.attrTensor("leaf_weights").toDoubleArray();
        long[] roots = ctx.attrInts("tree_roots");
        long nTargets = ctx.attrInt("n_targets");
        int agg = (int) ctx.attrInt("aggregate_function"), post = (int) ctx.attrInt("post_transform");
        int nn = splits.length;
        if (feat.length != nn || modes.length != nn || tIds.length != nn || fIds.length != nn || tLeaf.length != nn || fLeaf.length != nn)
            throw ctx.fail("nodes_* attributes differ in length");
        if (leafTargets.length != leafW.length) throw ctx.fail("leaf_* attributes differ in length");
        // Set-membership nodes take consecutive NaN-terminated runs of membership_values, in node order.
        List<Set<Double>> members = new ArrayList<>();
        Tensor mv = ctx.attrTensor("membership_values");
        double[] m = mv == null ? new double[0] : mv.toDoubleArray();
        int mi = 0;
        for (int i = 0; i < nn; i++) {
            Set<Double> s = null;
            if (modes[i] == MEMBER) {
                s = new HashSet<>();
                while (mi < m.length && !Double.isNaN(m[mi])) s.add(m[mi++]);
                mi++;
            }
            members.add(s);
        }
        long n = x.shape().dim(0), f = x.shape().dim(1);
        Shape outShape = dev.kiln.ops.shape.Args.shape(ctx, new long[]{n, nTargets});
        double[] out = new double[(int) outShape.numel()];
        // MIN/MAX start from the input type's largest finite value, as the ONNX reference does.
        double big = x.dtype() == dev.kiln.tensor.DType.F64 ? Double.MAX_VALUE : Float.MAX_VALUE;
        double init = agg == 2 ? big : agg == 3 ? -big : 0;
        java.util.Arrays.fill(out, init);
        for (long row = 0; row < n; row++) {
            for (long root : roots) {
                int node = (int) root;
                boolean leaf = false;
                // A root that is its own leaf on both sides is a degenerate one-leaf tree.
                if (tLeaf[node] != 0 && fLeaf[node] != 0 && tIds[node] == fIds[node]) { node = (int) tIds[node]; leaf = true; }
                int steps = 0;
                while (!leaf) {
                    if (++steps > nn + 1) throw ctx.fail("tree has a cycle");
                    long fi = feat[node];
                    if (fi < 0 || fi >= f) throw ctx.fail("feature id " + fi + " out of range");
                    double v = x.getDouble(row * f + fi);
                    boolean go = switch ((int) modes[node]) {
                        case LEQ -> v <= splits[node];
                        case LT -> v < splits[node];
                        case GTE -> v >= splits[node];
                        case GT -> v > splits[node];
                        case EQ -> v == splits[node];
                        case NEQ -> v != splits[node];
                        case MEMBER -> members.get(node).contains(v);
                        default -> throw ctx.fail("unknown node mode " + modes[node]);
                    };
                    if (!go && Double.isNaN(v) && missTrue != null && missTrue.length > node && missTrue[node] != 0) go = true;
                    leaf = go ? tLeaf[node] != 0 : fLeaf[node] != 0;
                    node = (int) (go ? tIds[node] : fIds[node]);
                    if (node < 0 || (!leaf && node >= nn) || (leaf && node >= leafW.length)) throw ctx.fail("child index out of range");
                }
                long t = leafTargets[node];
                if (t < 0 || t >= nTargets) throw ctx.fail("leaf target " + t + " out of range");
                int o = (int) (row * nTargets + t);
                double w = leafW[node];
                out[o] = switch (agg) {
                    case 0, 1 -> out[o] + (agg == 0 ? w / roots.length : w);
                    case 2 -> Math.min(out[o], w);
                    case 3 -> Math.max(out[o], w);
                    default -> throw ctx.fail("unknown aggregate_function " + agg);
                };
            }
            PostTransform.of(ctx, post).apply(out, (int) (row * nTargets), (int) nTargets);
        }
        Tensor y = Tensor.allocate(x.dtype(), outShape);
        for (int i = 0; i < out.length; i++) y.setDouble(i, out[i]);
        return new Object[]{y};
    }
}
