package dev.kiln.ops.ml;

import dev.kiln.ops.KernelContext;
import dev.kiln.ops.shape.Args;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/** Small scikit-learn style ai.onnx.ml ops: Scaler, Normalizer, Imputer, LinearRegressor, LinearClassifier. */
final class LinearOps {
    private LinearOps() {}

    private static Tensor rows(KernelContext ctx) {
        Tensor x = ctx.input(0);
        if (x.rank() == 1) return x.reshape(1, x.numel());
        if (x.rank() != 2) throw ctx.fail("X must be [N, C], got " + x.shape());
        return x;
    }

    /** Per-feature parameter: one value for all features, or one per feature. */
    private static double pick(KernelContext ctx, float[] p, long c, long nf, String name) {
        if (p == null || p.length == 0) return name.equals("scale") ? 1 : 0;
        if (p.length == 1) return p[0];
        if (p.length != nf) throw ctx.fail(name + " has " + p.length + " entries for " + nf + " features");
        return p[(int) c];
    }

    static Object[] scaler(KernelContext ctx) {
        Tensor x = ctx.input(0);
        long nf = x.rank() == 0 ? 1 : x.shape().dim(x.rank() - 1);
        float[] off = ctx.attrFloats("offset"), sc = ctx.attrFloats("scale");
        Tensor y = Tensor.allocate(DType.F32, x.shape());
        for (long i = 0; i < x.numel(); i++) {
            long c = i % Math.max(nf, 1);
            y.setDouble(i, (x.getDouble(i) - pick(ctx, off, c, nf, "offset")) * pick(ctx, sc, c, nf, "scale"));
        }
        return new Object[]{y};
    }

    static Object[] normalizer(KernelContext ctx) {
        Tensor x = ctx.input(0);
        Tensor r = rows(ctx);
        String norm = ctx.attrString("norm");
        long n = r.shape().dim(0), c = r.shape().dim(1);
        Tensor y = Tensor.allocate(DType.F32, x.shape());
        for (long i = 0; i < n; i++) {
            double d = 0;
            for (long j = 0; j < c; j++) {
                double v = Math.abs(r.getDouble(i * c + j));
                d = switch (norm) {
                    case "MAX" -> Math.max(d, v);
                    case "L1" -> d + v;
                    case "L2" -> d + v * v;
                    default -> throw ctx.fail("unknown norm '" + norm + "'");
                };
            }
            if (norm.equals("L2")) d = Math.sqrt(d);
            for (long j = 0; j < c; j++) {
                double v = r.getDouble(i * c + j);
                y.setDouble(i * c + j, d == 0 ? v : v / d);
            }
        }
        return new Object[]{y};
    }

    static Object[] imputer(KernelContext ctx) {
        Tensor x = ctx.input(0);
        float[] fv = ctx.attrFloats("imputed_value_floats");
        long[] iv = ctx.attrInts("imputed_value_int64s");
        boolean floats = fv != null && fv.length > 0;
        if (!floats && (iv == null || iv.length == 0)) throw ctx.fail("imputed_value_floats or imputed_value_int64s is required");
        long nf = x.rank() == 0 ? 1 : x.shape().dim(x.rank() - 1);
        int len = floats ? fv.length : iv.length;
        if (len != 1 && len != nf) throw ctx.fail("imputed values have " + len + " entries for " + nf + " features");
        Tensor y = x.copy();
        double rf = ctx.attrFloat("replaced_value_float");
        long ri = ctx.attrInt("replaced_value_int64");
        for (long i = 0; i < y.numel(); i++) {
            int c = len == 1 ? 0 : (int) (i % nf);
            if (floats) {
                double v = y.getDouble(i);
                if (Double.isNaN(rf) ? Double.isNaN(v) : v == rf) y.setDouble(i, fv[c]);
            } else if (y.getLong(i) == ri) {
                y.setLong(i, iv[c]);
            }
        }
        return new Object[]{y};
    }

    /** scores[n, t] = x[n, :] . coef[t, :] + intercept[t]. */
    private static double[] linear(KernelContext ctx, Tensor x, float[] coef, float[] icpt, long targets) {
        long n = x.shape().dim(0), nf = x.shape().dim(1);
        if (coef == null || coef.length != targets * nf) throw ctx.fail("coefficients must have " + targets + " x " + nf + " entries");
        Shape s = Args.shape(ctx, new long[]{n, targets});
        double[] out = new double[(int) s.numel()];
        for (long i = 0; i < n; i++)
            for (long t = 0; t < targets; t++) {
                double acc = icpt != null && icpt.length > 0 ? icpt[(int) t] : 0;
                for (long j = 0; j < nf; j++) acc += x.getDouble(i * nf + j) * coef[(int) (t * nf + j)];
                out[(int) (i * targets + t)] = acc;
            }
        return out;
    }

    static Object[] linearRegressor(KernelContext ctx) {
        Tensor x = rows(ctx);
        long targets = ctx.attrInt("targets");
        double[] s = linear(ctx, x, ctx.attrFloats("coefficients"), ctx.attrFloats("intercepts"), targets);
        PostTransform post = PostTransform.parse(ctx, ctx.attrString("post_transform"));
        for (int i = 0; i < s.length; i += (int) targets) post.apply(s, i, (int) targets);
        Tensor y = Tensor.allocate(DType.F32, Shape.of(x.shape().dim(0), targets));
        for (int i = 0; i < s.length; i++) y.setDouble(i, s[i]);
        return new Object[]{y};
    }

    static Object[] linearClassifier(KernelContext ctx) {
        Tensor x = rows(ctx);
        long[] intLabels = ctx.attrInts("classlabels_ints");
        String[] strLabels = ctx.attrStrings("classlabels_strings");
        int nc = intLabels != null ? intLabels.length : strLabels != null ? strLabels.length : 0;
        float[] coef = ctx.attrFloats("coefficients");
        long nf = x.shape().dim(1), n = x.shape().dim(0);
        if (coef == null || nf == 0 || coef.length % nf != 0) throw ctx.fail("coefficients do not fit " + nf + " features");
        long k = coef.length / nf;
        double[] raw = linear(ctx, x, coef, ctx.attrFloats("intercepts"), k);
        PostTransform post = PostTransform.parse(ctx, ctx.attrString("post_transform"));
        // One score column with two labels: the first class scores the negation.
        int cols = k == 1 && nc == 2 ? 2 : (int) k;
        double[] s = new double[(int) (n * cols)];
        for (int i = 0; i < n; i++) {
            if (cols == 2 && k == 1) { s[2 * i] = -raw[i]; s[2 * i + 1] = raw[i]; }
            else System.arraycopy(raw, (int) (i * k), s, i * cols, cols);
        }
        Tensor labels = Tensor.allocate(strLabels != null ? DType.STRING : DType.I64, Shape.of(n));
        for (int i = 0; i < n; i++) {
            post.apply(s, i * cols, cols);
            if (cols > 1) {
                int best = 0;
                for (int c = 1; c < cols; c++) if (s[i * cols + c] > s[i * cols + best]) best = c;
                if (best >= nc && nc > 0) throw ctx.fail("score column " + best + " has no class label");
                if (strLabels != null) labels.setString(i, strLabels[best]);
                else labels.setLong(i, intLabels != null ? intLabels[best] : best);
            } else {
                boolean pos = s[i] >= (post == PostTransform.NONE ? 0 : 0.5);
                if (strLabels != null) labels.setString(i, pos ? strLabels[0] : "");
                else labels.setLong(i, pos ? (intLabels != null ? intLabels[0] : 1) : 0);
            }
        }
        Tensor scores = Tensor.allocate(DType.F32, Shape.of(n, cols));
        for (int i = 0; i < s.length; i++) scores.setDouble(i, s[i]);
        return new Object[]{labels, scores};
    }
}
