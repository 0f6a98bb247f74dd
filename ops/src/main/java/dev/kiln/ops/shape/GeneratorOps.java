package dev.kiln.ops.shape;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Dim;
import dev.kiln.graph.InferenceContext;
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

/** Op family: ops that create tensors from attributes or small inputs (Constant, ConstantOfShape, Range, EyeLike, Trilu, OneHot). */
public final class GeneratorOps implements OpFamily {
    @Override public void register(OpRegistry r) {
        OpSchema.builder("Constant").since(1, 9, 11, 12, 13, 19, 21, 23, 24)
                .infer(GeneratorOps::constantInfer).kernel(GeneratorOps::constant).register(r);
        OpSchema.builder("ConstantOfShape").since(9, 20, 21, 23, 24)
                .infer(GeneratorOps::constantOfShapeInfer).kernel(GeneratorOps::constantOfShape).register(r);
        OpSchema.builder("Range").since(11)
                .infer(ctx -> Args.set(ctx, 0, Args.dtype(ctx, 0), Args.unknownDims(1))).kernel(GeneratorOps::range).register(r);
        OpSchema.builder("EyeLike").since(9, 22).attrInt("k", 0)
                .infer(ctx -> Args.set(ctx, 0, ctx.node().attribute("dtype") != null
                        ? DType.fromOnnx((int) ctx.node().attribute("dtype").asInt()) : Args.dtype(ctx, 0), Args.dims(ctx, 0)))
                .kernel(GeneratorOps::eyeLike).register(r);
        OpSchema.builder("Trilu").since(14).attrInt("upper", 1)
                .infer(Infers.SAME_AS_INPUT0).kernel(GeneratorOps::trilu).register(r);
        OpSchema.builder("OneHot").since(9, 11).attrInt("axis", -1)
                .infer(GeneratorOps::oneHotInfer).kernel(GeneratorOps::oneHot).register(r);
    }

    // ------------------------------------------------------------------ Constant / ConstantOfShape

    private static void constantInfer(InferenceContext ctx) {
        var n = ctx.node();
        if (n.attribute("value") != null) ctx.setOutputType(0, dev.kiln.graph.ValueType.TensorType.of(n.attribute("value").asTensor().dtype(), n.attribute("value").asTensor().shape()));
        else if (n.attribute("value_float") != null) Args.set(ctx, 0, DType.F32, List.of());
        else if (n.attribute("value_int") != null) Args.set(ctx, 0, DType.I64, List.of());
        else if (n.attribute("value_string") != null) Args.set(ctx, 0, DType.STRING, List.of());
        else if (n.attribute("value_floats") != null) Args.set(ctx, 0, DType.F32, List.of(Dim.of(n.attribute("value_floats").asFloats().length)));
        else if (n.attribute("value_ints") != null) Args.set(ctx, 0, DType.I64, List.of(Dim.of(n.attribute("value_ints").asInts().length)));
        else if (n.attribute("value_strings") != null) Args.set(ctx, 0, DType.STRING, List.of(Dim.of(n.attribute("value_strings").asStrings().length)));
    }

    private static Object[] constant(KernelContext ctx) {
        return new Object[]{constantValue(ctx)};
    }

    /** The one value attribute a Constant node carries, as a tensor. */
    static Tensor constantValue(KernelContext ctx) {
        if (ctx.hasAttr("sparse_value"))
            throw new dev.kiln.graph.UnsupportedOperatorException(ctx.node().describe() + ": sparse_value constants are not supported");
        if (ctx.hasAttr("value")) return ctx.attrTensor("value");
        if (ctx.hasAttr("value_float")) return Tensor.of(new float[]{ctx.attrFloat("value_float")});
        if (ctx.hasAttr("value_floats")) { float[] f = ctx.attrFloats("value_floats"); return Tensor.of(f, f.length); }
        if (ctx.hasAttr("value_int")) return Tensor.scalarLong(DType.I64, ctx.attrInt("value_int"));
        if (ctx.hasAttr("value_ints")) { long[] l = ctx.attrInts("value_ints"); return Tensor.ofLongs(l, l.length); }
        if (ctx.hasAttr("value_string")) return Tensor.ofStrings(new String[]{ctx.attrString("value_string")});
        if (ctx.hasAttr("value_strings")) { String[] s = ctx.attrStrings("value_strings"); return Tensor.ofStrings(s, s.length); }
        throw ctx.fail("Constant has no value attribute");
    }

    private static void constantOfShapeInfer(InferenceContext ctx) {
        Attribute v = ctx.node().attribute("value");
        DType dt = v == null ? DType.F32 : v.asTensor().dtype();
        long[] s = Args.constLongs(ctx, 0);
        if (s != null) {
            List<Dim> d = new ArrayList<>();
            for (long x : s) d.add(Dim.of(x));
            Args.set(ctx, 0, dt, d);
        } else {
            List<Dim> in = Args.dims(ctx, 0);
            Args.set(ctx, 0, dt, in != null && in.size() == 1 && in.get(0).isKnown() ? Args.unknownDims((int) in.get(0).valueOr(0)) : null);
        }
    }

    private static Object[] constantOfShape(KernelContext ctx) {
        Tensor value = ctx.attrTensor("value");
        if (value == null) value = Tensor.of(new float[]{0f}, 1);
        if (value.numel() != 1) throw ctx.fail("value must hold exactly one element");
        long[] dims = ctx.input(0).toLongArray();
        Tensor y = Tensor.allocate(value.dtype(), Args.shape(ctx, dims));
        Args.fill(y, value, 0);
        return new Object[]{y};
    }

    // ------------------------------------------------------------------ Range / EyeLike / Trilu

    private static Object[] range(KernelContext ctx) {
        Tensor s = ctx.input(0), l = ctx.input(1), d = ctx.input(2);
        if (s.numel() != 1 || l.numel() != 1 || d.numel() != 1) throw ctx.fail("start, limit and delta must be scalars");
        DType dt = s.dtype();
        if (dt.isFloatingPoint()) {
            double start = s.getDouble(0), limit = l.getDouble(0), delta = d.getDouble(0);
            if (delta == 0) throw ctx.fail("delta must not be 0");
            double cnt = Math.ceil((limit - start) / delta);
            if (!(cnt < Integer.MAX_VALUE)) throw ctx.fail("range of " + cnt + " elements is too large");
            long n = Math.max((long) cnt, 0);
            Tensor y = Tensor.allocate(dt, Shape.of(n));
            // Accumulate in the element type, as the ONNX function body (a Loop adding delta) does.
            double v = start;
            for (long i = 0; i < n; i++) {
                y.setDouble(i, v);
                v = dt == DType.F32 ? (float) ((float) v + (float) delta) : v + delta;
            }
            return new Object[]{y};
        }
        long start = s.getLong(0), limit = l.getLong(0), delta = d.getLong(0);
        if (delta == 0) throw ctx.fail("delta must not be 0");
        long span = limit - start;
        long n = delta > 0 ? (span <= 0 ? 0 : (span + delta - 1) / delta) : (span >= 0 ? 0 : (-span + -delta - 1) / -delta);
        if (n > Integer.MAX_VALUE) throw ctx.fail("range of " + n + " elements is too large");
        Tensor y = Tensor.allocate(dt, Shape.of(n));
        for (long i = 0; i < n; i++) y.setLong(i, start + i * delta);
        return new Object[]{y};
    }

    private static Object[] eyeLike(KernelContext ctx) {
        Tensor x = ctx.input(0);
        if (x.rank() != 2) throw ctx.fail("input must be 2-D, got " + x.shape());
        DType dt = ctx.hasAttr("dtype") ? DType.fromOnnx((int) ctx.attrInt("dtype")) : x.dtype();
        Tensor y = Tensor.allocate(dt, x.shape());
        long rows = x.shape().dim(0), cols = x.shape().dim(1), k = ctx.attrInt("k");
        for (long i = 0; i < rows; i++) {
            long j = i + k;
            if (j >= 0 && j < cols) y.setLong(i * cols + j, 1);
        }
        return new Object[]{y};
    }

    private static Object[] trilu(KernelContext ctx) {
        Tensor x = View.dense(ctx.input(0));
        if (x.rank() < 2) throw ctx.fail("input must have rank >= 2");
        long k = ctx.hasInput(1) ? ctx.input(1).getLong(0) : 0;
        boolean upper = ctx.attrInt("upper") != 0;
        Tensor y = Tensor.allocate(x.dtype(), x.shape());
        int r = x.rank();
        long rows = x.shape().dim(r - 2), cols = x.shape().dim(r - 1);
        long mats = rows * cols == 0 ? 0 : x.numel() / (rows * cols);
        for (long m = 0; m < mats; m++) {
            for (long i = 0; i < rows; i++) {
                long base = (m * rows + i) * cols;
                // Upper keeps j - i >= k, lower keeps j - i <= k: one contiguous run per row.
                long lo = upper ? Math.clamp(i + k, 0, cols) : 0;
                long hi = upper ? cols : Math.clamp(i + k + 1, 0, cols);
                View.copyElems(x, base + lo, y, base + lo, hi - lo);
            }
        }
        return new Object[]{y};
    }

    // ------------------------------------------------------------------ OneHot

    private static void oneHotInfer(InferenceContext ctx) {
        DType dt = Args.dtype(ctx, 2);
        List<Dim> in = Args.dims(ctx, 0);
        if (in == null) { Args.set(ctx, 0, dt, null); return; }
        long[] depth = Args.constLongs(ctx, 1);
        int r = in.size() + 1;
        long a = Args.intAttr(ctx, "axis", -1);
        int axis = (int) (a < 0 ? a + r : a);
        List<Dim> out = new ArrayList<>(in);
        if (axis >= 0 && axis <= in.size()) out.add(axis, depth != null && depth.length == 1 ? Dim.of(depth[0]) : Dim.UNKNOWN);
        Args.set(ctx, 0, dt, out);
    }

    private static Object[] oneHot(KernelContext ctx) {
        Tensor idx = ctx.input(0), depthT = ctx.input(1), values = ctx.input(2);
        if (depthT.numel() != 1) throw ctx.fail("depth must have one element");
        if (values.numel() != 2) throw ctx.fail("values must be [off_value, on_value]");
        long depth = depthT.dtype().isFloatingPoint() ? (long) depthT.getDouble(0) : depthT.getLong(0);
        if (depth <= 0) throw ctx.fail("depth must be positive, got " + depth);
        int r = idx.rank() + 1;
        int axis = Args.axis(ctx, ctx.attrInt("axis"), r);
        long[] out = new long[r];
        for (int i = 0, j = 0; i < r; i++) out[i] = i == axis ? depth : idx.shape().dim(j++);
        Tensor y = Tensor.allocate(values.dtype(), Args.shape(ctx, out));
        Args.fill(y, values, 0);
        long outer = Args.product(out, 0, axis), inner = Args.product(out, axis + 1, r);
        boolean fp = idx.dtype().isFloatingPoint();
        for (long o = 0; o < outer; o++) {
            for (long in = 0; in < inner; in++) {
                long src = o * inner + in;
                long k = fp ? (long) idx.getDouble(src) : idx.getLong(src);
                if (k < 0) k += depth;
                if (k < 0 || k >= depth) continue;   // out of range: the row stays all off_value
                Args.copyElem(values, 1, y, (o * depth + k) * inner + in);
            }
        }
        return new Object[]{y};
    }
}
