package dev.kiln.codegen.opt.fuse;

import dev.kiln.graph.Graph;
import dev.kiln.graph.Value;
import dev.kiln.graph.rewrite.Match;
import dev.kiln.graph.rewrite.RewriteRule;

import java.util.List;

import static dev.kiln.graph.rewrite.Pattern.any;
import static dev.kiln.graph.rewrite.Pattern.op;

/**
 * {@code Softmax(Add(x, bias))} over the last axis into {@code dev.kiln.BiasSoftmax(x, bias)} (an attention mask or
 * position bias added while each row is loaded). Runs after {@link AttentionFusion}, which absorbs the masks of
 * the attention blocks it recognizes. bias must broadcast into x's shape without widening it.
 */
public final class BiasSoftmaxFusion extends FusionPass {
    public BiasSoftmaxFusion() { super("fuse-bias-softmax", BiasSoftmaxFusion::rules); }

    static List<RewriteRule> rules(Graph g) {
        int opset = onnxOpset(g);
        return List.of(RewriteRule.of("bias+softmax",
                op("Softmax", op("Add", any("p"), any("q")).bind("add")).bind("root"),
                (m, b) -> rewrite(m, b, opset)));
    }

    private static Value rewrite(Match m, dev.kiln.graph.rewrite.Builder b, int opset) {
        Value p = m.value("p"), q = m.value("q"), sum = m.node("add").output(0);
        int rank = FuseUtil.rank(sum);
        if (rank < 1) return null;
        var axisAttr = m.node("root").attribute("axis");
        long axis = axisAttr != null ? axisAttr.asInt() : opset >= 13 ? -1 : 1;
        if (axis != -1 && axis != rank - 1) return null;
        Value x, bias;
        if (FuseUtil.rank(p) == rank && FuseUtil.broadcastsInto(q, p)) { x = p; bias = q; }
        else if (FuseUtil.rank(q) == rank && FuseUtil.broadcastsInto(p, q)) { x = q; bias = p; }
        else return null;
        if (!FuseUtil.isF32(x) || !FuseUtil.isF32(bias)) return null;
        return b.op(FuseUtil.DOMAIN, "BiasSoftmax", List.of(x, bias), List.of(), FuseUtil.typeOf(m.node("root").output(0)));
    }

}
