package dev.kiln.ops.ml;

import dev.kiln.ops.KernelContext;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * TfIdfVectorizer: counts pool n-grams (optionally with skips between items) per row of a [C] or [B, C] input.
 * Unigrams are counted once, not once per skip distance.
 */
final class TfIdf {
    private TfIdf() {}

    static Object[] run(KernelContext ctx) {
        Tensor x = ctx.input(0);
        long minN = ctx.attrInt("min_gram_length"), maxN = ctx.attrInt("max_gram_length"), maxSkip = ctx.attrInt("max_skip_count");
        String mode = ctx.attrString("mode");
        long[] counts = ctx.attrInts("ngram_counts"), indexes = ctx.attrInts("ngram_indexes");
        float[] weights = ctx.attrFloats("weights");
        long[] poolInts = ctx.attrInts("pool_int64s");
        String[] poolStrings = ctx.attrStrings("pool_strings");
        if (counts == null || indexes == null || (poolInts == null) == (poolStrings == null))
            throw ctx.fail("ngram_counts, ngram_indexes and exactly one of pool_int64s / pool_strings are required");
        if (minN < 1 || maxN < minN || maxSkip < 0) throw ctx.fail("invalid gram lengths or skip count");
        boolean strings = poolStrings != null;
        int total = strings ? poolStrings.length : poolInts.length;
        long outSize = 0;
        for (long i : indexes) outSize = Math.max(outSize, i + 1);
        // Map every pool n-gram of an active size to its output column.
        Map<List<Object>, Long> grams = new HashMap<>();
        int id = 0;
        for (int g = 0; g < counts.length; g++) {
            int n = g + 1;
            int start = (int) counts[g], end = g + 1 < counts.length ? (int) counts[g + 1] : total;
            if (start < 0 || end > total || start > end) throw ctx.fail("ngram_counts out of range");
            for (int p = start; p + n <= end; p += n, id++) {
                if (n < minN || n > maxN) continue;
                if (id >= indexes.length) throw ctx.fail("ngram_indexes has too few entries");
                List<Object> key = new ArrayList<>(n);
                for (int k = 0; k < n; k++) key.add(strings ? poolStrings[p + k] : (Object) poolInts[p + k]);
                grams.putIfAbsent(key, indexes[id]);
            }
        }
        int r = x.rank();
        if (r > 2) throw ctx.fail("input must be [C] or [B, C]");
        long rows = r == 2 ? x.shape().dim(0) : 1, c = r == 0 ? 1 : x.shape().dim(r - 1);
        Shape outShape = dev.kiln.ops.shape.Args.shape(ctx, r == 2 ? new long[]{rows, outSize} : new long[]{outSize});
        double[] freq = new double[(int) outShape.numel()];
        for (long row = 0; row < rows; row++) {
            long base = row * c;
            long startN = minN;
            for (long d = 1; d <= maxSkip + 1; d++) {
                for (long s = 0; s < c; s++) {
                    List<Object> key = new ArrayList<>();
                    for (long n = 1, pos = s; n <= maxN && pos < c; n++, pos += d) {
                        key.add(strings ? x.getString(base + pos) : (Object) x.getLong(base + pos));
                        if (n < startN) continue;
                        Long col = grams.get(key);
                        if (col != null) freq[(int) (row * outSize + col)]++;
                    }
                }
                if (startN == 1) { startN = 2; if (startN > maxN) break; }
            }
        }
        Tensor y = Tensor.allocate(DType.F32, outShape);
        for (int i = 0; i < freq.length; i++) {
            double w = weights != null && weights.length > 0 ? weights[(int) (i % outSize)] : 1;
            double v = switch (mode) {
                case "TF" -> freq[i];
                case "IDF" -> freq[i] > 0 ? w : 0;
                case "TFIDF" -> freq[i] * w;
                default -> throw ctx.fail("unknown mode '" + mode + "'");
            };
            y.setDouble(i, v);
        }
        return new Object[]{y};
    }
}
