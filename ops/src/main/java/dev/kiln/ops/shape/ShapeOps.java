package dev.kiln.ops.shape;

import dev.kiln.ops.Infers;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Op family: shape and layout ops that only move elements (Reshape, Shape, Size, Flatten, Squeeze, Unsqueeze,
 * Transpose, Concat, Split, Slice, Expand, Tile, Identity). Outputs are dense; a pure metadata change returns a
 * view over the input's storage (kernels never write their inputs, so sharing is safe).
 */
public final class ShapeOps implements OpFamily {
    @Override public void register(OpRegistry r) {
        OpSchema.builder("Reshape").since(1, 5, 13, 14, 19, 21, 23).attrInt("allowzero", 0)
                .infer(ShapeInference::reshape).kernel(ShapeOps::reshape).register(r);
        OpSchema.builder("Shape").since(1, 13, 15, 19, 21, 23).attrInt("start", 0)
                .infer(ShapeInference::shape).kernel(ShapeOps::shape).register(r);
        OpSchema.builder("Size").since(1, 13, 19, 21, 23)
                .infer(ctx -> Args.set(ctx, 0, DType.I64, List.of()))
                .kernel(ctx -> new Object[]{Tensor.scalarLong(DType.I64, ctx.input(0).numel())}).register(r);
        OpSchema.builder("Flatten").since(1, 9, 11, 13, 21, 23).attrInt("axis", 1)
                .infer(ShapeInference::flatten).kernel(ShapeOps::flatten).register(r);
        OpSchema.builder("Squeeze").since(1, 11, 13, 21, 23)
                .infer(ShapeInference::squeeze).kernel(ShapeOps::squeeze).register(r);
        OpSchema.builder("Unsqueeze").since(1, 11, 13, 21, 23)
                .infer(ShapeInference::unsqueeze).kernel(ShapeOps::unsqueeze).register(r);
        OpSchema.builder("Transpose").since(1, 13, 21, 23)
                .infer(ShapeInference::transpose).kernel(ShapeOps::transpose).register(r);
        OpSchema.builder("Concat").since(1, 4, 11, 13)
                .infer(ShapeInference::concat).kernel(ShapeOps::concat).register(r);
        OpSchema.builder("Split").since(1, 2, 11, 13, 18).attrInt("axis", 0)
                .infer(ShapeInference::split).kernel(ShapeOps::split).register(r);
        OpSchema.builder("Slice").since(1, 10, 11, 13)
                .infer(ShapeInference::slice).kernel(ShapeOps::slice).register(r);
        OpSchema.builder("Expand").since(8, 13)
                .infer(ShapeInference::expand).kernel(ShapeOps::expand).register(r);
        OpSchema.builder("Tile").since(6, 13)
                .infer(ShapeInference::tile).kernel(ShapeOps::tile).register(r);
        OpSchema.builder("Identity").since(1, 13, 14, 16, 19, 21, 23)
                .infer(Infers.SAME_AS_INPUT0).kernel(ctx -> new Object[]{ctx.inputValue(0)}).register(r);
        LayoutOps.register(r);
    }

    // ------------------------------------------------------------------ Reshape / Flatten / Squeeze / Unsqueeze

    private static Object[] reshape(KernelContext ctx) {
        Tensor x = ctx.input(0);
        long[] req = ctx.opsetVersion() < 5 ? ctx.attrInts("shape") : ctx.input(1).toLongArray();
        if (req == null) throw ctx.fail("attribute 'shape' is required");
        boolean allowZero = ctx.opsetVersion() >= 14 && ctx.attrInt("allowzero") != 0;
        long[] out = resolveReshape(ctx, x.shape(), req, allowZero);
        return new Object[]{View.dense(x).reshape(out)};
    }

    /** ONNX Reshape target: 0 copies the input dim (unless allowzero), one -1 is inferred. */
    static long[] resolveReshape(KernelContext ctx, Shape in, long[] req, boolean allowZero) {
        long[] out = req.clone();
        int infer = -1;
        long known = 1;
        boolean hasZero = false;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == 0 && !allowZero) {
                if (i >= in.rank()) throw ctx.fail("shape entry " + i + " is 0 but the input has rank " + in.rank());
                out[i] = in.dim(i);
            }
            if (out[i] == 0) hasZero = true;
            if (out[i] == -1) {
                if (infer >= 0) throw ctx.fail("shape has more than one -1");
                infer = i;
            } else if (out[i] < 0) {
                throw ctx.fail("invalid shape entry " + req[i]);
            } else {
                known = Math.multiplyExact(known, out[i]);
            }
        }
        if (infer >= 0) {
            if (hasZero && allowZero) throw ctx.fail("allowzero=1 forbids 0 together with -1 in the shape");
            if (known == 0 || in.numel() % known != 0)
                throw ctx.fail("cannot infer -1 reshaping " + in + " to " + java.util.Arrays.toString(req));
            out[infer] = in.numel() / known;
        } else if (known != in.numel()) {
            throw ctx.fail("cannot reshape " + in + " (" + in.numel() + " elements) to " + java.util.Arrays.toString(req));
        }
        return out;
    }

    private static Object[] shape(KernelContext ctx) {
        Tensor x = ctx.input(0);
        int r = x.rank();
        long start = 0, end = r;
        if (ctx.opsetVersion() >= 15) {
            start = ctx.attrInt("start");
            if (ctx.hasAttr("end")) end = ctx.attrInt("end");
        }
        int[] se = ShapeInference.shapeRange(start, end, r);
        long[] d = new long[se[1] - se[0]];
        for (int i = 0; i < d.length; i++) d[i] = x.shape().dim(se[0] + i);
        return new Object[]{Tensor.ofLongs(d, d.length)};
    }

    private static Object[] flatten(KernelContext ctx) {
        Tensor x = ctx.input(0);
        int r = x.rank();
        long a = ctx.attrInt("axis");
        if (a < 0) a += r;
        if (a < 0 || a > r) throw ctx.fail("axis " + ctx.attrInt("axis") + " out of range for rank " + r);
        long[] d = x.shape().dims();
        long outer = Args.product(d, 0, (int) a), inner = Args.product(d, (int) a, r);
        return new Object[]{View.dense(x).reshape(outer, inner)};
    }

    static long[] axesArg(KernelContext ctx, int inputIndex) {
        if (ctx.opsetVersion() < 13) return ctx.attrInts("axes");
        Tensor t = ctx.optionalInput(inputIndex);
        return t == null ? null : t.toLongArray();
    }

    private static Object[] squeeze(KernelContext ctx) {
        Tensor x = ctx.input(0);
        long[] axes = axesArg(ctx, 1);
        long[] d = x.shape().dims();
        boolean[] drop = new boolean[d.length];
        if (axes == null) {
            for (int i = 0; i < d.length; i++) drop[i] = d[i] == 1;
        } else {
            for (int a : Args.axes(ctx, axes, d.length)) {
                if (d[a] != 1) throw ctx.fail("cannot squeeze axis " + a + " of size " + d[a]);
                drop[a] = true;
            }
        }
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < d.length; i++) if (!drop[i]) out.add(d[i]);
        return new Object[]{View.dense(x).reshape(toArray(out))};
    }

    private static Object[] unsqueeze(KernelContext ctx) {
        Tensor x = ctx.input(0);
        long[] axes = axesArg(ctx, 1);
        if (axes == null) throw ctx.fail("axes are required");
        int outRank = x.rank() + axes.length;
        boolean[] ins = new boolean[outRank];
        for (int a : Args.axes(ctx, axes, outRank)) ins[a] = true;
        long[] out = new long[outRank];
        for (int i = 0, j = 0; i < outRank; i++) out[i] = ins[i] ? 1 : x.shape().dim(j++);
        return new Object[]{View.dense(x).reshape(out)};
    }

    static long[] toArray(List<Long> l) {
        long[] a = new long[l.size()];
        for (int i = 0; i < a.length; i++) a[i] = l.get(i);
        return a;
    }

    // ------------------------------------------------------------------ Transpose / Concat / Split

    static int[] perm(KernelContext ctx, int rank) {
        long[] p = ctx.attrInts("perm");
        int[] perm = new int[rank];
        if (p == null) {
            for (int i = 0; i < rank; i++) perm[i] = rank - 1 - i;
            return perm;
        }
        if (p.length != rank) throw ctx.fail("perm has " + p.length + " entries for rank " + rank);
        boolean[] seen = new boolean[rank];
        for (int i = 0; i < rank; i++) {
            int a = Args.axis(ctx, p[i], rank);
            if (seen[a]) throw ctx.fail("perm repeats axis " + a);
            seen[a] = true;
            perm[i] = a;
        }
        return perm;
    }

    private static Object[] transpose(KernelContext ctx) {
        Tensor x = ctx.input(0);
        return new Object[]{View.of(x).permute(perm(ctx, x.rank())).materialize()};
    }

    static long concatAxis(KernelContext ctx) {
        if (ctx.opsetVersion() < 4 && !ctx.hasAttr("axis")) return 1;
        return ctx.attrInt("axis");
    }

    private static Object[] concat(KernelContext ctx) {
        List<Tensor> ins = new ArrayList<>();
        for (int i = 0; i < ctx.inputCount(); i++) if (ctx.hasInput(i)) ins.add(ctx.input(i));
        if (ins.isEmpty()) throw ctx.fail("needs at least one input");
        return new Object[]{concat(ctx, ins, concatAxis(ctx))};
    }

    /** Concatenation along an existing axis; shared with ConcatFromSequence. */
    public static Tensor concat(KernelContext ctx, List<Tensor> ins, long axisArg) {
        Tensor first = ins.get(0);
        int r = first.rank();
        if (r == 0) throw ctx.fail("cannot concatenate scalars");
        int axis = Args.axis(ctx, axisArg, r);
        long[] out = first.shape().dims();
        out[axis] = 0;
        for (Tensor t : ins) {
            if (t.rank() != r || t.dtype() != first.dtype()) throw ctx.fail("inputs differ in rank or dtype: " + first.dtype() + first.shape() + " vs " + t.dtype() + t.shape());
            for (int i = 0; i < r; i++)
                if (i != axis && t.shape().dim(i) != first.shape().dim(i))
                    throw ctx.fail("inputs differ off the concat axis: " + first.shape() + " vs " + t.shape());
            out[axis] = Math.addExact(out[axis], t.shape().dim(axis));
        }
        Tensor res = Tensor.allocate(first.dtype(), Args.shape(ctx, out));
        View dst = View.of(res);
        long at = 0;
        for (Tensor t : ins) {
            long n = t.shape().dim(axis);
            View.copy(View.of(t), dst.slice(axis, at, n, 1));
            at += n;
        }
        return res;
    }

    private static Object[] split(KernelContext ctx) {
        Tensor x = ctx.input(0);
        int axis = Args.axis(ctx, ctx.attrInt("axis"), x.rank());
        long dim = x.shape().dim(axis);
        int v = ctx.opsetVersion();
        long[] sizes;
        if (v >= 13) sizes = ctx.hasInput(1) ? ctx.input(1).toLongArray() : null;
        else if (v == 1 && ctx.hasInput(1)) sizes = ctx.input(1).toLongArray();
        else sizes = ctx.attrInts("split");
        int n = ctx.outputCount();
        if (sizes == null) {
            if (v >= 18 && ctx.hasAttr("num_outputs")) {
                long k = ctx.attrInt("num_outputs");
                if (k < 1 || k != n) throw ctx.fail("num_outputs " + k + " does not match " + n + " outputs");
            } else if (v >= 18) {
                throw ctx.fail("either the 'split' input or the 'num_outputs' attribute is required");
            }
            sizes = evenChunks(dim, n, v >= 18);
            if (sizes == null) throw ctx.fail("dim " + dim + " cannot be split evenly into " + n + " outputs");
        }
        if (sizes.length != n) throw ctx.fail("split has " + sizes.length + " entries for " + n + " outputs");
        long sum = 0;
        for (long s : sizes) {
            if (s < 0) throw ctx.fail("negative split size " + s);
            sum += s;
        }
        if (sum != dim) throw ctx.fail("split sizes sum to " + sum + " but the dim is " + dim);
        Object[] out = new Object[n];
        View src = View.of(x);
        long at = 0;
        for (int i = 0; i < n; i++) {
            out[i] = src.slice(axis, at, sizes[i], 1).materialize();
            at += sizes[i];
        }
        return out;
    }

    /** Chunks of ceil(dim/n) with a smaller last one (opset 18), or exact equal chunks (null if impossible). */
    static long[] evenChunks(long dim, int n, boolean allowUneven) {
        long[] s = new long[n];
        if (dim % n == 0) { java.util.Arrays.fill(s, dim / n); return s; }
        if (!allowUneven) return null;
        long c = (dim + n - 1) / n;
        long left = dim;
        for (int i = 0; i < n; i++) { s[i] = Math.min(c, left); left -= s[i]; }
        return s;
    }

    // ------------------------------------------------------------------ Slice / Expand / Tile

    private static Object[] slice(KernelContext ctx) {
        Tensor x = ctx.input(0);
        long[] starts, ends, axes, steps = null;
        if (ctx.opsetVersion() < 10) {
            starts = ctx.attrInts("starts");
            ends = ctx.attrInts("ends");
            axes = ctx.attrInts("axes");
            if (starts == null || ends == null) throw ctx.fail("attributes 'starts' and 'ends' are required");
        } else {
            starts = ctx.input(1).toLongArray();
            ends = ctx.input(2).toLongArray();
            axes = ctx.hasInput(3) ? ctx.input(3).toLongArray() : null;
            steps = ctx.hasInput(4) ? ctx.input(4).toLongArray() : null;
        }
        return new Object[]{sliceView(ctx, View.of(x), starts, ends, axes, steps).materialize()};
    }

    static View sliceView(KernelContext ctx, View v, long[] starts, long[] ends, long[] axes, long[] steps) {
        int r = v.rank();
        if (ends.length != starts.length) throw ctx.fail("starts and ends differ in length");
        if (axes == null) {
            axes = new long[starts.length];
            for (int i = 0; i < axes.length; i++) axes[i] = i;
        }
        if (axes.length != starts.length || (steps != null && steps.length != starts.length))
            throw ctx.fail("starts, ends, axes and steps must have equal lengths");
        int[] ax = Args.axes(ctx, axes, r);
        for (int i = 0; i < ax.length; i++) {
            long step = steps == null ? 1 : steps[i];
            if (step == 0) throw ctx.fail("slice step must not be 0");
            long[] fc = sliceRange(v.dims()[ax[i]], starts[i], ends[i], step);
            v = v.slice(ax[i], fc[0], fc[1], step);
        }
        return v;
    }

    /** {first, count} of an ONNX slice over a dim of size n (clamping per the spec, INT64 extremes included). */
    public static long[] sliceRange(long n, long start, long end, long step) {
        // Adding n to a negative int64 cannot overflow; results still below 0 are clamped next.
        if (start < 0) start += n;
        if (end < 0) end += n;
        long count;
        if (step > 0) {
            start = Math.clamp(start, 0, n);
            end = Math.clamp(end, 0, n);
            count = end > start ? (end - start - 1) / step + 1 : 0;
        } else {
            start = Math.clamp(start, 0, Math.max(n - 1, 0));
            end = Math.clamp(end, -1, n - 1);
            long s = step == Long.MIN_VALUE ? Long.MAX_VALUE : -step;
            count = start > end && n > 0 ? (start - end - 1) / s + 1 : 0;
        }
        return new long[]{start, count};
    }

    private static Object[] expand(KernelContext ctx) {
        Tensor x = ctx.input(0);
        long[] target = ctx.input(1).toLongArray();
        Shape out;
        try {
            out = Shape.broadcast(x.shape(), Args.shape(ctx, target));
        } catch (IllegalArgumentException | ArithmeticException e) {
            throw ctx.fail(e.getMessage());
        }
        Args.shape(ctx, out.dims());
        return new Object[]{View.of(x).broadcastTo(out.dims()).materialize()};
    }

    private static Object[] tile(KernelContext ctx) {
        Tensor x = ctx.input(0);
        long[] rep = ctx.input(1).toLongArray();
        int r = x.rank();
        if (rep.length != r) throw ctx.fail("repeats has " + rep.length + " entries for rank " + r);
        View v = View.of(x);
        long[] d = new long[2 * r], s = new long[2 * r], out = new long[r];
        for (int i = 0; i < r; i++) {
            if (rep[i] < 0) throw ctx.fail("negative repeat " + rep[i]);
            d[2 * i] = rep[i];
            d[2 * i + 1] = v.dims()[i];
            s[2 * i + 1] = v.strides()[i];
            out[i] = Math.multiplyExact(rep[i], v.dims()[i]);
        }
        Args.shape(ctx, out);
        return new Object[]{new View(v.base(), v.offset(), d, s).materialize().reshape(out)};
    }
}
