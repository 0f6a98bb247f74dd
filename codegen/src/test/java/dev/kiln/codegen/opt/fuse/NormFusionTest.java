package dev.kiln.codegen.opt.fuse;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Value;
import dev.kiln.graph.pass.Pass;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Random;

import static dev.kiln.codegen.opt.fuse.GraphKit.*;
import static org.junit.jupiter.api.Assertions.*;

/** LayerNorm and SkipLayerNorm fusions: random shapes and constants, and the cases that must not fuse. */
class NormFusionTest {
    static final List<Pass> PASSES = List.of(new LayerNormFusion(), new SkipLayerNormFusion());

    /**
     * y = LN(x [+ r]) written out as PyTorch's opset-11 export does; {@code powForm} picks Pow(d, 2) vs Mul(d, d),
     * {@code axesInput} the opset-18 ReduceMean with axes as an input.
     */
    static GraphKit decomposed(long[] shape, long seed, boolean residual, boolean powForm, boolean axesInput, boolean extraReader) {
        Random rnd = new Random(seed);
        long d = shape[shape.length - 1];
        GraphKit k = new GraphKit(axesInput ? 18 : 11);
        Value x = k.input("x", shape);
        if (residual) x = k.op("Add", List.of(x, k.input("r", shape)), shape);
        long[] red = shape.clone();
        red[red.length - 1] = 1;
        Value gamma = k.init("gamma", random(rnd, 2, d)), beta = k.init("beta", random(rnd, 1, d));
        Value mean = reduceMean(k, x, red, axesInput);
        Value sub = k.op("Sub", List.of(x, mean), shape);
        Value sq = powForm ? k.op("Pow", List.of(sub, k.scalar(2)), shape) : k.op("Mul", List.of(sub, sub), shape);
        Value var = reduceMean(k, sq, red, axesInput);
        Value den = k.op("Sqrt", List.of(k.op("Add", List.of(var, k.scalar(1e-5)), red)), red);
        Value norm = k.op("Div", List.of(sub, den), shape);
        Value y = k.op("Add", List.of(k.op("Mul", List.of(gamma, norm), shape), beta), shape);
        k.output(y);
        if (extraReader) k.output(sub);
        return k;
    }

    static Value reduceMean(GraphKit k, Value x, long[] red, boolean axesInput) {
        if (axesInput) return k.op("ReduceMean", List.of(x, k.constNode(Tensor.ofLongs(new long[]{-1}, 1))), red);
        return k.op("ReduceMean", List.of(x), red, Attribute.of("axes", new long[]{-1}));
    }

    static Map<String, Object> inputs(long[] shape, long seed, boolean residual) {
        Random rnd = new Random(seed + 1);
        return residual ? feeds("x", random(rnd, 3, shape), "r", random(rnd, 3, shape)) : feeds("x", random(rnd, 3, shape));
    }

    @Property(tries = 40)
    void layerNormMatchesDecomposedForm(@ForAll @IntRange(min = 1, max = 4) int rows, @ForAll @IntRange(min = 1, max = 37) int d,
                                        @ForAll boolean rank3, @ForAll boolean powForm, @ForAll boolean axesInput,
                                        @ForAll boolean residual, @ForAll long seed) {
        long[] shape = rank3 ? dims(2, rows, d) : dims(rows, d);
        Graph g = checkFusion(() -> decomposed(shape, seed, residual, powForm, axesInput, false), PASSES, inputs(shape, seed, residual), 1e-4);
        assertOps(g, Map.of(residual ? "dev.kiln.SkipLayerNorm" : "dev.kiln.LayerNorm", 1));
        assertNoOps(g, "ReduceMean", "Sqrt", "Div", "Pow");
        assertEquals(residual ? 1 : 1, g.nodes().size(), "one fused node remains");
        assertEquals(1, g.opsetImports().get("dev.kiln"));
    }

    @Test
    void sharedIntermediateBlocksFusion() {
        long[] shape = dims(3, 8);
        Graph g = checkFusion(() -> decomposed(shape, 1, false, true, false, true), PASSES, inputs(shape, 1, false), 1e-5);
        assertOps(g, Map.of("dev.kiln.LayerNorm", 0, "ReduceMean", 2));
    }

    @Test
    void nonF32IsLeftAlone() {
        GraphKit k = new GraphKit(11);
        Value x = k.input("x", DType.F64, 2, 4);
        Value mean = k.op("ReduceMean", List.of(x), dev.kiln.graph.ValueType.TensorType.of(DType.F64, dev.kiln.tensor.Shape.of(2, 1)),
                Attribute.of("axes", new long[]{-1}));
        k.output(k.op("Sub", List.of(x, mean), dev.kiln.graph.ValueType.TensorType.of(DType.F64, dev.kiln.tensor.Shape.of(2, 4))));
        for (Pass p : PASSES) assertFalse(p.run(k.g, ctx()));
    }

    @Test
    void gammaThatWidensTheShapeIsNotFused() {
        // gamma [2, D] against x [1, D]: the Mul broadcasts x up, which LayerNorm's output type could not express
        Random rnd = new Random(3);
        GraphKit k = new GraphKit(11);
        Value x = k.input("x", 1, 4);
        Value gamma = k.init("gamma", random(rnd, 1, 2, 4)), beta = k.init("beta", random(rnd, 1, 4));
        Value mean = reduceMean(k, x, dims(1, 1), false);
        Value sub = k.op("Sub", List.of(x, mean), dims(1, 4));
        Value var = reduceMean(k, k.op("Pow", List.of(sub, k.scalar(2)), dims(1, 4)), dims(1, 1), false);
        Value den = k.op("Sqrt", List.of(k.op("Add", List.of(var, k.scalar(1e-5)), dims(1, 1))), dims(1, 1));
        Value y = k.op("Add", List.of(k.op("Mul", List.of(k.op("Div", List.of(sub, den), dims(1, 4)), gamma), dims(2, 4)), beta), dims(2, 4));
        k.output(y);
        assertFalse(new LayerNormFusion().run(k.g, ctx()));
    }

    @Test
    void countsFiringsPerRule() {
        long[] shape = dims(2, 6);
        LayerNormFusion ln = new LayerNormFusion();
        checkFusion(() -> decomposed(shape, 5, false, false, false, false), List.of(ln), inputs(shape, 5, false), 1e-4);
        assertEquals(Map.of("layer-norm(mul)", 1), ln.counts());
    }
}
