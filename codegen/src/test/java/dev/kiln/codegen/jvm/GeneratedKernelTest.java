package dev.kiln.codegen.jvm;

import dev.kiln.codegen.loop.ElementLoop;
import dev.kiln.ops.fused.FusedElementwiseProgram;
import dev.kiln.ops.fused.FusedElementwiseProgram.Op;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Generated kernels at every vector width (0 = scalar, 128, 256, 512; widths above the hardware's are emulated
 * by the JDK, slowly but correctly) against the FusedElementwise reference evaluation, on random programs and
 * random broadcast shapes. Arithmetic-only programs must match bit for bit.
 */
class GeneratedKernelTest {
    static final Op[] EXACT = {Op.ADD, Op.SUB, Op.MUL, Op.DIV, Op.MAX, Op.MIN, Op.NEG, Op.ABS, Op.SQRT, Op.RECIP, Op.RELU,
            Op.FLOOR, Op.CEIL, Op.ERF};

    @Provide Arbitrary<Integer> widths() { return Arbitraries.of(0, 128, 256, 512); }

    /** A random program over {@code n} inputs using only exactly-rounded ops plus comparisons/where. */
    static FusedElementwiseProgram randomProgram(Random r, int n) {
        List<FusedElementwiseProgram.Inst> insts = new ArrayList<>();
        List<FusedElementwiseProgram.Arg> floats = new ArrayList<>();
        for (int k = 0; k < n; k++) floats.add(new FusedElementwiseProgram.Arg.In(k));
        floats.add(new FusedElementwiseProgram.Arg.Const(r.nextBoolean() ? 0.5f : -2f));
        int len = 1 + r.nextInt(8);
        for (int j = 0; j < len; j++) {
            Op op = r.nextInt(6) == 0 ? Op.WHERE : EXACT[r.nextInt(EXACT.length)];
            if (op == Op.WHERE) {
                Op cmp = new Op[] {Op.LT, Op.LE, Op.GT, Op.GE, Op.EQ}[r.nextInt(5)];
                insts.add(new FusedElementwiseProgram.Inst(cmp, List.of(pick(floats, r), pick(floats, r))));
                int c = insts.size() - 1;
                insts.add(new FusedElementwiseProgram.Inst(Op.WHERE, List.of(new FusedElementwiseProgram.Arg.Tmp(c), pick(floats, r), pick(floats, r))));
            } else {
                List<FusedElementwiseProgram.Arg> a = new ArrayList<>();
                for (int i = 0; i < op.arity; i++) a.add(pick(floats, r));
                insts.add(new FusedElementwiseProgram.Inst(op, a));
            }
            floats.add(new FusedElementwiseProgram.Arg.Tmp(insts.size() - 1));
        }
        return new FusedElementwiseProgram(n, insts);
    }

    private static FusedElementwiseProgram.Arg pick(List<FusedElementwiseProgram.Arg> pool, Random r) {
        return r.nextBoolean() ? pool.getLast() : pool.get(r.nextInt(pool.size()));
    }

    /** Reference evaluation over broadcast inputs, one element at a time. */
    static Tensor reference(FusedElementwiseProgram p, Tensor[] in, Shape out) {
        Tensor res = Tensor.allocate(DType.F32, out);
        float[] vals = new float[in.length];
        double[] temps = new double[p.insts().size()];
        for (long i = 0; i < out.numel(); i++) {
            for (int k = 0; k < in.length; k++) vals[k] = in[k].expand(out).getFloat(i);
            res.setFloat(i, p.eval(vals, temps));
        }
        return res;
    }

    @Property(tries = 200)
    void generatedMatchesReferenceAtEveryWidth(@ForAll long seed, @ForAll("widths") int bits) {
        Random r = new Random(seed);
        int n = 1 + r.nextInt(4);
        long[] dims = new long[r.nextInt(4)];
        long[] choices = {0, 1, 2, 3, 5, 7, 15, 16, 17, 37, 100};
        for (int i = 0; i < dims.length; i++) dims[i] = choices[r.nextInt(choices.length)];
        if (r.nextInt(5) != 0) for (int i = 0; i < dims.length; i++) if (dims[i] == 0) dims[i] = 4;
        Shape out = Shape.of(dims);
        Tensor[] in = new Tensor[n];
        for (int k = 0; k < n; k++) {
            long[] d = dims.clone();
            if (k > 0) for (int i = 0; i < d.length; i++) if (r.nextInt(3) == 0) d[i] = 1;
            double[] v = new double[(int) Shape.of(d).numel()];
            for (int i = 0; i < v.length; i++) v[i] = r.nextInt(10) == 0 ? 0 : r.nextGaussian() * 3;
            in[k] = Tensor.fromDoubles(DType.F32, v, d);
        }
        FusedElementwiseProgram p = randomProgram(r, n);
        Tensor want = reference(p, in, out);
        Tensor got = Tensor.allocate(DType.F32, out);
        FusedElementwiseKernel.run(p, in, got, bits);
        for (long i = 0; i < out.numel(); i++) {
            float a = want.getFloat(i), b = got.getFloat(i);
            long at = i;
            assertTrue(Float.isNaN(a) ? Float.isNaN(b) : a == b,
                    () -> p + " width " + bits + " shape " + out + " at " + at + ": " + a + " vs " + b);
        }
    }

    @Test
    void mutatedKernelIsCaught() {
        // the oracle must be able to fail: a kernel for a different program disagrees
        FusedElementwiseProgram add = FusedElementwiseProgram.parse("x2|add(x0,x1)");
        FusedElementwiseProgram sub = FusedElementwiseProgram.parse("x2|sub(x0,x1)");
        Tensor a = Tensor.of(new float[] {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17}, 17);
        Tensor b = Tensor.of(new float[] {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, 17);
        Tensor got = Tensor.allocate(DType.F32, a.shape());
        FusedElementwiseKernel.run(sub, new Tensor[] {a, b}, got, 256);
        Tensor want = reference(add, new Tensor[] {a, b}, a.shape());
        assertNotEquals(want.getFloat(16), got.getFloat(16));
        assertEquals(16f, got.getFloat(16));   // scalar tail element (17 = 2*8 + 1)
        assertEquals(15f, got.getFloat(15));   // last vector element
    }

    @Test
    void broadcastRowsHoistInvariants() {
        FusedElementwiseProgram p = FusedElementwiseProgram.parse("x2|mul(x1,c2.0);add(x0,t0)");
        ElementLoop loop = ElementLoop.lower(p, new boolean[] {false, true});
        assertTrue(loop.body().get(2) instanceof ElementLoop.Reg.Apply && loop.invariant()[2], loop.toString());   // mul(x1, 2) hoisted
        assertFalse(loop.invariant()[loop.result()], loop.toString());
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor col = Tensor.of(new float[] {10, 20}, 2, 1);
        Tensor out = Tensor.allocate(DType.F32, Shape.of(2, 3));
        FusedElementwiseKernel.run(p, new Tensor[] {x, col}, out, 128);
        assertArrayEquals(new float[] {21, 22, 23, 44, 45, 46}, out.toFloatArray());
    }

    @Test
    void transcendentalVectorFormsAreCloseAtEveryWidth() {
        FusedElementwiseProgram p = FusedElementwiseProgram.parse("x1|exp(x0);tanh(x0);add(t0,t1);sigmoid(x0);mul(t2,t3);pow(t3,c1.5);add(t4,t5);sin(x0);cos(x0);add(t7,t8);add(t6,t9)");
        Random r = new Random(3);
        float[] v = new float[1001];
        for (int i = 0; i < v.length; i++) v[i] = (float) (r.nextGaussian() * 4);
        Tensor x = Tensor.of(v, v.length);
        Tensor want = reference(p, new Tensor[] {x}, x.shape());
        for (int bits : new int[] {0, 128, 256, 512}) {
            Tensor got = Tensor.allocate(DType.F32, x.shape());
            FusedElementwiseKernel.run(p, new Tensor[] {x}, got, bits);
            for (int i = 0; i < v.length; i++) {
                float a = want.getFloat(i), b = got.getFloat(i);
                assertEquals(a, b, 1e-5 + 2e-6 * Math.abs(a), "width " + bits + " at " + i + " x=" + v[i]);
            }
        }
    }

    @Test
    void cacheReturnsTheSameKernelForTheSameProgram() {
        FusedElementwiseProgram p = FusedElementwiseProgram.parse("x1|neg(x0);abs(t0)");
        RowKernel a = KernelCompiler.kernel(p, new boolean[] {false}, 256);
        long n = KernelCompiler.generatedCount();
        RowKernel b = KernelCompiler.kernel(FusedElementwiseProgram.parse(p.canonical()), new boolean[] {false}, 256);
        assertSame(a, b);
        assertEquals(n, KernelCompiler.generatedCount());
        assertNotSame(a, KernelCompiler.kernel(p, new boolean[] {true}, 256));
    }

    @Test
    void programTextRoundTripsAndRejectsNonsense() {
        String text = "x3|lt(x0,c-0.0);where(t0,x1,x2);max(t1,cNaN)";
        assertEquals(text, FusedElementwiseProgram.parse(text).canonical());
        assertThrows(IllegalArgumentException.class, () -> FusedElementwiseProgram.parse("x1|add(x0,x1)"));
        assertThrows(IllegalArgumentException.class, () -> FusedElementwiseProgram.parse("x1|where(x0,x0,x0)"));
        assertThrows(IllegalArgumentException.class, () -> FusedElementwiseProgram.parse("x1|lt(x0,x0)"));
        assertThrows(IllegalArgumentException.class, () -> FusedElementwiseProgram.parse("x1|frob(x0)"));
        assertThrows(IllegalArgumentException.class, () -> FusedElementwiseProgram.parse("x1|add(t0,x0)"));
    }

    @Test
    void vectorBitsPropertyMeansWhatTheCpuBackendMeans() {
        assertEquals(0, KernelCompiler.chooseBits("0"));
        assertEquals(0, KernelCompiler.chooseBits("scalar"));
        assertEquals(256, KernelCompiler.chooseBits(" 256 "));
        assertTrue(KernelCompiler.chooseBits(null) >= 128 || KernelCompiler.chooseBits(null) == 0);
        assertThrows(IllegalArgumentException.class, () -> KernelCompiler.chooseBits("96"));
    }

    @Property(tries = 200)
    void reducingKernelsMatchReferenceAtEveryWidth(@ForAll long seed, @ForAll("widths") int bits) {
        Random r = new Random(seed);
        int n = 1 + r.nextInt(3);
        long[] choices = {1, 2, 3, 5, 7, 15, 16, 17, 37, 100, 384};
        long[] dims = new long[1 + r.nextInt(3)];
        for (int i = 0; i < dims.length; i++) dims[i] = choices[r.nextInt(choices.length)];
        Shape full = Shape.of(dims);
        Tensor[] in = new Tensor[n];
        for (int k = 0; k < n; k++) {
            long[] d = dims.clone();
            if (k > 0) for (int i = 0; i < d.length; i++) if (r.nextInt(3) == 0) d[i] = 1;
            double[] v = new double[(int) Shape.of(d).numel()];
            for (int i = 0; i < v.length; i++) v[i] = r.nextGaussian() * 3;
            in[k] = Tensor.fromDoubles(DType.F32, v, d);
        }
        FusedElementwiseProgram p = randomProgram(r, n);
        FusedElementwiseProgram.Reduction red = FusedElementwiseProgram.Reduction.values()[r.nextInt(3)];
        Tensor values = reference(p, in, full);   // per element, rounded to f32 like the unfused graph
        long len = dims[dims.length - 1];
        long[] rd = dims.clone();
        rd[rd.length - 1] = 1;
        Tensor got = Tensor.allocate(DType.F32, Shape.of(rd));
        FusedElementwiseKernel.runReduce(p, red, in, full, got, bits);
        for (long row = 0; row < got.numel(); row++) {
            double acc = red == FusedElementwiseProgram.Reduction.MAX ? Double.NEGATIVE_INFINITY : 0, abs = 0;
            for (long j = 0; j < len; j++) {
                float v = values.getFloat(row * len + j);
                acc = red == FusedElementwiseProgram.Reduction.MAX ? Math.max(acc, v) : acc + v;
                abs += Math.abs(v);
            }
            if (red == FusedElementwiseProgram.Reduction.MEAN) { acc /= len; abs /= len; }
            float want = (float) acc, have = got.getFloat(row);
            // f32 accumulation in another order: error bounded by ~len ulps of the sum of magnitudes; max is exact
            double tol = red == FusedElementwiseProgram.Reduction.MAX ? 0 : 1.2e-7 * (len + 2) * abs;
            long at = row;
            if (Double.isNaN(want) || Double.isInfinite(abs)) assertTrue(Float.isNaN(have) || have == want, () -> p + " " + red + " row " + at + ": " + want + " vs " + have);
            else assertTrue(Math.abs(want - have) <= tol, () -> p + " " + red + " width " + bits + " " + full + " row " + at + ": " + want + " vs " + have + " (tol " + tol + ")");
        }
    }
}
