package dev.kiln.ops.fused;

import dev.kiln.ops.Infers;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.ops.math.Broadcasting;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code dev.kiln.FusedElementwise}: several elementwise ops over f32 tensors (numpy broadcasting) evaluated in
 * one pass, written by the elementwise-fusion pass. Attribute {@code program} holds the
 * {@link FusedElementwiseProgram} text. The reference kernel is the oracle for generated kernels: it evaluates the
 * program per element with every op rounding to f32, so it equals the unfused graph bit for bit.
 */
public final class FusedElementwiseOp {
    private FusedElementwiseOp() {}

    public static final String DOMAIN = "dev.kiln";
    public static final String OP_TYPE = "FusedElementwise";
    public static final String PROGRAM = "program";
    /** Optional: "sum", "mean" or "max" of the program's values over the last axis, which becomes size 1. */
    public static final String REDUCE = "reduce";

    /** Parsed programs by text: the attribute is parsed once per distinct program, not per run. */
    private static final Map<String, FusedElementwiseProgram> PARSED = new ConcurrentHashMap<>();

    static void register(OpRegistry r) {
        OpSchema.builder(DOMAIN, OP_TYPE).since(1).required(PROGRAM, dev.kiln.graph.Attribute.Kind.STRING)
                .attrString(REDUCE, "").infer(FusedElementwiseOp::infer).kernel(FusedElementwiseOp::reference).register(r);
    }

    private static void infer(dev.kiln.graph.InferenceContext ctx) {
        dev.kiln.graph.ValueType.TensorType t = Infers.broadcastAll(ctx, Infers.dtypeOf(ctx.inputType(0)));
        var r = ctx.node().attribute(REDUCE);
        if (r != null && !r.asString().isEmpty() && t.hasRank() && t.rank() > 0) {
            java.util.List<dev.kiln.graph.Dim> dims = new java.util.ArrayList<>(t.dims());
            dims.set(dims.size() - 1, dev.kiln.graph.Dim.of(1));
            t = new dev.kiln.graph.ValueType.TensorType(t.dtype(), dims);
        }
        ctx.setOutputType(0, t);
    }

    /** The node's reduction, or null; a typed failure naming the node when the attribute is malformed. */
    public static FusedElementwiseProgram.Reduction reduction(KernelContext ctx) {
        try {
            return FusedElementwiseProgram.Reduction.parse(ctx.attrString(REDUCE));
        } catch (IllegalArgumentException e) {
            throw ctx.fail(e.getMessage());
        }
    }

    /** Shape of a reducing node's output: the broadcast shape with its last dim 1 (rank 0 is not reducible). */
    public static Shape reducedShape(KernelContext ctx, Shape full) {
        if (full.rank() == 0) throw ctx.fail("reduce needs inputs of rank >= 1");
        long[] d = full.dims().clone();
        d[d.length - 1] = 1;
        return Shape.of(d);
    }

    /** The node's program, with a typed failure naming the node when the attribute is malformed. */
    public static FusedElementwiseProgram program(KernelContext ctx) {
        String text = ctx.attrString(PROGRAM);
        try {
            FusedElementwiseProgram p = PARSED.computeIfAbsent(text, FusedElementwiseProgram::parse);
            if (p.inputCount() != ctx.inputCount())
                throw ctx.fail("program expects " + p.inputCount() + " inputs, node has " + ctx.inputCount());
            return p;
        } catch (IllegalArgumentException e) {
            throw ctx.fail("bad program attribute: " + e.getMessage());
        }
    }

    /** Checks the inputs (present, f32) and returns them. */
    public static Tensor[] inputs(KernelContext ctx) {
        Tensor[] in = new Tensor[ctx.inputCount()];
        for (int i = 0; i < in.length; i++) {
            in[i] = ctx.input(i);
            if (in[i].dtype() != DType.F32) throw ctx.fail("input " + i + " must be float32, got " + in[i].dtype());
        }
        return in;
    }

    private static Object[] reference(KernelContext ctx) {
        FusedElementwiseProgram p = program(ctx);
        Tensor[] in = inputs(ctx);
        Shape outShape;
        try {
            outShape = Broadcasting.shapeOf(in);
        } catch (IllegalArgumentException e) {
            throw ctx.fail("inputs do not broadcast: " + e.getMessage());
        }
        FusedElementwiseProgram.Reduction red = reduction(ctx);
        if (red != null) return new Object[] {referenceReduce(p, red, in, outShape, reducedShape(ctx, outShape))};
        Tensor out = Tensor.allocate(DType.F32, outShape);
        long[][] strides = new long[in.length][];
        long[] offsets = new long[in.length];
        for (int k = 0; k < in.length; k++) {
            strides[k] = Broadcasting.alignedStrides(in[k], outShape);
            offsets[k] = in[k].offset();
        }
        float[] vals = new float[in.length];
        double[] temps = new double[p.insts().size()];
        Broadcasting.forEachRow(outShape, strides, offsets, (outStart, starts, len) -> {
            for (long j = 0; j < len; j++) {
                for (int k = 0; k < in.length; k++) {
                    long inner = strides[k].length == 0 ? 0 : strides[k][strides[k].length - 1];
                    vals[k] = (float) in[k].readDouble(starts[k] + j * inner);
                }
                out.setFloat(outStart + j, p.eval(vals, temps));
            }
        });
        return new Object[] {out};
    }

    /** Row reduction: values rounded to f32 as the unfused graph stores them, accumulated in double per row. */
    private static Tensor referenceReduce(FusedElementwiseProgram p, FusedElementwiseProgram.Reduction red, Tensor[] in,
                                          Shape full, Shape reduced) {
        Tensor out = Tensor.allocate(DType.F32, reduced);
        long len = full.dim(full.rank() - 1);
        long[][] strides = new long[in.length][];
        long[] offsets = new long[in.length];
        for (int k = 0; k < in.length; k++) {
            strides[k] = Broadcasting.alignedStrides(in[k], full);
            offsets[k] = in[k].offset();
        }
        float[] vals = new float[in.length];
        double[] temps = new double[p.insts().size()];
        if (len == 0) {
            for (long o = 0; o < out.numel(); o++) out.setFloat(o, red == FusedElementwiseProgram.Reduction.MAX ? Float.NEGATIVE_INFINITY : 0f);
            return out;
        }
        Broadcasting.forEachRow(full, strides, offsets, (outStart, starts, n) -> {
            double acc = red == FusedElementwiseProgram.Reduction.MAX ? Double.NEGATIVE_INFINITY : 0;
            for (long j = 0; j < n; j++) {
                for (int k = 0; k < in.length; k++) vals[k] = (float) in[k].readDouble(starts[k] + j * strides[k][strides[k].length - 1]);
                float v = p.eval(vals, temps);
                acc = red == FusedElementwiseProgram.Reduction.MAX ? Math.max(acc, v) : acc + v;
            }
            if (red == FusedElementwiseProgram.Reduction.MEAN) acc /= n;
            out.setFloat(outStart / n, (float) acc);
        });
        return out;
    }
}
