package dev.kiln.ops.nn;

import dev.kiln.ops.KernelContext;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * Bulk conversions between tensors and Java arrays for the nn reference kernels. Kernels compute in double (or
 * long for integer types) over dense logical-order arrays, so every layout and dtype takes the same code path;
 * the f32 fast paths matter because the reference interpreter also runs whole models (BERT) in tests.
 */
final class NnTensors {
    private NnTensors() {}

    /** Elements in logical row-major order as doubles. */
    static double[] doubles(Tensor t) {
        if (t.dtype() == DType.F32) {
            float[] f = t.toFloatArray();
            double[] d = new double[f.length];
            for (int i = 0; i < f.length; i++) d[i] = f[i];
            return d;
        }
        return t.toDoubleArray();
    }

    /** A dense tensor of {@code dtype} holding {@code values} (rounded to the dtype). */
    static Tensor fromDoubles(DType dtype, Shape shape, double[] values) {
        if (dtype == DType.F32) {
            float[] f = new float[values.length];
            for (int i = 0; i < f.length; i++) f[i] = (float) values[i];
            return Tensor.of(f, shape.dims());
        }
        if (dtype == DType.F64) return Tensor.ofDoubles(values, shape.dims());
        Tensor t = Tensor.allocate(dtype, shape);
        for (int i = 0; i < values.length; i++) t.setDouble(i, values[i]);
        return t;
    }

    /** A dense tensor of integer {@code dtype} holding {@code values} wrapped to the dtype's width. */
    static Tensor fromLongs(DType dtype, Shape shape, long[] values) {
        Tensor t = Tensor.allocate(dtype, shape);
        for (int i = 0; i < values.length; i++) t.setLong(i, values[i]);
        return t;
    }

    static void requireFloat(KernelContext ctx, Tensor t, String what) {
        if (!t.dtype().isFloatingPoint())
            throw ctx.fail(what + " must be a floating-point tensor, got " + t.dtype());
    }

    static void requireRank(KernelContext ctx, Tensor t, int rank, String what) {
        if (t.rank() != rank) throw ctx.fail(what + " must have rank " + rank + ", got shape " + t.shape());
    }

    static void requireMinRank(KernelContext ctx, Tensor t, int rank, String what) {
        if (t.rank() < rank) throw ctx.fail(what + " must have rank >= " + rank + ", got shape " + t.shape());
    }

    /** Largest array the reference kernels allocate: a Java array, and at most a quarter of the heap in doubles. */
    static final long MAX_ELEMENTS = Math.min(Integer.MAX_VALUE - 8, Runtime.getRuntime().maxMemory() / 8 / 4);

    /**
     * Element count as an int after checking that a double array of it fits comfortably in memory, so a bad
     * attribute or shape input gives a clear error instead of an OutOfMemoryError; {@code what} names the tensor.
     */
    static int checkedSize(KernelContext ctx, Shape s, String what) {
        if (s.numel() > MAX_ELEMENTS)
            throw ctx.fail(what + " of shape " + s + " (" + s.numel() + " elements) is too large for the reference kernels");
        return (int) s.numel();
    }

    static long product(long[] dims, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) p = Math.multiplyExact(p, dims[i]);
        return p;
    }
}
