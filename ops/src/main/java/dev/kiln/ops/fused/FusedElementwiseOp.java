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

    /** Parsed programs by text: the attribute is parsed once per distinct program, not per run. */
    private static final Map<String, FusedElementwiseProgram> PARSED = new ConcurrentHashMap<>();

    static void register(OpRegistry r) {
        OpSchema.builder(DOMAIN, OP_TYPE).since(1).required(PROGRAM, dev.kiln.graph.Attribute.Kind.STRING)
                .infer(Infers.BROADCAST).kernel(FusedElementwiseOp::reference).register(r);
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
}
