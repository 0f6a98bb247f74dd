package dev.kiln.codegen.elementwise;

import dev.kiln.codegen.opt.elementwise.ElementwiseFusion;
import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.graph.pass.Verifier;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** What the fusion pass does on hand-built graphs: the program text it writes and what it must leave alone. */
class FusionShapesTest {
    static final TensorType T = TensorType.of(DType.F32, Shape.of(2, 3));

    Graph g;
    Value x, y;

    Value in(String name, TensorType t) {
        Value v = new Value(name, t);
        g.inputs().add(v);
        return v;
    }

    Value op(String op, String out, TensorType t, Value... in) {
        Value v = new Value(out, t);
        g.nodes().add(new Node(out, "", op, List.of(in), List.of(v), Map.of()));
        return v;
    }

    Value scalar(String name, float v, long... dims) {
        Value c = new Value(name, TensorType.of(DType.F32, Shape.of(dims)));
        c.setConstant(Tensor.fromDoubles(DType.F32, new double[] {v}, dims));
        g.initializers().add(c);
        return c;
    }

    void setUp() {
        g = new Graph("t");
        g.opsetImports().put("", 17);
        x = in("x", T);
        y = in("y", T);
    }

    static String program(Node n) { return n.attribute("program").asString(); }

    @Test
    void diamondWithScalarLiteralBecomesOneProgram() {
        setUp();
        Value a = op("Add", "a", T, x, y);
        Value two = scalar("two", 2f);
        Value m = op("Mul", "m", T, a, two);
        Value s = op("Sigmoid", "s", T, a);
        Value out = op("Sub", "out", T, m, s);
        g.outputs().add(out);
        assertTrue(new ElementwiseFusion().run(g, null));
        Verifier.verify(g, "test");
        assertEquals(1, g.nodes().size());
        Node f = g.nodes().getFirst();
        assertEquals("dev.kiln", f.domain());
        assertSame(out, f.output(0));
        assertEquals("x2|add(x0,x1);mul(t0,c2.0);sigmoid(t0);sub(t1,t2)", program(f));
        assertEquals(List.of(x, y), f.inputs());
        assertEquals(1, g.opsetImports().get("dev.kiln"));
    }

    @Test
    void valueReadOutsideTheGroupOrAGraphOutputStaysMaterialized() {
        setUp();
        Value a = op("Add", "a", T, x, y);
        Value r = op("Relu", "r", T, a);
        Value t = op("Tanh", "t", T, r);
        Value other = op("Transpose", "tr", T, a);   // a is read by a non-elementwise op
        g.outputs().addAll(List.of(t, r, other));      // r is a graph output
        new ElementwiseFusion().run(g, null);
        Verifier.verify(g, "test");
        // Add stays (read by Transpose), Relu stays (graph output), Tanh alone is not worth a fused node
        assertEquals(List.of("Add", "Relu", "Tanh", "Transpose"), g.nodes().stream().map(Node::opType).toList());
    }

    @Test
    void whereWithItsComparisonFusesAndCastToFloatIsDropped() {
        setUp();
        TensorType b = TensorType.of(DType.BOOL, Shape.of(2, 3));
        Value c = op("Less", "c", b, x, y);
        Value w = op("Where", "w", T, c, x, y);
        Value cast = new Value("cast", T);
        g.nodes().add(new Node("cast", "", "Cast", List.of(w), List.of(cast), Map.of("to", Attribute.of("to", 1L))));
        Value out = op("Abs", "out", T, cast);
        g.outputs().add(out);
        new ElementwiseFusion().run(g, null);
        assertEquals(1, g.nodes().size());
        assertEquals("x2|lt(x0,x1);where(t0,x0,x1);abs(t1)", program(g.nodes().getFirst()));
    }

    @Test
    void comparisonSharedByTwoWheresFusesOnlyWhenBothAreInside() {
        setUp();
        TensorType b = TensorType.of(DType.BOOL, Shape.of(2, 3));
        Value c = op("Less", "c", b, x, y);
        Value w1 = op("Where", "w1", T, c, x, y);
        Value w2 = op("Where", "w2", T, c, y, x);
        Value out = op("Add", "out", T, w1, w2);
        g.outputs().add(out);
        new ElementwiseFusion().run(g, null);
        assertEquals(1, g.nodes().size());
        assertEquals("x2|lt(x0,x1);where(t0,x0,x1);where(t0,x1,x0);add(t1,t2)", program(g.nodes().getFirst()));

        // w2 is also a graph output, so it stays outside; the mask cannot cross a fused node's boundary
        setUp();
        c = op("Less", "c", b, x, y);
        w1 = op("Where", "w1", T, c, x, y);
        w2 = op("Where", "w2", T, c, y, x);
        out = op("Add", "out", T, w1, w2);
        g.outputs().addAll(List.of(out, w2));
        new ElementwiseFusion().run(g, null);
        Verifier.verify(g, "test");
        assertTrue(g.nodes().stream().anyMatch(n -> n.opType().equals("Less")));
        assertTrue(g.nodes().stream().filter(n -> n.opType().equals("Where")).count() == 2);
    }

    @Test
    void rankCarryingConstantIsKeptAsAnInputWhenNothingElseHasTheRank() {
        setUp();
        TensorType v3 = TensorType.of(DType.F32, Shape.of(3));
        Value z = in("z", v3);
        Value one = scalar("one", 1f, 1, 1);   // [1,1]: broadcasting z with it gives rank 2
        Value a = op("Add", "a", TensorType.of(DType.F32, Shape.of(1, 3)), z, one);
        Value out = op("Relu", "out", TensorType.of(DType.F32, Shape.of(1, 3)), a);
        g.outputs().add(out);
        new ElementwiseFusion().run(g, null);
        Node f = g.nodes().getFirst();
        assertEquals(List.of(z, one), f.inputs());
        assertEquals("x2|add(x0,x1);relu(t0)", program(f));
    }

    @Test
    void nonFloatAndLegacyBroadcastNodesAreNotFused() {
        setUp();
        TensorType i = TensorType.of(DType.I64, Shape.of(2, 3));
        Value p = in("p", i), q = in("q", i);
        Value a = op("Add", "a", i, p, q);
        Value b = op("Mul", "b", i, a, q);
        Value legacy = new Value("legacy", T);
        g.nodes().add(new Node("legacy", "", "Add", List.of(x, y), List.of(legacy), Map.of("broadcast", Attribute.of("broadcast", 1L))));
        Value r = op("Relu", "r", T, legacy);
        g.outputs().addAll(List.of(b, r));
        assertFalse(new ElementwiseFusion().run(g, null));
    }

    @Test
    void lastAxisReductionFoldsIntoItsElementwiseProducer() {
        setUp();
        Value d = op("Sub", "d", T, x, y);
        Value sq = op("Mul", "sq", T, d, d);
        Value mean = new Value("mean", TensorType.of(DType.F32, Shape.of(2, 1)));
        g.nodes().add(new Node("var", "", "ReduceMean", List.of(sq), List.of(mean), Map.of("axes", Attribute.of("axes", new long[] {-1}))));
        g.outputs().add(mean);
        Map<String, Tensor> in = Map.of("x", Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3), "y", Tensor.of(new float[] {0, 0, 0, 1, 1, 1}, 2, 3));
        Tensor want = (Tensor) ElementwiseFusionTest.run(g, in, false).get("mean");
        new ElementwiseFusion().run(g, null);
        Verifier.verify(g, "test");
        assertEquals(1, g.nodes().size());
        Node f = g.nodes().getFirst();
        assertEquals("x2|sub(x0,x1);mul(t0,t0)", program(f));
        assertEquals("mean", f.attribute("reduce").asString());
        Tensor ref = (Tensor) ElementwiseFusionTest.run(g, in, false).get("mean");
        Tensor gen = (Tensor) ElementwiseFusionTest.run(g, in, true).get("mean");
        assertArrayEquals(want.toFloatArray(), ref.toFloatArray());
        assertArrayEquals(new float[] {14f / 3, 50f / 3}, gen.toFloatArray(), 1e-5f);
        assertEquals(Shape.of(2, 1), gen.shape());
    }

    @Test
    void reductionsOverOtherAxesOrWithoutKeepdimsStay() {
        setUp();
        Value sq = op("Mul", "sq", T, x, y);
        Value r0 = new Value("r0", TensorType.of(DType.F32, Shape.of(1, 3)));
        g.nodes().add(new Node("r0", "", "ReduceSum", List.of(sq), List.of(r0), Map.of("axes", Attribute.of("axes", new long[] {0}))));
        Value e = op("Exp", "e", T, x);
        Value r1 = new Value("r1", TensorType.of(DType.F32, Shape.of(2)));
        g.nodes().add(new Node("r1", "", "ReduceMax", List.of(e), List.of(r1), Map.of("axes", Attribute.of("axes", new long[] {1}), "keepdims", Attribute.of("keepdims", 0L))));
        g.outputs().addAll(List.of(r0, r1));
        assertFalse(new ElementwiseFusion().run(g, null));
    }
}
