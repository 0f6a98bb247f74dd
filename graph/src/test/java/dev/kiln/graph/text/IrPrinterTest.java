package dev.kiln.graph.text;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Dim;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class IrPrinterTest {
    @Test void printsOneLinePerNodeWithTypesAndAttributes() {
        Graph g = new Graph("m");
        g.opsetImports().put("", 17);
        Value x = new Value("x", new TensorType(DType.F32, List.of(Dim.sym("N"), Dim.of(4))));
        g.inputs().add(x);
        Value w = new Value("w", new TensorType(DType.F32, List.of(Dim.of(2))));
        w.setConstant(Tensor.of(new float[] {1.5f, -2f}, 2));
        g.initializers().add(w);
        Value y = new Value("y", new TensorType(DType.F32, List.of(Dim.sym("N"), Dim.of(4))));
        Value z = new Value("z", ValueType.UNKNOWN);
        Map<String, Attribute> attrs = new LinkedHashMap<>();
        attrs.put("alpha", Attribute.of("alpha", 0.5f));
        attrs.put("perm", Attribute.of("perm", new long[] {1, 0}));
        attrs.put("mode", Attribute.of("mode", "constant"));
        g.addNode(new Node("relu1", "", "LeakyRelu", List.of(x), List.of(y), attrs));
        g.addNode(new Node("", "com.microsoft", "Fancy", java.util.Arrays.asList(y, null, w), List.of(z), Map.of()));
        g.outputs().add(z);
        String expected = """
                graph m opset(ai.onnx=17) {
                  input %x:float32[N,4]
                  init %w:float32[2] = float32[2]{1.5, -2.0}
                  %y:float32[N,4] = LeakyRelu[alpha=0.5, perm=[1, 0], mode="constant"](%x)  # relu1
                  %z:? = com.microsoft.Fancy(%y, _, %w)
                  return %z:?
                }
                """;
        assertEquals(expected, IrPrinter.print(g));
        assertEquals(IrPrinter.print(g), IrPrinter.print(g), "printing is deterministic");
    }
}
