package dev.kiln.codegen.opt.elementwise;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.ops.fused.FusedElementwiseProgram.Op;
import dev.kiln.tensor.DType;

import java.util.List;
import java.util.Map;

/** Which ONNX nodes the elementwise fusion may absorb, and the program op each becomes. */
final class ElementwiseOps {
    private ElementwiseOps() {}

    enum Kind { NONE, FLOAT, MASK }

    private static final Map<String, Op> OPS = Map.ofEntries(
            Map.entry("Add", Op.ADD), Map.entry("Sub", Op.SUB), Map.entry("Mul", Op.MUL), Map.entry("Div", Op.DIV),
            Map.entry("Pow", Op.POW), Map.entry("Max", Op.MAX), Map.entry("Min", Op.MIN),
            Map.entry("Neg", Op.NEG), Map.entry("Abs", Op.ABS), Map.entry("Sqrt", Op.SQRT), Map.entry("Exp", Op.EXP),
            Map.entry("Log", Op.LOG), Map.entry("Tanh", Op.TANH), Map.entry("Sin", Op.SIN), Map.entry("Cos", Op.COS),
            Map.entry("Reciprocal", Op.RECIP), Map.entry("Relu", Op.RELU), Map.entry("Sigmoid", Op.SIGMOID),
            Map.entry("Erf", Op.ERF), Map.entry("Floor", Op.FLOOR), Map.entry("Ceil", Op.CEIL),
            Map.entry("Less", Op.LT), Map.entry("LessOrEqual", Op.LE), Map.entry("Greater", Op.GT),
            Map.entry("GreaterOrEqual", Op.GE), Map.entry("Equal", Op.EQ), Map.entry("Where", Op.WHERE));

    /** The program op of a fusible node; null for an f32 -> f32 Cast (an identity). */
    static Op programOp(Node n) { return OPS.get(n.opType()); }

    /**
     * FLOAT for a fusible node with an f32 result, MASK for a comparison of f32 operands that only Where nodes
     * read (as their condition), NONE otherwise.
     */
    static Kind kind(Node n, Map<Value, List<Node>> uses) {
        if (!n.domain().isEmpty() || n.outputs().size() != 1 || n.output(0) == null) return Kind.NONE;
        // opsets before 7 broadcast by attribute ("broadcast", "axis"): leave those to the reference kernels
        if (n.attribute("broadcast") != null || n.attribute("axis") != null) return Kind.NONE;
        String op = n.opType();
        if (op.equals("Cast")) {
            Attribute to = n.attribute("to");
            return to != null && to.kind() == Attribute.Kind.INT && to.asInt() == DType.F32.onnxCode()
                    && allF32(n.inputs()) && isF32(n.output(0)) ? Kind.FLOAT : Kind.NONE;
        }
        Op p = OPS.get(op);
        if (p == null || n.inputs().size() != p.arity) return Kind.NONE;
        for (Value v : n.inputs()) if (v == null) return Kind.NONE;
        if (p.isComparison()) {
            if (!allF32(n.inputs()) || !isType(n.output(0), DType.BOOL)) return Kind.NONE;
            List<Node> readers = uses.getOrDefault(n.output(0), List.of());
            if (readers.isEmpty()) return Kind.NONE;
            for (Node r : readers)
                if (!r.opType().equals("Where") || !r.domain().isEmpty() || r.input(0) != n.output(0)
                        || r.input(1) == n.output(0) || r.input(2) == n.output(0)) return Kind.NONE;
            return Kind.MASK;
        }
        if (p == Op.WHERE) {
            Node c = n.input(0).producer();
            if (c == null || kind(c, uses) != Kind.MASK) return Kind.NONE;
            return allF32(n.inputs().subList(1, 3)) && isF32(n.output(0)) ? Kind.FLOAT : Kind.NONE;
        }
        return allF32(n.inputs()) && isF32(n.output(0)) ? Kind.FLOAT : Kind.NONE;
    }

    private static boolean allF32(List<Value> vs) {
        for (Value v : vs) if (v == null || !isF32(v)) return false;
        return true;
    }

    static boolean isF32(Value v) { return isType(v, DType.F32); }

    private static boolean isType(Value v, DType t) {
        if (v.constant() != null) return v.constant().dtype() == t;
        return v.type() instanceof TensorType tt && tt.dtype() == t;
    }
}
