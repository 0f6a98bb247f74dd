package dev.kiln.runtime.cpu;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.Random;

/** Binary broadcasting and unary activations against per-element scalar definitions. */
class ElementwiseTest {
    @Provide Arbitrary<long[]> shape() { return TensorGen.shape(0, 4); }

    @Provide Arbitrary<BinaryLoops.Op> op() { return Arbitraries.of(BinaryLoops.Op.class); }

    @Provide Arbitrary<Activation> act() { return Arbitraries.of(Activation.class); }

    @Property(tries = 200)
    void binaryBroadcasts(@ForAll("shape") long[] shape, @ForAll("op") BinaryLoops.Op op, @ForAll long seed,
                          @ForAll boolean transposeA) {
        Random r = new Random(seed);
        // b: the same shape with random axes set to 1 and a random number of leading axes dropped
        long[] bd = shape.clone();
        for (int i = 0; i < bd.length; i++) if (r.nextInt(3) == 0) bd[i] = 1;
        int drop = bd.length == 0 ? 0 : r.nextInt(bd.length + 1);
        long[] bShape = java.util.Arrays.copyOfRange(bd, drop, bd.length);
        Tensor a = TensorGen.randomView(r, transposeA, shape), b = TensorGen.random(r, bShape);
        boolean swap = r.nextBoolean();
        Tensor x = swap ? b : a, y = swap ? a : b;
        Tensor got = Elementwise.binary(op, x, y);
        Shape out = Shape.broadcast(x.shape(), y.shape());
        Tensor ex = x.expand(out), ey = y.expand(out);
        Tensor want = Tensor.allocate(DType.F32, out);
        for (long i = 0; i < out.numel(); i++) want.setDouble(i, BinaryLoops.scalar(op, ex.getFloat(i), ey.getFloat(i)));
        TensorGen.assertClose(want, got, 1e-6, 0);
    }

    @Property(tries = 120)
    void unaryMatchesScalarDefinition(@ForAll("shape") long[] shape, @ForAll("act") Activation act, @ForAll long seed, @ForAll boolean view) {
        Random r = new Random(seed);
        Tensor x = TensorGen.randomView(r, view, shape);
        Tensor got = Elementwise.unary(act, x);
        Tensor want = Tensor.allocate(DType.F32, x.shape());
        for (long i = 0; i < x.numel(); i++) want.setDouble(i, exact(act, x.getDouble(i)));
        TensorGen.assertClose(want, got, 2e-6, act == Activation.ERF ? 3e-7 : 1e-7);
    }

    /** Big enough that rows and chunks are split across the pool's threads. */
    @Property(tries = 6)
    void parallelSplitsMatchSingleThread(@ForAll("op") BinaryLoops.Op op, @ForAll("act") Activation act, @ForAll long seed) {
        Random r = new Random(seed);
        Tensor a = TensorGen.random(r, 3, 70, 333), b = TensorGen.random(r, 70, 1), c = TensorGen.random(r, 333);
        try (KilnPool pool = new KilnPool(3)) {
            TensorGen.assertClose(Elementwise.binary(op, a, b), Elementwise.binary(op, a, b, pool), 0, 0);
            TensorGen.assertClose(Elementwise.binary(op, c, a), Elementwise.binary(op, c, a, pool), 0, 0);
            // Transcendental activations are not bit-reproducible across JIT tiers (the intrinsic and the
            // fallback Vector API paths round differently), and pool threads may run another tier than the
            // caller, so they are held to the scalar-definition tolerance instead of exact equality.
            TensorGen.assertClose(Elementwise.unary(act, a), Elementwise.unary(act, a, pool), 2e-6, 3e-7);
        }
    }

    /** Double-precision definitions (erf by its Taylor/continued series) independent of the kernels' formulas. */
    static double exact(Activation act, double x) {
        return switch (act) {
            case NONE -> x;
            case RELU -> Math.max(0, x);
            case SIGMOID -> 1 / (1 + Math.exp(-x));
            case TANH -> Math.tanh(x);
            case GELU_ERF -> 0.5 * x * (1 + erf(x / Math.sqrt(2)));
            case GELU_TANH -> 0.5 * x * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (x + 0.044715 * x * x * x)));
            case EXP -> Math.exp(x);
            case ERF -> erf(x);
            case NEG -> -x;
            case ABS -> Math.abs(x);
            case SQRT -> Math.sqrt(x);
            case RECIPROCAL -> 1 / x;
        };
    }

    /** erf by its Maclaurin series (converges fast for |x| <= 3; beyond, erf is 1 to double precision). */
    static double erf(double x) {
        if (Math.abs(x) > 6) return Math.signum(x);
        double sum = 0, term = x;
        for (int n = 0; n < 200; n++) {
            sum += term / (2 * n + 1);
            term *= -x * x / (n + 1);
        }
        return 2 / Math.sqrt(Math.PI) * sum;
    }
}
