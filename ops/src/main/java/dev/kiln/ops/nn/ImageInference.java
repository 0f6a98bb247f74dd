package dev.kiln.ops.nn;

import dev.kiln.graph.Dim;
import dev.kiln.graph.InferenceContext;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/** Type inference of the image ops: output shapes when the size-defining inputs are constants. */
final class ImageInference {
    private ImageInference() {}

    /** Resize/Upsample: X's dtype; dims from constant sizes or scales, else X's rank with unknown dims. */
    static void resize(InferenceContext ctx) {
        TensorType x = AttnIo.tensorType(ctx.inputType(0));
        if (x == null) return;
        if (!x.hasRank()) { ctx.setOutputType(0, TensorType.unranked(x.dtype())); return; }
        int r = x.rank();
        boolean upsample = ctx.node().opType().equals("Upsample");
        Tensor scales = null, sizes = null;
        if (upsample && ctx.opsetVersion() < 9) {
            var sa = ctx.node().attribute("scales");
            if (sa != null) scales = Tensor.of(sa.asFloats(), sa.asFloats().length);
        } else if (upsample || ctx.opsetVersion() < 11) {
            if (ctx.inputCount() > 1) scales = ctx.constantInput(1);
        } else {
            if (ctx.inputCount() > 2) scales = ctx.constantInput(2);
            if (ctx.inputCount() > 3) sizes = ctx.constantInput(3);
            if (scales != null && scales.numel() == 0) scales = null;
            if (sizes != null && sizes.numel() == 0) sizes = null;
        }
        long[] axesAttr = null;
        var a = ctx.node().attribute("axes");
        if (a != null) axesAttr = a.asInts();
        List<Dim> dims = new ArrayList<>(x.dims());
        boolean keep = ctx.node().attribute("keep_aspect_ratio_policy") != null
                && !ctx.node().attribute("keep_aspect_ratio_policy").asString().equals("stretch");
        if ((scales == null && sizes == null) || keep) {
            for (int i = 0; i < r; i++) if (isResized(axesAttr, i, r)) dims.set(i, Dim.UNKNOWN);
            ctx.setOutputType(0, new TensorType(x.dtype(), dims));
            return;
        }
        int[] axes = new int[axesAttr == null ? r : axesAttr.length];
        Tensor given = sizes != null ? sizes : scales;
        if (given.numel() != axes.length) {   // malformed: the kernel reports it; inference just gives up
            ctx.setOutputType(0, TensorType.unranked(x.dtype()));
            return;
        }
        for (int i = 0; i < axes.length; i++) {
            long ax = axesAttr == null ? i : axesAttr[i] < 0 ? axesAttr[i] + r : axesAttr[i];
            if (ax < 0 || ax >= r) { ctx.setOutputType(0, TensorType.unranked(x.dtype())); return; }
            axes[i] = (int) ax;
        }
        for (int i = 0; i < axes.length; i++) {
            if (sizes != null) { long sz = sizes.getLong(i); dims.set(axes[i], sz < 0 ? Dim.UNKNOWN : Dim.of(sz)); continue; }
            long in = dims.get(axes[i]).valueOr(-1);
            double sc = (float) scales.getDouble(i);
            dims.set(axes[i], in < 0 || !(sc > 0) ? Dim.UNKNOWN : Dim.of((long) (sc * in)));
        }
        ctx.setOutputType(0, new TensorType(x.dtype(), dims));
    }

    private static boolean isResized(long[] axes, int i, int r) {
        if (axes == null) return true;
        for (long a : axes) if ((a < 0 ? a + r : a) == i) return true;
        return false;
    }

    /** GridSample: X's dtype, (N, C, grid spatial dims...). Opset 16's default mode name is bilinear. */
    static void gridSample(InferenceContext ctx) {
        TensorType x = AttnIo.tensorType(ctx.inputType(0)), g = AttnIo.tensorType(ctx.inputType(1));
        if (x == null) return;
        if (g == null || !g.hasRank() || !x.hasRank() || x.rank() < 2 || g.rank() < 2) {
            ctx.setOutputType(0, TensorType.unranked(x.dtype()));
            return;
        }
        List<Dim> dims = new ArrayList<>();
        dims.add(x.dims().get(0));
        dims.add(x.dims().get(1));
        for (int i = 1; i < g.rank() - 1; i++) dims.add(g.dims().get(i));
        ctx.setOutputType(0, new TensorType(x.dtype(), dims));
    }

    /** AffineGrid: theta's dtype, (N, spatial..., k) when size is constant. */
    static void affineGrid(InferenceContext ctx) {
        TensorType t = AttnIo.tensorType(ctx.inputType(0));
        if (t == null) return;
        Tensor size = ctx.constantInput(1);
        if (size == null) { ctx.setOutputType(0, TensorType.unranked(t.dtype())); return; }
        long[] s = size.toLongArray();
        if (s.length != 4 && s.length != 5) return;
        long[] out = new long[s.length];
        out[0] = s[0];
        for (int i = 2; i < s.length; i++) out[i - 1] = s[i];
        out[out.length - 1] = s.length - 2;
        ctx.setOutputType(0, AttnIo.typeOf(t.dtype(), out));
    }

    /** RoiAlign: (num_rois, C, output_height, output_width). */
    static void roiAlign(InferenceContext ctx) {
        TensorType x = AttnIo.tensorType(ctx.inputType(0)), rois = AttnIo.tensorType(ctx.inputType(1));
        if (x == null) return;
        var oh = ctx.node().attribute("output_height");
        var ow = ctx.node().attribute("output_width");
        ctx.setOutputType(0, AttnIo.typeOf(x.dtype(), AttnIo.dim(rois, 0), AttnIo.dim(x, 1),
                oh == null ? 1 : oh.asInt(), ow == null ? 1 : ow.asInt()));
    }
}
