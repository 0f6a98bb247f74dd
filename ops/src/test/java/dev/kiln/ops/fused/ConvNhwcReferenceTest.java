package dev.kiln.ops.fused;

import dev.kiln.graph.Attribute;
import dev.kiln.ops.OpFailure;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static dev.kiln.ops.fused.FusedReferenceKernelsTest.node;
import static dev.kiln.ops.fused.FusedReferenceKernelsTest.run;
import static org.junit.jupiter.api.Assertions.*;

/** dev.kiln.ConvNhwc's reference kernel: equal to Transpose(Conv(NCHW)) on the same data, plus typed errors. */
class ConvNhwcReferenceTest {
    static Tensor random(Random rnd, long... dims) {
        Tensor t = Tensor.allocate(DType.F32, Shape.of(dims));
        for (long i = 0; i < t.numel(); i++) t.setDouble(i, (rnd.nextInt(9) - 4) / 4.0);
        return t;
    }

    /** Asymmetric pads, strides and dilations: the geometry the chain property leaves out. */
    @Property(tries = 60)
    void matchesTransposedNchwConv(@ForAll @IntRange(min = 1, max = 2) int n, @ForAll @IntRange(min = 1, max = 4) int c,
                                   @ForAll @IntRange(min = 1, max = 4) int cout, @ForAll @IntRange(min = 1, max = 3) int kh,
                                   @ForAll @IntRange(min = 1, max = 3) int kw, @ForAll @IntRange(min = 1, max = 2) int s,
                                   @ForAll @IntRange(min = 1, max = 2) int d, @ForAll @IntRange(min = 0, max = 2) int padA,
                                   @ForAll @IntRange(min = 0, max = 2) int padB, @ForAll boolean bias, @ForAll long seed) {
        Random rnd = new Random(seed);
        long h = (long) d * (kh - 1) + 1 + rnd.nextInt(4), w = (long) d * (kw - 1) + 1 + rnd.nextInt(4);
        Tensor x = random(rnd, n, c, h, w), wt = random(rnd, cout, c, kh, kw), b = random(rnd, cout);
        long[] pads = {padA, padB, padB, padA}, st = {s, 3 - s}, dl = {d, d};
        List<Tensor> in = bias ? List.of(x, wt, b) : List.of(x, wt);
        Tensor want = run(17, in, (g, v) -> node(g, "", "Transpose",
                List.of(node(g, "", "Conv", v, Attribute.of("pads", pads), Attribute.of("strides", st), Attribute.of("dilations", dl))),
                Attribute.of("perm", new long[]{0, 2, 3, 1})));
        List<Tensor> inNhwc = bias ? List.of(x.permute(0, 2, 3, 1).contiguous(), wt.permute(2, 3, 1, 0).contiguous(), b)
                : List.of(x.permute(0, 2, 3, 1).contiguous(), wt.permute(2, 3, 1, 0).contiguous());
        Tensor got = run(17, inNhwc, (g, v) -> node(g, FusedOps.DOMAIN, "ConvNhwc", v,
                Attribute.of("pads", pads), Attribute.of("strides", st), Attribute.of("dilations", dl)));
        assertEquals(want.shape(), got.shape());
        for (long i = 0; i < want.numel(); i++) assertEquals(want.getDouble(i), got.getDouble(i), 1e-9, "element " + i);
    }

    @Test void reluActivationAndHandValue() {
        // 1x1x1x2 input (NHWC), a 1x1 kernel from 2 channels to 1: y = 1*2 + 2*(-3) + 1 = -3, so Relu gives 0
        Tensor x = Tensor.of(new float[]{1, 2}, 1, 1, 1, 2), w = Tensor.of(new float[]{2, -3}, 1, 1, 2, 1), b = Tensor.of(new float[]{1}, 1);
        Tensor plain = run(17, List.of(x, w, b), (g, v) -> node(g, FusedOps.DOMAIN, "ConvNhwc", v));
        assertEquals(-3, plain.getDouble(0));
        Tensor relu = run(17, List.of(x, w, b), (g, v) -> node(g, FusedOps.DOMAIN, "ConvNhwc", v, Attribute.of("activation", "Relu")));
        assertEquals(0, relu.getDouble(0));
    }

    @Test void channelMismatchIsATypedError() {
        Tensor x = Tensor.allocate(DType.F32, Shape.of(1, 3, 3, 2)), w = Tensor.allocate(DType.F32, Shape.of(1, 1, 3, 4));
        OpFailure e = assertThrows(OpFailure.class, () -> run(17, List.of(x, w), (g, v) -> node(g, FusedOps.DOMAIN, "ConvNhwc", v)));
        assertTrue(e.getMessage().contains("HWIO"), e.getMessage());
    }
}
