package dev.kiln.ops.control;

import dev.kiln.graph.Graph;
import dev.kiln.graph.ValueType;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.ops.shape.Args;
import dev.kiln.ops.shape.ShapeOps;
import dev.kiln.ops.shape.View;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.OptionalValue;
import dev.kiln.tensor.Tensor;
import dev.kiln.tensor.TensorSequence;

import java.util.ArrayList;
import java.util.List;

/**
 * Op family: sequence ops (SequenceConstruct ... SequenceMap) and optional ops (Optional, OptionalHasElement,
 * OptionalGetElement). Sequences are immutable {@link TensorSequence}s: every "mutating" op returns a new one.
 */
public final class SequenceOps implements OpFamily {
    @Override public void register(OpRegistry r) {
        OpSchema.builder("SequenceConstruct").since(11).infer(ControlInference::construct).kernel(SequenceOps::construct).register(r);
        OpSchema.builder("SequenceEmpty").since(11).attrInt("dtype", 1)
                .infer(ctx -> ctx.setOutputType(0, new ValueType.SequenceType(ValueType.TensorType.unranked(DType.fromOnnx((int) Args.intAttr(ctx, "dtype", 1))))))
                .kernel(ctx -> new Object[]{new TensorSequence(DType.fromOnnx((int) ctx.attrInt("dtype")), List.of())}).register(r);
        OpSchema.builder("SequenceAt").since(11).infer(ctx -> ctx.setOutputType(0, ControlInference.elementOf(ctx.inputType(0)))).kernel(ctx -> {
            TensorSequence s = seq(ctx, 0);
            return new Object[]{s.get(position(ctx, ctx.input(1), s.size(), false))};
        }).register(r);
        OpSchema.builder("SequenceInsert").since(11).infer(ControlInference::insert).kernel(SequenceOps::insert).register(r);
        OpSchema.builder("SequenceErase").since(11).infer(ctx -> ctx.setOutputType(0, ctx.inputType(0))).kernel(SequenceOps::erase).register(r);
        OpSchema.builder("SequenceLength").since(11).infer(ctx -> ControlInference.scalar(ctx, DType.I64))
                .kernel(ctx -> new Object[]{Tensor.scalarLong(DType.I64, seq(ctx, 0).size())}).register(r);
        OpSchema.builder("SplitToSequence").since(11, 24).attrInt("axis", 0).attrInt("keepdims", 1)
                .infer(ControlInference::splitToSequence)
                .kernel(SequenceOps::splitToSequence).register(r);
        OpSchema.builder("ConcatFromSequence").since(11).attrInt("new_axis", 0)
                .infer(ControlInference::concatFromSequence)
                .kernel(SequenceOps::concatFromSequence).register(r);
        OpSchema.builder("SequenceMap").since(17).infer(ControlInference::sequenceMap).kernel(SequenceOps::sequenceMap).register(r);
        OpSchema.builder("Optional").since(15).infer(ControlInference::optional).kernel(SequenceOps::optional).register(r);
        OpSchema.builder("OptionalHasElement").since(15, 18).infer(ctx -> ControlInference.scalar(ctx, DType.BOOL)).kernel(ctx -> {
            Object v = ctx.inputValue(0);
            boolean has = v instanceof OptionalValue o ? o.isPresent() : v != null;
            return new Object[]{Tensor.ofBooleans(new boolean[]{has})};
        }).register(r);
        OpSchema.builder("OptionalGetElement").since(15, 18).infer(ControlInference::optionalGet).kernel(ctx -> {
            Object v = ctx.inputValue(0);
            if (v instanceof OptionalValue o) {
                if (!o.isPresent()) throw ctx.fail("the optional input is empty");
                return new Object[]{o.value()};
            }
            if (v == null) throw ctx.fail("input is absent");
            return new Object[]{v};
        }).register(r);
    }

    static TensorSequence seq(KernelContext ctx, int i) {
        Object v = ctx.inputValue(i);
        if (v instanceof OptionalValue o && o.value() instanceof TensorSequence s) return s;
        if (!(v instanceof TensorSequence s)) throw ctx.fail("input " + i + " must be a sequence, got " + (v == null ? "nothing" : v.getClass().getSimpleName()));
        return s;
    }

    /** A sequence position (negative counts from the end); {@code insert} allows the end position itself. */
    static int position(KernelContext ctx, Tensor p, int size, boolean insert) {
        if (p.numel() != 1) throw ctx.fail("position must be a scalar");
        long k = p.getLong(0);
        long a = k < 0 ? k + size : k;
        if (a < 0 || a > size || (a == size && !insert)) throw ctx.fail("position " + k + " is out of range for a sequence of " + size);
        return (int) a;
    }

    private static Object[] construct(KernelContext ctx) {
        List<Tensor> items = new ArrayList<>();
        for (int i = 0; i < ctx.inputCount(); i++) items.add(ctx.input(i));
        if (items.isEmpty()) throw ctx.fail("needs at least one input");
        return new Object[]{sequence(ctx, items.get(0).dtype(), items)};
    }

    private static TensorSequence sequence(KernelContext ctx, DType dt, List<Tensor> items) {
        for (Tensor t : items) if (t.dtype() != dt) throw ctx.fail("sequence of " + dt + " cannot hold a " + t.dtype() + " tensor");
        return new TensorSequence(dt, items);
    }

    private static Object[] insert(KernelContext ctx) {
        TensorSequence s = seq(ctx, 0);
        Tensor t = ctx.input(1);
        int at = ctx.hasInput(2) ? position(ctx, ctx.input(2), s.size(), true) : s.size();
        List<Tensor> items = new ArrayList<>(s.items());
        items.add(at, t);
        return new Object[]{sequence(ctx, s.elementType() == null ? t.dtype() : s.elementType(), items)};
    }

    private static Object[] erase(KernelContext ctx) {
        TensorSequence s = seq(ctx, 0);
        if (s.size() == 0) throw ctx.fail("cannot erase from an empty sequence");
        int at = ctx.hasInput(1) ? position(ctx, ctx.input(1), s.size(), false) : s.size() - 1;
        List<Tensor> items = new ArrayList<>(s.items());
        items.remove(at);
        return new Object[]{new TensorSequence(s.elementType(), items)};
    }

    private static Object[] splitToSequence(KernelContext ctx) {
        Tensor x = ctx.input(0);
        int axis = Args.axis(ctx, ctx.attrInt("axis"), x.rank());
        long dim = x.shape().dim(axis);
        Tensor split = ctx.optionalInput(1);
        List<Tensor> items = new ArrayList<>();
        View v = View.of(x);
        if (split == null) {
            boolean keep = ctx.attrInt("keepdims") != 0;
            for (long i = 0; i < dim; i++) {
                Tensor t = v.slice(axis, i, 1, 1).materialize();
                items.add(keep ? t : t.squeeze(axis));
            }
            return new Object[]{new TensorSequence(x.dtype(), items)};
        }
        long[] sizes;
        if (split.rank() == 0) {
            long c = split.getLong(0);
            if (c <= 0) throw ctx.fail("split chunk size must be positive, got " + c);
            int n = (int) ((dim + c - 1) / c);
            sizes = new long[n];
            for (int i = 0; i < n; i++) sizes[i] = Math.min(c, dim - i * c);
        } else {
            sizes = split.toLongArray();
            long sum = 0;
            for (long s : sizes) { if (s < 0) throw ctx.fail("negative split " + s); sum += s; }
            if (sum != dim) throw ctx.fail("split sums to " + sum + " but the dim is " + dim);
        }
        long at = 0;
        for (long s : sizes) { items.add(v.slice(axis, at, s, 1).materialize()); at += s; }
        return new Object[]{new TensorSequence(x.dtype(), items)};
    }

    private static Object[] concatFromSequence(KernelContext ctx) {
        TensorSequence s = seq(ctx, 0);
        if (s.size() == 0) throw ctx.fail("cannot concatenate an empty sequence");
        long axis = ctx.attrInt("axis");
        if (ctx.attrInt("new_axis") != 0) {
            int r = s.get(0).rank() + 1;
            int a = Args.axis(ctx, axis, r);
            List<Tensor> parts = new ArrayList<>();
            for (Tensor t : s.items()) parts.add(View.dense(t).unsqueeze(a));
            return new Object[]{ShapeOps.concat(ctx, parts, a)};
        }
        return new Object[]{ShapeOps.concat(ctx, s.items(), axis)};
    }

    private static Object[] sequenceMap(KernelContext ctx) {
        Graph body = ctx.attrGraph("body");
        if (body == null) throw ctx.fail("attribute 'body' is required");
        TensorSequence first = seq(ctx, 0);
        int n = first.size();
        for (int i = 1; i < ctx.inputCount(); i++)
            if (ctx.inputValue(i) instanceof TensorSequence s && s.size() != n)
                throw ctx.fail("sequence input " + i + " has " + s.size() + " elements, the first has " + n);
        int k = ctx.outputCount();
        List<List<Tensor>> outs = new ArrayList<>();
        for (int o = 0; o < k; o++) outs.add(new ArrayList<>());
        for (int e = 0; e < n; e++) {
            List<Object> in = new ArrayList<>();
            for (int i = 0; i < ctx.inputCount(); i++) {
                Object v = ctx.inputValue(i);
                in.add(v instanceof TensorSequence s ? s.get(e) : v);
            }
            List<Object> out = ctx.runSubgraph(body, in);
            for (int o = 0; o < k; o++) {
                if (!(out.get(o) instanceof Tensor t)) throw ctx.fail("body output " + o + " must be a tensor");
                outs.get(o).add(t);
            }
        }
        Object[] result = new Object[k];
        for (int o = 0; o < k; o++) {
            DType dt = outs.get(o).isEmpty() ? declaredDType(body, o) : outs.get(o).get(0).dtype();
            result[o] = sequence(ctx, dt, outs.get(o));
        }
        return result;
    }

    private static DType declaredDType(Graph body, int o) {
        ValueType t = body.outputs().get(o).type();
        return t instanceof ValueType.TensorType tt && tt.dtype() != null ? tt.dtype() : DType.F32;
    }

    private static Object[] optional(KernelContext ctx) {
        Object v = ctx.inputValue(0);
        if (v != null) return new Object[]{new OptionalValue(v, typeName(v))};
        var a = ctx.attr("type");
        if (a == null) throw ctx.fail("an Optional without input needs the 'type' attribute");
        return new Object[]{OptionalValue.empty(typeName(a.asType()))};
    }

    /** ONNX-style type text of a runtime value, e.g. {@code tensor(float)} or {@code seq(tensor(int64))}. */
    static String typeName(Object v) {
        if (v instanceof Tensor t) return "tensor(" + onnxName(t.dtype()) + ")";
        if (v instanceof TensorSequence s) return "seq(tensor(" + onnxName(s.elementType()) + "))";
        return String.valueOf(v);
    }

    static String typeName(ValueType t) {
        if (t instanceof ValueType.TensorType tt) return "tensor(" + onnxName(tt.dtype()) + ")";
        if (t instanceof ValueType.SequenceType st) return "seq(" + typeName(st.element()) + ")";
        if (t instanceof ValueType.OptionalType ot) return "optional(" + typeName(ot.element()) + ")";
        return String.valueOf(t);
    }

    private static String onnxName(DType d) {
        if (d == null) return "?";
        return switch (d) {
            case F32 -> "float";
            case F64 -> "double";
            default -> d.displayName();
        };
    }
}
