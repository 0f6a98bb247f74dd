package dev.kiln.ops.nn;

import dev.kiln.graph.Dim;
import dev.kiln.graph.ValueType;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.ops.KernelContext;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Array plumbing shared by the attention, image and signal reference kernels: they compute in double over dense
 * row-major arrays (one conversion in, one rounding out) so every dtype, layout and view takes the same path.
 */
final class AttnIo {
    private AttnIo() {}

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Logical (row-major) elements of {@code t} as doubles. */
    static double[] doubles(Tensor t) {
        int n = t.shape().numelInt();
        double[] out = new double[n];
        if (t.dtype() == DType.F32 && t.isContiguous()) {
            MemorySegment seg = t.segment();
            long base = t.offset() * 4;
            for (int i = 0; i < n; i++) out[i] = seg.get(F32, base + 4L * i);
        } else {
            for (int i = 0; i < n; i++) out[i] = t.getDouble(i);
        }
        return out;
    }

    /** A new dense tensor of {@code dtype} holding {@code values} (rounded once to the dtype). */
    static Tensor tensor(DType dtype, Shape shape, double[] values) {
        Tensor t = Tensor.allocate(dtype, shape);
        if (dtype == DType.F32) {
            MemorySegment seg = t.segment();
            for (int i = 0; i < values.length; i++) seg.set(F32, 4L * i, (float) values[i]);
        } else if (dtype.isInteger()) {
            // Interpolating kernels (Resize on uint8 images) can overshoot the type's range: saturate instead of
            // letting the narrowing store wrap around.
            double lo = minOf(dtype), hi = maxOf(dtype);
            for (int i = 0; i < values.length; i++) {
                double v = values[i];
                t.setDouble(i, Double.isNaN(v) ? 0 : Math.min(Math.max(v, lo), hi));
            }
        } else {
            for (int i = 0; i < values.length; i++) t.setDouble(i, values[i]);
        }
        return t;
    }

    private static double minOf(DType t) {
        return switch (t) {
            case I8 -> Byte.MIN_VALUE; case I16 -> Short.MIN_VALUE; case I32 -> Integer.MIN_VALUE; case I64 -> Long.MIN_VALUE;
            case I4 -> -8; case I2 -> -2;
            default -> 0;
        };
    }

    private static double maxOf(DType t) {
        return switch (t) {
            case I8 -> Byte.MAX_VALUE; case U8 -> 255; case I16 -> Short.MAX_VALUE; case U16 -> 65535;
            case I32 -> Integer.MAX_VALUE; case U32 -> 4294967295.0; case I64 -> Long.MAX_VALUE; case U64 -> 0x1p64;
            case I4 -> 7; case U4 -> 15; case I2 -> 1; case U2 -> 3;
            default -> Double.MAX_VALUE;
        };
    }

    static Tensor tensor(DType dtype, long[] dims, double[] values) { return tensor(dtype, Shape.of(dims), values); }

    /** Floating-point inputs only: a clear error instead of silently truncating integers. */
    static void requireFloat(KernelContext ctx, Tensor t, String what) {
        if (!t.dtype().isFloatingPoint())
            throw ctx.fail(what + " must be a floating-point tensor, got " + t.dtype());
    }

    /** A Java array size from a tensor dimension product, refusing sizes that cannot be allocated. */
    static int checkedSize(KernelContext ctx, long... dims) {
        long n = 1;
        for (long d : dims) {
            if (d < 0) throw ctx.fail("negative dimension " + d);
            n = Math.multiplyExact(n, d);
        }
        if (n > Integer.MAX_VALUE - 8) throw ctx.fail("output of " + n + " elements is too large");
        return (int) n;
    }

    static TensorType tensorType(ValueType t) { return t instanceof TensorType tt ? tt : null; }

    /** Known dims as a TensorType; negative entries become unknown dims. */
    static TensorType typeOf(DType dtype, long... dims) {
        List<Dim> d = new ArrayList<>(dims.length);
        for (long x : dims) d.add(x < 0 ? Dim.UNKNOWN : Dim.of(x));
        return new TensorType(dtype, d);
    }

    /** A type from dims given as {@link Dim} (kept, symbols included) or Long (negative means unknown). */
    static TensorType typeOfDims(DType dtype, Object... dims) {
        List<Dim> d = new ArrayList<>(dims.length);
        for (Object x : dims) {
            if (x instanceof Dim dd) d.add(dd);
            else d.add(((Long) x) < 0 ? Dim.UNKNOWN : Dim.of((Long) x));
        }
        return new TensorType(dtype, d);
    }

    /** The dim itself (symbolic ones included), or unknown when the rank is too small or unknown. */
    static Dim dimOf(TensorType t, int i) {
        if (t == null || !t.hasRank() || i >= t.rank()) return Dim.UNKNOWN;
        return t.dims().get(i);
    }

    /** The dim's size or -1 when not statically known. */
    static long dim(TensorType t, int i) {
        if (t == null || !t.hasRank() || i >= t.rank()) return -1;
        return t.dims().get(i).valueOr(-1);
    }
}
