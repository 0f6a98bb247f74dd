package dev.kiln.ops.shape;

import dev.kiln.graph.Dim;
import dev.kiln.graph.InferenceContext;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.ops.KernelContext;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/** Argument decoding shared by the shape, indexing, control, text and ml families: axes, int lists, fills. */
public final class Args {
    private Args() {}

    /** Axis normalised against {@code rank}, or a failure naming the node. */
    public static int axis(KernelContext ctx, long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= rank) throw ctx.fail("axis " + axis + " is out of range for rank " + rank);
        return (int) a;
    }

    /** The integer elements of a 0-D or 1-D tensor, or null when absent. */
    public static long[] longs(Tensor t) { return t == null ? null : t.toLongArray(); }

    /** Axes list (attribute or input) normalised and checked for duplicates. */
    public static int[] axes(KernelContext ctx, long[] axes, int rank) {
        int[] out = new int[axes.length];
        boolean[] seen = new boolean[Math.max(rank, 0)];
        for (int i = 0; i < axes.length; i++) {
            out[i] = axis(ctx, axes[i], rank);
            if (seen[out[i]]) throw ctx.fail("axis " + axes[i] + " is repeated");
            seen[out[i]] = true;
        }
        return out;
    }

    /**
     * Most elements a kernel allocates from sizes that come from input <em>values</em> (ConstantOfShape, Expand,
     * Tile, Pad, ...): a hostile or corrupt shape must fail cleanly instead of exhausting memory.
     */
    public static final long MAX_OUTPUT_ELEMENTS = Integer.MAX_VALUE - 8;

    /** A new dense shape, failing (not crashing) on negative dims, overflow, or more than {@link #MAX_OUTPUT_ELEMENTS}. */
    public static Shape shape(KernelContext ctx, long[] dims) {
        Shape s;
        try {
            s = Shape.of(dims);
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw ctx.fail("invalid output shape " + java.util.Arrays.toString(dims) + ": " + e.getMessage());
        }
        if (s.numel() > MAX_OUTPUT_ELEMENTS)
            throw ctx.fail("output shape " + s + " has " + s.numel() + " elements, more than the limit of " + MAX_OUTPUT_ELEMENTS);
        return s;
    }

    public static long product(long[] dims, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) p = Math.multiplyExact(p, dims[i]);
        return p;
    }

    /** Sets every element of {@code t} to the single element of {@code value} (converted to t's dtype). */
    public static void fill(Tensor t, Tensor value, long valueIndex) {
        long n = t.numel();
        if (n == 0) return;
        if (t.dtype() == DType.STRING) { String s = value.getString(valueIndex); for (long i = 0; i < n; i++) t.setString(i, s); }
        else if (t.dtype().isFloatingPoint() || value.dtype().isFloatingPoint()) { double v = value.getDouble(valueIndex); for (long i = 0; i < n; i++) t.setDouble(i, v); }
        else { long v = value.getLong(valueIndex); for (long i = 0; i < n; i++) t.setLong(i, v); }
    }

    /** Copies one element between contiguous tensors of the same dtype, by logical index. */
    public static void copyElem(Tensor src, long si, Tensor dst, long di) {
        View.copyElems(src, si, dst, di, 1);
    }

    // ------------------------------------------------------------------ inference helpers

    /** The input's tensor type, or null when it is not a tensor type. */
    public static TensorType tensorType(InferenceContext ctx, int i) {
        return ctx.inputType(i) instanceof TensorType t ? t : null;
    }

    public static DType dtype(InferenceContext ctx, int i) {
        TensorType t = tensorType(ctx, i);
        return t == null ? null : t.dtype();
    }

    /** The input's dims, or null when its rank is unknown. */
    public static List<Dim> dims(InferenceContext ctx, int i) {
        TensorType t = tensorType(ctx, i);
        return t == null || !t.hasRank() ? null : t.dims();
    }

    public static List<Dim> unknownDims(int rank) {
        List<Dim> d = new ArrayList<>();
        for (int i = 0; i < rank; i++) d.add(Dim.UNKNOWN);
        return d;
    }

    /** Integer attribute as the node sets it, or the given default (inference sees no schema defaults). */
    public static long intAttr(InferenceContext ctx, String name, long dflt) {
        var a = ctx.node().attribute(name);
        return a == null ? dflt : a.asInt();
    }

    public static long[] intsAttr(InferenceContext ctx, String name) {
        var a = ctx.node().attribute(name);
        return a == null ? null : a.asInts();
    }

    /** Constant integer input, or null when absent or not constant. */
    public static long[] constLongs(InferenceContext ctx, int i) {
        if (i >= ctx.inputCount() || ctx.node().input(i) == null) return null;
        Tensor t = ctx.constantInput(i);
        return t == null ? null : t.toLongArray();
    }

    public static boolean present(InferenceContext ctx, int i) {
        return i < ctx.inputCount() && ctx.node().input(i) != null && !ctx.node().input(i).name().isEmpty();
    }

    public static void set(InferenceContext ctx, int out, DType dtype, List<Dim> dims) {
        ctx.setOutputType(out, dims == null ? TensorType.unranked(dtype) : new TensorType(dtype, dims));
    }

    public static Dim mul(Dim a, Dim b) {
        if (a.isKnown() && b.isKnown()) return Dim.of(a.valueOr(0) * b.valueOr(0));
        if (a.equals(Dim.of(1))) return b;
        if (b.equals(Dim.of(1))) return a;
        return Dim.UNKNOWN;
    }
}
