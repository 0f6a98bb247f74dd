package dev.kiln.ops.nn;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Dim;
import dev.kiln.graph.ValueType.TensorType;
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

/** Op family: AveragePool, MaxPool, LpPool, GlobalAveragePool, GlobalMaxPool, GlobalLpPool, MaxUnpool. */
public final class PoolOps implements OpFamily {
    private enum Kind { AVG, MAX, LP }

    @Override public void register(OpRegistry r) {
        OpSchema.builder("AveragePool").since(1, 7, 10, 11, 19, 22)
                .attrString("auto_pad", "NOTSET").attrInt("ceil_mode", 0).attrInt("count_include_pad", 0)
                .attrInts("dilations", null).required("kernel_shape", Attribute.Kind.INTS)
                .attrInts("pads", null).attrInts("strides", null)
                .infer(WindowInference.pool())
                .kernel(ctx -> pool(ctx, Kind.AVG))
                .register(r);
        OpSchema.builder("MaxPool").since(1, 8, 10, 11, 12, 22)
                .attrString("auto_pad", "NOTSET").attrInt("ceil_mode", 0).attrInts("dilations", null)
                .required("kernel_shape", Attribute.Kind.INTS).attrInts("pads", null).attrInt("storage_order", 0)
                .attrInts("strides", null)
                .infer(WindowInference.pool())
                .kernel(ctx -> pool(ctx, Kind.MAX))
                .register(r);
        OpSchema.builder("LpPool").since(1, 2, 11, 18, 22)
                .attrString("auto_pad", "NOTSET").attrInt("ceil_mode", 0).attrInts("dilations", null)
                .required("kernel_shape", Attribute.Kind.INTS).attrInt("p", 2).attrInts("pads", null)
                .attrInts("strides", null)
                .infer(WindowInference.pool())
                .kernel(ctx -> pool(ctx, Kind.LP))
                .register(r);
        OpSchema.builder("GlobalAveragePool").since(1, 22).infer(PoolOps::inferGlobal)
                .kernel(ctx -> global(ctx, Kind.AVG)).register(r);
        OpSchema.builder("GlobalMaxPool").since(1, 22).infer(PoolOps::inferGlobal)
                .kernel(ctx -> global(ctx, Kind.MAX)).register(r);
        OpSchema.builder("GlobalLpPool").since(1, 2, 22).attrInt("p", 2).infer(PoolOps::inferGlobal)
                .kernel(ctx -> global(ctx, Kind.LP)).register(r);
        OpSchema.builder("MaxUnpool").since(9, 11, 22)
                .required("kernel_shape", Attribute.Kind.INTS).attrInts("pads", null).attrInts("strides", null)
                .infer(WindowInference.maxUnpool())
                .kernel(ctx -> new Object[]{maxUnpool(ctx)})
                .register(r);
    }

    private static void inferGlobal(dev.kiln.graph.InferenceContext ctx) {
        DType dt = Infers.dtypeOf(ctx.inputType(0));
        if (ctx.inputType(0) instanceof TensorType t && t.hasRank()) {
            List<Dim> d = new ArrayList<>(t.dims());
            for (int i = 2; i < d.size(); i++) d.set(i, Dim.of(1));
            ctx.setOutputType(0, new TensorType(dt, d));
        } else ctx.setOutputType(0, TensorType.unranked(dt));
    }

    private static Object[] pool(KernelContext ctx, Kind kind) {
        Tensor x = ctx.input(0);
        NnTensors.requireMinRank(ctx, x, 3, kind + " pool input X");
        long[] k = ctx.attrInts("kernel_shape");
        long[] in = ConvOps.spatial(x);
        if (k.length != in.length) throw ctx.fail("kernel_shape " + java.util.Arrays.toString(k) + " must have one value per spatial axis of X " + x.shape());
        boolean ceil = ctx.attr("ceil_mode") != null && ctx.attrInt("ceil_mode") != 0;
        Window w = Window.forward(ctx, in, k, ceil);
        int r = in.length;
        long n = x.shape().dim(0), c = x.shape().dim(1);
        Shape os = ConvOps.outShape(n, c, w.out());
        NnTensors.checkedSize(ctx, os, "pool output");
        int planes = (int) (n * c), inSp = (int) w.inCount(), outSp = (int) w.outCount(), kc = (int) w.kernelCount();
        boolean includePad = kind == Kind.AVG && ctx.attr("count_include_pad") != null && ctx.attrInt("count_include_pad") != 0;
        double p = kind == Kind.LP ? ctx.attr("p").asFloat() : 0;
        boolean colMajor = kind == Kind.MAX && ctx.attrInt("storage_order") != 0;
        boolean wantIdx = kind == Kind.MAX && ctx.outputCount() > 1 && ctx.outputRequested(1);
        double[] xv = NnTensors.doubles(x), y = new double[planes * outSp];
        long[] idxOut = wantIdx ? new long[y.length] : null;
        long[] kOff = w.kernelOffsets(), oIdx = new long[r], pos = new long[r];
        int[] inPos = new int[kc];
        for (int o = 0; o < outSp; o++) {
            Window.unflatten(o, w.out(), oIdx);
            int padCount = 0;  // taps in the (explicit or auto) padding region, counted by count_include_pad
            for (int t = 0; t < kc; t++) {
                boolean inside = true, inPad = true;
                for (int a = 0; a < r; a++) {
                    pos[a] = oIdx[a] * w.strides()[a] - w.padBegin()[a] + kOff[t * r + a] * w.dilations()[a];
                    if (pos[a] < 0 || pos[a] >= in[a]) inside = false;
                    if (pos[a] < -w.padBegin()[a] || pos[a] >= in[a] + w.padEnd()[a]) inPad = false;
                }
                if (inside) {
                    int flat = 0;
                    for (int a = 0; a < r; a++) flat = (int) (flat * in[a] + pos[a]);
                    inPos[t] = flat;
                } else {
                    inPos[t] = -1;
                    if (inPad) padCount++;
                }
            }
            for (int pl = 0; pl < planes; pl++) {
                int base = pl * inSp;
                double acc = kind == Kind.MAX ? Double.NEGATIVE_INFINITY : 0;
                int count = 0, best = -1, first = -1;
                for (int t = 0; t < kc; t++) {
                    int q = inPos[t];
                    if (q < 0) continue;
                    double v = xv[base + q];
                    if (count++ == 0) first = q;
                    switch (kind) {
                        case AVG -> acc += v;
                        case LP -> acc += Math.pow(Math.abs(v), p);
                        // NaN never wins, wherever it sits in the window (ONNX Runtime's rule; the CPU kernel agrees)
                        case MAX -> { if (v > acc || (best < 0 && v == v)) { acc = v; best = q; } }
                    }
                }
                if (best < 0) best = first;   // an all-NaN window: report its first position
                double res = switch (kind) {
                    case AVG -> acc / (includePad ? count + padCount : count);
                    case LP -> Math.pow(acc, 1.0 / p);
                    case MAX -> acc;
                };
                y[pl * outSp + o] = res;
                if (wantIdx) idxOut[pl * outSp + o] = (long) pl * inSp + (colMajor ? columnMajor(best, in) : best);
            }
        }
        Tensor yt = NnTensors.fromDoubles(x.dtype(), os, y);
        return wantIdx ? new Object[]{yt, NnTensors.fromLongs(DType.I64, os, idxOut)} : new Object[]{yt};
    }

    /** Re-expresses a row-major spatial flat index in column-major order (storage_order = 1). */
    private static long columnMajor(int rowMajor, long[] dims) {
        if (rowMajor < 0) return -1;
        long[] idx = new long[dims.length];
        Window.unflatten(rowMajor, dims, idx);
        long flat = 0;
        for (int a = dims.length - 1; a >= 0; a--) flat = flat * dims[a] + idx[a];
        return flat;
    }

    private static Object[] global(KernelContext ctx, Kind kind) {
        Tensor x = ctx.input(0);
        NnTensors.requireMinRank(ctx, x, 2, "global pool input X");
        long[] d = x.shape().dims();
        int planes = (int) (d[0] * d[1]), sp = (int) NnTensors.product(d, 2, d.length);
        double p = kind == Kind.LP ? ctx.attr("p").asFloat() : 0;
        double[] xv = NnTensors.doubles(x), y = new double[planes];
        for (int pl = 0; pl < planes; pl++) {
            double acc = kind == Kind.MAX ? Double.NEGATIVE_INFINITY : 0;
            for (int i = 0; i < sp; i++) {
                double v = xv[pl * sp + i];
                acc = switch (kind) {
                    case AVG -> acc + v;
                    case MAX -> Math.max(acc, v);
                    case LP -> acc + Math.pow(Math.abs(v), p);
                };
            }
            y[pl] = switch (kind) {
                case AVG -> acc / sp;
                case MAX -> acc;
                case LP -> Math.pow(acc, 1.0 / p);
            };
        }
        long[] od = d.clone();
        for (int i = 2; i < od.length; i++) od[i] = 1;
        return new Object[]{NnTensors.fromDoubles(x.dtype(), Shape.of(od), y)};
    }

    private static Tensor maxUnpool(KernelContext ctx) {
        Tensor x = ctx.input(0), ind = ctx.input(1), shapeIn = ctx.optionalInput(2);
        NnTensors.requireMinRank(ctx, x, 3, "MaxUnpool input X");
        if (!ind.shape().equals(x.shape())) throw ctx.fail("indices shape " + ind.shape() + " must equal X shape " + x.shape());
        long[] in = ConvOps.spatial(x), k = ctx.attrInts("kernel_shape");
        int r = in.length;
        if (k.length != r) throw ctx.fail("kernel_shape must have " + r + " values");
        long[] s = Window.ints(ctx, "strides", r, 1), pads = ctx.attrInts("pads");
        // Indices address the default unpooled shape; an explicit output_shape re-places each element at the
        // same (n, c, spatial) coordinates within the larger tensor, as the ONNX reference does.
        long[] inferred = new long[r + 2];
        inferred[0] = x.shape().dim(0);
        inferred[1] = x.shape().dim(1);
        for (int i = 0; i < r; i++) {
            long pb = pads == null || pads.length == 0 ? 0 : pads[i], pe = pads == null || pads.length == 0 ? 0 : pads[i + r];
            inferred[i + 2] = (in[i] - 1) * s[i] + k[i] - pb - pe;
        }
        long[] od = inferred;
        if (shapeIn != null) {
            od = shapeIn.toLongArray();
            if (od.length != r + 2) throw ctx.fail("output_shape must have " + (r + 2) + " values, got " + od.length);
        }
        Shape os = Shape.of(od), is = Shape.of(inferred);
        int total = NnTensors.checkedSize(ctx, os, "MaxUnpool output");
        double[] y = new double[total];
        long[] idx = ind.toLongArray(), coord = new long[r + 2];
        double[] xv = NnTensors.doubles(x);
        for (int i = 0; i < xv.length; i++) {
            if (idx[i] < 0 || idx[i] >= is.numel()) throw ctx.fail("index " + idx[i] + " is outside the unpooled shape " + is);
            Window.unflatten(idx[i], inferred, coord);
            long flat = 0;
            for (int a = 0; a < r + 2; a++) {
                if (coord[a] >= od[a]) throw ctx.fail("index " + idx[i] + " does not fit output_shape " + os);
                flat = flat * od[a] + coord[a];
            }
            y[(int) flat] = xv[i];
        }
        return NnTensors.fromDoubles(x.dtype(), os, y);
    }
}
