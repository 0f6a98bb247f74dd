package dev.kiln.formats.onnx;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.ModelFormatException;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.tensor.DType;
import org.junit.jupiter.api.Test;

import java.util.List;

import static dev.kiln.formats.onnx.Pb.*;
import static org.junit.jupiter.api.Assertions.*;

class OnnxImportTest {
    static final int F = 1, I64 = 7;

    static OnnxModel load(byte[] b) { return OnnxModel.load(b, "mem.onnx"); }

    @Test
    void importsNodesInitializersAndTypes() {
        byte[] m = model(13, graph("g",
                input("x", F, 2, 3),
                initializer(tensorRaw("w", F, new long[] {3}, floatsLE(1, 2, 3))),
                node("Add", List.of("x", "w"), List.of("y")),
                node("Relu", List.of("y"), List.of("z")),
                output("z", F, 2, 3)));
        try (OnnxModel om = load(m)) {
            Graph g = om.graph();
            assertEquals(8, om.irVersion());
            assertEquals(13, om.opset(""));
            assertEquals(13, g.opset("ai.onnx"));
            assertEquals(List.of("x"), g.inputs().stream().map(Value::name).toList());
            assertEquals(1, g.initializers().size());
            Value w = g.initializers().get(0);
            assertArrayEquals(new float[] {1, 2, 3}, w.constant().toFloatArray());
            assertEquals(ValueType.TensorType.of(DType.F32, dev.kiln.tensor.Shape.of(3)), w.type());
            Node add = g.nodes().get(0), relu = g.nodes().get(1);
            assertSame(g.inputs().get(0), add.input(0));
            assertSame(w, add.input(1));
            assertSame(add.output(0), relu.input(0));
            assertSame(relu.output(0), g.outputs().get(0));
            assertEquals("float32[2,3]", g.outputs().get(0).type().toString());
            assertSame(relu, relu.output(0).producer());
        }
    }

    @Test
    void initializerListedAsInputIsAnInputWithADefault() {
        byte[] m = model(9, graph("g",
                input("x", F, 1), input("b", F, 1),
                initializer(tensorRaw("b", F, new long[] {1}, floatsLE(5))),
                node("Add", List.of("x", "b"), List.of("y")), output("y", F, 1)));
        try (OnnxModel om = load(m)) {
            Graph g = om.graph();
            assertEquals(2, g.inputs().size());
            assertEquals(5f, g.inputs().get(1).constant().getFloat(0));
            assertEquals(List.of(g.inputs().get(0)), g.requiredInputs());
        }
    }

    @Test
    void sortsNodesTopologically() {
        byte[] m = model(13, graph("g", input("x", F, 1),
                node("Neg", List.of("b"), List.of("c")),
                node("Relu", List.of("a"), List.of("b")),
                node("Abs", List.of("x"), List.of("a")),
                output("c", F, 1)));
        try (OnnxModel om = load(m)) {
            assertEquals(List.of("Abs", "Relu", "Neg"), om.graph().nodes().stream().map(Node::opType).toList());
        }
    }

    @Test
    void reportsCycles() {
        byte[] m = model(13, graph("g", input("x", F, 1),
                node("Add", List.of("x", "b"), List.of("a")),
                node("Relu", List.of("a"), List.of("b")),
                output("b", F, 1)));
        var e = assertThrows(ModelFormatException.class, () -> load(m));
        assertTrue(e.getMessage().contains("cycle") && e.getMessage().contains("mem.onnx"), e.getMessage());
    }

    @Test
    void reportsEveryDanglingInputAndDuplicateWithNodeNames() {
        byte[] m = model(13, graph("g", input("x", F, 1),
                nodeNamed("n1", "", "Add", List.of("x", "nope1"), List.of("a")),
                nodeNamed("n2", "", "Add", List.of("a", "nope2"), List.of("b")),
                nodeNamed("n3", "", "Relu", List.of("x"), List.of("a")),
                output("b", F, 1)));
        var e = assertThrows(ModelFormatException.class, () -> load(m));
        String msg = e.getMessage();
        assertTrue(msg.contains("nope1") && msg.contains("nope2") && msg.contains("'n1'") && msg.contains("'n2'"), msg);
        assertTrue(msg.contains("'a'") && msg.contains("'n3'"), msg);
    }

    @Test
    void duplicateInitializerAndOutputOverInputAreErrors() {
        assertThrows(ModelFormatException.class, () -> load(model(13, graph("g", input("x", F, 1),
                initializer(tensorRaw("w", F, new long[] {1}, floatsLE(1))),
                initializer(tensorRaw("w", F, new long[] {1}, floatsLE(2))),
                node("Add", List.of("x", "w"), List.of("y")), output("y", F, 1)))));
        assertThrows(ModelFormatException.class, () -> load(model(13, graph("g", input("x", F, 1),
                node("Relu", List.of("x"), List.of("x")), output("x", F, 1)))));
        assertThrows(ModelFormatException.class, () -> load(model(13, graph("g", input("x", F, 1),
                node("Relu", List.of("x"), List.of("y")), output("missing", F, 1)))));
    }

    @Test
    void emptyInputNameIsAnAbsentOptionalInput() {
        byte[] m = model(13, graph("g", input("x", F, 4),
                node("Clip", List.of("x", "", "hi"), List.of("y")),
                initializer(tensorRaw("hi", F, new long[] {}, floatsLE(6))),
                output("y", F, 4)));
        try (OnnxModel om = load(m)) {
            Node clip = om.graph().nodes().get(0);
            assertEquals(3, clip.inputs().size());
            assertNull(clip.input(1));
            assertEquals("hi", clip.input(2).name());
        }
    }

    @Test
    void subgraphsCaptureOuterValuesAsTheSameObject() {
        // 'late' is produced after the If node in file order: the capture must still order it first.
        Part thenG = graph("then", node("Add", List.of("x", "late"), List.of("t")), outputUntyped("t"));
        Part elseG = graph("else", node("Identity", List.of("late"), List.of("e")), outputUntyped("e"));
        byte[] m = model(16, graph("g", input("x", F, 1), input("c", 9),
                node("If", List.of("c"), List.of("y"), attrGraph("then_branch", thenG), attrGraph("else_branch", elseG)),
                node("Neg", List.of("x"), List.of("late")),
                output("y", F, 1)));
        try (OnnxModel om = load(m)) {
            Graph g = om.graph();
            assertEquals(List.of("Neg", "If"), g.nodes().stream().map(Node::opType).toList());
            Value late = g.nodes().get(0).output(0);
            Node ifNode = g.nodes().get(1);
            Graph then = ifNode.attribute("then_branch").asGraph();
            Node add = then.nodes().get(0);
            assertSame(g.inputs().get(0), add.input(0));
            assertSame(late, add.input(1));
            assertSame(late, ifNode.attribute("else_branch").asGraph().nodes().get(0).input(0));
            assertEquals(16, then.opset(""));
            assertSame(add.output(0), then.outputs().get(0));
        }
    }

    @Test
    void subgraphOutputMayBeAnOuterValueDirectly() {
        Part body = graph("b", outputUntyped("x"));
        byte[] m = model(16, graph("g", input("x", F, 1), input("c", 9),
                node("If", List.of("c"), List.of("y"), attrGraph("then_branch", body), attrGraph("else_branch", body)),
                output("y", F, 1)));
        try (OnnxModel om = load(m)) {
            Graph then = om.graph().nodes().get(0).attribute("then_branch").asGraph();
            assertSame(om.graph().inputs().get(0), then.outputs().get(0));
        }
    }

    @Test
    void danglingNameInsideSubgraphIsReported() {
        Part body = graph("b", node("Neg", List.of("ghost"), List.of("t")), outputUntyped("t"));
        byte[] m = model(16, graph("g", input("c", 9),
                node("If", List.of("c"), List.of("y"), attrGraph("then_branch", body), attrGraph("else_branch", body)),
                output("y", F, 1)));
        var e = assertThrows(ModelFormatException.class, () -> load(m));
        assertTrue(e.getMessage().contains("ghost"), e.getMessage());
    }

    @Test
    void attributesOfEveryCommonKind() {
        byte[] m = model(13, graph("g", input("x", F, 1),
                node("Foo", List.of("x"), List.of("y"), attrInt("i", -3), attrFloat("f", 0.5f), attrString("s", "héllo"),
                        attrInts("is", 1, -2, 3), attrTensor("t", tensorRaw("", F, new long[] {2}, floatsLE(7, 8))),
                        a -> a.string(1, "fs").int64(20, 6).float32(7, 1f).float32(7, 2f),
                        a -> a.string(1, "ss").int64(20, 8).string(9, "a").string(9, "b"),
                        a -> a.string(1, "tp").int64(20, 13).message(14, typeTensor(7, 2))),
                output("y", F, 1)));
        try (OnnxModel om = load(m)) {
            Node n = om.graph().nodes().get(0);
            assertEquals(-3, n.attribute("i").asInt());
            assertEquals(0.5f, n.attribute("f").asFloat());
            assertEquals("héllo", n.attribute("s").asString());
            assertArrayEquals(new long[] {1, -2, 3}, n.attribute("is").asInts());
            assertArrayEquals(new float[] {7, 8}, n.attribute("t").asTensor().toFloatArray());
            assertArrayEquals(new float[] {1, 2}, n.attribute("fs").asFloats());
            assertArrayEquals(new String[] {"a", "b"}, n.attribute("ss").asStrings());
            assertEquals("int64[2]", n.attribute("tp").asType().toString());
            assertEquals(Attribute.Kind.TYPE, n.attribute("tp").kind());
        }
    }

    @Test
    void symbolicAndUnknownDims() {
        Part type = t -> t.message(1, tt -> tt.int64(1, 1).message(2, s -> {
            s.message(1, d -> d.string(2, "batch"));
            s.message(1, d -> { });
            s.message(1, d -> d.int64(1, 4));
        }));
        byte[] m = model(13, graph("g", inputTyped("x", type), node("Relu", List.of("x"), List.of("y")), outputUntyped("y")));
        try (OnnxModel om = load(m)) {
            assertEquals("float32[batch,?,4]", om.graph().inputs().get(0).type().toString());
            assertEquals(ValueType.UNKNOWN, om.graph().outputs().get(0).type());
        }
    }

    @Test
    void sequenceOptionalAndMapTypes() {
        Part seq = t -> t.message(4, s -> s.message(1, typeTensor(1, 2)));
        Part opt = t -> t.message(9, o -> o.message(1, seq));
        Part map = t -> t.message(5, mp -> mp.int64(1, 7).message(2, typeTensor(1)));
        byte[] m = model(18, graph("g", inputTyped("s", seq), inputTyped("o", opt), inputTyped("m", map),
                node("Foo", List.of("s", "o", "m"), List.of("y")), outputUntyped("y")));
        try (OnnxModel om = load(m)) {
            List<Value> in = om.graph().inputs();
            assertEquals("seq(float32[2])", in.get(0).type().toString());
            assertEquals("optional(seq(float32[2]))", in.get(1).type().toString());
            assertEquals("map(int64,float32[])", in.get(2).type().toString());
        }
    }
}
