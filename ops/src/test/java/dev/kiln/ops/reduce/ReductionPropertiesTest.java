package dev.kiln.ops.reduce;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static dev.kiln.ops.math.MathRun.op;
import static org.junit.jupiter.api.Assertions.*;

class ReductionPropertiesTest {
    static long[] randomDims(Random r, int rank) {
        long[] d = new long[rank];
        for (int i = 0; i < rank; i++) d[i] = r.nextInt(8) == 0 ? 0 : 1 + r.nextInt(4);
        return d;
    }

    static Tensor randomInts(Random r, long[] dims) {
        Tensor x = Tensor.allocate(DType.I64, Shape.of(dims));
        for (long i = 0; i < x.numel(); i++) x.setLong(i, r.nextInt(100) - 50);
        return x;
    }

    @Property(tries = 200)
    void reduceSumOverRandomAxesMatchesNaiveSum(@ForAll @IntRange(min = 0, max = 4) int rank, @ForAll long seed, @ForAll boolean keepdims) {
        Random r = new Random(seed);
        long[] dims = randomDims(r, rank);
        Tensor x = randomInts(r, dims);
        List<Long> axes = new ArrayList<>();
        boolean[] mask = new boolean[rank];
        for (int i = 0; i < rank; i++) if (r.nextBoolean()) { axes.add(r.nextBoolean() ? i : (long) i - rank); mask[i] = true; }
        if (axes.isEmpty()) java.util.Arrays.fill(mask, true);
        Tensor y = op("ReduceSum").opset(13).attr("keepdims", keepdims ? 1L : 0L).in(x)
                .in(Tensor.ofLongs(axes.stream().mapToLong(Long::longValue).toArray(), axes.size())).run1();
        // Naive: accumulate every input element into the output slot its kept coordinates address.
        long[] outDims = new long[rank];
        for (int i = 0; i < rank; i++) outDims[i] = mask[i] ? 1 : dims[i];
        long[] expect = new long[(int) Shape.of(outDims).numel()];
        long[] idx = new long[rank];
        for (long f = 0; f < x.numel(); f++) {
            long rem = f;
            for (int d = rank - 1; d >= 0; d--) { idx[d] = rem % dims[d]; rem /= dims[d]; }
            long o = 0;
            for (int d = 0; d < rank; d++) o = o * outDims[d] + (mask[d] ? 0 : idx[d]);
            expect[(int) o] += x.getLong(f);
        }
        assertEquals(Shape.of(outDims).numel(), y.numel());
        List<Long> shown = new ArrayList<>();
        for (int i = 0; i < rank; i++) if (!mask[i] || keepdims) shown.add(outDims[i]);
        assertEquals(Shape.of(shown.stream().mapToLong(Long::longValue).toArray()), y.shape());
        for (int i = 0; i < expect.length; i++) assertEquals(expect[i], y.getLong(i));
        // The same reduction on a transposed (strided) view gives the transposed answer's sum.
        if (rank >= 2) {
            Tensor t = x.transpose(0, 1);
            Tensor ys = op("ReduceSum").opset(13).attr("keepdims", 0L).in(t).run1();
            long total = 0;
            for (long e : expect) total += e;
            assertEquals(total, ys.getLong(0));
        }
    }

    @Property(tries = 150)
    void integerReductionsOverRandomAxesMatchNaiveFolds(@ForAll @IntRange(min = 1, max = 4) int rank, @ForAll long seed) {
        Random r = new Random(seed);
        long[] dims = new long[rank];
        for (int i = 0; i < rank; i++) dims[i] = 1 + r.nextInt(4);
        Tensor x = Tensor.allocate(DType.I64, Shape.of(dims));
        for (long i = 0; i < x.numel(); i++) x.setLong(i, r.nextInt(7) - 3);
        boolean[] mask = new boolean[rank];
        List<Long> axes = new ArrayList<>();
        for (int i = 0; i < rank; i++) if (r.nextBoolean()) { mask[i] = true; axes.add((long) i); }
        if (axes.isEmpty()) { mask[0] = true; axes.add(0L); }
        long[] axesArr = axes.stream().mapToLong(Long::longValue).toArray();
        String[] ops = {"ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceSumSquare"};
        for (String name : ops) {
            Tensor y = op(name).opset(18).in(x).in(Tensor.ofLongs(axesArr, axesArr.length)).run1();
            long[] outDims = new long[rank];
            for (int i = 0; i < rank; i++) outDims[i] = mask[i] ? 1 : dims[i];
            long[] acc = new long[(int) Shape.of(outDims).numel()];
            java.util.Arrays.fill(acc, switch (name) {
                case "ReduceMax" -> Long.MIN_VALUE;
                case "ReduceMin" -> Long.MAX_VALUE;
                case "ReduceProd" -> 1;
                default -> 0;
            });
            long[] idx = new long[rank];
            for (long f = 0; f < x.numel(); f++) {
                long rem = f;
                for (int d = rank - 1; d >= 0; d--) { idx[d] = rem % dims[d]; rem /= dims[d]; }
                long o = 0;
                for (int d = 0; d < rank; d++) o = o * outDims[d] + (mask[d] ? 0 : idx[d]);
                long v = x.getLong(f);
                int k = (int) o;
                acc[k] = switch (name) {
                    case "ReduceMax" -> Math.max(acc[k], v);
                    case "ReduceMin" -> Math.min(acc[k], v);
                    case "ReduceProd" -> acc[k] * v;
                    case "ReduceL1" -> acc[k] + Math.abs(v);
                    default -> acc[k] + v * v;
                };
            }
            assertEquals(Shape.of(outDims), y.shape(), name);
            for (int i = 0; i < acc.length; i++) assertEquals(acc[i], y.getLong(i), name + " at " + i);
        }
    }

    @Property(tries = 100)
    void softmaxRowsSumToOneAndMatchLogSoftmax(@ForAll @IntRange(min = 1, max = 4) int rank, @ForAll long seed) {
        Random r = new Random(seed);
        long[] dims = new long[rank];
        for (int i = 0; i < rank; i++) dims[i] = 1 + r.nextInt(5);
        Tensor x = Tensor.allocate(DType.F32, Shape.of(dims));
        for (long i = 0; i < x.numel(); i++) x.setDouble(i, r.nextGaussian() * 20);
        int axis = r.nextInt(rank);
        Tensor s = op("Softmax").attr("axis", (long) axis).in(x).run1();
        Tensor ls = op("LogSoftmax").attr("axis", (long) axis).in(x).run1();
        Tensor sum = op("ReduceSum").opset(13).in(s).in(dev.kiln.ops.math.MathRun.i64(axis)).run1();
        for (long i = 0; i < sum.numel(); i++) assertEquals(1.0, sum.getDouble(i), 1e-5);
        for (long i = 0; i < s.numel(); i++) {
            assertTrue(s.getDouble(i) >= 0 && s.getDouble(i) <= 1);
            assertEquals(s.getDouble(i), Math.exp(ls.getDouble(i)), 1e-6);
        }
    }

    @Property(tries = 100)
    void argMaxPointsAtReduceMax(@ForAll @IntRange(min = 1, max = 3) int rank, @ForAll long seed) {
        Random r = new Random(seed);
        long[] dims = new long[rank];
        for (int i = 0; i < rank; i++) dims[i] = 1 + r.nextInt(5);
        Tensor x = randomInts(r, dims);
        int axis = r.nextInt(rank);
        Tensor am = op("ArgMax").attr("axis", (long) axis).in(x).run1();
        Tensor mx = op("ReduceMax").in(x).in(dev.kiln.ops.math.MathRun.i64(axis)).run1();
        assertEquals(mx.shape(), am.shape());
        long inner = 1;
        for (int i = axis + 1; i < rank; i++) inner *= dims[i];
        for (long o = 0; o < am.numel(); o++) {
            long outer = o / inner, in = o % inner;
            long at = (outer * dims[axis] + am.getLong(o)) * inner + in;
            assertEquals(mx.getLong(o), x.getLong(at));
        }
    }
}
