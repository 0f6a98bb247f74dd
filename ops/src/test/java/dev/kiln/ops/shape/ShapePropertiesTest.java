package dev.kiln.ops.shape;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static dev.kiln.ops.shape.OpRunner.longs;
import static dev.kiln.ops.shape.OpRunner.op;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Properties of the layout kernels over random shapes: odd sizes, size-1 and zero-size dims, several dtypes. */
class ShapePropertiesTest {
    @Provide Arbitrary<long[]> shapes() {
        return Arbitraries.longs().between(0, 5).array(long[].class).ofMinSize(1).ofMaxSize(4)
                .filter(d -> { long n = 1; for (long x : d) n *= x; return n <= 400; });
    }

    @Provide Arbitrary<DType> dtypes() { return Arbitraries.of(DType.F32, DType.I64, DType.U8, DType.F16, DType.STRING, DType.BOOL); }

    /** Distinct, exactly representable values in every tested dtype (strings spell the number). */
    static Tensor sample(DType dt, long[] dims, long seed) {
        Shape s = Shape.of(dims);
        Tensor t = Tensor.allocate(dt, s);
        Random r = new Random(seed);
        for (long i = 0; i < s.numel(); i++) {
            int v = r.nextInt(200);
            if (dt == DType.STRING) t.setString(i, "s" + v); else t.setLong(i, dt == DType.BOOL ? v & 1 : v);
        }
        return t;
    }

    static boolean same(Tensor a, Tensor b) {
        if (a.dtype() != b.dtype() || !a.shape().equals(b.shape())) return false;
        for (long i = 0; i < a.numel(); i++) {
            if (a.dtype() == DType.STRING ? !a.getString(i).equals(b.getString(i)) : a.getLong(i) != b.getLong(i)) return false;
        }
        return true;
    }

    @Property(tries = 200)
    void transposeThenInverseIsIdentity(@ForAll("shapes") long[] dims, @ForAll("dtypes") DType dt, @ForAll long seed) {
        Tensor x = sample(dt, dims, seed);
        List<Long> p = new ArrayList<>();
        for (long i = 0; i < dims.length; i++) p.add(i);
        Collections.shuffle(p, new Random(seed));
        long[] perm = p.stream().mapToLong(Long::longValue).toArray(), inv = new long[perm.length];
        for (int i = 0; i < perm.length; i++) inv[(int) perm[i]] = i;
        Tensor y = op("Transpose").attr("perm", perm).in(x).run1();
        for (int i = 0; i < perm.length; i++) assertEquals(dims[(int) perm[i]], y.shape().dim(i));
        Tensor z = op("Transpose").attr("perm", inv).in(y).run1();
        assertEquals(true, same(x, z));
    }

    @Property(tries = 300)
    void sliceAgreesWithTensorSliceView(@ForAll("shapes") long[] dims, @ForAll long seed,
                                        @ForAll @IntRange(min = -8, max = 8) int start, @ForAll @IntRange(min = -9, max = 9) int end,
                                        @ForAll @IntRange(min = -3, max = 3) int step) {
        if (step == 0) return;
        Tensor x = sample(DType.F32, dims, seed);
        int axis = (int) Math.floorMod(seed, dims.length);
        long n = dims[axis];
        // Python and ONNX clamp the same way except for a negative step with start below -n.
        if (step < 0 && start < -n) return;
        Tensor want = x.slice(axis, start, end, step);
        Tensor got = op("Slice").in(x).in(longs(start)).in(longs(end)).in(longs(axis)).in(longs(step)).run1();
        assertEquals(want.shape(), got.shape());
        // (Tensor.toFloatArray of an empty slice view can point past its segment, so only compare non-empty ones.)
        if (want.numel() > 0) assertArrayEquals(want.toFloatArray(), got.toFloatArray());
    }

    @Property(tries = 200)
    void concatThenSplitRoundTrips(@ForAll("shapes") long[] dims, @ForAll("dtypes") DType dt, @ForAll long seed,
                                   @ForAll @IntRange(min = 1, max = 4) int parts) {
        int axis = (int) Math.floorMod(seed, dims.length);
        Random r = new Random(seed);
        List<Tensor> ins = new ArrayList<>();
        long[] sizes = new long[parts];
        OpRunner concat = op("Concat").attr("axis", (long) axis - dims.length);   // negative axis on purpose
        for (int i = 0; i < parts; i++) {
            long[] d = dims.clone();
            d[axis] = r.nextInt(4);
            sizes[i] = d[axis];
            Tensor t = sample(dt, d, seed + i);
            ins.add(t);
            concat.in(t);
        }
        Tensor c = concat.run1();
        OpRunner split = op("Split").attr("axis", (long) axis).in(c).in(Tensor.ofLongs(sizes, parts)).outputs(parts);
        Object[] back = split.run();
        for (int i = 0; i < parts; i++) assertEquals(true, same(ins.get(i), (Tensor) back[i]), "part " + i);
    }

    @Property(tries = 200)
    void gatherAgreesWithNaiveLoop(@ForAll("shapes") long[] dims, @ForAll("dtypes") DType dt, @ForAll long seed) {
        Tensor x = sample(dt, dims, seed);
        int axis = (int) Math.floorMod(seed, dims.length);
        long n = dims[axis];
        if (n == 0) return;
        Random r = new Random(seed);
        int m = r.nextInt(4);
        long[] idx = new long[m * 2];
        for (int i = 0; i < idx.length; i++) idx[i] = r.nextInt((int) (2 * n)) - n;   // negatives count from the end
        Tensor ind = Tensor.ofLongs(idx, m, 2);
        Tensor y = op("Gather").attr("axis", (long) axis).in(x).in(ind).run1();
        long outer = 1, inner = 1;
        for (int i = 0; i < axis; i++) outer *= dims[i];
        for (int i = axis + 1; i < dims.length; i++) inner *= dims[i];
        long e = 0;
        for (long o = 0; o < outer; o++)
            for (long j : idx) {
                long k = j < 0 ? j + n : j;
                for (long in = 0; in < inner; in++, e++) {
                    long src = (o * n + k) * inner + in;
                    if (dt == DType.STRING) assertEquals(x.getString(src), y.getString(e));
                    else assertEquals(x.getLong(src), y.getLong(e));
                }
            }
        assertEquals(y.numel(), e);
    }

    @Property(tries = 150)
    void tileAgreesWithModularIndexing(@ForAll("shapes") long[] dims, @ForAll long seed) {
        Tensor x = sample(DType.I64, dims, seed);
        Random r = new Random(seed);
        long[] reps = new long[dims.length];
        for (int i = 0; i < reps.length; i++) reps[i] = r.nextInt(3);
        Tensor y = op("Tile").in(x).in(Tensor.ofLongs(reps, reps.length)).run1();
        long[] od = y.shape().dims();
        long[] idx = new long[od.length];
        for (long e = 0; e < y.numel(); e++) {
            long src = 0;
            for (int a = 0; a < od.length; a++) src = src * dims[a] + idx[a] % dims[a];
            assertEquals(x.getLong(src), y.getLong(e));
            for (int a = od.length - 1; a >= 0; a--) { if (++idx[a] < od[a]) break; idx[a] = 0; }
        }
    }

    @Property(tries = 150)
    void expandAgreesWithBroadcastIndexing(@ForAll("shapes") long[] dims, @ForAll long seed) {
        // Make some axes size 1 (broadcast sources) and prepend up to two new axes.
        Random r = new Random(seed);
        long[] src = dims.clone();
        for (int i = 0; i < src.length; i++) if (r.nextBoolean()) src[i] = 1;
        int extra = r.nextInt(3);
        long[] target = new long[dims.length + extra];
        for (int i = 0; i < extra; i++) target[i] = 1 + r.nextInt(3);
        System.arraycopy(dims, 0, target, extra, dims.length);
        Tensor x = sample(DType.I64, src, seed);
        Tensor y = op("Expand").in(x).in(Tensor.ofLongs(target, target.length)).run1();
        assertEquals(Shape.of(target), y.shape());
        long[] idx = new long[target.length];
        for (long e = 0; e < y.numel(); e++) {
            long s = 0;
            for (int a = 0; a < src.length; a++) s = s * src[a] + (src[a] == 1 ? 0 : idx[a + extra]);
            assertEquals(x.getLong(s), y.getLong(e));
            for (int a = target.length - 1; a >= 0; a--) { if (++idx[a] < target[a]) break; idx[a] = 0; }
        }
    }

    @Property(tries = 100)
    void depthToSpaceThenSpaceToDepthRoundTrips(@ForAll @IntRange(min = 1, max = 3) int b, @ForAll @IntRange(min = 0, max = 2) int n,
                                                @ForAll @IntRange(min = 1, max = 3) int c, @ForAll @IntRange(min = 0, max = 3) int h,
                                                @ForAll @IntRange(min = 1, max = 3) int w, @ForAll boolean crd, @ForAll long seed) {
        Tensor x = sample(DType.F32, new long[]{n, (long) c * b * b, h, w}, seed);
        Tensor y = op("DepthToSpace").attr("blocksize", (long) b).attr("mode", crd ? "CRD" : "DCR").in(x).run1();
        assertEquals(Shape.of(n, c, (long) h * b, (long) w * b), y.shape());
        if (!crd) {
            Tensor z = op("SpaceToDepth").attr("blocksize", (long) b).in(y).run1();
            assertEquals(true, same(x, z));
        }
    }

    @Property(tries = 150)
    void constantPadThenSliceBackIsIdentity(@ForAll("shapes") long[] dims, @ForAll("dtypes") DType dt, @ForAll long seed) {
        Tensor x = sample(dt, dims, seed);
        Random r = new Random(seed);
        int k = dims.length;
        long[] pads = new long[2 * k], starts = new long[k], ends = new long[k];
        for (int i = 0; i < k; i++) {
            pads[i] = r.nextInt(3);
            pads[i + k] = r.nextInt(3);
            starts[i] = pads[i];
            ends[i] = pads[i] + dims[i];
        }
        Tensor p = op("Pad").in(x).in(Tensor.ofLongs(pads, pads.length)).run1();
        for (int i = 0; i < k; i++) assertEquals(dims[i] + pads[i] + pads[i + k], p.shape().dim(i));
        Tensor back = op("Slice").in(p).in(Tensor.ofLongs(starts, k)).in(Tensor.ofLongs(ends, k)).run1();
        assertEquals(true, same(x, back));
    }

    @Property(tries = 150)
    void gatherElementsAgreesWithNaiveLoop(@ForAll("shapes") long[] dims, @ForAll long seed) {
        Tensor x = sample(DType.I64, dims, seed);
        int axis = (int) Math.floorMod(seed, dims.length);
        if (dims[axis] == 0) return;
        Random r = new Random(seed);
        long[] id = dims.clone();
        id[axis] = r.nextInt(4);
        Shape is = Shape.of(id);
        long[] idx = new long[(int) is.numel()];
        for (int i = 0; i < idx.length; i++) idx[i] = r.nextInt((int) dims[axis]);
        Tensor y = op("GatherElements").attr("axis", (long) axis).in(x).in(Tensor.ofLongs(idx, id)).run1();
        long[] pos = new long[id.length], xs = Shape.of(dims).contiguousStrides();
        for (int e = 0; e < idx.length; e++) {
            long src = 0;
            for (int a = 0; a < id.length; a++) src += (a == axis ? idx[e] : pos[a]) * xs[a];
            assertEquals(x.getLong(src), y.getLong(e));
            for (int a = id.length - 1; a >= 0; a--) { if (++pos[a] < id[a]) break; pos[a] = 0; }
        }
    }

    @Property(tries = 150)
    void scatterElementsOfGatheredValuesRestoresData(@ForAll("shapes") long[] dims, @ForAll long seed) {
        // Scattering data's own elements back at a permutation of their positions along the axis is the identity.
        Tensor x = sample(DType.I64, dims, seed);
        int axis = (int) Math.floorMod(seed, dims.length);
        long n = dims[axis];
        List<Long> perm = new ArrayList<>();
        for (long i = 0; i < n; i++) perm.add(i);
        Collections.shuffle(perm, new Random(seed));
        long total = Shape.of(dims).numel();
        long inner = 1;
        for (int a = axis + 1; a < dims.length; a++) inner *= dims[a];
        long[] idx = new long[(int) total];
        for (long e = 0; e < total; e++) idx[(int) e] = perm.get((int) ((e / inner) % Math.max(n, 1)));
        Tensor ind = Tensor.ofLongs(idx, dims);
        Tensor g = op("GatherElements").attr("axis", (long) axis).in(x).in(ind).run1();
        Tensor zero = Tensor.allocate(DType.I64, Shape.of(dims));
        Tensor back = op("ScatterElements").attr("axis", (long) axis).in(zero).in(ind).in(g).run1();
        assertEquals(true, same(x, back));
    }

    @Property(tries = 100)
    void viewCopyMatchesLogicalCopy(@ForAll("shapes") long[] dims, @ForAll("dtypes") DType dt, @ForAll long seed) {
        // A permuted view materialised by View.copy equals Tensor.copy() of the same view (position() per element).
        Tensor x = sample(dt, dims, seed);
        int[] perm = new int[dims.length];
        for (int i = 0; i < perm.length; i++) perm[i] = perm.length - 1 - i;
        Tensor v = x.permute(perm);
        assertEquals(true, same(v.copy(), View.dense(v)));
    }

}
