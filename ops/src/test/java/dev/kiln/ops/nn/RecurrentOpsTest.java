package dev.kiln.ops.nn;

import dev.kiln.graph.Attribute;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static dev.kiln.ops.nn.NnOpRunner.assertClose;
import static dev.kiln.ops.nn.NnOpRunner.random;
import static dev.kiln.ops.nn.NnOpRunner.run;
import static org.junit.jupiter.api.Assertions.assertEquals;

class RecurrentOpsTest {

    @Test
    void rnnStepMatchesTheEquation() {
        Tensor x = Tensor.of(new float[]{1, 2}, 2, 1, 1);       // seq 2, batch 1, input 1
        Tensor w = Tensor.of(new float[]{0.5f}, 1, 1, 1), r = Tensor.of(new float[]{-1}, 1, 1, 1);
        Tensor b = Tensor.of(new float[]{0.1f, 0.2f}, 1, 2);
        Tensor[] out = run("RNN", 22, 2, List.of(Attribute.of("hidden_size", 1L)), x, w, r, b);
        double h1 = Math.tanh(0.5 * 1 + 0.3), h2 = Math.tanh(0.5 * 2 - h1 + 0.3);
        assertEquals(Shape.of(2, 1, 1, 1), out[0].shape());
        assertEquals(h1, out[0].getDouble(0), 1e-6);
        assertEquals(h2, out[0].getDouble(1), 1e-6);
        assertEquals(h2, out[1].getDouble(0), 1e-6);
    }

    /** The reverse direction on X equals the forward direction on time-reversed X, with Y reversed back. */
    @Property(tries = 30)
    void reverseEqualsForwardOnReversedSequence(@ForAll @IntRange(min = 0, max = 2) int kind, @ForAll @IntRange(min = 1, max = 4) int seq,
                                                @ForAll @IntRange(min = 1, max = 3) int batch, @ForAll @IntRange(min = 1, max = 3) int hid,
                                                @ForAll long seed) {
        String op = new String[]{"RNN", "GRU", "LSTM"}[kind];
        int gates = new int[]{1, 3, 4}[kind];
        Random rnd = new Random(seed);
        int in = 2;
        Tensor x = random(rnd, seq, batch, in), w = random(rnd, 1, gates * hid, in), r = random(rnd, 1, gates * hid, hid);
        Tensor b = random(rnd, 1, 2L * gates * hid);
        Tensor xr = x.slice(0, seq - 1, -seq - 1, -1).contiguous();
        Tensor[] rev = run(op, 22, 2, List.of(Attribute.of("hidden_size", (long) hid), Attribute.of("direction", "reverse")), x, w, r, b);
        Tensor[] fwd = run(op, 22, 2, List.of(Attribute.of("hidden_size", (long) hid)), xr, w, r, b);
        assertClose(fwd[1], rev[1], 1e-9, 1e-9);
        assertClose(fwd[0].slice(0, seq - 1, -seq - 1, -1).contiguous(), rev[0], 1e-9, 1e-9);
        // Bidirectional stacks both directions on axis 1 of Y.
        Tensor bw = random(rnd, 2, gates * hid, in), br = random(rnd, 2, gates * hid, hid), bb = random(rnd, 2, 2L * gates * hid);
        Tensor[] bi = run(op, 22, 2, List.of(Attribute.of("hidden_size", (long) hid), Attribute.of("direction", "bidirectional")), x, bw, br, bb);
        assertEquals(Shape.of(seq, 2, batch, hid), bi[0].shape());
        Tensor[] back = run(op, 22, 2, List.of(Attribute.of("hidden_size", (long) hid), Attribute.of("direction", "reverse")), x,
                bw.slice(0, 1, 2, 1).contiguous(), br.slice(0, 1, 2, 1).contiguous(), bb.slice(0, 1, 2, 1).contiguous());
        assertClose(back[0].squeeze(1).contiguous(), bi[0].slice(1, 1, 2, 1).squeeze(1).contiguous(), 1e-9, 1e-9);
    }

    @Test
    void sequenceLensStopEachBatchRowAndZeroTheTail() {
        Random rnd = new Random(5);
        Tensor x = random(rnd, 3, 2, 2), w = random(rnd, 1, 4, 2), r = random(rnd, 1, 4, 1);
        Tensor lens = Tensor.ofInts(new int[]{1, 3}, 2);
        Tensor[] out = run("LSTM", 22, 2, List.of(Attribute.of("hidden_size", 1L)), x, w, r, null, lens);
        assertEquals(0.0, out[0].getDouble(new long[]{1, 0, 0, 0}));
        assertEquals(0.0, out[0].getDouble(new long[]{2, 0, 0, 0}));
        assertEquals(out[0].getDouble(new long[]{0, 0, 0, 0}), out[1].getDouble(new long[]{0, 0, 0}));
        assertEquals(out[0].getDouble(new long[]{2, 0, 1, 0}), out[1].getDouble(new long[]{0, 1, 0}));
    }

    @Test
    void batchFirstLayoutIsATranspose() {
        Random rnd = new Random(9);
        Tensor x = random(rnd, 3, 2, 2), w = random(rnd, 1, 6, 2), r = random(rnd, 1, 6, 2);
        Tensor[] tm = run("GRU", 22, 2, List.of(Attribute.of("hidden_size", 2L), Attribute.of("linear_before_reset", 1L)), x, w, r);
        Tensor[] bf = run("GRU", 22, 2, List.of(Attribute.of("hidden_size", 2L), Attribute.of("linear_before_reset", 1L), Attribute.of("layout", 1L)),
                x.permute(1, 0, 2).contiguous(), w, r);
        assertClose(tm[0].permute(2, 0, 1, 3).contiguous(), bf[0], 1e-12, 1e-12);
        assertClose(tm[1].permute(1, 0, 2).contiguous(), bf[1], 1e-12, 1e-12);
    }

    @Test
    void activationListConsumesAlphaBetaInOrderAndClipBoundsGateInputs() {
        Tensor x = Tensor.of(new float[]{-4, 3}, 2, 1, 1);
        Tensor w = Tensor.of(new float[]{1}, 1, 1, 1), r = Tensor.of(new float[]{0}, 1, 1, 1);
        List<Attribute> attrs = List.of(Attribute.of("hidden_size", 1L), Attribute.of("activations", new String[]{"LeakyRelu"}),
                Attribute.of("activation_alpha", new float[]{0.5f}));
        Tensor[] out = run("RNN", 22, 2, attrs, x, w, r);
        assertEquals(-2.0, out[0].getDouble(0), 1e-6);
        assertEquals(3.0, out[0].getDouble(1), 1e-6);
        List<Attribute> clipped = List.of(attrs.get(0), attrs.get(1), attrs.get(2), Attribute.of("clip", 1.5f));
        Tensor[] c = run("RNN", 22, 2, clipped, x, w, r);
        assertEquals(-0.75, c[0].getDouble(0), 1e-6);
        assertEquals(1.5, c[0].getDouble(1), 1e-6);
        // HardSigmoid takes alpha then beta; Affine after it takes the next pair.
        List<Attribute> two = List.of(Attribute.of("hidden_size", 1L),
                Attribute.of("activations", new String[]{"HardSigmoid", "Affine"}), Attribute.of("direction", "bidirectional"),
                Attribute.of("activation_alpha", new float[]{0.25f, 2f}), Attribute.of("activation_beta", new float[]{0.5f, 1f}));
        Tensor[] bi = run("RNN", 22, 2, two, x, Tensor.of(new float[]{1, 1}, 2, 1, 1), Tensor.of(new float[]{0, 0}, 2, 1, 1));
        assertEquals(Math.max(0, Math.min(1, 0.25 * -4 + 0.5)), bi[0].getDouble(0), 1e-6);   // t0, forward
        assertEquals(2 * -4 + 1, bi[0].getDouble(1), 1e-6);                                   // t0, reverse
    }
}
