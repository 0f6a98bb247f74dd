package dev.kiln.ops.nn;

import dev.kiln.graph.Dim;
import dev.kiln.graph.InferenceContext;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.ops.Infers;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpFailure;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * Einsum reference: parses the equation into integer labels (letters keep their char code, ellipsis axes get
 * negative labels aligned from the right), then sums the product of all operands over every label not in the
 * output. Direct and exponential in the number of labels, which is fine for an oracle.
 */
final class Einsum {
    private Einsum() {}

    /** Labels of each operand's axes and of the output axes. */
    record Parsed(int[][] labels, int[] out) {}

    /** Parses {@code eq} for operands of the given ranks; {@code fail} builds the error to throw. */
    static Parsed parse(String eq, int[] ranks, Function<String, RuntimeException> fail) {
        eq = eq.replace(" ", "");
        int n = ranks.length;
        String lhs = eq, rhs = null;
        int arrow = eq.indexOf("->");
        if (arrow >= 0) { lhs = eq.substring(0, arrow); rhs = eq.substring(arrow + 2); }
        String[] terms = lhs.split(",", -1);
        if (terms.length != n) throw fail.apply("Einsum equation '" + eq + "' has " + terms.length + " operands but the node has " + n + " inputs");
        int ellRank = 0;
        int[][] labels = new int[n][];
        for (int i = 0; i < n; i++) {
            int letters = countLetters(fail, terms[i]);
            boolean ell = terms[i].contains("...");
            int er = ranks[i] - letters;
            if (er < 0 || (!ell && er != 0))
                throw fail.apply("Einsum term '" + terms[i] + "' does not match operand " + i + " of rank " + ranks[i]);
            ellRank = Math.max(ellRank, er);
            labels[i] = termLabels(terms[i], er);
        }
        int[] outLabels;
        if (rhs != null) {
            countLetters(fail, rhs);
            outLabels = termLabels(rhs, ellRank);
            for (int l : outLabels) {
                boolean seen = false;
                for (int[] ls : labels) for (int x : ls) seen |= x == l;
                if (!seen) throw fail.apply("Einsum output label '" + labelName(l) + "' does not appear in the inputs");
            }
        } else {
            // Implicit output: broadcast ellipsis axes, then labels seen exactly once, in alphabetical order.
            TreeMap<Integer, Integer> counts = new TreeMap<>();
            for (int[] ls : labels) for (int l : ls) if (l >= 0) counts.merge(l, 1, Integer::sum);
            List<Integer> o = new ArrayList<>();
            for (int e = ellRank; e >= 1; e--) o.add(-e);
            counts.forEach((l, c) -> { if (c == 1) o.add(l); });
            outLabels = o.stream().mapToInt(Integer::intValue).toArray();
        }
        return new Parsed(labels, outLabels);
    }

    /** Output type from the operands' static types: a dim is known when some operand fixes it. */
    static void infer(InferenceContext ctx) {
        int n = ctx.inputCount();
        int[] ranks = new int[n];
        List<List<Dim>> dims = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (!(ctx.inputType(i) instanceof TensorType t) || !t.hasRank()) {
                ctx.setOutputType(0, TensorType.unranked(Infers.dtypeOf(ctx.inputType(0))));
                return;
            }
            ranks[i] = t.rank();
            dims.add(t.dims());
        }
        var eqAttr = ctx.node().attribute("equation");
        if (eqAttr == null) return;
        Parsed p = parse(eqAttr.asString(), ranks, msg -> new OpFailure(ctx.node().describe() + ": " + msg));
        List<Dim> out = new ArrayList<>();
        for (int l : p.out()) {
            Dim d = Dim.UNKNOWN;
            boolean allOne = true;
            for (int i = 0; i < n; i++)
                for (int a = 0; a < p.labels()[i].length; a++) {
                    if (p.labels()[i][a] != l) continue;
                    Dim x = dims.get(i).get(a);
                    if (x instanceof Dim.Known k && k.value() != 1) d = x;
                    if (!(x instanceof Dim.Known k && k.value() == 1)) allOne = false;
                }
            out.add(d.isKnown() ? d : allOne ? Dim.of(1) : Dim.UNKNOWN);
        }
        ctx.setOutputType(0, new TensorType(Infers.dtypeOf(ctx.inputType(0)), out));
    }

    static Tensor run(KernelContext ctx) {
        int n = ctx.inputCount();
        Tensor[] ops = new Tensor[n];
        int[] ranks = new int[n];
        for (int i = 0; i < n; i++) { ops[i] = ctx.input(i); ranks[i] = ops[i].rank(); }
        Parsed parsed = parse(ctx.attrString("equation"), ranks, ctx::fail);
        int[][] labels = parsed.labels();
        int[] outLabels = parsed.out();
        Map<Integer, Long> sizes = new LinkedHashMap<>();
        for (int i = 0; i < n; i++)
            for (int a = 0; a < labels[i].length; a++) {
                long d = ops[i].shape().dim(a);
                Long prev = sizes.get(labels[i][a]);
                if (prev == null || prev == 1) sizes.put(labels[i][a], d);
                else if (d != 1 && d != prev)
                    throw ctx.fail("Einsum label '" + labelName(labels[i][a]) + "' has sizes " + prev + " and " + d);
            }
        List<Integer> all = new ArrayList<>();
        for (int l : outLabels) all.add(l);
        for (int l : sizes.keySet()) if (!all.contains(l)) all.add(l);
        int L = all.size();
        long[] dims = new long[L];
        for (int i = 0; i < L; i++) dims[i] = sizes.get(all.get(i));
        long[] outDims = new long[outLabels.length];
        for (int i = 0; i < outDims.length; i++) outDims[i] = dims[i];
        Shape outShape = Shape.of(outDims);
        int outN = NnTensors.checkedSize(ctx, outShape, "Einsum output");
        long inner = NnTensors.product(dims, outDims.length, L);

        // Per operand: stride of each combined label (0 when absent or broadcast), so repeated labels add up.
        long[][] strides = new long[n][L];
        double[][] vals = new double[n][];
        for (int i = 0; i < n; i++) {
            vals[i] = NnTensors.doubles(ops[i]);
            long[] cs = ops[i].shape().contiguousStrides();
            for (int a = 0; a < labels[i].length; a++) {
                if (ops[i].shape().dim(a) == 1 && dims[all.indexOf(labels[i][a])] != 1) continue;
                strides[i][all.indexOf(labels[i][a])] += cs[a];
            }
        }
        double[] out = new double[outN];
        long[] idx = new long[L];
        long[] pos = new long[n];
        for (int o = 0; o < outN; o++) {
            double acc = 0;
            for (long s = 0; s < inner; s++) {
                double prod = 1;
                for (int i = 0; i < n; i++) prod *= vals[i][(int) pos[i]];
                acc += prod;
                advance(idx, dims, strides, pos, outDims.length);
            }
            out[o] = acc;
            if (inner == 0) advanceOuter(idx, dims, strides, pos, outDims.length);
        }
        return NnTensors.fromDoubles(ops[0].dtype(), outShape, out);
    }

    /** Odometer step over all labels (innermost last), keeping each operand's flat position in sync. */
    private static void advance(long[] idx, long[] dims, long[][] strides, long[] pos, int outRank) {
        for (int d = dims.length - 1; d >= 0; d--) {
            idx[d]++;
            for (int i = 0; i < pos.length; i++) pos[i] += strides[i][d];
            if (idx[d] < dims[d]) return;
            for (int i = 0; i < pos.length; i++) pos[i] -= strides[i][d] * idx[d];
            idx[d] = 0;
        }
    }

    /** Step over output labels only (used when the summed space is empty). */
    private static void advanceOuter(long[] idx, long[] dims, long[][] strides, long[] pos, int outRank) {
        for (int d = outRank - 1; d >= 0; d--) {
            idx[d]++;
            for (int i = 0; i < pos.length; i++) pos[i] += strides[i][d];
            if (idx[d] < dims[d]) return;
            for (int i = 0; i < pos.length; i++) pos[i] -= strides[i][d] * idx[d];
            idx[d] = 0;
        }
    }

    private static int countLetters(Function<String, RuntimeException> fail, String term) {
        int c = 0;
        String t = term.replace("...", "");
        if (term.indexOf("...") != term.lastIndexOf("...")) throw fail.apply("Einsum term '" + term + "' has more than one ellipsis");
        for (char ch : t.toCharArray()) {
            if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z')))
                throw fail.apply("Einsum term '" + term + "' has invalid character '" + ch + "'");
            c++;
        }
        return c;
    }

    /** Labels of one term; its ellipsis expands to {@code ellRank} right-aligned negative labels. */
    private static int[] termLabels(String term, int ellRank) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < term.length(); i++) {
            if (term.startsWith("...", i)) {
                for (int e = ellRank; e >= 1; e--) out.add(-e);
                i += 2;
            } else {
                out.add((int) term.charAt(i));
            }
        }
        return out.stream().mapToInt(Integer::intValue).toArray();
    }

    private static String labelName(int l) { return l >= 0 ? String.valueOf((char) l) : "..."; }
}
