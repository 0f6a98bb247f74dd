package dev.kiln.ops.shape;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Dim;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.graph.infer.TypeInference;
import dev.kiln.ops.OpRegistry;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Static type rules keep symbolic dims wherever an op only moves them, and compute known dims exactly. */
class ShapeInferenceTest {
    private static final Dim B = Dim.sym("batch"), S = Dim.sym("seq");

    private static TensorType t(DType dt, Dim... d) { return new TensorType(dt, List.of(d)); }
    private static Dim k(long v) { return Dim.of(v); }

    /** Infers the single output of {@code op} whose inputs are typed values or constants (Tensor). */
    private static ValueType infer(String op, int opset, List<Object> inputs, Attribute... attrs) {
        Graph g = new Graph("g");
        g.opsetImports().put("", opset);
        List<Value> in = new ArrayList<>();
        int i = 0;
        for (Object x : inputs) {
            if (x == null) { in.add(null); continue; }
            Value v;
            if (x instanceof Tensor c) {
                v = new Value("c" + i, TensorType.of(c.dtype(), c.shape()));
                v.setConstant(c);
                g.initializers().add(v);
            } else {
                v = new Value("x" + i, (ValueType) x);
                g.inputs().add(v);
            }
            in.add(v);
            i++;
        }
        Value out = new Value("y", ValueType.UNKNOWN);
        Map<String, Attribute> a = new LinkedHashMap<>();
        for (Attribute x : attrs) a.put(x.name(), x);
        g.addNode(new Node("n", "", op, in, List.of(out), a));
        g.outputs().add(out);
        OpRegistry reg = OpRegistry.standard();
        TypeInference.run(g, (n, v) -> reg.lookup(n.domain(), n.opType(), v));
        return out.type();
    }

    private static Tensor longs(long... v) { return Tensor.ofLongs(v, v.length); }

    @Test void reshapeCopiesSymbolsForZeroAndInfersMinusOneWhenKnown() {
        assertEquals(t(DType.F32, B, S, k(12), k(32)),
                infer("Reshape", 21, List.of(t(DType.F32, B, S, k(384)), longs(0, 0, 12, 32))));
        assertEquals(t(DType.F32, k(4), k(6)), infer("Reshape", 21, List.of(t(DType.F32, k(2), k(3), k(4)), longs(4, -1))));
        assertEquals(t(DType.F32, B, Dim.UNKNOWN), infer("Reshape", 21, List.of(t(DType.F32, B, S, k(4)), longs(0, -1))));
    }

    @Test void layoutOpsMoveSymbols() {
        assertEquals(t(DType.F32, B, k(12), S, k(32)),
                infer("Transpose", 21, List.of(t(DType.F32, B, S, k(12), k(32))), Attribute.of("perm", new long[]{0, 2, 1, 3})));
        assertEquals(t(DType.I64, B, k(1), k(1), S),
                infer("Unsqueeze", 21, List.of(t(DType.I64, B, S), longs(1, 2))));
        assertEquals(t(DType.I64, B, S), infer("Squeeze", 21, List.of(t(DType.I64, B, k(1), S), longs(1))));
        assertEquals(t(DType.F32, B, k(7)),
                infer("Concat", 13, List.of(t(DType.F32, B, k(3)), t(DType.F32, B, k(4))), Attribute.of("axis", -1L)));
        assertEquals(t(DType.F32, B, S, k(384)),
                infer("Gather", 13, List.of(t(DType.F32, k(30522), k(384)), t(DType.I64, B, S))));
        assertEquals(t(DType.I64, k(2)), infer("Shape", 21, List.of(t(DType.F32, B, S))));
        assertEquals(t(DType.F32, B, k(12)), infer("Flatten", 21, List.of(t(DType.F32, B, k(3), k(4))), Attribute.of("axis", 1L)));
    }

    @Test void sliceComputesKnownDimsAndKeepsUntouchedSymbols() {
        assertEquals(t(DType.F32, B, k(2)),
                infer("Slice", 13, List.of(t(DType.F32, B, k(10)), longs(-1), longs(Long.MIN_VALUE), longs(1), longs(-5))));
        assertEquals(t(DType.F32, B, k(6)),
                infer("Pad", 21, List.of(t(DType.F32, B, k(3)), longs(0, 1, 0, 2))));
    }
}
