package dev.kiln.runtime;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Dim;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.ops.OpRegistry;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** Inference sees through shape arithmetic because small constant subgraphs are folded at load. */
class ConstantFolderTest {
    private static Value init(Graph g, String name, Tensor t) {
        Value v = new Value(name, null);
        v.setConstant(t);
        g.initializers().add(v);
        return v;
    }

    @Test void reshapeTargetComputedFromShapeIsKnownStatically() {
        Graph g = new Graph("fold");
        g.opsetImports().put("", 17);
        Value x = new Value("x", new TensorType(DType.F32, List.of(Dim.of(2), Dim.of(3), Dim.of(4))));
        g.inputs().add(x);
        Value idx = init(g, "idx", Tensor.ofLongs(new long[] {0}, 1));
        Value minusOne = init(g, "m1", Tensor.ofLongs(new long[] {-1}, 1));
        Value s = new Value("s", null), first = new Value("first", null), target = new Value("target", null), r = new Value("r", null);
        g.addNode(new Node("", "", "Shape", List.of(x), List.of(s), Map.of()));
        g.addNode(new Node("", "", "Gather", List.of(s, idx), List.of(first), Map.of()));
        g.addNode(new Node("", "", "Concat", List.of(first, minusOne), List.of(target), Map.of("axis", Attribute.of("axis", 0L))));
        g.addNode(new Node("", "", "Reshape", List.of(x, target), List.of(r), Map.of()));
        g.outputs().add(r);
        ModelAnalysis.infer(g, OpRegistry.standard());
        assertEquals("float32[2,12]", r.type().toString());
        assertEquals("int64[2]", target.type().toString());
    }

    @Test void foldingNeverAllocatesAnUnboundedOutput() {
        // ConstantOfShape of a constant [1e12] must not be materialized to type it.
        Graph g = new Graph("big");
        g.opsetImports().put("", 17);
        Value shape = init(g, "shape", Tensor.ofLongs(new long[] {1_000_000_000_000L}, 1));
        Value big = new Value("big", null), n = new Value("n", null);
        g.addNode(new Node("", "", "ConstantOfShape", List.of(shape), List.of(big), Map.of()));
        g.addNode(new Node("", "", "Size", List.of(big), List.of(n), Map.of()));
        g.outputs().add(n);
        ModelAnalysis.infer(g, OpRegistry.standard());   // would throw OutOfMemoryError if it folded
        assertEquals(ValueType.TensorType.class, big.type().getClass());
    }
}
