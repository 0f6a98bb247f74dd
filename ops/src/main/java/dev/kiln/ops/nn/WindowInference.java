package dev.kiln.ops.nn;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Dim;
import dev.kiln.graph.InferenceContext;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.ops.Inference;
import dev.kiln.ops.Infers;
import dev.kiln.ops.OpFailure;
import dev.kiln.tensor.DType;

import java.util.ArrayList;
import java.util.List;

/**
 * Static output types of channels-first window ops (Conv family, pooling): batch from X, channels from W (conv) or
 * X (pool), and spatial sizes from the same {@link Window} rules the kernels use, whenever X's spatial dims and
 * the kernel are statically known. Anything unknown stays unknown; attribute errors are left for the kernel to
 * report with the actual inputs.
 */
final class WindowInference {
    private WindowInference() {}

    /** Conv-like: output channels = W dim 0, kernel = W's trailing dims. */
    static Inference conv(int x, int w, DType fixed) {
        return ctx -> {
            DType dt = fixed != null ? fixed : Infers.dtypeOf(ctx.inputType(x));
            TensorType wt = ctx.inputType(w) instanceof TensorType t && t.hasRank() ? t : null;
            Dim channels = wt != null && wt.rank() > 0 ? wt.dims().get(0) : Dim.UNKNOWN;
            long[] kernel = wt == null ? null : known(wt.dims().subList(Math.min(2, wt.rank()), wt.rank()));
            ctx.setOutputType(0, infer(ctx, x, dt, channels, kernel, false));
        };
    }

    /** Pooling: channels from X, kernel from the kernel_shape attribute; MaxPool's Indices get the same dims. */
    static Inference pool() {
        return ctx -> {
            DType dt = Infers.dtypeOf(ctx.inputType(0));
            Attribute ks = ctx.node().attribute("kernel_shape");
            Attribute cm = ctx.node().attribute("ceil_mode");
            Dim channels = ctx.inputType(0) instanceof TensorType t && t.hasRank() && t.rank() > 1 ? t.dims().get(1) : Dim.UNKNOWN;
            TensorType y = infer(ctx, 0, dt, channels, ks == null ? null : ks.asInts(), cm != null && cm.asInt() != 0);
            ctx.setOutputType(0, y);
            if (ctx.outputCount() > 1) ctx.setOutputType(1, new TensorType(DType.I64, y.dims()));
        };
    }

    private static TensorType infer(InferenceContext ctx, int x, DType dt, Dim channels, long[] kernel, boolean ceil) {
        if (!(ctx.inputType(x) instanceof TensorType xt) || !xt.hasRank() || xt.rank() < 2) return TensorType.unranked(dt);
        List<Dim> out = new ArrayList<>();
        out.add(xt.dims().get(0));
        out.add(channels);
        List<Dim> sp = xt.dims().subList(2, xt.rank());
        long[] in = known(sp);
        long[] sizes = null;
        if (in != null && kernel != null && kernel.length == in.length) {
            try {
                sizes = Window.forward(Window.Attrs.of(ctx.node()), in, kernel, ceil).out();
            } catch (OpFailure | IllegalArgumentException | ArithmeticException e) {
                sizes = null;
            }
        }
        for (int i = 0; i < sp.size(); i++) out.add(sizes == null ? Dim.UNKNOWN : Dim.of(sizes[i]));
        return new TensorType(dt, out);
    }

    /** The dims as numbers, or null when any is not statically known. */
    private static long[] known(List<Dim> dims) {
        long[] v = new long[dims.size()];
        for (int i = 0; i < v.length; i++) {
            if (!(dims.get(i) instanceof Dim.Known k)) return null;
            v[i] = k.value();
        }
        return v;
    }
}
