package dev.kiln.codegen.opt.fuse;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.rewrite.Builder;
import dev.kiln.graph.rewrite.Match;
import dev.kiln.graph.rewrite.Pattern;
import dev.kiln.graph.rewrite.RewriteRule;

import java.util.ArrayList;
import java.util.List;

import static dev.kiln.graph.rewrite.Pattern.any;
import static dev.kiln.graph.rewrite.Pattern.op;

/**
 * Scaled dot-product attention into {@code dev.kiln.Attention} (one kernel per batch and head: Q K^T, scale,
 * mask, softmax, times V, without materializing the transposed heads).
 * <ul>
 *   <li>BERT form (what PyTorch exports for BertSelfAttention, e.g. all-MiniLM-L6-v2): Q, K, V reshaped to
 *       [B, S, H, D]; {@code Transpose(MatMul(Softmax(QK / c + mask), V'), [0,2,1,3])} with
 *       Q' = Transpose(Q, [0,2,1,3]), K' = Transpose(K, [0,2,3,1]), V' = Transpose(V, [0,2,1,3]).
 *       Becomes Attention(layout=BSHD) on the reshaped tensors, producing the merged-heads layout directly.</li>
 *   <li>generic form on [B, H, S, D] tensors: {@code MatMul(Softmax(Q Transpose(K, [0,1,3,2]) * s + mask), V)}.
 *       Becomes Attention(layout=BHSD).</li>
 * </ul>
 * The scale may be a Div by a constant, a Mul by one, or absent; the mask Add is optional. Softmax must run over
 * the last axis (at opsets before 13, an explicit axis equal to rank - 1).
 */
public final class AttentionFusion extends FusionPass {
    public AttentionFusion() { super("fuse-attention", AttentionFusion::rules); }

    enum Scale { DIV, MUL, NONE }

    static List<RewriteRule> rules(Graph g) {
        int opset = onnxOpset(g);
        List<RewriteRule> out = new ArrayList<>();
        for (boolean bert : new boolean[]{true, false})
            for (Scale s : Scale.values())
                for (boolean masked : new boolean[]{true, false}) {
                    String name = "attention(" + (bert ? "bshd" : "bhsd") + "," + s.name().toLowerCase() + (masked ? ",mask" : "") + ")";
                    out.add(RewriteRule.of(name, pattern(bert, s, masked, opset), (m, b) -> rewrite(m, b, bert, s)));
                }
        return out;
    }

    private static Pattern pattern(boolean bert, Scale s, boolean masked, int opset) {
        Pattern q = bert ? op("Transpose", any("q")).whereNode(n -> FuseUtil.hasPerm(n, 0, 2, 1, 3)) : any("q");
        Pattern k = bert ? op("Transpose", any("k")).whereNode(n -> FuseUtil.hasPerm(n, 0, 2, 3, 1))
                : op("Transpose", any("k")).whereNode(n -> FuseUtil.hasPerm(n, 0, 1, 3, 2));
        Pattern v = bert ? op("Transpose", any("v")).whereNode(n -> FuseUtil.hasPerm(n, 0, 2, 1, 3)) : any("v");
        Pattern scores = op("MatMul", q, k);
        Pattern scaled = switch (s) {
            case DIV -> op("Div", scores, FuseUtil.anyScalar("c"));
            case MUL -> op("Mul", scores, FuseUtil.anyScalar("c")).commutative();
            case NONE -> scores;
        };
        Pattern logits = masked ? op("Add", scaled, any("mask")).commutative() : scaled;
        Pattern probs = op("Softmax", logits).whereNode(n -> lastAxisSoftmax(n, opset));
        Pattern ctx = op("MatMul", probs, v);
        Pattern root = bert ? op("Transpose", ctx).whereNode(n -> FuseUtil.hasPerm(n, 0, 2, 1, 3)) : ctx;
        return root.bind("root");
    }

    static boolean lastAxisSoftmax(Node n, int opset) {
        Attribute a = n.attribute("axis");
        long axis = a != null ? a.asInt() : opset >= 13 ? -1 : 1;
        return axis == -1 || axis == 3;   // every tensor here is rank 4 (checked by the rewriter)
    }

    private static Value rewrite(Match m, Builder b, boolean bert, Scale s) {
        Value q = m.value("q"), k = m.value("k"), v = m.value("v");
        for (Value x : List.of(q, k, v)) if (!FuseUtil.isF32(x) || FuseUtil.rank(x) != 4) return null;
        Value root = m.node("root").output(0);
        if (FuseUtil.rank(root) != 4) return null;
        List<Value> inputs = new ArrayList<>(List.of(q, k, v));
        if (m.hasValue("mask")) {
            Value mask = m.value("mask");
            if (!FuseUtil.isF32(mask) || FuseUtil.rank(mask) < 0 || FuseUtil.rank(mask) > 4) return null;
            inputs.add(mask);
        }
        double scale = 1.0;
        if (s != Scale.NONE) {
            double c = FuseUtil.scalar(m.value("c"));
            scale = s == Scale.DIV ? 1.0 / c : c;
            if (!Double.isFinite(scale)) return null;
        }
        return b.op(FuseUtil.DOMAIN, "Attention", inputs,
                List.of(Attribute.of("scale", (float) scale), Attribute.of("layout", bert ? "BSHD" : "BHSD")),
                FuseUtil.typeOf(root));
    }
}
