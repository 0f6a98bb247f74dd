package dev.kiln.codegen.opt.layout;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.pass.Pass;
import dev.kiln.graph.pass.PassContext;
import dev.kiln.graph.rewrite.Builder;
import dev.kiln.graph.rewrite.Match;
import dev.kiln.graph.rewrite.RewritePass;
import dev.kiln.graph.rewrite.RewriteRule;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

import static dev.kiln.graph.rewrite.Pattern.any;
import static dev.kiln.graph.rewrite.Pattern.op;

/**
 * O3 layout: a 2-D {@code Conv} / {@code dev.kiln.FusedConv} (group 1, f32, constant 4-D weights; explicit, VALID
 * or — when H and W are known — SAME padding, resolved here to explicit pads) becomes {@code Transpose(0,3,1,2)(dev.kiln.ConvNhwc(Transpose(0,2,3,1)(X), W_hwio, B))}. The
 * weights are repacked here, once, into the [kh, kw, C, Cout] layout the channels-last GEMM reads; a fused
 * activation stays on the node. On its own the rewrite only adds transposes: {@link TransposeSinking} and the
 * transpose-pair rule of NoOpRemoval then cancel the ones between consecutive convolutions.
 */
public final class ConvToNhwc implements Pass {
    @Override public String name() { return "conv-to-nhwc"; }

    @Override public boolean run(Graph g, PassContext ctx) {
        List<RewriteRule> rules = List.of(
                RewriteRule.of("conv-nhwc", op("Conv", any("x"), any("w")).moreInputs().bind("conv"), ConvToNhwc::rewrite),
                RewriteRule.of("fusedconv-nhwc", op("FusedConv", any("x"), any("w")).inDomain(Layouts.DOMAIN).moreInputs().bind("conv"),
                        ConvToNhwc::rewrite));
        boolean changed = new RewritePass(name(), rules).run(g, ctx);
        if (changed) g.opsetImports().putIfAbsent(Layouts.DOMAIN, 1);
        return changed;
    }

    private static Value rewrite(Match m, Builder b) {
        Node conv = m.node("conv");
        Value x = m.value("x"), y = conv.output(0);
        Tensor w = m.value("w").constant();
        if (Layouts.rank(x) != 4 || !Layouts.isF32(x) || !Layouts.isF32(y) || w == null || w.dtype() != DType.F32 || w.rank() != 4) return null;
        if (conv.outputs().size() != 1 || conv.inputs().size() > 3) return null;
        long group = conv.attribute("group") == null ? 1 : conv.attribute("group").asInt();
        String autoPad = conv.attribute("auto_pad") == null ? "NOTSET" : conv.attribute("auto_pad").asString();
        if (group != 1) return null;
        long[] ks = ints(conv, "kernel_shape");
        if (ks != null && !Arrays.equals(ks, new long[]{w.shape().dim(2), w.shape().dim(3)})) return null;
        long[] st = ints(conv, "strides"), dl = ints(conv, "dilations");
        if ((st != null && st.length != 2) || (dl != null && dl.length != 2)) return null;
        long[] pads = switch (autoPad) {
            case "NOTSET" -> ints(conv, "pads");
            case "VALID" -> null;
            case "SAME_UPPER", "SAME_LOWER" -> samePads(x, w, st, dl, autoPad.equals("SAME_UPPER"));
            default -> new long[0];
        };
        if (pads != null && pads.length != 4) return null;

        List<Attribute> attrs = new ArrayList<>();
        if (st != null) attrs.add(Attribute.of("strides", st));
        if (dl != null) attrs.add(Attribute.of("dilations", dl));
        if (pads != null) attrs.add(Attribute.of("pads", pads));
        for (String a : List.of("activation", "activation_min", "activation_max"))
            if (conv.attribute(a) != null) attrs.add(conv.attribute(a));

        Value xt = b.op("Transpose", List.of(x), Layouts.permuted(x.type(), Layouts.TO_NHWC), Attribute.of("perm", Layouts.TO_NHWC));
        Value wt = b.constant("weight_hwio", w.permute(2, 3, 1, 0).contiguous());
        List<Value> in = new ArrayList<>(List.of(xt, wt));
        if (conv.inputs().size() > 2 && !Layouts.absent(conv.input(2))) in.add(conv.input(2));
        Value yt = b.op(Layouts.DOMAIN, "ConvNhwc", in, attrs, Layouts.permuted(y.type(), Layouts.TO_NHWC));
        return b.op("Transpose", List.of(yt), y.type(), Attribute.of("perm", Layouts.TO_NCHW));
    }

    /**
     * Explicit {top, left, bottom, right} pads for SAME_UPPER / SAME_LOWER (output = ceil(in / stride); the odd
     * pad goes at the end for UPPER, the start for LOWER); an empty array (declined) when H or W is not known.
     */
    private static long[] samePads(Value x, Tensor w, long[] st, long[] dl, boolean upper) {
        var dims = Layouts.tensorType(x).dims();
        long[] pads = new long[4];
        for (int a = 0; a < 2; a++) {
            long in = dims.get(2 + a).valueOr(-1), s = st == null ? 1 : st[a], d = dl == null ? 1 : dl[a], k = w.shape().dim(2 + a);
            if (in < 0 || s < 1 || d < 1) return new long[0];
            long out = (in + s - 1) / s;
            long total = Math.max(0, (out - 1) * s + (k - 1) * d + 1 - in), small = total / 2, big = total - small;
            pads[a] = upper ? small : big;
            pads[a + 2] = upper ? big : small;
        }
        return pads;
    }

    private static long[] ints(Node n, String name) {
        Attribute a = n.attribute(name);
        return a == null ? null : a.asInts();
    }
}
