package dev.kiln.codegen.opt.fuse;

import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.rewrite.Match;
import dev.kiln.graph.rewrite.Pattern;
import dev.kiln.graph.rewrite.RewriteRule;

import java.util.ArrayList;
import java.util.List;

import static dev.kiln.graph.rewrite.Pattern.any;
import static dev.kiln.graph.rewrite.Pattern.op;

/**
 * {@code dev.kiln.LayerNorm(Add(a, b), gamma, beta)} into {@code dev.kiln.SkipLayerNorm(a, b, gamma, beta)}: the
 * residual connection of a transformer block is summed row by row inside the normalization kernel instead of
 * being written out and read back. Runs after {@link LayerNormFusion}; only fires when the sum has no other
 * reader (the rewrite infrastructure checks that).
 */
public final class SkipLayerNormFusion extends FusionPass {
    public SkipLayerNormFusion() { super("fuse-skip-layer-norm", g -> rules()); }

    static List<RewriteRule> rules() {
        Pattern p = op("LayerNorm", op("Add", any("a"), any("b")).bind("add"), any("gamma"))
                .inDomain(FuseUtil.DOMAIN).moreInputs().bind("root");
        return List.of(RewriteRule.of("skip-layer-norm", p, SkipLayerNormFusion::rewrite));
    }

    private static Value rewrite(Match m, dev.kiln.graph.rewrite.Builder b) {
        Node ln = m.node("root");
        Value a = m.value("a"), bb = m.value("b");
        if (!FuseUtil.isF32(a) || !FuseUtil.isF32(bb)) return null;
        // SkipLayerNorm broadcasts a and b exactly as the Add did, so any shapes the Add accepted are fine
        List<Value> inputs = new ArrayList<>(List.of(a, bb));
        for (int i = 1; i < ln.inputs().size(); i++) inputs.add(ln.input(i));
        return b.op(FuseUtil.DOMAIN, "SkipLayerNorm", inputs, new ArrayList<>(ln.attributes().values()), FuseUtil.typeOf(ln.output(0)));
    }
}
