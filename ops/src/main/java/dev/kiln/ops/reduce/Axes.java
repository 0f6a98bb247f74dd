package dev.kiln.ops.reduce;

import dev.kiln.graph.Dim;
import dev.kiln.graph.InferenceContext;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.ops.KernelContext;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/** Axis helpers shared by reductions, arg-reductions, scans and softmax: normalising, line decomposition. */
public final class Axes {
    private Axes() {}

    /** Normalises (negative allowed) axes against {@code rank}, rejecting out-of-range and duplicate axes. */
    public static boolean[] mask(KernelContext ctx, long[] axes, int rank) {
        boolean[] m = new boolean[rank];
        for (long a : axes) {
            long n = a < 0 ? a + rank : a;
            if (n < 0 || n >= rank) throw ctx.fail("axis " + a + " is out of range for rank " + rank);
            if (m[(int) n]) throw ctx.fail("axis " + a + " is repeated");
            m[(int) n] = true;
        }
        return m;
    }

    public static int axis(KernelContext ctx, long axis, int rank) {
        long n = axis < 0 ? axis + rank : axis;
        if (n < 0 || n >= Math.max(rank, 1)) throw ctx.fail("axis " + axis + " is out of range for rank " + rank);
        return (int) n;
    }

    /** Product of dims in [from, to). */
    public static long prod(Shape s, int from, int to) {
        long p = 1;
        for (int i = from; i < to; i++) p *= s.dim(i);
        return p;
    }

    /** The reduced shape: masked axes become 1 (keepdims) or disappear. */
    public static Shape reduced(Shape s, boolean[] mask, boolean keepdims) {
        List<Long> d = new ArrayList<>();
        for (int i = 0; i < s.rank(); i++) {
            if (!mask[i]) d.add(s.dim(i));
            else if (keepdims) d.add(1L);
        }
        long[] a = new long[d.size()];
        for (int i = 0; i < a.length; i++) a[i] = d.get(i);
        return Shape.of(a);
    }

    /** Axes as longs from a 1-D integer tensor (the opset-13/18 {@code axes} input). */
    public static long[] fromTensor(Tensor t) {
        if (t == null) return null;
        return t.toLongArray();
    }

    /**
     * Static output type of a reduction when the axes are known (attribute or constant input): dims kept or
     * dropped; unranked when they are not known.
     */
    public static void inferReduced(InferenceContext ctx, long[] axes, boolean keepdims, boolean noopWhenEmpty, DType dtype) {
        if (!(ctx.inputType(0) instanceof TensorType t) || !t.hasRank() || axes == null) {
            ctx.setOutputType(0, TensorType.unranked(dtype));
            return;
        }
        int r = t.rank();
        if (axes.length == 0 && noopWhenEmpty) { ctx.setOutputType(0, new TensorType(dtype, t.dims())); return; }
        boolean[] m = new boolean[r];
        if (axes.length == 0) java.util.Arrays.fill(m, true);
        for (long a : axes) {
            long n = a < 0 ? a + r : a;
            if (n < 0 || n >= r) { ctx.setOutputType(0, TensorType.unranked(dtype)); return; }
            m[(int) n] = true;
        }
        List<Dim> out = new ArrayList<>();
        for (int i = 0; i < r; i++) {
            if (!m[i]) out.add(t.dims().get(i));
            else if (keepdims) out.add(Dim.of(1));
        }
        ctx.setOutputType(0, new TensorType(dtype, out));
    }
}
