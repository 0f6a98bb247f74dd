package dev.kiln.ops;

import dev.kiln.graph.Dim;
import dev.kiln.graph.InferenceContext;
import dev.kiln.graph.ValueType;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.tensor.DType;

import java.util.ArrayList;
import java.util.List;

/** Reusable type-inference rules; ops compose these instead of repeating shape logic. */
public final class Infers {
    private Infers() {}

    /** Output 0 has exactly input 0's type (unary elementwise ops). */
    public static final Inference SAME_AS_INPUT0 = ctx -> ctx.setOutputType(0, ctx.inputType(0));

    /** Output 0: broadcast of all inputs' shapes, dtype of input 0 (binary/variadic elementwise ops). */
    public static final Inference BROADCAST = ctx -> ctx.setOutputType(0, broadcastAll(ctx, dtypeOf(ctx.inputType(0))));

    /** Like {@link #BROADCAST} but the output is bool (comparisons, logical ops). */
    public static final Inference BROADCAST_BOOL = ctx -> ctx.setOutputType(0, broadcastAll(ctx, DType.BOOL));

    public static DType dtypeOf(ValueType t) { return t instanceof TensorType tt ? tt.dtype() : null; }

    /** Broadcast of every present input's dims (symbolic dims kept when they agree), with the given dtype. */
    public static TensorType broadcastAll(InferenceContext ctx, DType dtype) {
        List<Dim> out = new ArrayList<>();
        for (int i = 0; i < ctx.inputCount(); i++) {
            if (!(ctx.inputType(i) instanceof TensorType t) || !t.hasRank()) {
                if (ctx.node().input(i) == null) continue;
                return TensorType.unranked(dtype);
            }
            out = broadcastDims(out, t.dims());
        }
        return new TensorType(dtype, out);
    }

    /** numpy broadcasting over static dims: known 1 yields to the other; equal symbols stay; else unknown. */
    public static List<Dim> broadcastDims(List<Dim> a, List<Dim> b) {
        int r = Math.max(a.size(), b.size());
        List<Dim> out = new ArrayList<>(r);
        for (int i = 0; i < r; i++) {
            Dim da = i < r - a.size() ? Dim.of(1) : a.get(i - (r - a.size()));
            Dim db = i < r - b.size() ? Dim.of(1) : b.get(i - (r - b.size()));
            if (da.equals(db)) out.add(da);
            else if (da.equals(Dim.of(1))) out.add(db);
            else if (db.equals(Dim.of(1))) out.add(da);
            else if (da.isKnown() && db.isKnown()) throw new OpFailure("cannot broadcast dims " + da + " and " + db);
            else out.add(da.isKnown() ? da : db.isKnown() ? db : Dim.UNKNOWN);
        }
        return out;
    }
}
