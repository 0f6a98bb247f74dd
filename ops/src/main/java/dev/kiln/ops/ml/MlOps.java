package dev.kiln.ops.ml;

import dev.kiln.graph.Dim;
import dev.kiln.graph.InferenceContext;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.ops.shape.Args;
import dev.kiln.ops.shape.View;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Op family: classic-ML ops of domain ai.onnx.ml (LabelEncoder, ArrayFeatureExtractor, Binarizer, TreeEnsemble,
 * the legacy TreeEnsembleRegressor/Classifier, LinearRegressor/Classifier, Scaler, Normalizer, Imputer,
 * OneHotEncoder, CategoryMapper, FeatureVectorizer, SVMRegressor, SVMClassifier)
 * and the text-feature op TfIdfVectorizer of the default domain.
 */
public final class MlOps implements OpFamily {
    static final String ML = "ai.onnx.ml";

    @Override public void register(OpRegistry r) {
        OpSchema.builder(ML, "LabelEncoder").since(1, 2, 4).attrString("default_string", "_Unused")
                .attrInt("default_int64", -1).attrFloat("default_float", -0.0f).infer(MlOps::labelEncoderInfer).kernel(MlOps::labelEncoder).register(r);
        OpSchema.builder(ML, "ArrayFeatureExtractor").since(1).infer(ctx -> {
            List<Dim> d = Args.dims(ctx, 0), i = Args.dims(ctx, 1);
            Dim m = Dim.UNKNOWN;
            if (i != null) { m = Dim.of(1); for (Dim x : i) m = Args.mul(m, x); }
            if (d == null || d.isEmpty()) { Args.set(ctx, 0, Args.dtype(ctx, 0), null); return; }
            List<Dim> out = new java.util.ArrayList<>(d.size() == 1 ? List.of(Dim.of(1)) : d.subList(0, d.size() - 1));
            out.add(m);
            Args.set(ctx, 0, Args.dtype(ctx, 0), out);
        }).kernel(MlOps::arrayFeatureExtractor).register(r);
        OpSchema.builder(ML, "Binarizer").since(1).attrFloat("threshold", 0f).infer(dev.kiln.ops.Infers.SAME_AS_INPUT0).kernel(MlOps::binarizer).register(r);
        OpSchema.builder(ML, "TreeEnsemble").since(5).attrInt("aggregate_function", 1).attrInt("post_transform", 0)
                .infer(ctx -> {
                    List<Dim> d = Args.dims(ctx, 0);
                    var nt = ctx.node().attribute("n_targets");
                    Args.set(ctx, 0, Args.dtype(ctx, 0), List.of(d != null && !d.isEmpty() ? d.get(0) : Dim.UNKNOWN,
                            nt == null ? Dim.UNKNOWN : Dim.of(nt.asInt())));
                })
                .kernel(TreeEnsembleKernel::run).register(r);
        OpSchema.builder(ML, "TreeEnsembleRegressor").since(1, 3).attrString("aggregate_function", "SUM")
                .attrString("post_transform", "NONE").attrInt("n_targets", 1)
                .infer(ctx -> Args.set(ctx, 0, DType.F32, List.of(batch(ctx), Dim.of(Args.intAttr(ctx, "n_targets", 1)))))
                .kernel(LegacyTrees::regressor).register(r);
        OpSchema.builder(ML, "TreeEnsembleClassifier").since(1, 3).attrString("post_transform", "NONE")
                .infer(MlOps::classifierInfer).kernel(LegacyTrees::classifier).register(r);
        OpSchema.builder(ML, "LinearRegressor").since(1).attrString("post_transform", "NONE").attrInt("targets", 1)
                .infer(ctx -> Args.set(ctx, 0, DType.F32, List.of(batch(ctx), Dim.of(Args.intAttr(ctx, "targets", 1)))))
                .kernel(LinearOps::linearRegressor).register(r);
        OpSchema.builder(ML, "LinearClassifier").since(1).attrString("post_transform", "NONE").attrInt("multi_class", 0)
                .infer(MlOps::classifierInfer).kernel(LinearOps::linearClassifier).register(r);
        OpSchema.builder(ML, "Scaler").since(1)
                .infer(ctx -> Args.set(ctx, 0, DType.F32, Args.dims(ctx, 0))).kernel(LinearOps::scaler).register(r);
        OpSchema.builder(ML, "Normalizer").since(1).attrString("norm", "MAX")
                .infer(ctx -> Args.set(ctx, 0, DType.F32, Args.dims(ctx, 0))).kernel(LinearOps::normalizer).register(r);
        OpSchema.builder(ML, "Imputer").since(1).attrFloat("replaced_value_float", 0f).attrInt("replaced_value_int64", 0)
                .infer(dev.kiln.ops.Infers.SAME_AS_INPUT0).kernel(LinearOps::imputer).register(r);
        OpSchema.builder(ML, "OneHotEncoder").since(1).attrInt("zeros", 1)
                .infer(ctx -> {
                    List<Dim> d = Args.dims(ctx, 0);
                    var ci = ctx.node().attribute("cats_int64s");
                    var cs = ctx.node().attribute("cats_strings");
                    long c = ci != null ? ci.asInts().length : cs != null ? cs.asStrings().length : -1;
                    List<Dim> out = d == null ? null : new java.util.ArrayList<>(d);
                    if (out != null) out.add(c < 0 ? Dim.UNKNOWN : Dim.of(c));
                    Args.set(ctx, 0, DType.F32, out);
                }).kernel(EncoderOps::oneHotEncoder).register(r);
        OpSchema.builder(ML, "CategoryMapper").since(1).attrInt("default_int64", -1).attrString("default_string", "_Unused")
                .infer(ctx -> Args.set(ctx, 0, Args.dtype(ctx, 0) == DType.STRING ? DType.I64 : DType.STRING, Args.dims(ctx, 0)))
                .kernel(EncoderOps::categoryMapper).register(r);
        OpSchema.builder(ML, "FeatureVectorizer").since(1)
                .infer(ctx -> {
                    long[] d = Args.intsAttr(ctx, "inputdimensions");
                    long w = 0;
                    if (d != null) for (long x : d) w += x;
                    Args.set(ctx, 0, DType.F32, List.of(batch(ctx), d == null ? Dim.UNKNOWN : Dim.of(w)));
                }).kernel(EncoderOps::featureVectorizer).register(r);
        OpSchema.builder(ML, "SVMRegressor").since(1).attrString("kernel_type", "LINEAR").attrInt("n_supports", 0)
                .attrInt("one_class", 0).attrString("post_transform", "NONE")
                .infer(ctx -> Args.set(ctx, 0, DType.F32, List.of(batch(ctx), Dim.of(1)))).kernel(SvmOps::regressor).register(r);
        OpSchema.builder(ML, "SVMClassifier").since(1).attrString("kernel_type", "LINEAR").attrString("post_transform", "NONE")
                .infer(MlOps::classifierInfer).kernel(SvmClassifier::run).register(r);
        OpSchema.builder("TfIdfVectorizer").since(9).infer(MlOps::tfIdfInfer).kernel(TfIdf::run).register(r);
    }

    private static Dim batch(InferenceContext ctx) {
        List<Dim> d = Args.dims(ctx, 0);
        return d == null ? Dim.UNKNOWN : d.size() == 1 ? Dim.of(1) : d.isEmpty() ? Dim.UNKNOWN : d.get(0);
    }

    private static void classifierInfer(InferenceContext ctx) {
        boolean strings = ctx.node().attribute("classlabels_strings") != null;
        Args.set(ctx, 0, strings ? DType.STRING : DType.I64, List.of(batch(ctx)));
        Args.set(ctx, 1, DType.F32, List.of(batch(ctx), Dim.UNKNOWN));
    }

    private static void tfIdfInfer(InferenceContext ctx) {
        List<Dim> d = Args.dims(ctx, 0);
        long[] idx = Args.intsAttr(ctx, "ngram_indexes");
        long size = -1;
        if (idx != null) for (long i : idx) size = Math.max(size, i + 1);
        Dim out = size < 0 ? Dim.UNKNOWN : Dim.of(size);
        Args.set(ctx, 0, DType.F32, d == null ? null : d.size() == 2 ? List.of(d.get(0), out) : List.of(out));
    }

    private static void labelEncoderInfer(InferenceContext ctx) {
        var n = ctx.node();
        DType dt = null;
        if (n.attribute("values_tensor") != null) dt = n.attribute("values_tensor").asTensor().dtype();
        else if (n.attribute("values_strings") != null) dt = DType.STRING;
        else if (n.attribute("values_int64s") != null) dt = DType.I64;
        else if (n.attribute("values_floats") != null) dt = DType.F32;
        Args.set(ctx, 0, dt, Args.dims(ctx, 0));
    }

    // ------------------------------------------------------------------ LabelEncoder

    /** Map key: strings as themselves, integers as Long, floats as Double (so NaN finds NaN). */
    private static Object key(Tensor t, long i) {
        if (t.dtype() == DType.STRING) return t.getString(i);
        if (t.dtype().isFloatingPoint()) return t.getDouble(i);
        return t.getLong(i);
    }

    private static Tensor attrAsTensor(KernelContext ctx, String prefix) {
        if (ctx.hasAttr(prefix + "_tensor")) return ctx.attrTensor(prefix + "_tensor");
        if (ctx.hasAttr(prefix + "_strings")) { String[] s = ctx.attrStrings(prefix + "_strings"); return Tensor.ofStrings(s, s.length); }
        if (ctx.hasAttr(prefix + "_int64s")) { long[] l = ctx.attrInts(prefix + "_int64s"); return Tensor.ofLongs(l, l.length); }
        if (ctx.hasAttr(prefix + "_floats")) { float[] f = ctx.attrFloats(prefix + "_floats"); return Tensor.of(f, f.length); }
        return null;
    }

    private static Object[] labelEncoder(KernelContext ctx) {
        Tensor x = ctx.input(0);
        Tensor keys, values;
        if (ctx.opsetVersion() < 2) {
            // Opset 1: classes_strings maps string <-> position.
            String[] classes = ctx.attrStrings("classes_strings");
            if (classes == null) throw ctx.fail("attribute 'classes_strings' is required");
            long[] pos = new long[classes.length];
            for (int i = 0; i < pos.length; i++) pos[i] = i;
            if (x.dtype() == DType.STRING) { keys = Tensor.ofStrings(classes, classes.length); values = Tensor.ofLongs(pos, pos.length); }
            else { keys = Tensor.ofLongs(pos, pos.length); values = Tensor.ofStrings(classes, classes.length); }
        } else {
            keys = attrAsTensor(ctx, "keys");
            values = attrAsTensor(ctx, "values");
        }
        if (keys == null || values == null) throw ctx.fail("keys and values attributes are required");
        if (keys.numel() != values.numel()) throw ctx.fail("keys (" + keys.numel() + ") and values (" + values.numel() + ") differ in length");
        Map<Object, Long> map = new HashMap<>();
        for (long i = 0; i < keys.numel(); i++) map.putIfAbsent(key(keys, i), i);
        DType vt = values.dtype();
        Tensor dflt = ctx.hasAttr("default_tensor") ? ctx.attrTensor("default_tensor")
                : vt == DType.STRING ? Tensor.ofStrings(new String[]{ctx.attrString("default_string")}, 1)
                : vt.isFloatingPoint() ? Tensor.fromDoubles(vt, new double[]{ctx.attrFloat("default_float")}, 1)
                : Tensor.fromLongs(vt, new long[]{ctx.attrInt("default_int64")}, 1);
        Tensor y = Tensor.allocate(vt, x.shape());
        boolean floatKeys = keys.dtype().isFloatingPoint();
        for (long i = 0; i < x.numel(); i++) {
            Object k = key(x, i);
            if (floatKeys && k instanceof Long l) k = (double) l;
            if (!floatKeys && keys.dtype() != DType.STRING && k instanceof Double d) k = d.longValue();
            Long at = map.get(k);
            if (at != null) Args.copyElem(values, at, y, i);
            else if (dflt.dtype() == vt) Args.copyElem(dflt, 0, y, i);
            else if (vt == DType.STRING) y.setString(i, dflt.getString(0));
            else y.setDouble(i, dflt.getDouble(0));
        }
        return new Object[]{y};
    }

    // ------------------------------------------------------------------ ArrayFeatureExtractor / Binarizer

    private static Object[] arrayFeatureExtractor(KernelContext ctx) {
        Tensor x = View.dense(ctx.input(0)), idx = ctx.input(1);
        if (x.rank() == 0) throw ctx.fail("X must have rank >= 1");
        long[] d = x.shape().dims();
        long n = d[d.length - 1], m = idx.numel();
        long outer = x.numel() / Math.max(n, 1);
        long[] out = d.clone();
        out[out.length - 1] = m;
        if (d.length == 1) out = new long[]{1, m};
        Tensor y = Tensor.allocate(x.dtype(), Args.shape(ctx, out));
        long[] ix = new long[(int) m];
        for (int j = 0; j < m; j++) {
            ix[j] = idx.getLong(j);
            if (ix[j] < 0 || ix[j] >= n) throw ctx.fail("index " + ix[j] + " out of range for " + n + " features");
        }
        for (long o = 0; o < outer; o++)
            for (int j = 0; j < m; j++) Args.copyElem(x, o * n + ix[j], y, o * m + j);
        return new Object[]{y};
    }

    private static Object[] binarizer(KernelContext ctx) {
        Tensor x = ctx.input(0);
        double t = ctx.attrFloat("threshold");
        Tensor y = Tensor.allocate(x.dtype(), x.shape());
        for (long i = 0; i < x.numel(); i++) y.setDouble(i, x.getDouble(i) > t ? 1 : 0);
        return new Object[]{y};
    }
}
