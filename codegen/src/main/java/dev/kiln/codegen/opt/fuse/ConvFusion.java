package dev.kiln.codegen.opt.fuse;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.rewrite.Builder;
import dev.kiln.graph.rewrite.Match;
import dev.kiln.graph.rewrite.Pattern;
import dev.kiln.graph.rewrite.RewriteRule;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

import static dev.kiln.graph.rewrite.Pattern.any;
import static dev.kiln.graph.rewrite.Pattern.op;

/**
 * Convolution fusions, in rule order:
 * <ul>
 *   <li>{@code BatchNormalization(Conv(X, W, B), scale, beta, mean, var)} with constant weights and statistics
 *       (inference mode): folded into a Conv with {@code W' = W * s} per output channel and
 *       {@code B' = (B - mean) * s + beta}, {@code s = scale / sqrt(var + eps)} (computed in double);</li>
 *   <li>{@code Relu / Sigmoid / Tanh / Clip(Conv(...))} into {@code dev.kiln.FusedConv} with that activation
 *       (Clip's bounds from attributes before opset 11, from constant inputs after).</li>
 * </ul>
 */
public final class ConvFusion extends FusionPass {
    public ConvFusion() { super("fuse-conv", g -> rules()); }

    static List<RewriteRule> rules() {
        List<RewriteRule> out = new ArrayList<>();
        Pattern conv = op("Conv", any("x"), any("w")).moreInputs().bind("conv");
        out.add(RewriteRule.of("conv+batchnorm",
                op("BatchNormalization", conv, any("scale"), any("beta"), any("mean"), any("var")).bind("root"),
                ConvFusion::foldBatchNorm));
        for (String act : List.of("Relu", "Sigmoid", "Tanh"))
            out.add(RewriteRule.of("conv+" + act.toLowerCase(), op(act, conv).bind("root"), (m, b) -> activation(m, b, act, null, null)));
        out.add(RewriteRule.of("conv+clip", op("Clip", conv).moreInputs().bind("root"), ConvFusion::clip));
        return out;
    }

    private static Value foldBatchNorm(Match m, Builder b) {
        Node bn = m.node("root"), conv = m.node("conv");
        for (int i = 1; i < bn.outputs().size(); i++) if (bn.output(i) != null && !bn.output(i).name().isEmpty()) return null;
        if (FuseUtil.intAttr(bn, "training_mode", 0) != 0 || FuseUtil.intAttr(bn, "spatial", 1) != 1) return null;
        Tensor w = f32Constant(m.value("w"));
        Tensor bias = conv.inputs().size() > 2 && conv.input(2) != null && !conv.input(2).name().isEmpty() ? f32Constant(conv.input(2)) : null;
        if (w == null || w.rank() < 3 || (conv.inputs().size() > 2 && conv.input(2) != null && !conv.input(2).name().isEmpty() && bias == null)) return null;
        long mOut = w.shape().dim(0);
        Tensor[] p = new Tensor[4];
        String[] names = {"scale", "beta", "mean", "var"};
        for (int i = 0; i < 4; i++) {
            p[i] = f32Constant(m.value(names[i]));
            if (p[i] == null || p[i].rank() != 1 || p[i].numel() != mOut) return null;
        }
        if (bias != null && bias.numel() != mOut) return null;
        Attribute epsA = bn.attribute("epsilon");
        double eps = epsA == null ? 1e-5 : epsA.asFloat();
        long per = w.numel() / Math.max(1, mOut);
        Tensor w2 = Tensor.allocate(DType.F32, w.shape());
        Tensor b2 = Tensor.allocate(DType.F32, Shape.of(mOut));
        for (long o = 0; o < mOut; o++) {
            double s = p[0].getDouble(o) / Math.sqrt(p[3].getDouble(o) + eps);
            for (long j = 0; j < per; j++) w2.setDouble(o * per + j, w.getDouble(o * per + j) * s);
            double b0 = bias == null ? 0 : bias.getDouble(o);
            b2.setDouble(o, (b0 - p[2].getDouble(o)) * s + p[1].getDouble(o));
        }
        Value wv = b.constant("folded_weight", w2), bv = b.constant("folded_bias", b2);
        return b.op("", "Conv", List.of(m.value("x"), wv, bv), new ArrayList<>(conv.attributes().values()),
                FuseUtil.typeOf(bn.output(0)));
    }

    private static Value clip(Match m, Builder b) {
        Node clip = m.node("root");
        Double lo = null, hi = null;
        if (clip.attribute("min") != null) lo = (double) clip.attribute("min").asFloat();
        if (clip.attribute("max") != null) hi = (double) clip.attribute("max").asFloat();
        for (int i = 1; i <= 2; i++) {
            Value v = clip.input(i);
            if (v == null || v.name().isEmpty()) continue;
            double c = FuseUtil.scalar(v);
            if (Double.isNaN(c)) return null;
            if (i == 1) lo = c; else hi = c;
        }
        return activation(m, b, "Clip", lo, hi);
    }

    private static Value activation(Match m, Builder b, String act, Double lo, Double hi) {
        Node conv = m.node("conv"), root = m.node("root");
        if (!FuseUtil.isF32(conv.output(0))) return null;
        List<Attribute> attrs = new ArrayList<>(conv.attributes().values());
        attrs.add(Attribute.of("activation", act));
        if (lo != null) attrs.add(Attribute.of("activation_min", (float) (double) lo));
        if (hi != null) attrs.add(Attribute.of("activation_max", (float) (double) hi));
        List<Value> inputs = new ArrayList<>(conv.inputs());
        while (!inputs.isEmpty() && (inputs.getLast() == null || inputs.getLast().name().isEmpty())) inputs.removeLast();
        return b.op(FuseUtil.DOMAIN, "FusedConv", inputs, attrs, FuseUtil.typeOf(root.output(0)));
    }

    private static Tensor f32Constant(Value v) {
        Tensor t = FuseUtil.constant(v);
        return t != null && t.dtype() == DType.F32 ? t : null;
    }
}
