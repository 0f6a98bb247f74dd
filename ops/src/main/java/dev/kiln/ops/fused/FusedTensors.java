package dev.kiln.ops.fused;

import dev.kiln.graph.InferenceContext;
import dev.kiln.graph.ValueType;
import dev.kiln.ops.KernelContext;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/** Small helpers shared by the fused reference kernels: float checks, broadcasting reads. */
final class FusedTensors {
    private FusedTensors() {}

    static boolean isFloat(DType t) {
        return t == DType.F32 || t == DType.F64 || t == DType.F16 || t == DType.BF16;
    }

    static Tensor floatInput(KernelContext ctx, int i) {
        Tensor t = ctx.input(i);
        if (!isFloat(t.dtype())) throw ctx.fail("input " + i + " must be a float tensor, got " + t.dtype());
        return t;
    }

    /** {@code t} broadcast to {@code target} as a view, or a typed failure naming the node. */
    static Tensor broadcastTo(KernelContext ctx, Tensor t, Shape target, String what) {
        if (!t.shape().broadcastableTo(target))
            throw ctx.fail(what + " of shape " + t.shape() + " does not broadcast to " + target);
        return t.expand(target);
    }

    static Shape broadcast(KernelContext ctx, Shape a, Shape b) {
        try {
            return Shape.broadcast(a, b);
        } catch (RuntimeException e) {
            throw ctx.fail("shapes " + a + " and " + b + " do not broadcast");
        }
    }

    /** The logical (row-major) values of {@code t} as doubles; f32 is bulk-copied, which keeps references usable on real models. */
    static double[] values(Tensor t) {
        if (t.numel() > Integer.MAX_VALUE - 16) throw new IllegalArgumentException("tensor of " + t.numel() + " elements is too large");
        if (t.dtype() != DType.F32) return t.toDoubleArray();
        float[] f = t.contiguous().toFloatArray();
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) d[i] = f[i];
        return d;
    }

    /** A new tensor of {@code dtype} holding {@code v} (rounded to the dtype) in row-major order. */
    static Tensor tensor(DType dtype, Shape shape, double[] v) {
        return Tensor.fromDoubles(dtype, v, shape.dims());
    }

    /** Output 0 gets the type of input {@code i}. */
    static void sameAs(InferenceContext ctx, int i) {
        ValueType t = ctx.inputType(i);
        if (t != null) ctx.setOutputType(0, t);
    }
}
