package dev.kiln.codegen.opt.fuse;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.pass.Pass;
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

/** MatMul/Gemm + bias + activation, and Conv + BatchNormalization / activation. */
class MatMulConvFusionTest {
    static final List<Pass> PASSES = List.of(new GeluFusion(), new MatMulBiasFusion());

    /** act: 0 none, 1 Relu, 2 decomposed GELU (erf), 3 Sigmoid. A chain of two layers, the second without bias. */
    static GraphKit mlp(int batch, int m, int kDim, int n, int act, long seed, boolean biasFirst) {
        Random rnd = new Random(seed);
        GraphKit k = new GraphKit(13);
        long[] in = dims(batch, m, kDim), mid = dims(batch, m, n);
        Value x = k.input("x", in);
        Value w = k.init("w", random(rnd, 1, kDim, n)), bias = k.init("b", random(rnd, 1, n));
        Value mm = k.op("MatMul", List.of(x, w), mid);
        Value y = k.op("Add", biasFirst ? List.of(bias, mm) : List.of(mm, bias), mid);
        y = switch (act) {
            case 1 -> k.op("Relu", List.of(y), mid);
            case 2 -> {
                Value e = k.op("Erf", List.of(k.op("Div", List.of(y, k.scalar(Math.sqrt(2))), mid)), mid);
                yield k.op("Mul", List.of(k.op("Mul", List.of(y, k.op("Add", List.of(e, k.scalar(1)), mid)), mid), k.scalar(0.5)), mid);
            }
            case 3 -> k.op("Sigmoid", List.of(y), mid);
            default -> y;
        };
        Value w2 = k.init("w2", random(rnd, 1, n, 3));
        k.output(k.op("Relu", List.of(k.op("MatMul", List.of(y, w2), dims(batch, m, 3))), dims(batch, m, 3)));
        return k;
    }

    @Property(tries = 40)
    void matmulBiasActivationFuse(@ForAll @IntRange(min = 1, max = 3) int batch, @ForAll @IntRange(min = 1, max = 7) int m,
                                  @ForAll @IntRange(min = 1, max = 9) int kDim, @ForAll @IntRange(min = 1, max = 9) int n,
                                  @ForAll @IntRange(min = 0, max = 3) int act, @ForAll boolean biasFirst, @ForAll long seed) {
        Graph g = checkFusion(() -> mlp(batch, m, kDim, n, act, seed, biasFirst), PASSES,
                feeds("x", random(new Random(seed + 1), 3, batch, m, kDim)), 1e-4);
        assertOps(g, Map.of("dev.kiln.FusedMatMul", 2, "MatMul", 0, "Add", 0, "Relu", 0));
        assertEquals(2, g.nodes().size());
        String want = switch (act) { case 1 -> "Relu"; case 2 -> "Gelu"; case 3 -> "Sigmoid"; default -> ""; };
        Node first = g.nodes().get(0);
        assertEquals(want, first.attribute("activation") == null ? "" : first.attribute("activation").asString());
        assertEquals(3, first.inputs().size(), "bias kept as the third input");
    }

    @Test
    void gemmWithTransposedWeightAndRelu() {
        Random rnd = new Random(11);
        Graph g = checkFusion(() -> {
            GraphKit k = new GraphKit(13);
            Value x = k.input("x", 4, 5);
            Value w = k.init("w", random(new Random(12), 1, 3, 5)), c = k.init("c", random(new Random(13), 1, 3));
            Value y = k.op("Gemm", List.of(x, w, c), dims(4, 3), Attribute.of("transB", 1L), Attribute.of("alpha", 0.5f));
            k.output(k.op("Relu", List.of(y), dims(4, 3)));
            return k;
        }, PASSES, feeds("x", random(rnd, 2, 4, 5)), 1e-5);
        assertOps(g, Map.of("dev.kiln.FusedMatMul", 1, "Gemm", 0));
    }

    @Test
    void residualAddIsNotABias() {
        GraphKit k = new GraphKit(13);
        Value x = k.input("x", 2, 4), r = k.input("r", 2, 3);
        Value w = k.init("w", random(new Random(1), 1, 4, 3));
        k.output(k.op("Add", List.of(k.op("MatMul", List.of(x, w), dims(2, 3)), r), dims(2, 3)));
        assertFalse(new MatMulBiasFusion().run(k.g, ctx()));
    }

    /** Conv (+ bias) -> BatchNormalization -> act; act 0 none, 1 Relu, 2 Clip(opset 11 inputs), 3 Clip(opset 6 attrs). */
    static GraphKit convNet(int c, int m, int hw, boolean convBias, boolean bn, int act, long seed) {
        Random rnd = new Random(seed);
        GraphKit k = new GraphKit(act == 3 ? 6 : 11);
        Value x = k.input("x", 1, c, hw, hw);
        long o = hw - 2;
        Value w = k.init("w", random(rnd, 1, m, c, 3, 3));
        List<Value> ins = convBias ? List.of(x, w, k.init("cb", random(rnd, 1, m))) : List.of(x, w);
        Value y = k.op("Conv", ins, dims(1, m, o, o), Attribute.of("kernel_shape", new long[]{3, 3}));
        if (bn) {
            Tensor var = random(rnd, 1, m);
            for (long i = 0; i < m; i++) var.setDouble(i, Math.abs(var.getDouble(i)) + 0.1);
            y = k.op("BatchNormalization", List.of(y, k.init("s", random(rnd, 2, m)), k.init("bb", random(rnd, 1, m)),
                    k.init("mean", random(rnd, 1, m)), k.init("var", var)), dims(1, m, o, o), Attribute.of("epsilon", 1e-3f));
        }
        y = switch (act) {
            case 1 -> k.op("Relu", List.of(y), dims(1, m, o, o));
            case 2 -> k.op("Clip", List.of(y, k.scalar(-0.5), k.scalar(0.75)), dims(1, m, o, o));
            case 3 -> k.op("Clip", List.of(y), dims(1, m, o, o), Attribute.of("min", 0f), Attribute.of("max", 6f));
            default -> y;
        };
        k.output(y);
        return k;
    }

    @Property(tries = 30)
    void convBatchNormActivationFuse(@ForAll @IntRange(min = 1, max = 3) int c, @ForAll @IntRange(min = 1, max = 4) int m,
                                     @ForAll @IntRange(min = 3, max = 6) int hw, @ForAll boolean convBias, @ForAll boolean bn,
                                     @ForAll @IntRange(min = 0, max = 3) int act, @ForAll long seed) {
        Graph g = checkFusion(() -> convNet(c, m, hw, convBias, bn, act, seed), List.of(new ConvFusion()),
                feeds("x", random(new Random(seed + 1), 3, 1, c, hw, hw)), 1e-4);
        assertOps(g, Map.of("BatchNormalization", 0, "Relu", 0, "Clip", 0, "dev.kiln.FusedConv", act == 0 ? 0 : 1));
        assertEquals(1, g.nodes().size());
    }
}
