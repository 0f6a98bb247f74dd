package dev.kiln.graph.text;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Dim;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.graph.pass.Verifier;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

class IrParserTest {
    static final String SAMPLE = """
            graph m opset(ai.onnx=17, com.microsoft=1) {
              input %x:float32[N,4]
              input %cond:bool[]
              input %s:seq(int64[?])
              init %w:float32[2] = float32[2]{1.5, -2.0}
              init %big:float32[3,4] = float32[3,4]
              init %names:string[2] = string[2]{"a \\"q\\"", "line\\nbreak"}
              %y:float32[N,4] = LeakyRelu[alpha=0.5, perm=[1, 0], mode="constant", f=[1.0, NaN, -Infinity], t=int64[2]{7, -8}, big=float32[3,3], ty=float16[2,K], e=[], ss=["x", "y"]](%x)  # relu1
              %z:?, _ = com.microsoft.Fancy(%y, _, %w)
              %r:float32[N,4] = If(%cond)  # branch
                then_branch:
                  graph then {
                    %t:float32[N,4] = Neg(%y)
                    return %t:float32[N,4]
                  }
                else_branch:
                  graph else {
                    return %y:float32[N,4]
                  }
              return %z:?, %r:float32[N,4]
            }
            """;

    @Test void readsEveryConstructAndPrintsItBack() {
        Graph g = IrParser.parse(SAMPLE, IrParser.Options.ZERO_FILL);
        assertEquals(SAMPLE, IrPrinter.print(g));
        Verifier.verify(g, "parsed sample");
        assertEquals(17, g.opset(""));
        assertEquals(1, g.opset("com.microsoft"));
        Value x = g.inputs().get(0);
        assertEquals(new ValueType.TensorType(DType.F32, java.util.List.of(Dim.sym("N"), Dim.of(4))), x.type());
        assertEquals(new ValueType.SequenceType(new ValueType.TensorType(DType.I64, java.util.List.of(Dim.UNKNOWN))), g.inputs().get(2).type());
        Node relu = g.nodes().get(0);
        assertEquals("relu1", relu.name());
        assertEquals(0.5f, relu.attribute("alpha").asFloat());
        assertArrayEquals(new long[] {1, 0}, relu.attribute("perm").asInts());
        assertTrue(Float.isNaN(relu.attribute("f").asFloats()[1]));
        assertEquals(-8, relu.attribute("t").asTensor().getLong(1));
        assertEquals(Attribute.Kind.TENSOR, relu.attribute("big").kind(), "9 elements without values: an elided tensor");
        assertEquals(Attribute.Kind.TYPE, relu.attribute("ty").kind(), "symbolic dims: a type");
        assertEquals(Attribute.Kind.INTS, relu.attribute("e").kind());
        assertEquals("a \"q\"", g.initializers().get(2).constant().getString(0));
        assertEquals("line\nbreak", g.initializers().get(2).constant().getString(1));
        Node fancy = g.nodes().get(1);
        assertEquals("com.microsoft", fancy.domain());
        assertNull(fancy.input(1));
        assertNull(fancy.output(1));
        assertSame(g.initializers().get(0), fancy.input(2));
        Node iff = g.nodes().get(2);
        Graph then = iff.attribute("then_branch").asGraph();
        assertSame(relu.output(0), then.nodes().get(0).input(0), "subgraphs read outer values by name");
        assertSame(relu.output(0), iff.attribute("else_branch").asGraph().outputs().get(0));
        assertEquals(17, then.opset(""), "subgraphs share the model's opsets");
        assertEquals(0.0, g.initializers().get(1).constant().getDouble(11));
    }

    @Test void elidedTensorsNeedTheZeroFillOption() {
        IrParseException e = assertThrows(IrParseException.class, () -> IrParser.parse(SAMPLE));
        assertEquals(6, e.line());
        assertTrue(e.getMessage().contains("ZERO_FILL"), e.getMessage());
    }

    @Test void inlineValuesKeepTheirNumbers() {
        Graph g = IrParser.parse("""
                graph g opset(ai.onnx=13) {
                  init %a:float64[2,2] = float64[2,2]{0.1, 1.0E-7, -3.0, Infinity}
                  init %b:uint8[3] = uint8[3]{0, 7, 255}
                  init %c:bool[2] = bool[2]{1, 0}
                  init %d:int64[] = int64[]{-9}
                  init %e:float32[0] = float32[0]{}
                  return %a:float64[2,2], %b:uint8[3], %c:bool[2], %d:int64[], %e:float32[0]
                }
                """);
        Tensor a = g.initializers().get(0).constant();
        assertEquals(0.1, a.getDouble(0));
        assertEquals(Double.POSITIVE_INFINITY, a.getDouble(3));
        assertEquals(255, g.initializers().get(1).constant().getLong(2));
        assertEquals(1, g.initializers().get(2).constant().getLong(0));
        assertEquals(-9, g.initializers().get(3).constant().getLong(0));
        assertEquals(0, g.initializers().get(4).constant().numel());
    }

    @Test void namesMayContainColonsSlashesAndDots() {
        String text = """
                graph <unnamed> opset(ai.onnx=17) {
                  input %in:0:float32[2]
                  %/enc/layer.0/Relu_output_0:float32[2] = Relu(%in:0)
                  return %/enc/layer.0/Relu_output_0:float32[2]
                }
                """;
        Graph g = IrParser.parse(text);
        assertEquals("in:0", g.inputs().get(0).name());
        assertEquals("", g.name());
        assertEquals(text, IrPrinter.print(g));
    }

    private static IrParseException fails(String text) {
        return assertThrows(IrParseException.class, () -> IrParser.parse(text));
    }

    @Test void errorsNameLineAndColumn() {
        IrParseException undefined = fails("""
                graph g {
                  input %x:float32[2]
                  %y:float32[2] = Add(%x, %nope)
                  return %y:float32[2]
                }
                """);
        assertEquals(3, undefined.line());
        assertEquals(28, undefined.column());
        assertTrue(undefined.getMessage().startsWith("3:28: %nope is read before it is defined"), undefined.getMessage());

        IrParseException dtype = fails("graph g {\n  input %x:flaot32[2]\n  return %x:flaot32[2]\n}\n");
        assertTrue(dtype.getMessage().startsWith("2:10: unknown element type 'flaot32'"), dtype.getMessage());

        IrParseException count = fails("graph g {\n  init %w:int64[3] = int64[3]{1, 2}\n  return %w:int64[3]\n}\n");
        assertTrue(count.getMessage().contains("needs 3 values, found 2"), count.getMessage());

        IrParseException twice = fails("graph g {\n  input %x:float32[2]\n  %x:float32[2] = Relu(%x)\n  return %x:float32[2]\n}\n");
        assertTrue(twice.getMessage().startsWith("3:3: %x is defined twice"), twice.getMessage());

        assertTrue(fails("graph g {\n  input %x:float32[2]\n").getMessage().contains("not closed"));
        assertTrue(fails("graph g {\n  input %x:float32[2]\n}\n").getMessage().contains("without a 'return'"));
        assertTrue(fails("graph g {\n  %y:float32[1] = Foo[s=\"abc](%x)\n").getMessage().contains("unterminated string"));
        assertTrue(fails("graph g {\n  return\n}\nextra\n").getMessage().startsWith("4:1: text after the end"));
        assertTrue(fails("").getMessage().startsWith("1:1: empty IR text"));
        assertTrue(fails("graph g {\n  init %w:int64[2] = int64[2]{1, 2.5}\n  return\n}\n").getMessage().contains("not an integer"));
    }

    @Test void zeroFillIsBounded() {
        IrParseException e = assertThrows(IrParseException.class, () -> IrParser.parse(
                "graph g {\n  init %w:float32[100000,100000,100] = float32[100000,100000,100]\n  return %w:float32[100000,100000,100]\n}\n",
                IrParser.Options.ZERO_FILL));
        assertTrue(e.getMessage().contains("refusing to zero-fill"), e.getMessage());
    }
}
