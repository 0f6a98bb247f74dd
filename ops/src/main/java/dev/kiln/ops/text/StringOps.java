package dev.kiln.ops.text;

import dev.kiln.graph.Dim;
import dev.kiln.ops.Infers;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.ops.shape.Args;
import dev.kiln.ops.shape.View;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Op family: string ops (StringConcat, StringSplit, StringNormalizer, RegexFullMatch). */
public final class StringOps implements OpFamily {
    @Override public void register(OpRegistry r) {
        OpSchema.builder("StringConcat").since(20)
                .infer(ctx -> Args.set(ctx, 0, DType.STRING, Infers.broadcastAll(ctx, DType.STRING).dims()))
                .kernel(StringOps::concat).register(r);
        OpSchema.builder("StringSplit").since(20)
                .infer(ctx -> {
                    List<Dim> d = Args.dims(ctx, 0);
                    List<Dim> y = d == null ? null : new ArrayList<>(d);
                    if (y != null) y.add(Dim.UNKNOWN);
                    Args.set(ctx, 0, DType.STRING, y);
                    Args.set(ctx, 1, DType.I64, d);
                }).kernel(StringOps::split).register(r);
        OpSchema.builder("StringNormalizer").since(10).attrString("case_change_action", "NONE").attrInt("is_case_sensitive", 0)
                .infer(ctx -> {
                    List<Dim> d = Args.dims(ctx, 0);
                    Args.set(ctx, 0, DType.STRING, d == null ? null : d.size() == 2 ? List.of(Dim.of(1), Dim.UNKNOWN) : List.of(Dim.UNKNOWN));
                }).kernel(StringOps::normalize).register(r);
        OpSchema.builder("RegexFullMatch").since(20)
                .infer(ctx -> Args.set(ctx, 0, DType.BOOL, Args.dims(ctx, 0))).kernel(StringOps::regexFullMatch).register(r);
    }

    private static Tensor strings(KernelContext ctx, int i) {
        Tensor t = ctx.input(i);
        if (t.dtype() != DType.STRING) throw ctx.fail("input " + i + " must be a string tensor, got " + t.dtype());
        return t;
    }

    private static Object[] concat(KernelContext ctx) {
        Tensor a = strings(ctx, 0), b = strings(ctx, 1);
        Shape s;
        try {
            s = Shape.broadcast(a.shape(), b.shape());
        } catch (IllegalArgumentException e) {
            throw ctx.fail(e.getMessage());
        }
        Tensor ea = View.of(a).broadcastTo(s.dims()).materialize(), eb = View.of(b).broadcastTo(s.dims()).materialize();
        Tensor y = Tensor.allocate(DType.STRING, s);
        for (long i = 0; i < y.numel(); i++) y.setString(i, ea.getString(i) + eb.getString(i));
        return new Object[]{y};
    }

    private static Object[] split(KernelContext ctx) {
        Tensor x = strings(ctx, 0);
        String delim = ctx.hasAttr("delimiter") ? ctx.attrString("delimiter") : "";
        long maxSplit = ctx.hasAttr("maxsplit") ? ctx.attrInt("maxsplit") : -1;
        long n = x.numel();
        List<List<String>> parts = new ArrayList<>();
        int width = 0;
        for (long i = 0; i < n; i++) {
            List<String> p = delim.isEmpty() ? splitWhitespace(x.getString(i), maxSplit) : splitOn(x.getString(i), delim, maxSplit);
            parts.add(p);
            width = Math.max(width, p.size());
        }
        long[] dims = x.shape().dims();
        long[] yd = java.util.Arrays.copyOf(dims, dims.length + 1);
        yd[dims.length] = width;
        Tensor y = Tensor.allocate(DType.STRING, Args.shape(ctx, yd)), z = Tensor.allocate(DType.I64, x.shape());
        for (int i = 0; i < n; i++) {
            List<String> p = parts.get(i);
            for (int j = 0; j < p.size(); j++) y.setString((long) i * width + j, p.get(j));
            z.setLong(i, p.size());
        }
        return new Object[]{y, z};
    }

    /** Python {@code str.split(sep, maxsplit)}: empty fields are kept. */
    static List<String> splitOn(String s, String sep, long maxSplit) {
        List<String> out = new ArrayList<>();
        int from = 0;
        while (maxSplit < 0 || out.size() < maxSplit) {
            int at = s.indexOf(sep, from);
            if (at < 0) break;
            out.add(s.substring(from, at));
            from = at + sep.length();
        }
        out.add(s.substring(from));
        return out;
    }

    /** Python {@code str.split(None, maxsplit)}: runs of whitespace separate, leading/trailing runs are dropped (except the
     * remainder after maxsplit, which keeps its trailing whitespace). */
    static List<String> splitWhitespace(String s, long maxSplit) {
        List<String> out = new ArrayList<>();
        int i = 0, n = s.length();
        while (true) {
            while (i < n && Character.isWhitespace(s.charAt(i))) i++;
            if (i >= n) break;
            if (maxSplit >= 0 && out.size() == maxSplit) {
                out.add(s.substring(i));   // the remainder keeps its trailing whitespace, as in Python
                break;
            }
            int j = i;
            while (j < n && !Character.isWhitespace(s.charAt(j))) j++;
            out.add(s.substring(i, j));
            i = j;
        }
        return out;
    }

    private static Object[] normalize(KernelContext ctx) {
        Tensor x = strings(ctx, 0);
        boolean twoD = x.rank() == 2;
        if (!(x.rank() == 1 || (twoD && x.shape().dim(0) == 1))) throw ctx.fail("input must be [C] or [1, C], got " + x.shape());
        String action = ctx.attrString("case_change_action");
        if (!action.equals("NONE") && !action.equals("LOWER") && !action.equals("UPPER")) throw ctx.fail("unknown case_change_action '" + action + "'");
        boolean caseSensitive = ctx.attrInt("is_case_sensitive") != 0;
        String[] stop = ctx.attrStrings("stopwords");
        Set<String> stops = new HashSet<>();
        if (stop != null) for (String s : stop) stops.add(caseSensitive ? s : s.toLowerCase(Locale.ROOT));
        List<String> kept = new ArrayList<>();
        for (long i = 0; i < x.numel(); i++) {
            String s = x.getString(i);
            if (stops.contains(caseSensitive ? s : s.toLowerCase(Locale.ROOT))) continue;
            kept.add(switch (action) {
                case "LOWER" -> s.toLowerCase(Locale.ROOT);
                case "UPPER" -> s.toUpperCase(Locale.ROOT);
                default -> s;
            });
        }
        // Everything filtered out still yields one empty string, as the spec requires.
        if (kept.isEmpty()) kept.add("");
        String[] arr = kept.toArray(new String[0]);
        return new Object[]{twoD ? Tensor.ofStrings(arr, 1, arr.length) : Tensor.ofStrings(arr, arr.length)};
    }

    private static Object[] regexFullMatch(KernelContext ctx) {
        Tensor x = strings(ctx, 0);
        String p = ctx.attrString("pattern");
        Pattern pat;
        try {
            pat = Pattern.compile(p);
        } catch (PatternSyntaxException e) {
            throw ctx.fail("invalid pattern '" + p + "': " + e.getDescription());
        }
        Tensor y = Tensor.allocate(DType.BOOL, x.shape());
        for (long i = 0; i < x.numel(); i++) y.setBoolean(i, pat.matcher(x.getString(i)).matches());
        return new Object[]{y};
    }
}
