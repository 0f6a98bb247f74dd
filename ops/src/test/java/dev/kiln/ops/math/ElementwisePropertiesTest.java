package dev.kiln.ops.math;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Float8;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.Random;

import static dev.kiln.ops.math.MathRun.op;
import static org.junit.jupiter.api.Assertions.*;

/** Properties over random shapes (odd sizes, size-1 and zero-size dims, broadcasting) and dtypes. */
class ElementwisePropertiesTest {
    /** A pair of shapes that broadcast together: a common shape with some dims set to 1 or dropped on each side. */
    record Pair(long[] a, long[] b) {}

    @Provide
    Arbitrary<Pair> broadcastPairs() {
        return Combinators.combine(Arbitraries.integers().between(0, 4), Arbitraries.longs().between(0, Long.MAX_VALUE))
                .as((rank, seed) -> {
                    Random r = new Random(seed);
                    long[] full = new long[rank];
                    for (int i = 0; i < rank; i++) full[i] = r.nextInt(10) == 0 ? 0 : 1 + r.nextInt(5);
                    return new Pair(variant(full, r), variant(full, r));
                });
    }

    private static long[] variant(long[] full, Random r) {
        int drop = full.length == 0 ? 0 : r.nextInt(full.length + 1);
        long[] d = new long[full.length - drop];
        for (int i = 0; i < d.length; i++) d[i] = r.nextInt(3) == 0 ? 1 : full[i + drop];
        return d;
    }

    static Tensor random(DType t, long[] dims, Random r) {
        Tensor x = Tensor.allocate(t, Shape.of(dims));
        for (long i = 0; i < x.numel(); i++) {
            if (t.isFloatingPoint()) x.setDouble(i, r.nextGaussian() * 10);
            else x.setLong(i, r.nextInt(200) - 100);
        }
        return x;
    }

    @Property(tries = 200)
    void broadcastAddAgreesWithExpandThenAdd(@ForAll("broadcastPairs") Pair p, @ForAll long seed) {
        Random r = new Random(seed);
        for (DType t : new DType[] {DType.F32, DType.I64, DType.F64}) {
            Tensor a = random(t, p.a, r), b = random(t, p.b, r);
            Tensor y = op("Add").in(a).in(b).run1();
            Shape s = Shape.broadcast(a.shape(), b.shape());
            assertEquals(s, y.shape());
            assertEquals(t, y.dtype());
            Tensor ea = a.expand(s), eb = b.expand(s);
            for (long i = 0; i < s.numel(); i++) {
                if (t.isFloatingPoint()) assertEquals((t == DType.F32 ? (float) (ea.getDouble(i) + eb.getDouble(i)) : ea.getDouble(i) + eb.getDouble(i)), y.getDouble(i), 0.0);
                else assertEquals(ea.getLong(i) + eb.getLong(i), y.getLong(i));
            }
        }
    }

    @Property(tries = 100)
    void broadcastingWorksOnStridedViews(@ForAll @IntRange(min = 1, max = 6) int m, @ForAll @IntRange(min = 1, max = 6) int n, @ForAll long seed) {
        Random r = new Random(seed);
        Tensor a = random(DType.F32, new long[] {n, m}, r).transpose(0, 1);   // non-contiguous [m, n]
        Tensor b = random(DType.F32, new long[] {n}, r);
        Tensor y = op("Mul").in(a).in(b).run1();
        for (int i = 0; i < m; i++)
            for (int j = 0; j < n; j++)
                assertEquals((float) (a.getDouble(new long[] {i, j}) * b.getDouble(j)), y.getDouble(i * n + j), 0.0);
    }

    @Property(tries = 100)
    void lessIsGreaterSwapped(@ForAll("broadcastPairs") Pair p, @ForAll long seed) {
        Random r = new Random(seed);
        Tensor a = random(DType.I32, p.a, r), b = random(DType.I32, p.b, r);
        Tensor lt = op("Less").in(a).in(b).run1(), gt = op("Greater").in(b).in(a).run1();
        Tensor ge = op("GreaterOrEqual").in(a).in(b).run1();
        assertEquals(DType.BOOL, lt.dtype());
        for (long i = 0; i < lt.numel(); i++) {
            assertEquals(lt.getLong(i), gt.getLong(i));
            assertEquals(1 - lt.getLong(i), ge.getLong(i));
        }
    }

    @Property(tries = 50)
    void castRoundTripsThroughWiderTypes(@ForAll long seed) {
        Random r = new Random(seed);
        Tensor ints = random(DType.I32, new long[] {7, 3}, r);
        Tensor wide = op("Cast").attr("to", (long) DType.I64.onnxCode()).in(ints).run1();
        Tensor back = op("Cast").attr("to", (long) DType.I32.onnxCode()).in(wide).run1();
        assertArrayEquals(ints.toLongArray(), back.toLongArray());
        Tensor f = random(DType.F32, new long[] {11}, r);
        Tensor d = op("Cast").attr("to", (long) DType.F64.onnxCode()).in(f).run1();
        Tensor f2 = op("Cast").attr("to", (long) DType.F32.onnxCode()).in(d).run1();
        assertArrayEquals(f.toFloatArray(), f2.toFloatArray());
        Tensor s = op("Cast").attr("to", (long) DType.STRING.onnxCode()).in(f).run1();
        Tensor f3 = op("Cast").attr("to", (long) DType.F32.onnxCode()).in(s).run1();
        assertArrayEquals(f.toFloatArray(), f3.toFloatArray(), "via strings " + java.util.Arrays.toString(s.toStringArray()));
    }

    @Property(tries = 200)
    void castToFloat8MatchesFloat8Encoder(@ForAll float v, @ForAll boolean saturate) {
        for (DType t : new DType[] {DType.F8E4M3FN, DType.F8E4M3FNUZ, DType.F8E5M2, DType.F8E5M2FNUZ}) {
            Tensor y = op("Cast").attr("to", (long) t.onnxCode()).attr("saturate", saturate ? 1L : 0L).in(MathRun.f32(v)).run1();
            assertEquals(Float8.fromFloat(t, v, saturate), y.segment().get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0) & 0xFF, t + " " + v);
        }
    }
}
