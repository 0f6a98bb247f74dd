package dev.kiln.codegen.opt;

import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.graph.pass.Pass;
import dev.kiln.graph.pass.PassContext;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.interp.Interpreter;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Evaluates nodes whose inputs are all constant with the reference kernels (the same oracle every test uses, so
 * folding cannot change numerics) and turns their outputs into initializers. {@code Constant} nodes, having no
 * inputs, become initializers too.
 *
 * <p>Not folded: random and training-mode ops (their result must differ per run), nodes with subgraphs, and
 * results larger than {@link #MAX_ELEMENTS} elements — a fold trades a run-time computation for resident memory,
 * and a model must not be able to make the optimizer allocate without bound. Ops that can produce more elements
 * than they read are folded only when type inference already bounded their output.
 */
public final class ConstantFolding implements Pass {
    static final long MAX_ELEMENTS = 1L << 20;
    private static final Set<String> NONDETERMINISTIC = Set.of("RandomNormal", "RandomUniform", "RandomNormalLike",
            "RandomUniformLike", "Bernoulli", "Multinomial");
    /** Ops whose output size comes from input values, not input sizes: folded only with a static, bounded type. */
    private static final Set<String> GROWING = Set.of("ConstantOfShape", "Expand", "Tile", "Range", "Pad", "Resize",
            "Upsample", "OneHot", "Col2Im", "MatMul", "Gemm", "Einsum", "ScatterND", "Compress", "NonZero", "Unique",
            "TopK", "CenterCropPad", "BlackmanWindow", "HannWindow", "HammingWindow", "MelWeightMatrix", "DFT", "STFT");

    private final OpRegistry registry;

    public ConstantFolding() { this(OpRegistry.standard()); }

    public ConstantFolding(OpRegistry registry) { this.registry = registry; }

    @Override public String name() { return "constant-folding"; }

    @Override public boolean run(Graph g, PassContext ctx) {
        boolean changed = false;
        for (int i = 0; i < g.nodes().size(); i++) {
            Node n = g.nodes().get(i);
            Tensor[] out = tryFold(g, n);
            if (out == null) continue;
            g.nodes().remove(i--);
            for (int k = 0; k < out.length; k++) {
                Value v = n.output(k);
                if (!Values.absent(v)) Values.replaceByConstant(g, v, out[k]);
            }
            changed = true;
        }
        return changed;
    }

    /** The outputs of {@code n} evaluated now, or null when it must not (or cannot) be folded. */
    Tensor[] tryFold(Graph g, Node n) {
        if (NONDETERMINISTIC.contains(n.opType()) || Values.hasSubgraph(n)) return null;
        if (n.opType().equals("Dropout") && !inferenceDropout(g, n)) return null;
        boolean anyOutput = false;
        for (Value v : n.outputs()) anyOutput |= !Values.absent(v);
        if (!anyOutput) return null;
        long inElements = 0;
        Map<String, Object> feed = new HashMap<>();
        Graph one = new Graph("fold");
        one.opsetImports().putAll(g.opsetImports());
        for (Value v : n.inputs()) {
            if (Values.absent(v)) continue;
            Tensor c = Values.constant(g, v);
            if (c == null) return null;
            inElements += c.numel();
            if (!one.inputs().contains(v)) { one.inputs().add(v); feed.put(v.name(), c); }
        }
        // A node without inputs is a source: only Constant is known to be pure.
        if (one.inputs().isEmpty() && !n.opType().equals("Constant")) return null;
        if (!outputsBounded(n, inElements)) return null;
        if (registry.lookup(n.domain(), n.opType(), g.opset(n.domain())) == null) return null;
        for (Value v : n.outputs()) if (!Values.absent(v)) one.outputs().add(v);
        one.nodes().add(n);
        Map<String, Object> result;
        try {
            result = new Interpreter(one, registry).run(feed);
        } catch (RuntimeException e) {
            return null;   // a node that fails on its constants fails at run time too, with the kernel's message
        }
        Tensor[] out = new Tensor[n.outputs().size()];
        for (int k = 0; k < out.length; k++) {
            Value v = n.output(k);
            if (Values.absent(v)) continue;
            if (!(result.get(v.name()) instanceof Tensor t) || t.numel() > MAX_ELEMENTS) return null;
            out[k] = t.contiguous();
        }
        return out;
    }

    private boolean outputsBounded(Node n, long inElements) {
        List<Shape> known = new ArrayList<>();
        for (Value v : n.outputs()) {
            if (Values.absent(v)) continue;
            Shape s;
            try {
                s = v.type() instanceof ValueType.TensorType t ? t.shapeOrNull() : null;
            } catch (ArithmeticException | IllegalArgumentException e) {
                // Static dims whose product overflows (a hostile or broken model): far too big to fold. Leave the
                // node to fail at run time with its kernel's message naming it, instead of failing the whole pass.
                return false;
            }
            if (s == null) { known = null; break; }
            known.add(s);
        }
        if (known != null) {
            for (Shape s : known) if (s.numel() > MAX_ELEMENTS) return false;
            return true;
        }
        return !GROWING.contains(n.opType()) && inElements <= MAX_ELEMENTS;
    }

    /** Dropout is deterministic only in inference mode: no training_mode input set to true (opset 12+). */
    private static boolean inferenceDropout(Graph g, Node n) {
        if (g.opset("") < 7 && Values.intAttr(n, "is_test", 0) == 0) return false;
        Value training = n.input(2);
        if (Values.absent(training)) return true;
        long[] t = Values.longs(g, training);
        return t != null && t.length == 1 && t[0] == 0;
    }
}
