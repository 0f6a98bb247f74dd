package dev.kiln.tensor;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Every view operation agrees with a copying model, over random shapes (rank 0..4, zero-size dims included) and
 * random compositions of views (so the inputs themselves have arbitrary strides, offsets and stride-0 axes).
 *
 * <p>The trick: the root tensor is dense and holds, at physical position {@code p}, the value {@code p}. The model
 * ({@link Ref}) tracks, for each logical element of a view, which root element it is. Then a view is right when
 * {@code getDouble(i)} equals the model's id, and it aliases the root (is a true view) when {@code position(i)}
 * equals the id as well. Each step applies one random op to both, checks them, and checks that
 * {@code contiguous()} copies exactly when the layout is not dense.
 */
class ViewsPropertyTest {
    static final DType[] DTYPES = {DType.F64, DType.F32, DType.I64, DType.I32, DType.F16};

    /** The copying model: a shape and, for each logical element in row-major order, the root element it shows. */
    record Ref(long[] dims, long[] ids) {
        long numel() { return ids.length; }
        int rank() { return dims.length; }

        /** Builds a new model of shape {@code out} where output multi-index o shows input element {@code map(o)}. */
        Ref gather(long[] out, Function<long[], long[]> map) {
            long n = 1;
            for (long d : out) n *= d;
            long[] ids2 = new long[(int) n];
            long[] o = new long[out.length];
            for (int k = 0; k < n; k++) {
                ids2[k] = ids[(int) flat(dims, map.apply(o))];
                for (int d = out.length - 1; d >= 0; d--) { if (++o[d] < out[d]) break; o[d] = 0; }
            }
            return new Ref(out, ids2);
        }
    }

    static long flat(long[] dims, long[] idx) {
        long f = 0;
        for (int d = 0; d < dims.length; d++) {
            assertTrue(idx[d] >= 0 && idx[d] < dims[d], "model index out of range");
            f = f * dims[d] + idx[d];
        }
        return f;
    }

    @Provide
    Arbitrary<long[]> rootDims() {
        return Arbitraries.longs().between(0, 4).array(long[].class).ofMinSize(0).ofMaxSize(4)
                .map(d -> { for (int i = 0; i < d.length; i++) if (d[i] == 4) d[i] = 5; return d; });
    }

    @Property(tries = 400)
    void randomViewChainsAgreeWithTheCopyingModel(@ForAll("rootDims") long[] dims,
                                                  @ForAll @IntRange(min = 0, max = 4) int dtypeIndex,
                                                  @ForAll @Size(max = 7) List<@IntRange(min = 0, max = 1 << 20) Integer> script) {
        DType dt = DTYPES[dtypeIndex];
        Tensor root = Tensor.allocate(dt, Shape.of(dims));
        long n = root.numel();
        for (long i = 0; i < n; i++) root.setDouble(i, i);
        long[] ids = new long[(int) n];
        for (int i = 0; i < n; i++) ids[i] = i;
        Tensor t = root;
        Ref ref = new Ref(dims.clone(), ids);
        List<String> trail = new ArrayList<>();
        for (int seed : script) {
            Random rnd = new Random(seed);
            Step s = step(t, ref, rnd);
            trail.add(s.name());
            t = s.tensor();
            ref = s.ref();
            check(root, t, ref, trail, rnd);
        }
        check(root, t, ref, trail, new Random(0));
    }

    record Step(String name, Tensor tensor, Ref ref) {}

    private static Step step(Tensor t, Ref ref, Random rnd) {
        int r = ref.rank();
        switch (rnd.nextInt(8)) {
            case 0: { // reshape, sometimes with -1
                long[] target = randomFactorization(ref.numel(), rnd);
                long[] arg = target.clone();
                if (target.length > 0 && ref.numel() > 0 && rnd.nextBoolean()) arg[rnd.nextInt(arg.length)] = -1;
                Tensor v = t.reshape(arg);
                assertArrayEquals(target, v.shape().dims(), "reshape " + Arrays.toString(arg));
                // A dense input can always be reshaped in place.
                if (t.isContiguous()) assertSame(t.segment(), v.segment(), "reshape of a contiguous tensor copied");
                return new Step("reshape" + Arrays.toString(arg), v, new Ref(target, ref.ids()));
            }
            case 1: { // permute with a random permutation, some axes given negative
                int[] perm = shuffle(r, rnd);
                int[] arg = perm.clone();
                for (int i = 0; i < r; i++) if (rnd.nextBoolean()) arg[i] -= r;
                long[] out = new long[r];
                for (int i = 0; i < r; i++) out[i] = ref.dims()[perm[i]];
                Ref m = ref.gather(out, o -> { long[] in = new long[r]; for (int i = 0; i < r; i++) in[perm[i]] = o[i]; return in; });
                return new Step("permute" + Arrays.toString(arg), t.permute(arg), m);
            }
            case 2: { // transpose
                if (r == 0) return new Step("noop", t, ref);
                int a = rnd.nextInt(r), b = rnd.nextInt(r);
                long[] out = ref.dims().clone();
                out[a] = ref.dims()[b];
                out[b] = ref.dims()[a];
                Ref m = ref.gather(out, o -> { long[] in = o.clone(); in[a] = o[b]; in[b] = o[a]; return in; });
                return new Step("transpose(" + a + "," + (b - r) + ")", t.transpose(a, b - r), m);
            }
            case 3: { // slice with Python semantics, steps of either sign, out-of-range bounds clamp
                if (r == 0) return new Step("noop", t, ref);
                int axis = rnd.nextInt(r);
                long len = ref.dims()[axis];
                long step = rnd.nextInt(4) + 1;
                if (rnd.nextBoolean()) step = -step;
                long start = bound(len, rnd), end = bound(len, rnd);
                long[] picked = pythonSlice(len, start, end, step);
                long[] out = ref.dims().clone();
                out[axis] = picked.length;
                Ref m = ref.gather(out, o -> { long[] in = o.clone(); in[axis] = picked[(int) o[axis]]; return in; });
                int axArg = rnd.nextBoolean() ? axis : axis - r;
                return new Step("slice(" + axArg + "," + start + "," + end + "," + step + ")", t.slice(axArg, start, end, step), m);
            }
            case 4: { // expand: turn some 1s into 0..3 and prepend up to two new axes
                int extra = rnd.nextInt(3);
                long[] out = new long[r + extra];
                for (int i = 0; i < extra; i++) out[i] = rnd.nextInt(4);
                for (int i = 0; i < r; i++) {
                    long d = ref.dims()[i];
                    out[extra + i] = d == 1 && rnd.nextBoolean() ? rnd.nextInt(4) : d;
                }
                Ref m = ref.gather(out, o -> {
                    long[] in = new long[r];
                    for (int i = 0; i < r; i++) in[i] = ref.dims()[i] == 1 ? 0 : o[extra + i];
                    return in;
                });
                return new Step("expand" + Arrays.toString(out), t.expand(Shape.of(out)), m);
            }
            case 5: { // squeeze: all unit axes, or a random subset of them
                List<Integer> ones = new ArrayList<>();
                for (int i = 0; i < r; i++) if (ref.dims()[i] == 1) ones.add(i);
                boolean all = ones.isEmpty() || rnd.nextInt(3) == 0;
                List<Integer> chosen = new ArrayList<>();
                if (all) chosen.addAll(ones);
                else for (int a : ones) if (rnd.nextBoolean()) chosen.add(a);
                if (!all && chosen.isEmpty()) chosen.add(ones.get(0));
                int[] arg = all ? new int[0] : chosen.stream().mapToInt(a -> rnd.nextBoolean() ? a : a - r).toArray();
                long[] out = new long[r - chosen.size()];
                for (int i = 0, j = 0; i < r; i++) if (!chosen.contains(i)) out[j++] = ref.dims()[i];
                return new Step("squeeze" + Arrays.toString(arg), t.squeeze(arg), new Ref(out, ref.ids()));
            }
            case 6: { // unsqueeze at 1..2 distinct output positions
                int k = 1 + rnd.nextInt(2);
                int outRank = r + k;
                int[] pos = Arrays.copyOf(shuffle(outRank, rnd), k);
                long[] out = new long[outRank];
                boolean[] ins = new boolean[outRank];
                for (int p : pos) ins[p] = true;
                for (int i = 0, j = 0; i < outRank; i++) out[i] = ins[i] ? 1 : ref.dims()[j++];
                int[] arg = Arrays.stream(pos).map(p -> rnd.nextBoolean() ? p : p - outRank).toArray();
                return new Step("unsqueeze" + Arrays.toString(arg), t.unsqueeze(arg), new Ref(out, ref.ids()));
            }
            default: { // contiguous(): identity when dense, else a dense copy
                Tensor c = t.contiguous();
                if (t.isContiguous()) assertSame(t, c, "contiguous() copied a contiguous tensor");
                else {
                    assertNotSame(t.segment(), c.segment(), "contiguous() of a strided tensor must copy");
                    assertTrue(c.isContiguous());
                }
                return new Step("contiguous", c, ref);
            }
        }
    }

    private static void check(Tensor root, Tensor t, Ref ref, List<String> trail, Random rnd) {
        String where = "after " + trail;
        assertArrayEquals(ref.dims(), t.shape().dims(), "shape " + where);
        assertEquals(ref.numel(), t.numel(), where);
        boolean aliasesRoot = t.segment() == root.segment();
        boolean dense = true;
        for (int i = 0; i < ref.numel(); i++) {
            assertEquals(ref.ids()[i], t.getDouble(i), "element " + i + " " + where);
            if (aliasesRoot) {
                assertEquals(ref.ids()[i], t.position(i), "physical position of element " + i + " " + where);
                if (ref.ids()[i] != t.offset() + i) dense = false;
            }
        }
        // Also read through multi-indices and the bulk copy.
        assertArrayEquals(Arrays.stream(ref.ids()).asDoubleStream().toArray(), t.toDoubleArray(), where);
        if (aliasesRoot) {
            // isContiguous must be exact: claiming density wrongly gives wrong answers, missing it costs copies.
            assertEquals(dense, t.isContiguous(), "isContiguous " + where + " strides " + Arrays.toString(t.strides()));
            // A view writes through to the root.
            if (ref.numel() > 0) {
                int i = rnd.nextInt((int) ref.numel());
                double old = t.getDouble(i);
                t.setDouble(i, -7);
                assertEquals(-7, root.getDouble(ref.ids()[i]), "write through view " + where);
                t.setDouble(i, old);
            }
        }
        Tensor c = t.contiguous();
        assertTrue(c.isContiguous());
        assertArrayEquals(t.toDoubleArray(), c.toDoubleArray(), where);
    }

    /** CPython's slice semantics, computed the long way: walk the adjusted range. */
    static long[] pythonSlice(long len, long start, long stop, long step) {
        long lo = step < 0 ? -1 : 0, hi = step < 0 ? len - 1 : len;
        if (start < 0) { start += len; if (start < 0) start = lo; } else if (start >= len) start = hi;
        if (stop < 0) { stop += len; if (stop < 0) stop = lo; } else if (stop >= len) stop = hi;
        List<Long> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) out.add(i);
        return out.stream().mapToLong(Long::longValue).toArray();
    }

    private static long bound(long len, Random rnd) {
        return switch (rnd.nextInt(8)) {
            case 0 -> Long.MAX_VALUE;
            case 1 -> Long.MIN_VALUE;
            default -> rnd.nextInt((int) (2 * len + 5)) - (len + 2);
        };
    }

    private static int[] shuffle(int n, Random rnd) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) p[i] = i;
        for (int i = n - 1; i > 0; i--) { int j = rnd.nextInt(i + 1); int x = p[i]; p[i] = p[j]; p[j] = x; }
        return p;
    }

    /** A random shape of rank 0..4 with exactly {@code n} elements (any shape containing a 0 when n is 0). */
    private static long[] randomFactorization(long n, Random rnd) {
        if (n == 0) {
            int rank = 1 + rnd.nextInt(4);
            long[] d = new long[rank];
            for (int i = 0; i < rank; i++) d[i] = rnd.nextInt(4);
            d[rnd.nextInt(rank)] = 0;
            return d;
        }
        List<Long> dims = new ArrayList<>();
        long rest = n;
        int maxRank = 4;
        while (dims.size() < maxRank - 1 && rest > 1 && rnd.nextBoolean()) {
            List<Long> divisors = new ArrayList<>();
            for (long d = 1; d <= rest; d++) if (rest % d == 0) divisors.add(d);
            long d = divisors.get(rnd.nextInt(divisors.size()));
            dims.add(d);
            rest /= d;
        }
        if (rest != 1 || rnd.nextBoolean()) dims.add(rest);
        // Sprinkle unit dims, which views must handle with any stride.
        if (dims.size() < maxRank && rnd.nextBoolean()) dims.add(rnd.nextInt(dims.size() + 1), 1L);
        return dims.stream().mapToLong(Long::longValue).toArray();
    }

    // ------------------------------------------------------------------ a few fixed cases worth naming

    @Example
    void sliceWithHugeStepsDoesNotOverflow() {
        Tensor t = Tensor.of(new float[]{0, 1, 2, 3, 4}, 5);
        assertArrayEquals(new float[]{1}, t.slice(0, 1, 5, Long.MAX_VALUE).toFloatArray());
        assertArrayEquals(new float[]{4}, t.slice(0, -1, Long.MIN_VALUE, Long.MIN_VALUE + 1).toFloatArray());
        assertArrayEquals(new float[]{4, 3, 2, 1, 0}, t.slice(0, Long.MAX_VALUE, Long.MIN_VALUE, -1).toFloatArray());
    }

    @Example
    void rankZeroViews() {
        Tensor s = Tensor.scalar(DType.F32, 3);
        assertEquals(3, s.reshape().getDouble(0));
        assertEquals(3, s.permute().getDouble(0));
        assertArrayEquals(new long[]{1, 1}, s.unsqueeze(0, 1).shape().dims());
        assertArrayEquals(new long[]{2, 3}, s.expand(Shape.of(2, 3)).shape().dims());
        assertEquals(3, s.expand(Shape.of(2, 3)).getDouble(5));
        assertEquals(0, s.unsqueeze(0).squeeze().rank());
        assertSame(s, s.contiguous());
    }

    @Example
    void transposedMatrixIsNotContiguousAndCopiesOnce() {
        Tensor m = Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor t = m.transpose(0, 1);
        assertFalse(t.isContiguous());
        assertArrayEquals(new float[]{1, 4, 2, 5, 3, 6}, t.toFloatArray());
        Tensor c = t.contiguous();
        assertSame(c, c.contiguous());
        // Transposed twice is the original layout again: dense, no copy needed.
        assertTrue(t.transpose(0, 1).isContiguous());
    }

    @Example
    void invalidViewArgumentsAreRejected() {
        Tensor m = Tensor.allocate(DType.F32, Shape.of(2, 3));
        assertThrows(IllegalArgumentException.class, () -> m.reshape(4, 2));
        assertThrows(IllegalArgumentException.class, () -> m.reshape(-1, -1));
        assertThrows(IllegalArgumentException.class, () -> m.permute(0, 0));
        assertThrows(IllegalArgumentException.class, () -> m.permute(0));
        assertThrows(IllegalArgumentException.class, () -> m.slice(0, 0, 1, 0));
        assertThrows(IllegalArgumentException.class, () -> m.slice(2, 0, 1, 1));
        assertThrows(IllegalArgumentException.class, () -> m.expand(Shape.of(3, 3)));
        assertThrows(IllegalArgumentException.class, () -> m.squeeze(0));
        assertThrows(IllegalArgumentException.class, () -> m.unsqueeze(0, 0));
        assertThrows(IllegalArgumentException.class, () -> m.unsqueeze(3));
    }
}
