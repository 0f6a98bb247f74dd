package dev.kiln.ops.ml;

import dev.kiln.ops.KernelContext;
import dev.kiln.ops.shape.Args;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

import java.util.HashMap;
import java.util.Map;

/** Categorical feature ops of ai.onnx.ml: OneHotEncoder, CategoryMapper, FeatureVectorizer. */
final class EncoderOps {
    private EncoderOps() {}

    /** Lookup key of element i: the string, or the integer value (floats truncate, as a cast to int64 would). */
    private static Object key(Tensor x, long i) {
        if (x.dtype() == DType.STRING) return x.getString(i);
        return x.dtype().isFloatingPoint() ? (long) x.getDouble(i) : x.getLong(i);
    }

    static Object[] oneHotEncoder(KernelContext ctx) {
        Tensor x = ctx.input(0);
        long[] ci = ctx.attrInts("cats_int64s");
        String[] cs = ctx.attrStrings("cats_strings");
        Map<Object, Integer> classes = new HashMap<>();
        if (ci != null && ci.length > 0) for (int i = 0; i < ci.length; i++) classes.putIfAbsent(ci[i], i);
        else if (cs != null && cs.length > 0) for (int i = 0; i < cs.length; i++) classes.putIfAbsent(cs[i], i);
        else throw ctx.fail("cats_int64s or cats_strings is required");
        if ((x.dtype() == DType.STRING) != (cs != null && cs.length > 0 && (ci == null || ci.length == 0)))
            throw ctx.fail("input type " + x.dtype() + " does not match the category type");
        int c = ci != null && ci.length > 0 ? ci.length : cs.length;
        long[] d = x.shape().dims();
        long[] out = java.util.Arrays.copyOf(d, d.length + 1);
        out[d.length] = c;
        Tensor y = Tensor.allocate(DType.F32, Args.shape(ctx, out));
        boolean zeros = ctx.attrInt("zeros") != 0;
        for (long i = 0; i < x.numel(); i++) {
            Integer j = classes.get(key(x, i));
            if (j != null) y.setDouble(i * c + j, 1);
            else if (!zeros) throw ctx.fail("value " + key(x, i) + " at " + i + " is not a known category (zeros=0)");
        }
        return new Object[]{y};
    }

    static Object[] categoryMapper(KernelContext ctx) {
        Tensor x = ctx.input(0);
        String[] cs = ctx.attrStrings("cats_strings");
        long[] ci = ctx.attrInts("cats_int64s");
        if (cs == null || ci == null || cs.length != ci.length) throw ctx.fail("cats_strings and cats_int64s are required and of equal length");
        Tensor y;
        if (x.dtype() == DType.STRING) {
            Map<String, Long> m = new HashMap<>();
            for (int i = 0; i < cs.length; i++) m.putIfAbsent(cs[i], ci[i]);
            y = Tensor.allocate(DType.I64, x.shape());
            long dflt = ctx.attrInt("default_int64");
            for (long i = 0; i < x.numel(); i++) y.setLong(i, m.getOrDefault(x.getString(i), dflt));
        } else {
            Map<Long, String> m = new HashMap<>();
            for (int i = 0; i < cs.length; i++) m.putIfAbsent(ci[i], cs[i]);
            y = Tensor.allocate(DType.STRING, x.shape());
            String dflt = ctx.attrString("default_string");
            for (long i = 0; i < x.numel(); i++) y.setString(i, m.getOrDefault(x.getLong(i), dflt));
        }
        return new Object[]{y};
    }

    static Object[] featureVectorizer(KernelContext ctx) {
        long[] dims = ctx.attrInts("inputdimensions");
        int n = ctx.inputCount();
        if (dims == null || dims.length != n) throw ctx.fail("inputdimensions must have one entry per input (" + n + ")");
        long rows = -1, width = 0;
        Tensor[] ins = new Tensor[n];
        for (int i = 0; i < n; i++) {
            Tensor t = ctx.input(i);
            if (t.rank() == 1) t = t.reshape(t.numel(), 1);
            if (t.rank() != 2) throw ctx.fail("input " + i + " must be 1-D or 2-D, got " + t.shape());
            if (rows >= 0 && t.shape().dim(0) != rows) throw ctx.fail("inputs differ in row count");
            if (dims[i] < 0) throw ctx.fail("negative input dimension " + dims[i]);
            rows = t.shape().dim(0);
            width += dims[i];
            ins[i] = t;
        }
        Tensor y = Tensor.allocate(DType.F32, Args.shape(ctx, new long[]{Math.max(rows, 0), width}));
        long at = 0;
        for (int i = 0; i < n; i++) {
            long cols = ins[i].shape().dim(1), keep = Math.min(cols, dims[i]);   // longer inputs are cut, shorter zero-padded
            for (long r = 0; r < rows; r++)
                for (long j = 0; j < keep; j++) y.setDouble(r * width + at + j, ins[i].getDouble(r * cols + j));
            at += dims[i];
        }
        return new Object[]{y};
    }

}
