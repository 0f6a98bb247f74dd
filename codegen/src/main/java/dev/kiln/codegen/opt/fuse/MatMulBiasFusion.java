package dev.kiln.codegen.opt.fuse;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.rewrite.Builder;
import dev.kiln.graph.rewrite.Match;
import dev.kiln.graph.rewrite.Pattern;
import dev.kiln.graph.rewrite.RewriteRule;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static dev.kiln.graph.rewrite.Pattern.any;
import static dev.kiln.graph.rewrite.Pattern.op;

/**
 * MatMul + bias Add, Gemm, and a following activation into {@code dev.kiln.FusedMatMul}, whose CPU kernel adds
 * the bias and applies the activation in the GEMM epilogue while each block of the result is still in cache:
 * <ul>
 *   <li>{@code Add(MatMul(A, B), bias)} with bias a vector over the last axis (residual adds of two activations
 *       are left for SkipLayerNorm);</li>
 *   <li>{@code act(MatMul(A, B))}, {@code act(Gemm(A, B, C))} (beta 1, C a row vector) and
 *       {@code act(FusedMatMul(...))} for act in Relu, Sigmoid, Tanh, ONNX Gelu and dev.kiln.Gelu.</li>
 * </ul>
 * Runs after the GELU fusion, so bias + GELU of a transformer's feed-forward layer lands in one epilogue.
 */
public final class MatMulBiasFusion extends FusionPass {
    public MatMulBiasFusion() { super("fuse-matmul-bias", g -> rules()); }

    /** Activation op (domain-qualified) -> FusedMatMul activation attribute. */
    private static final Map<String, String> ACTIVATIONS = new LinkedHashMap<>();
    static {
        ACTIVATIONS.put("Relu", "Relu");
        ACTIVATIONS.put("Sigmoid", "Sigmoid");
        ACTIVATIONS.put("Tanh", "Tanh");
        ACTIVATIONS.put("Gelu", "Gelu");
        ACTIVATIONS.put("dev.kiln.Gelu", "Gelu");
    }

    static List<RewriteRule> rules() {
        List<RewriteRule> out = new ArrayList<>();
        out.add(RewriteRule.of("matmul+bias",
                op("Add", op("MatMul", any("a"), any("b")).bind("mm"), any("bias")).commutative().bind("root"),
                MatMulBiasFusion::bias));
        for (Map.Entry<String, String> e : ACTIVATIONS.entrySet()) {
            String key = e.getKey();
            boolean kiln = key.startsWith("dev.kiln.");
            String opType = kiln ? key.substring("dev.kiln.".length()) : key;
            for (String producer : List.of("MatMul", "Gemm", "FusedMatMul")) {
                Pattern inner = op(producer, any("a"), any("b")).moreInputs().bind("mm");
                if (producer.equals("FusedMatMul")) inner = inner.inDomain(FuseUtil.DOMAIN);
                Pattern root = op(opType, inner).bind("root");
                if (kiln) root = root.inDomain(FuseUtil.DOMAIN);
                if (opType.equals("Gelu")) root = root.moreInputs();
                String name = producer.toLowerCase() + "+" + opType.toLowerCase();
                out.add(RewriteRule.of(name, root, (m, b) -> activation(m, b, e.getValue())));
            }
        }
        return out;
    }

    private static Value bias(Match m, Builder b) {
        Value a = m.value("a"), w = m.value("b"), bias = m.value("bias");
        Value y = m.node("mm").output(0);
        if (!FuseUtil.isF32(a) || !FuseUtil.isF32(w) || !FuseUtil.isF32(bias)) return null;
        if (FuseUtil.rank(a) < 2 || FuseUtil.rank(w) < 2) return null;
        if (!FuseUtil.isLastAxisVector(bias, y)) return null;
        return b.op(FuseUtil.DOMAIN, "FusedMatMul", List.of(a, w, bias), List.of(), FuseUtil.typeOf(m.node("root").output(0)));
    }

    private static Value activation(Match m, Builder b, String act) {
        Node mm = m.node("mm"), root = m.node("root");
        if (root.opType().equals("Gelu")) {
            Attribute approx = root.attribute("approximate");
            if (approx != null && approx.asString().equals("tanh")) act = "GeluTanh";
            else if (approx != null && !approx.asString().equals("none")) return null;
        }
        if (!FuseUtil.isF32(root.output(0))) return null;
        List<Attribute> attrs = new ArrayList<>();
        List<Value> inputs = new ArrayList<>(mm.inputs());
        while (!inputs.isEmpty() && (inputs.getLast() == null || inputs.getLast().name().isEmpty())) inputs.removeLast();
        switch (mm.opType()) {
            case "MatMul" -> {
                if (FuseUtil.rank(mm.input(0)) < 2 || FuseUtil.rank(mm.input(1)) < 2) return null;
            }
            case "Gemm" -> {
                double beta = mm.attribute("beta") == null ? 1.0 : mm.attribute("beta").asFloat();
                if (inputs.size() > 2 && (beta != 1.0 || !FuseUtil.isLastAxisVector(inputs.get(2), mm.output(0)))) return null;
                attrs.add(Attribute.of("transA", FuseUtil.intAttr(mm, "transA", 0)));
                attrs.add(Attribute.of("transB", FuseUtil.intAttr(mm, "transB", 0)));
                if (mm.attribute("alpha") != null) attrs.add(Attribute.of("alpha", mm.attribute("alpha").asFloat()));
            }
            default -> {   // FusedMatMul without an activation yet
                Attribute prev = mm.attribute("activation");
                if (prev != null && !prev.asString().isEmpty()) return null;
                for (Attribute a : mm.attributes().values()) if (!a.name().equals("activation")) attrs.add(a);
            }
        }
        attrs.add(Attribute.of("activation", act));
        return b.op(FuseUtil.DOMAIN, "FusedMatMul", inputs, attrs, FuseUtil.typeOf(root.output(0)));
    }
}
