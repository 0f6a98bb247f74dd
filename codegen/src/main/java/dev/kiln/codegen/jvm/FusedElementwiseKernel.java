package dev.kiln.codegen.jvm;

import dev.kiln.ops.Kernel;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.fused.FusedElementwiseOp;
import dev.kiln.ops.fused.FusedElementwiseProgram;
import dev.kiln.ops.math.Broadcasting;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.List;

/**
 * The generated-code kernel of {@code dev.kiln.FusedElementwise}: broadcasts the inputs, merges dimensions where
 * every operand is laid out contiguously across them (same-shape inputs become one flat row of all elements),
 * then runs the generated {@link RowKernel} once per row. Non-contiguous inputs are copied first.
 */
public final class FusedElementwiseKernel implements Kernel {
    private final int bits;
    /** This node's kernels by broadcast pattern (bit k = input k broadcast along the row): no key strings per run. */
    private final java.util.concurrent.ConcurrentHashMap<Long, RowKernel> byPattern = new java.util.concurrent.ConcurrentHashMap<>();

    public FusedElementwiseKernel() { this(KernelCompiler.BITS); }
    public FusedElementwiseKernel(int bits) { this.bits = bits; }

    @Override public Object[] execute(KernelContext ctx) {
        FusedElementwiseProgram p = FusedElementwiseOp.program(ctx);
        Tensor[] in = FusedElementwiseOp.inputs(ctx);
        Shape outShape;
        try {
            outShape = Broadcasting.shapeOf(in);
        } catch (IllegalArgumentException e) {
            throw ctx.fail("inputs do not broadcast: " + e.getMessage());
        }
        FusedElementwiseProgram.Reduction red = FusedElementwiseOp.reduction(ctx);
        if (red != null) {
            Tensor out = Tensor.allocate(DType.F32, FusedElementwiseOp.reducedShape(ctx, outShape));
            runReduce(p, red, in, outShape, out, pattern -> in.length <= 63
                    ? byPattern.computeIfAbsent(mask(pattern), m -> KernelCompiler.kernel(p, pattern, red, bits))
                    : KernelCompiler.kernel(p, pattern, red, bits));
            return new Object[] {out};
        }
        Tensor out = Tensor.allocate(DType.F32, outShape);
        if (in.length <= 63) {
            run(p, in, out, pattern -> byPattern.computeIfAbsent(mask(pattern), m -> KernelCompiler.kernel(p, pattern, bits)));
        } else {
            run(p, in, out, bits);
        }
        return new Object[] {out};
    }

    /** Computes {@code out = p(in...)}; {@code out} must be a fresh contiguous f32 tensor of the broadcast shape. */
    public static void run(FusedElementwiseProgram p, Tensor[] in, Tensor out, int bits) {
        run(p, in, out, pattern -> KernelCompiler.kernel(p, pattern, bits));
    }

    private static long mask(boolean[] pattern) {
        long m = 0;
        for (int k = 0; k < pattern.length; k++) if (pattern[k]) m |= 1L << k;
        return m;
    }

    private static void run(FusedElementwiseProgram p, Tensor[] in, Tensor out, java.util.function.Function<boolean[], RowKernel> kernels) {
        if (out.numel() == 0) return;
        int n = in.length;
        Shape shape = out.shape();
        if (flat(in, shape)) {   // the common case: same-shape contiguous operands, one call over all elements
            MemorySegment[] segs = new MemorySegment[n];
            long[] starts = new long[n];
            for (int k = 0; k < n; k++) { segs[k] = in[k].segment(); starts[k] = in[k].offset(); }
            kernels.apply(new boolean[n]).row(segs, starts, out.segment(), out.offset(), out.numel());
            return;
        }
        MemorySegment[] segs = new MemorySegment[n];
        long[][] strides = new long[n + 1][];
        long[] offsets = new long[n + 1];
        for (int k = 0; k < n; k++) {
            Tensor t = in[k].isContiguous() ? in[k] : in[k].contiguous();
            segs[k] = t.segment();
            strides[k] = Broadcasting.alignedStrides(t, shape);
            offsets[k] = t.offset();
        }
        strides[n] = Broadcasting.alignedStrides(out, shape);
        offsets[n] = out.offset();
        Collapsed c = collapse(shape.dims(), strides);
        boolean[] rowBroadcast = new boolean[n];
        for (int k = 0; k < n; k++) rowBroadcast[k] = c.strides[k][c.dims.length - 1] == 0;
        RowKernel kernel = kernels.apply(rowBroadcast);
        MemorySegment outSeg = out.segment();
        long[][] all = c.strides;
        Broadcasting.forEachRow(Shape.of(c.dims), all, offsets, (outStart, starts, len) -> {
            // starts holds every operand's element position; the output's is the last entry
            kernel.row(segs, starts, outSeg, starts[n], len);
        });
    }

    /** Computes {@code out = reduce(p(in...))} over the last axis of {@code full}; {@code out} is fresh, contiguous. */
    public static void runReduce(FusedElementwiseProgram p, FusedElementwiseProgram.Reduction red, Tensor[] in, Shape full, Tensor out, int bits) {
        runReduce(p, red, in, full, out, pattern -> KernelCompiler.kernel(p, pattern, red, bits));
    }

    private static void runReduce(FusedElementwiseProgram p, FusedElementwiseProgram.Reduction red, Tensor[] in, Shape full, Tensor out,
                                  java.util.function.Function<boolean[], RowKernel> kernels) {
        if (out.numel() == 0) return;
        int n = in.length, r = full.rank();
        long len = full.dim(r - 1);
        if (len == 0) {   // empty rows: the reductions' identities, as the reference
            for (long o = 0; o < out.numel(); o++) out.setFloat(o, red == FusedElementwiseProgram.Reduction.MAX ? Float.NEGATIVE_INFINITY : 0f);
            return;
        }
        MemorySegment[] segs = new MemorySegment[n];
        long[][] strides = new long[n][];
        long[] offsets = new long[n];
        boolean[] rowBroadcast = new boolean[n];
        for (int k = 0; k < n; k++) {
            Tensor t = in[k].isContiguous() ? in[k] : in[k].contiguous();
            segs[k] = t.segment();
            strides[k] = Broadcasting.alignedStrides(t, full);
            offsets[k] = t.offset();
            rowBroadcast[k] = strides[k][r - 1] == 0;
        }
        RowKernel kernel = kernels.apply(rowBroadcast);
        MemorySegment outSeg = out.segment();
        long base = out.offset();
        Broadcasting.forEachRow(full, strides, offsets, (outStart, starts, rowLen) -> kernel.row(segs, starts, outSeg, base + outStart / rowLen, rowLen));
    }

    private static boolean flat(Tensor[] in, Shape shape) {
        for (Tensor t : in) if (!t.isContiguous() || !t.shape().equals(shape)) return false;
        return true;
    }

    /** Dims and per-operand strides after merging adjacent dims that every operand walks contiguously. */
    record Collapsed(long[] dims, long[][] strides) {}

    static Collapsed collapse(long[] dims, long[][] strides) {
        int ops = strides.length;
        List<Long> d = new ArrayList<>();
        List<long[]> s = new ArrayList<>();
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] == 1) continue;   // size-1 dims contribute nothing to addressing
            long[] col = new long[ops];
            for (int k = 0; k < ops; k++) col[k] = strides[k][i];
            if (!d.isEmpty()) {
                long inner = dims[i];
                long[] prev = s.getLast();
                boolean merge = true;
                for (int k = 0; k < ops; k++) if (prev[k] != col[k] * inner) { merge = false; break; }
                if (merge) {
                    d.set(d.size() - 1, d.getLast() * inner);
                    s.set(s.size() - 1, col);
                    continue;
                }
            }
            d.add(dims[i]);
            s.add(col);
        }
        if (d.isEmpty()) { d.add(1L); s.add(new long[ops]); }
        long[] outDims = new long[d.size()];
        long[][] outStrides = new long[ops][d.size()];
        for (int i = 0; i < outDims.length; i++) {
            outDims[i] = d.get(i);
            for (int k = 0; k < ops; k++) outStrides[k][i] = s.get(i)[k];
        }
        return new Collapsed(outDims, outStrides);
    }
}
