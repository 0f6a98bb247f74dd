package dev.kiln.ops.control;

import dev.kiln.graph.Dim;
import dev.kiln.graph.Graph;
import dev.kiln.graph.InferenceContext;
import dev.kiln.graph.ValueType;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.ops.shape.Args;
import dev.kiln.tensor.DType;

import java.util.ArrayList;
import java.util.List;

/**
 * Type rules of the control-flow, sequence and optional ops. Subgraph bodies are typed before the node that owns
 * them, so a body's output types are available here.
 */
final class ControlInference {
    private ControlInference() {}

    private static Graph graph(InferenceContext ctx, String name) {
        var a = ctx.node().attribute(name);
        return a == null ? null : a.asGraph();
    }

    /** The common part of two types: equal types stay, tensors that differ keep what they share. */
    static ValueType join(ValueType a, ValueType b) {
        if (a.equals(b)) return a;
        if (a instanceof TensorType x && b instanceof TensorType y) {
            DType dt = x.dtype() == y.dtype() ? x.dtype() : null;
            if (!x.hasRank() || !y.hasRank() || x.rank() != y.rank()) return TensorType.unranked(dt);
            List<Dim> d = new ArrayList<>();
            for (int i = 0; i < x.rank(); i++) d.add(x.dims().get(i).equals(y.dims().get(i)) ? x.dims().get(i) : Dim.UNKNOWN);
            return new TensorType(dt, d);
        }
        if (a instanceof ValueType.SequenceType x && b instanceof ValueType.SequenceType y) return new ValueType.SequenceType(join(x.element(), y.element()));
        return ValueType.UNKNOWN;
    }

    static void ifOp(InferenceContext ctx) {
        Graph t = graph(ctx, "then_branch"), e = graph(ctx, "else_branch");
        if (t == null || e == null) return;
        for (int i = 0; i < ctx.outputCount() && i < t.outputs().size() && i < e.outputs().size(); i++)
            ctx.setOutputType(i, join(t.outputs().get(i).type(), e.outputs().get(i).type()));
    }

    /** A per-iteration type stacked along {@code axis} into {@code count} rows. */
    private static ValueType stacked(ValueType t, int axis, Dim count) {
        if (!(t instanceof TensorType tt)) return ValueType.UNKNOWN;
        if (!tt.hasRank()) return TensorType.unranked(tt.dtype());
        List<Dim> d = new ArrayList<>(tt.dims());
        int a = axis < 0 ? axis + d.size() + 1 : axis;
        if (a < 0 || a > d.size()) return TensorType.unranked(tt.dtype());
        d.add(a, count);
        return new TensorType(tt.dtype(), d);
    }

    static void loop(InferenceContext ctx) {
        Graph body = graph(ctx, "body");
        if (body == null) return;
        int carried = ctx.inputCount() - 2;
        for (int j = 0; j < carried && j < ctx.outputCount(); j++) {
            ValueType in = ctx.inputType(j + 2);
            ValueType out = 1 + j < body.outputs().size() ? body.outputs().get(1 + j).type() : ValueType.UNKNOWN;
            ctx.setOutputType(j, in instanceof ValueType.UnknownType ? out : join(in, out));
        }
        Dim trips = Dim.UNKNOWN;
        for (int k = carried; k < ctx.outputCount() && 1 + k < body.outputs().size(); k++)
            ctx.setOutputType(k, stacked(body.outputs().get(1 + k).type(), 0, trips));
    }

    static void scan(InferenceContext ctx) {
        Graph body = graph(ctx, "body");
        var m = ctx.node().attribute("num_scan_inputs");
        if (body == null || m == null) return;
        boolean v8 = ctx.opsetVersion() < 9;
        int n = ctx.inputCount() - (int) m.asInt() - (v8 ? 1 : 0);
        for (int i = 0; i < n && i < ctx.outputCount(); i++) ctx.setOutputType(i, ctx.inputType(i + (v8 ? 1 : 0)));
        long[] axes = Args.intsAttr(ctx, "scan_output_axes");
        for (int k = n; k < ctx.outputCount() && k < body.outputs().size(); k++) {
            ValueType t = body.outputs().get(k).type();
            if (v8) ctx.setOutputType(k, stacked(stacked(t, 0, Dim.UNKNOWN), 0, Dim.UNKNOWN));
            else ctx.setOutputType(k, stacked(t, axes == null || k - n >= axes.length ? 0 : (int) axes[k - n], Dim.UNKNOWN));
        }
    }

    static ValueType elementOf(ValueType t) {
        if (t instanceof ValueType.SequenceType s) return s.element();
        if (t instanceof ValueType.OptionalType o) return elementOf(o.element());
        return ValueType.UNKNOWN;
    }

    static void construct(InferenceContext ctx) {
        ValueType e = null;
        for (int i = 0; i < ctx.inputCount(); i++) e = e == null ? ctx.inputType(i) : join(e, ctx.inputType(i));
        if (e != null) ctx.setOutputType(0, new ValueType.SequenceType(e));
    }

    static void insert(InferenceContext ctx) {
        ValueType s = ctx.inputType(0);
        ValueType e = elementOf(s);
        ctx.setOutputType(0, new ValueType.SequenceType(s instanceof ValueType.SequenceType ? join(e, ctx.inputType(1)) : ctx.inputType(1)));
    }

    static void splitToSequence(InferenceContext ctx) {
        List<Dim> d = Args.dims(ctx, 0);
        DType dt = Args.dtype(ctx, 0);
        if (d == null) { ctx.setOutputType(0, new ValueType.SequenceType(TensorType.unranked(dt))); return; }
        boolean noSplit = !Args.present(ctx, 1);
        long a = Args.intAttr(ctx, "axis", 0);
        int axis = (int) (a < 0 ? a + d.size() : a);
        List<Dim> out = new ArrayList<>(d);
        if (axis >= 0 && axis < out.size()) {
            if (noSplit && Args.intAttr(ctx, "keepdims", 1) == 0) out.remove(axis);
            else out.set(axis, noSplit ? Dim.of(1) : Dim.UNKNOWN);
        }
        ctx.setOutputType(0, new ValueType.SequenceType(new TensorType(dt, out)));
    }

    static void concatFromSequence(InferenceContext ctx) {
        ValueType e = elementOf(ctx.inputType(0));
        DType dt = e instanceof TensorType t ? t.dtype() : null;
        if (!(e instanceof TensorType t) || !t.hasRank()) { ctx.setOutputType(0, TensorType.unranked(dt)); return; }
        int r = t.rank() + (Args.intAttr(ctx, "new_axis", 0) != 0 ? 1 : 0);
        ctx.setOutputType(0, new TensorType(dt, Args.unknownDims(r)));
    }

    static void sequenceMap(InferenceContext ctx) {
        Graph body = graph(ctx, "body");
        if (body == null) return;
        for (int o = 0; o < ctx.outputCount() && o < body.outputs().size(); o++)
            ctx.setOutputType(o, new ValueType.SequenceType(body.outputs().get(o).type()));
    }

    static void optional(InferenceContext ctx) {
        if (Args.present(ctx, 0)) { ctx.setOutputType(0, new ValueType.OptionalType(ctx.inputType(0))); return; }
        var a = ctx.node().attribute("type");
        if (a != null) ctx.setOutputType(0, new ValueType.OptionalType(a.asType()));
    }

    static void optionalGet(InferenceContext ctx) {
        ValueType t = ctx.inputType(0);
        ctx.setOutputType(0, t instanceof ValueType.OptionalType o ? o.element() : t);
    }

    static void scalar(InferenceContext ctx, DType dt) { ctx.setOutputType(0, new TensorType(dt, List.of())); }
}
