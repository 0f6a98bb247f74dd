package dev.kiln.graph.infer;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Dim;
import dev.kiln.graph.Graph;
import dev.kiln.graph.InferenceContext;
import dev.kiln.graph.ModelFormatException;
import dev.kiln.graph.Node;
import dev.kiln.graph.OpDef;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TypeInferenceTest {
    private static OpDef op(String type, Consumer<InferenceContext> rule) {
        return new OpDef() {
            @Override public String domain() { return ""; }
            @Override public String opType() { return type; }
            @Override public int sinceVersion() { return 1; }
            @Override public void inferTypes(InferenceContext ctx) { rule.accept(ctx); }
        };
    }

    private static final OpDef SAME = op("Same", c -> c.setOutputType(0, c.inputType(0)));
    private static final OpDef TO_I64 = op("ToI64", c -> {
        TensorType t = (TensorType) c.inputType(0);
        c.setOutputType(0, new TensorType(DType.I64, t.dims()));
    });
    private static final OpDef BROKEN = op("Broken", c -> { throw new IllegalStateException("rule bug"); });
    /** Output is a 1-D tensor whose length is the constant input's first value (needs constant propagation). */
    private static final OpDef FROM_CONST = op("FromConst", c -> {
        Tensor k = c.constantInput(1);
        c.setOutputType(0, new TensorType(DType.F32, List.of(k == null ? Dim.UNKNOWN : Dim.of(k.getLong(0)))));
    });
    private static final Map<String, OpDef> OPS = Map.of("Same", SAME, "ToI64", TO_I64, "Broken", BROKEN,
            "FromConst", FROM_CONST, "Constant", op("Constant", c -> { }), "If", op("If", c -> { }));
    private static final TypeInference.OpResolver RESOLVER = (n, opset) -> OPS.get(n.opType());

    private static Graph graph() {
        Graph g = new Graph("g");
        g.opsetImports().put("", 13);
        return g;
    }

    private static Value in(Graph g, String name, DType t, Dim... dims) {
        Value v = new Value(name, new TensorType(t, List.of(dims)));
        g.inputs().add(v);
        return v;
    }

    private static Value node(Graph g, String op, List<Value> ins, ValueType declared) {
        Value out = new Value(op.toLowerCase() + g.nodes().size(), declared);
        g.addNode(new Node("", "", op, ins, List.of(out), Map.of()));
        return out;
    }

    @Test void propagatesInTopologicalOrder() {
        Graph g = graph();
        Value x = in(g, "x", DType.F32, Dim.sym("N"), Dim.of(4));
        Value a = node(g, "Same", List.of(x), ValueType.UNKNOWN);
        Value b = node(g, "ToI64", List.of(a), ValueType.UNKNOWN);
        var d = TypeInference.run(g, RESOLVER);
        assertEquals("float32[N,4]", a.type().toString());
        assertEquals("int64[N,4]", b.type().toString());
        assertEquals(2, d.typedOutputs());
        assertTrue(d.warnings().isEmpty(), d.warnings().toString());
    }

    @Test void failingRulesAndUnknownOpsLeaveTypesUnknownWithAWarning() {
        Graph g = graph();
        Value x = in(g, "x", DType.F32, Dim.of(2));
        Value a = node(g, "Broken", List.of(x), ValueType.UNKNOWN);
        Value b = node(g, "Mystery", List.of(a), ValueType.UNKNOWN);
        Value c = node(g, "Same", List.of(b), ValueType.UNKNOWN);
        var d = TypeInference.run(g, RESOLVER);
        assertInstanceOf(ValueType.UnknownType.class, a.type());
        assertInstanceOf(ValueType.UnknownType.class, c.type());
        assertEquals(2, d.warnings().size(), d.warnings().toString());
        assertTrue(d.warnings().get(0).contains("rule bug"), d.warnings().get(0));
    }

    @Test void declaredInformationIsKeptWhereInferenceKnowsLess() {
        Graph g = graph();
        Value x = in(g, "x", DType.F32, Dim.UNKNOWN, Dim.of(3));
        Value a = node(g, "Same", List.of(x), new TensorType(DType.F32, List.of(Dim.sym("batch"), Dim.UNKNOWN)));
        TypeInference.run(g, RESOLVER);
        assertEquals("float32[batch,3]", a.type().toString());
    }

    @Test void dtypeContradictingTheDeclarationIsAnError() {
        Graph g = graph();
        Value x = in(g, "x", DType.F32, Dim.of(2));
        node(g, "ToI64", List.of(x), new TensorType(DType.F32, List.of(Dim.of(2))));
        var e = assertThrows(ModelFormatException.class, () -> TypeInference.run(g, RESOLVER));
        assertTrue(e.getMessage().contains("declared float32[2]") && e.getMessage().contains("int64[2]"), e.getMessage());
    }

    @Test void constantsFromConstantNodesAndInitializersReachRules() {
        Graph g = graph();
        Value x = in(g, "x", DType.F32, Dim.of(2));
        Value k = new Value("k", ValueType.UNKNOWN);
        g.addNode(new Node("", "", "Constant", List.of(), List.of(k), Map.of("value", Attribute.of("value", Tensor.ofLongs(new long[] {7}, 1)))));
        Value a = node(g, "FromConst", List.of(x, k), ValueType.UNKNOWN);
        Value w = new Value("w", ValueType.UNKNOWN);
        w.setConstant(Tensor.ofLongs(new long[] {5}, 1));
        g.initializers().add(w);
        Value b = node(g, "FromConst", List.of(x, w), ValueType.UNKNOWN);
        TypeInference.run(g, RESOLVER);
        assertEquals("float32[7]", a.type().toString());
        assertEquals("float32[5]", b.type().toString());
        assertEquals("int64[1]", w.type().toString(), "initializers get their constant's type");
    }

    @Test void folderResultsFeedLaterRules() {
        Graph g = graph();
        Value x = in(g, "x", DType.F32, Dim.of(2));
        Value w = new Value("w", ValueType.UNKNOWN);
        w.setConstant(Tensor.ofLongs(new long[] {3}, 1));
        g.initializers().add(w);
        Value doubled = node(g, "Same", List.of(w), ValueType.UNKNOWN);
        Value a = node(g, "FromConst", List.of(x, doubled), ValueType.UNKNOWN);
        TypeInference.Folder twice = (n, op, opset, ins) ->
                n.opType().equals("Same") ? new Tensor[] {Tensor.ofLongs(new long[] {ins.get(0).getLong(0) * 2}, 1)} : null;
        TypeInference.run(g, RESOLVER, twice);
        assertEquals("float32[6]", a.type().toString());
    }

    @Test void subgraphsAreInferredWithOuterScopeTypes() {
        Graph g = graph();
        Value x = in(g, "x", DType.F32, Dim.of(3));
        Graph body = new Graph("then");
        Value inner = new Value("inner", ValueType.UNKNOWN);
        body.addNode(new Node("", "", "Same", List.of(x), List.of(inner), Map.of()));
        body.outputs().add(inner);
        Value out = new Value("out", ValueType.UNKNOWN);
        g.addNode(new Node("", "", "If", List.of(x), List.of(out), Map.of("then_branch", Attribute.of("then_branch", body))));
        TypeInference.run(g, RESOLVER);
        assertEquals("float32[3]", inner.type().toString());
        assertNotNull(out.type());
    }
}
