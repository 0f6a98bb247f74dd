package dev.kiln.ops.control;

import dev.kiln.graph.Graph;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.shape.Args;
import dev.kiln.ops.shape.View;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Scan. Opset 9+ scans any axis in either direction; opset 8 has a leading batch axis, scans axis 1 and takes
 * optional per-batch sequence lengths (shorter sequences are zero-padded in the stacked outputs).
 */
final class ScanKernel {
    private ScanKernel() {}

    static Object[] scan(KernelContext ctx) {
        Graph body = ctx.attrGraph("body");
        if (body == null) throw ctx.fail("attribute 'body' is required");
        int m = (int) ctx.attrInt("num_scan_inputs");
        return ctx.opsetVersion() < 9 ? scan8(ctx, body, m) : scan9(ctx, body, m);
    }

    private static long[] orZeros(long[] a, int n, KernelContext ctx, String name) {
        if (a == null) return new long[n];
        if (a.length != n) throw ctx.fail(name + " has " + a.length + " entries, expected " + n);
        return a;
    }

    private static Object[] scan9(KernelContext ctx, Graph body, int m) {
        int n = ctx.inputCount() - m;
        if (n < 0) throw ctx.fail("num_scan_inputs " + m + " exceeds the " + ctx.inputCount() + " inputs");
        List<Object> states = new ArrayList<>();
        for (int i = 0; i < n; i++) states.add(ctx.inputValue(i));
        List<Tensor> xs = new ArrayList<>();
        for (int j = 0; j < m; j++) xs.add(ctx.input(n + j));
        int k = body.outputs().size() - n;
        long[] inAxes = orZeros(ctx.attrInts("scan_input_axes"), m, ctx, "scan_input_axes");
        long[] inDirs = orZeros(ctx.attrInts("scan_input_directions"), m, ctx, "scan_input_directions");
        long[] outAxes = orZeros(ctx.attrInts("scan_output_axes"), k, ctx, "scan_output_axes");
        long[] outDirs = orZeros(ctx.attrInts("scan_output_directions"), k, ctx, "scan_output_directions");
        List<List<Tensor>> outs = run(ctx, body, states, xs, inAxes, inDirs, -1, k);
        Object[] result = new Object[n + k];
        for (int i = 0; i < n; i++) result[i] = states.get(i);
        for (int o = 0; o < k; o++) {
            List<Tensor> items = outs.get(o);
            if (outDirs[o] != 0) Collections.reverse(items);
            int rank = items.isEmpty() ? 1 : items.get(0).rank() + 1;
            int axis = Args.axis(ctx, outAxes[o], rank);
            result[n + o] = ControlFlowOps.stack(ctx, items, axis, body.outputs().get(n + o));
        }
        return result;
    }

    /**
     * Runs the body over the scan axis, updating {@code states} in place; returns the per-iteration scan outputs.
     * {@code length} &lt; 0 means the full length of the scan inputs.
     */
    private static List<List<Tensor>> run(KernelContext ctx, Graph body, List<Object> states, List<Tensor> xs,
                                          long[] axes, long[] dirs, long length, int k) {
        int n = states.size();
        int[] ax = new int[xs.size()];
        long seq = -1;
        for (int j = 0; j < xs.size(); j++) {
            ax[j] = Args.axis(ctx, axes[j], xs.get(j).rank());
            long d = xs.get(j).shape().dim(ax[j]);
            if (seq >= 0 && d != seq) throw ctx.fail("scan inputs differ in sequence length: " + seq + " vs " + d);
            seq = d;
        }
        if (seq < 0) seq = 0;
        if (length >= 0) seq = Math.min(seq, length);
        List<List<Tensor>> outs = new ArrayList<>();
        for (int o = 0; o < k; o++) outs.add(new ArrayList<>());
        for (long t = 0; t < seq; t++) {
            List<Object> in = new ArrayList<>(states);
            for (int j = 0; j < xs.size(); j++) {
                Tensor x = xs.get(j);
                long full = x.shape().dim(ax[j]);
                long at = dirs[j] != 0 ? (length >= 0 ? seq : full) - 1 - t : t;
                long[] d = x.shape().dims();
                long[] rest = new long[d.length - 1];
                for (int a = 0, b = 0; a < d.length; a++) if (a != ax[j]) rest[b++] = d[a];
                in.add(View.of(x).slice(ax[j], at, 1, 1).materialize().reshape(rest));
            }
            List<Object> out = ctx.runSubgraph(body, in);
            for (int i = 0; i < n; i++) states.set(i, out.get(i));
            for (int o = 0; o < k; o++) {
                if (!(out.get(n + o) instanceof Tensor y)) throw ctx.fail("scan output " + o + " must be a tensor");
                outs.get(o).add(y);
            }
        }
        return outs;
    }

    private static Object[] scan8(KernelContext ctx, Graph body, int m) {
        Tensor lens = ctx.optionalInput(0);
        int n = ctx.inputCount() - 1 - m;
        if (n < 0) throw ctx.fail("num_scan_inputs " + m + " exceeds the inputs");
        int k = body.outputs().size() - n;
        long[] dirs = orZeros(ctx.attrInts("directions"), m, ctx, "directions");
        long batch = ctx.input(1 + n).shape().dim(0);
        long maxSeq = ctx.input(1 + n).shape().dim(1);
        List<List<Tensor>> stateItems = new ArrayList<>(), scanItems = new ArrayList<>();
        for (int i = 0; i < n; i++) stateItems.add(new ArrayList<>());
        for (int o = 0; o < k; o++) scanItems.add(new ArrayList<>());
        for (long b = 0; b < batch; b++) {
            List<Object> states = new ArrayList<>();
            for (int i = 0; i < n; i++) states.add(row(ctx.input(1 + i), b));
            List<Tensor> xs = new ArrayList<>();
            for (int j = 0; j < m; j++) xs.add(row(ctx.input(1 + n + j), b));
            long len = lens == null ? -1 : lens.getLong(b);
            if (len > maxSeq) throw ctx.fail("sequence length " + len + " exceeds " + maxSeq);
            List<List<Tensor>> outs = run(ctx, body, states, xs, new long[m], dirs, len, k);
            for (int i = 0; i < n; i++) stateItems.get(i).add((Tensor) states.get(i));
            for (int o = 0; o < k; o++) scanItems.get(o).add(padTo(ControlFlowOps.stack(ctx, outs.get(o), 0, body.outputs().get(n + o)), maxSeq));
        }
        Object[] result = new Object[n + k];
        for (int i = 0; i < n; i++) result[i] = ControlFlowOps.stack(ctx, stateItems.get(i), 0);
        for (int o = 0; o < k; o++) result[n + o] = ControlFlowOps.stack(ctx, scanItems.get(o), 0);
        return result;
    }

    private static Tensor row(Tensor t, long b) {
        long[] d = t.shape().dims();
        long[] rest = java.util.Arrays.copyOfRange(d, 1, d.length);
        return View.of(t).slice(0, b, 1, 1).materialize().reshape(rest);
    }

    private static Tensor padTo(Tensor t, long len) {
        if (t.shape().dim(0) >= len) return t;
        Tensor out = Tensor.allocate(t.dtype(), t.shape().withDim(0, len));
        View.copy(View.of(t), View.of(out).slice(0, 0, t.shape().dim(0), 1));
        return out;
    }

}
