package dev.kiln.formats.onnx;

import dev.kiln.graph.Graph;
import dev.kiln.graph.ModelFormatException;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static dev.kiln.formats.onnx.Pb.*;
import static org.junit.jupiter.api.Assertions.*;

class FunctionInliningTest {
    static final int F = 1;

    /** custom.ScaledLeaky(a, b) -> (c) = LeakyRelu(Mul(a, b), alpha = @alpha); 'unused' output also computed. */
    static final Part SCALED_LEAKY = function("custom", "ScaledLeaky", List.of("a", "b"), List.of("c", "aux"), List.of("alpha"),
            fnode("Mul", List.of("a", "b"), List.of("t")),
            fnode("LeakyRelu", List.of("t"), List.of("c"), attrRef("alpha", "alpha", 1)),
            fnode("Neg", List.of("c"), List.of("aux")),
            fnode("Relu", List.of("aux"), List.of("t2")));

    static Part customOpset = w -> w.message(8, o -> o.string(1, "custom").int64(2, 1));

    @Test
    void inlinesCallsWithUniqueNamesBoundIOAndSubstitutedAttributes() {
        byte[] m = model(17, graph("g", input("x", F, 2), input("y", F, 2),
                nodeNamed("call1", "custom", "ScaledLeaky", List.of("x", "y"), List.of("r1"), attrFloat("alpha", 0.25f)),
                nodeNamed("call2", "custom", "ScaledLeaky", List.of("r1", "y"), List.of("r2", "aux2")),
                output("r2", F, 2), output("aux2", F, 2)), SCALED_LEAKY, customOpset);
        try (OnnxModel om = OnnxModel.load(m, "fn.onnx")) {
            Graph g = om.graph();
            List<Node> nodes = g.nodes();
            assertEquals(List.of("Mul", "LeakyRelu", "Neg", "Relu", "Mul", "LeakyRelu", "Neg", "Relu"),
                    nodes.stream().map(Node::opType).toList());
            assertSame(g.inputs().get(0), nodes.get(0).input(0));
            assertSame(g.inputs().get(1), nodes.get(0).input(1));
            assertEquals(0.25f, nodes.get(1).attribute("alpha").asFloat());
            // the second call has no alpha and the function no default: the attribute is dropped (op default applies)
            assertNull(nodes.get(5).attribute("alpha"));
            assertEquals("r1", nodes.get(1).output(0).name());
            assertSame(nodes.get(1).output(0), nodes.get(4).input(0));
            assertSame(nodes.get(5).output(0), g.outputs().get(0));
            assertSame(nodes.get(6).output(0), g.outputs().get(1));
            // internal names are unique across calls and do not clash with the graph's names
            Set<String> names = new HashSet<>();
            for (Node n : nodes) for (Value v : n.outputs()) assertTrue(names.add(v.name()), v.name());
            assertNotEquals(nodes.get(0).output(0).name(), nodes.get(4).output(0).name());
            assertEquals(1, om.opset("custom"));
        }
    }

    @Test
    void functionDefaultAttributeIsUsedWhenCallerOmitsIt() {
        Part fn = w -> w.message(25, f -> {
            f.string(1, "Leaky").string(4, "a").string(5, "c").string(10, "custom");
            f.message(11, a -> a.string(1, "alpha").int64(20, 1).float32(2, 0.125f));
            fnode("LeakyRelu", List.of("a"), List.of("c"), attrRef("alpha", "alpha", 1)).accept(f);
        });
        byte[] m = model(17, graph("g", input("x", F, 2),
                nodeNamed("call", "custom", "Leaky", List.of("x"), List.of("y")), output("y", F, 2)), fn, customOpset);
        try (OnnxModel om = OnnxModel.load(m, "fn.onnx")) {
            assertEquals(0.125f, om.graph().nodes().get(0).attribute("alpha").asFloat());
        }
    }

    @Test
    void nestedCallsAndCallsInsideSubgraphsAreInlined() {
        Part inner = function("custom", "Inner", List.of("p"), List.of("q"), List.of(), fnode("Neg", List.of("p"), List.of("q")));
        Part outer = w -> w.message(25, f -> {
            f.string(1, "Outer").string(4, "a").string(5, "c").string(10, "custom");
            f.message(7, n -> n.string(1, "a").string(2, "m").string(4, "Inner").string(7, "custom"));
            fnode("Abs", List.of("m"), List.of("c")).accept(f);
        });
        Part body = graph("then", nodeNamed("sub", "custom", "Outer", List.of("x"), List.of("t")), outputUntyped("t"));
        byte[] m = model(17, graph("g", input("x", F, 1), input("c", 9),
                nodeNamed("call", "custom", "Outer", List.of("x"), List.of("y")),
                node("If", List.of("c"), List.of("z"), attrGraph("then_branch", body), attrGraph("else_branch", body)),
                output("y", F, 1), output("z", F, 1)), inner, outer, customOpset);
        try (OnnxModel om = OnnxModel.load(m, "fn.onnx")) {
            Graph g = om.graph();
            assertEquals(List.of("Neg", "Abs", "If"), g.nodes().stream().map(Node::opType).toList());
            Graph then = g.nodes().get(2).attribute("then_branch").asGraph();
            assertEquals(List.of("Neg", "Abs"), then.nodes().stream().map(Node::opType).toList());
            assertSame(g.inputs().get(0), then.nodes().get(0).input(0));
        }
    }

    @Test
    void recursiveFunctionsAreRejected() {
        Part rec = w -> w.message(25, f -> {
            f.string(1, "Rec").string(4, "a").string(5, "c").string(10, "custom");
            f.message(7, n -> n.string(1, "a").string(2, "c").string(4, "Rec").string(7, "custom"));
        });
        byte[] m = model(17, graph("g", input("x", F, 1),
                nodeNamed("call", "custom", "Rec", List.of("x"), List.of("y")), output("y", F, 1)), rec, customOpset);
        var e = assertThrows(ModelFormatException.class, () -> OnnxModel.load(m, "fn.onnx"));
        assertTrue(e.getMessage().contains("Rec"), e.getMessage());
    }

    @Test
    void exponentialExpansionIsBounded() {
        // F0 calls F1 twice, F1 calls F2 twice, ... : 2^40 nodes if unchecked.
        Part[] fns = new Part[41];
        for (int i = 0; i < 40; i++) {
            String next = "F" + (i + 1), me = "F" + i;
            fns[i] = w -> w.message(25, f -> {
                f.string(1, me).string(4, "a").string(5, "c").string(10, "custom");
                f.message(7, n -> n.string(1, "a").string(2, "m").string(4, next).string(7, "custom"));
                f.message(7, n -> n.string(1, "m").string(2, "c").string(4, next).string(7, "custom"));
            });
        }
        fns[40] = customOpset;
        Part last = function("custom", "F40", List.of("p"), List.of("q"), List.of(), fnode("Neg", List.of("p"), List.of("q")));
        Part[] all = java.util.Arrays.copyOf(fns, 42);
        all[41] = last;
        byte[] m = model(17, graph("g", input("x", F, 1),
                nodeNamed("call", "custom", "F0", List.of("x"), List.of("y")), output("y", F, 1)), all);
        assertThrows(ModelFormatException.class, () -> OnnxModel.load(m, "fn.onnx"));
    }

    @Test
    void callWithTooManyInputsIsAnError() {
        byte[] m = model(17, graph("g", input("x", F, 2),
                nodeNamed("bad", "custom", "ScaledLeaky", List.of("x", "x", "x"), List.of("y")), output("y", F, 2)),
                SCALED_LEAKY, customOpset);
        var e = assertThrows(ModelFormatException.class, () -> OnnxModel.load(m, "fn.onnx"));
        assertTrue(e.getMessage().contains("'bad'"), e.getMessage());
    }
}
