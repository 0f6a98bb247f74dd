package dev.kiln.runtime.cpu;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Every reduction over random axis sets (trailing or not), keepdims on and off, against double loops. */
class ReductionsTest {
    private static final KilnPool POOL = new KilnPool(2);

    @Provide Arbitrary<long[]> shape() {
        return TensorGen.shape(1, 4).filter(s -> java.util.Arrays.stream(s).allMatch(d -> d > 0));
    }

    @Provide Arbitrary<Reductions.Kind> kind() { return Arbitraries.of(Reductions.Kind.class); }

    @Property(tries = 200)
    void reducesAnyAxes(@ForAll("shape") long[] shape, @ForAll("kind") Reductions.Kind kind, @ForAll boolean keep,
                        @ForAll long seed, @ForAll boolean view) {
        Random r = new Random(seed);
        Tensor x = TensorGen.randomView(r, view, shape);
        if (kind == Reductions.Kind.LOG_SUM || kind == Reductions.Kind.PROD) x = Elementwise.unary(Activation.ABS, x);
        int rank = shape.length;
        List<Long> axes = new ArrayList<>();
        for (int i = 0; i < rank; i++) if (r.nextBoolean()) axes.add((long) (r.nextBoolean() ? i : i - rank));
        long[] ax = axes.stream().mapToLong(Long::longValue).toArray();
        Tensor got = Reductions.reduce(kind, x, ax, keep, POOL);
        boolean[] red = new boolean[rank];
        if (ax.length == 0) java.util.Arrays.fill(red, true);
        for (long a : ax) red[(int) Math.floorMod(a, rank)] = true;
        Shape xs = x.shape();
        long[] keptDims = new long[rank];
        for (int i = 0; i < rank; i++) keptDims[i] = red[i] ? 1 : xs.dim(i);
        Shape kept = Shape.of(keptDims);
        double[] acc = new double[(int) kept.numel()], acc2 = new double[acc.length], mx = new double[acc.length];
        java.util.Arrays.fill(mx, Double.NEGATIVE_INFINITY);
        double[] mn = new double[acc.length];
        java.util.Arrays.fill(mn, Double.POSITIVE_INFINITY);
        double[] prod = new double[acc.length];
        java.util.Arrays.fill(prod, 1);
        long cnt = xs.numel() / kept.numel();
        long[] idx = new long[rank];
        for (long i = 0; i < xs.numel(); i++) {
            long rem = i, o = 0, mul = 1;
            for (int d = rank - 1; d >= 0; d--) { idx[d] = rem % xs.dim(d); rem /= xs.dim(d); }
            for (int d = rank - 1; d >= 0; d--) { if (!red[d]) o += idx[d] * mul; mul *= keptDims[d]; }
            double v = x.getDouble(i);
            int oi = (int) o;
            acc[oi] += v; acc2[oi] += v * v; mx[oi] = Math.max(mx[oi], v); mn[oi] = Math.min(mn[oi], v); prod[oi] *= v;
        }
        Tensor want = Tensor.allocate(DType.F32, kept);
        for (int o = 0; o < acc.length; o++) {
            double v = switch (kind) {
                case SUM -> acc[o];
                case MEAN -> acc[o] / cnt;
                case MAX -> mx[o];
                case MIN -> mn[o];
                case PROD -> prod[o];
                case L1 -> acc[o]; // x >= 0 is not guaranteed: recomputed below
                case L2 -> Math.sqrt(acc2[o]);
                case SUM_SQUARE -> acc2[o];
                case LOG_SUM -> Math.log(acc[o]);
                case LOG_SUM_EXP -> Double.NaN;
            };
            want.setDouble(o, v);
        }
        if (kind == Reductions.Kind.L1 || kind == Reductions.Kind.LOG_SUM_EXP) {
            double[] s = new double[acc.length];
            for (long i = 0; i < xs.numel(); i++) {
                long rem = i, o = 0, mul = 1;
                for (int d = rank - 1; d >= 0; d--) { idx[d] = rem % xs.dim(d); rem /= xs.dim(d); }
                for (int d = rank - 1; d >= 0; d--) { if (!red[d]) o += idx[d] * mul; mul *= keptDims[d]; }
                double v = x.getDouble(i);
                s[(int) o] += kind == Reductions.Kind.L1 ? Math.abs(v) : Math.exp(v - mx[(int) o]);
            }
            for (int o = 0; o < acc.length; o++) want.setDouble(o, kind == Reductions.Kind.L1 ? s[o] : mx[o] + Math.log(s[o]));
        }
        Tensor expect = keep ? want : want.reshape(got.shape());
        if (!keep) {
            long[] dims = new long[rank - (int) java.util.stream.IntStream.range(0, rank).filter(i -> red[i]).count()];
            for (int i = 0, j = 0; i < rank; i++) if (!red[i]) dims[j++] = xs.dim(i);
            org.junit.jupiter.api.Assertions.assertArrayEquals(dims, got.shape().dims());
        }
        TensorGen.assertClose(expect, got, 1e-4, 1e-4);
    }
}
