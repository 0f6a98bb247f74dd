package dev.kiln.codegen.opt.fuse;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.rewrite.Match;
import dev.kiln.graph.rewrite.Pattern;
import dev.kiln.graph.rewrite.RewriteRule;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

import static dev.kiln.graph.rewrite.Pattern.any;
import static dev.kiln.graph.rewrite.Pattern.op;

/**
 * Folds the decomposed layer normalization PyTorch exports before opset 17 back into {@code dev.kiln.LayerNorm}:
 * <pre>
 *   d = x - ReduceMean(x, last axis)
 *   y = d / Sqrt(ReduceMean(d^2, last axis) + eps) * gamma + beta
 * </pre>
 * with d^2 as Pow(d, 2) or Mul(d, d), the mean's axes as attribute (opset &lt; 18) or constant input, and gamma /
 * beta vectors over the last axis (they must not widen x's shape). Only the full affine form is matched: a
 * rule rooted at the Mul would fire before the Add that follows it is seen.
 */
public final class LayerNormFusion extends FusionPass {
    public LayerNormFusion() { super("fuse-layer-norm", g -> rules()); }

    static List<RewriteRule> rules() {
        List<RewriteRule> out = new ArrayList<>();
        for (boolean powForm : new boolean[]{true, false})
            out.add(RewriteRule.of(powForm ? "layer-norm(pow)" : "layer-norm(mul)", pattern(powForm), LayerNormFusion::rewrite));
        return out;
    }

    private static Pattern pattern(boolean powForm) {
        Pattern x = any("x");
        Pattern mean = op("ReduceMean", x).moreInputs().whereNode(LayerNormFusion::lastAxisMean);
        Pattern d = op("Sub", x, mean);
        Pattern sq = powForm ? op("Pow", d, FuseUtil.scalarNear("two", 2.0)) : op("Mul", d, d);
        Pattern var = op("ReduceMean", sq).moreInputs().whereNode(LayerNormFusion::lastAxisMean);
        Pattern den = op("Sqrt", op("Add", var, FuseUtil.anyScalar("eps")).commutative());
        Pattern norm = op("Div", d, den);
        Pattern scaled = op("Mul", norm, any("gamma")).commutative();
        return op("Add", scaled, any("beta")).commutative().bind("root");
    }

    /** ReduceMean over exactly the last axis, keeping it (axes as attribute or constant second input). */
    static boolean lastAxisMean(Node n) {
        if (FuseUtil.intAttr(n, "keepdims", 1) != 1) return false;
        long[] axes = FuseUtil.ints(n, "axes");
        if (axes == null && n.inputs().size() > 1 && n.input(1) != null && !n.input(1).name().isEmpty()) {
            Tensor t = FuseUtil.constant(n.input(1));
            if (t == null) return false;
            axes = t.toLongArray();
        }
        if (axes == null || axes.length != 1) return false;
        int rank = FuseUtil.rank(n.input(0));
        return axes[0] == -1 || (rank > 0 && axes[0] == rank - 1);
    }

    private static Value rewrite(Match m, dev.kiln.graph.rewrite.Builder b) {
        Value x = m.value("x"), gamma = m.value("gamma"), beta = m.value("beta");
        if (!FuseUtil.isF32(x) || FuseUtil.rank(x) < 1) return null;
        if (!FuseUtil.isLastAxisVector(gamma, x) || !FuseUtil.isLastAxisVector(beta, x)) return null;
        if (!FuseUtil.isF32(gamma) || !FuseUtil.isF32(beta)) return null;
        double eps = FuseUtil.scalar(m.value("eps"));
        if (!(eps >= 0)) return null;
        Value root = m.node("root").output(0);
        return b.op(FuseUtil.DOMAIN, "LayerNorm", List.of(x, gamma, beta),
                List.of(Attribute.of("axis", -1L), Attribute.of("epsilon", (float) eps)), FuseUtil.typeOf(root));
    }

}
