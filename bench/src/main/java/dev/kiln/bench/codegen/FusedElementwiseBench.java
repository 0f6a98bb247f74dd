package dev.kiln.bench.codegen;

import dev.kiln.codegen.jvm.KernelCompiler;
import dev.kiln.codegen.jvm.RowKernel;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.fused.FusedElementwiseProgram;
import dev.kiln.ops.interp.Interpreter;
import dev.kiln.runtime.cpu.CpuKernelSelector;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Generated vs hand-written vs reference on the 4-input chain {@code max(a*b + c, d)}, n floats (default 4096).
 * A System.nanoTime harness (not JMH): each variant is warmed up for 3 s, then timed over 15 rounds of ~100 ms; the
 * median and min ns/element are printed, so a shared, noisy machine shows up as a wide min..median spread.
 *
 * <p>Run: {@code java --add-modules jdk.incubator.vector -cp ... dev.kiln.bench.codegen.FusedElementwiseBench [n]}
 */
public final class FusedElementwiseBench {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ValueLayout.OfFloat F = ValueLayout.JAVA_FLOAT_UNALIGNED;

    /** The hand-written loop a person would write for this chain. */
    static void handWritten(MemorySegment a, MemorySegment b, MemorySegment c, MemorySegment d, MemorySegment out, long n) {
        long i = 0, bound = S.loopBound(n);
        ByteOrder le = ByteOrder.LITTLE_ENDIAN;
        for (; i < bound; i += S.length()) {
            long off = i * 4;
            FloatVector va = FloatVector.fromMemorySegment(S, a, off, le), vb = FloatVector.fromMemorySegment(S, b, off, le);
            FloatVector vc = FloatVector.fromMemorySegment(S, c, off, le), vd = FloatVector.fromMemorySegment(S, d, off, le);
            va.mul(vb).add(vc).max(vd).intoMemorySegment(out, off, le);
        }
        for (; i < n; i++) {
            long off = i * 4;
            out.set(F, off, Math.max(a.get(F, off) * b.get(F, off) + c.get(F, off), d.get(F, off)));
        }
    }

    static float handDot(MemorySegment a, MemorySegment b, long n) {
        FloatVector acc = FloatVector.zero(S);
        long i = 0, bound = S.loopBound(n);
        for (; i < bound; i += S.length())
            acc = acc.add(FloatVector.fromMemorySegment(S, a, i * 4, ByteOrder.LITTLE_ENDIAN).mul(FloatVector.fromMemorySegment(S, b, i * 4, ByteOrder.LITTLE_ENDIAN)));
        float s = acc.reduceLanes(jdk.incubator.vector.VectorOperators.ADD);
        for (; i < n; i++) s += a.get(F, i * 4) * b.get(F, i * 4);
        return s;
    }

    interface Body { void run(); }

    /** Warms up for 3 s (C2 needs many calls of the interpreter paths), then times 15 rounds of at least 100 ms. */
    static double[] time(String name, long n, int unusedCalls, Body body) {
        long until = System.nanoTime() + 3_000_000_000L;
        long warmCalls = 0;
        while (System.nanoTime() < until) { body.run(); warmCalls++; }
        long calls = Math.max(1, warmCalls / 30);   // ~100 ms per round
        int rounds = 15;
        double[] nsPerElem = new double[rounds];
        for (int r = 0; r < rounds; r++) {
            long t0 = System.nanoTime();
            for (long i = 0; i < calls; i++) body.run();
            nsPerElem[r] = (System.nanoTime() - t0) / (double) calls / n;
        }
        Arrays.sort(nsPerElem);
        System.out.printf("%-36s median %8.4f ns/elem   min %8.4f   max %8.4f   (%,d calls/round)%n", name,
                nsPerElem[rounds / 2], nsPerElem[0], nsPerElem[rounds - 1], calls);
        return nsPerElem;
    }

    public static void main(String[] args) {
        long n = args.length > 0 ? Long.parseLong(args[0]) : 4096;
        Arena arena = Arena.ofAuto();   // shared: kernels may run on pool threads
        MemorySegment[] in = new MemorySegment[4];
        java.util.Random r = new java.util.Random(1);
        for (int k = 0; k < 4; k++) {
            in[k] = arena.allocate(n * 4, 64);
            for (long i = 0; i < n; i++) in[k].set(F, i * 4, (float) r.nextGaussian());
        }
        MemorySegment out = arena.allocate(n * 4, 64), check = arena.allocate(n * 4, 64);
        FusedElementwiseProgram p = FusedElementwiseProgram.parse("x4|mul(x0,x1);add(t0,x2);max(t1,x3)");
        RowKernel gen = KernelCompiler.kernel(p, new boolean[4]);
        long[] starts = new long[4];
        System.out.println("chain max(a*b+c, d), n=" + n + ", generated width " + KernelCompiler.BITS + " bits, hand-written "
                + S.vectorBitSize() + " bits, " + Runtime.getRuntime().availableProcessors() + " cpus visible");
        int calls = (int) Math.max(1, 20_000_000 / n);
        time("generated (classfile, hidden class)", n, calls, () -> gen.row(in, starts, out, 0, n));
        time("hand-written Vector API", n, calls, () -> handWritten(in[0], in[1], in[2], in[3], check, n));
        for (long i = 0; i < n; i++)
            if (Float.compare(out.get(F, i * 4), check.get(F, i * 4)) != 0) throw new AssertionError("generated != hand-written at " + i);

        // Row reduction: sum of a*b over the whole row (a dot product), generated vs hand-written.
        RowKernel dot = KernelCompiler.kernel(FusedElementwiseProgram.parse("x2|mul(x0,x1)"), new boolean[2], FusedElementwiseProgram.Reduction.SUM, KernelCompiler.BITS);
        MemorySegment[] two = {in[0], in[1]};
        long[] twoStarts = new long[2];
        time("generated reduce sum(a*b)", n, calls, () -> dot.row(two, twoStarts, out, 0, n));
        time("hand-written reduce sum(a*b)", n, calls, () -> out.set(F, 0, handDot(in[0], in[1], n)));

        // Reference: the FusedElementwise oracle, and the unfused graph on the reference and on the CPU kernels.
        Tensor[] ts = new Tensor[4];
        for (int k = 0; k < 4; k++) ts[k] = Tensor.wrap(DType.F32, Shape.of(n), in[k]);
        float[] vals = new float[4];
        double[] temps = new double[3];
        int refCalls = Math.max(1, calls / 50);
        time("reference program eval (double)", n, refCalls, () -> {
            for (long i = 0; i < n; i++) {
                for (int k = 0; k < 4; k++) vals[k] = in[k].get(F, i * 4);
                out.set(F, i * 4, p.eval(vals, temps));
            }
        });
        Graph g = chain(n);
        Map<String, Tensor> feeds = Map.of("a", ts[0], "b", ts[1], "c", ts[2], "d", ts[3]);
        Interpreter ref = new Interpreter(g, OpRegistry.standard());
        time("unfused graph, reference kernels", n, refCalls, () -> ref.run(feeds));
        Interpreter cpu = new Interpreter(chain(n), OpRegistry.standard(), new CpuKernelSelector(1));
        time("unfused graph, CPU Vector kernels", n, calls / 4, () -> cpu.run(feeds));
        Graph fusedGraph = chain(n);
        new dev.kiln.codegen.opt.elementwise.ElementwiseFusion().run(fusedGraph, null);
        Interpreter fused = new Interpreter(fusedGraph, OpRegistry.standard(), new CpuKernelSelector(1));
        time("fused graph, generated kernel", n, calls / 4, () -> fused.run(feeds));
    }

    public static Graph chain(long n) {
        Graph g = new Graph("chain");
        g.opsetImports().put("", 17);
        TensorType t = TensorType.of(DType.F32, Shape.of(n));
        Value a = new Value("a", t), b = new Value("b", t), c = new Value("c", t), d = new Value("d", t);
        g.inputs().addAll(List.of(a, b, c, d));
        Value m = new Value("m", t), s = new Value("s", t), y = new Value("y", t);
        g.nodes().add(new Node("mul", "", "Mul", List.of(a, b), List.of(m), Map.of()));
        g.nodes().add(new Node("add", "", "Add", List.of(m, c), List.of(s), Map.of()));
        g.nodes().add(new Node("max", "", "Max", List.of(s, d), List.of(y), Map.of()));
        g.outputs().add(y);
        return g;
    }
}
