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
            ctx.setOutputType(0, infer(ctx, x, dt, channels, kernel, (a, in, k) -> Window.forward(a, in, k, false).out()));
        };
    }

    /** ConvTranspose: output channels = W dim 1 * group, sizes from {@link ConvTranspose#geometry}. */
    static Inference convTranspose() {
        return ctx -> {
            DType dt = Infers.dtypeOf(ctx.inputType(0));
            TensorType wt = ctx.inputType(1) instanceof TensorType t && t.hasRank() ? t : null;
            Attribute g = ctx.node().attribute("group");
            long group = g == null ? 1 : g.asInt();
            Dim channels = wt != null && wt.rank() > 1 && wt.dims().get(1) instanceof Dim.Known k ? Dim.of(k.value() * group) : Dim.UNKNOWN;
            long[] kernel = wt == null ? null : known(wt.dims().subList(Math.min(2, wt.rank()), wt.rank()));
            ctx.setOutputType(0, infer(ctx, 0, dt, channels, kernel, (a, in, k) -> ConvTranspose.geometry(a, in, k).out()));
        };
    }

    /** Col2Im: (N, C, image_shape...) when image_shape and block_shape are constants. */
    static Inference col2Im() {
        return ctx -> {
            DType dt = Infers.dtypeOf(ctx.inputType(0));
            var image = ctx.constantInput(1);
            var block = ctx.constantInput(2);
            if (image == null) {
                ctx.setOutputType(0, TensorType.unranked(dt));
                return;
            }
            List<Dim> out = new ArrayList<>();
            Dim n = Dim.UNKNOWN, c = Dim.UNKNOWN;
            if (ctx.inputType(0) instanceof TensorType t && t.hasRank() && t.rank() == 3) {
                n = t.dims().get(0);
                if (block != null && t.dims().get(1) instanceof Dim.Known k) {
                    long kc = 1;
                    for (long b : block.toLongArray()) kc *= b;
                    if (kc > 0 && k.value() % kc == 0) c = Dim.of(k.value() / kc);
                }
            }
            out.add(n);
            out.add(c);
            for (long v : image.toLongArray()) out.add(v >= 0 ? Dim.of(v) : Dim.UNKNOWN);
            ctx.setOutputType(0, new TensorType(dt, out));
        };
    }

    /** MaxUnpool: the constant output_shape input, else the default unpooled size from X and the attributes. */
    static Inference maxUnpool() {
        return ctx -> {
            DType dt = Infers.dtypeOf(ctx.inputType(0));
            var shape = ctx.constantInput(2);
            if (shape != null) {
                List<Dim> out = new ArrayList<>();
                for (long v : shape.toLongArray()) out.add(v >= 0 ? Dim.of(v) : Dim.UNKNOWN);
                ctx.setOutputType(0, new TensorType(dt, out));
                return;
            }
            if (ctx.node().input(2) != null && !ctx.node().input(2).name().isEmpty()) {
                ctx.setOutputType(0, TensorType.unranked(dt));
                return;
            }
            Attribute ks = ctx.node().attribute("kernel_shape");
            Dim channels = ctx.inputType(0) instanceof TensorType t && t.hasRank() && t.rank() > 1 ? t.dims().get(1) : Dim.UNKNOWN;
            ctx.setOutputType(0, infer(ctx, 0, dt, channels, ks == null ? null : ks.asInts(), (a, in, k) -> {
                long[] s = Window.ints(a, "strides", in.length, 1), pads = a.ints("pads");
                long[] out = new long[in.length];
                for (int i = 0; i < in.length; i++) {
                    boolean p = pads != null && pads.length == 2 * in.length;
                    out[i] = (in[i] - 1) * s[i] + k[i] - (p ? pads[i] + pads[i + in.length] : 0);
                }
                return out;
            }));
        };
    }

    @FunctionalInterface
    interface Sizes {
        long[] out(Window.Attrs attrs, long[] in, long[] kernel);
    }

    /** Pooling: channels from X, kernel from the kernel_shape attribute; MaxPool's Indices get the same dims. */
    static Inference pool() {
        return ctx -> {
            DType dt = Infers.dtypeOf(ctx.inputType(0));
            Attribute ks = ctx.node().attribute("kernel_shape");
            Attribute cm = ctx.node().attribute("ceil_mode");
            Dim channels = ctx.inputType(0) instanceof TensorType t && t.hasRank() && t.rank() > 1 ? t.dims().get(1) : Dim.UNKNOWN;
            boolean ceil = cm != null && cm.asInt() != 0;
            TensorType y = infer(ctx, 0, dt, channels, ks == null ? null : ks.asInts(), (a, in, k) -> Window.forward(a, in, k, ceil).out());
            ctx.setOutputType(0, y);
            if (ctx.outputCount() > 1) ctx.setOutputType(1, new TensorType(DType.I64, y.dims()));
        };
    }

    private static TensorType infer(InferenceContext ctx, int x, DType dt, Dim channels, long[] kernel, Sizes rule) {
        if (!(ctx.inputType(x) instanceof TensorType xt) || !xt.hasRank() || xt.rank() < 2) return TensorType.unranked(dt);
        List<Dim> out = new ArrayList<>();
        out.add(xt.dims().get(0));
        out.add(channels);
        List<Dim> sp = xt.dims().subList(2, xt.rank());
        long[] in = known(sp);
        long[] sizes = null;
        if (in != null && kernel != null && kernel.length == in.length) {
            try {
                sizes = rule.out(Window.Attrs.of(ctx.node()), in, kernel);
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
