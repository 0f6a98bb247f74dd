package dev.kiln.ops.control;

import dev.kiln.graph.Graph;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.ops.shape.ShapeOps;
import dev.kiln.ops.shape.View;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * Op family: If, Loop and Scan. Bodies run through {@link KernelContext#runSubgraph}, so they see outer-scope
 * values. Per-iteration scan outputs are stacked along a new axis; when a loop runs zero times the stacked output
 * takes its element shape from the body's declared output type (unknown dims become 0-sized rows of rank 1).
 */
public final class ControlFlowOps implements OpFamily {
    /** Bound on Loop iterations when neither M nor a condition can stop it: a hang is worse than an error. */
    static final long MAX_UNBOUNDED_ITERATIONS = 1L << 31;

    @Override public void register(OpRegistry r) {
        OpSchema.builder("If").since(1, 11, 13, 16, 19, 21, 23, 24)
                .infer(ControlInference::ifOp).kernel(ControlFlowOps::ifOp).register(r);
        OpSchema.builder("Loop").since(1, 11, 13, 16, 19, 21, 23, 24)
                .infer(ControlInference::loop).kernel(ControlFlowOps::loop).register(r);
        OpSchema.builder("Scan").since(8, 9, 11, 16, 19, 21, 23, 24)
                .infer(ControlInference::scan).kernel(ScanKernel::scan).register(r);
    }

    private static Object[] ifOp(KernelContext ctx) {
        Tensor c = ctx.input(0);
        if (c.numel() != 1) throw ctx.fail("condition must hold exactly one element, got " + c.shape());
        Graph branch = c.getBoolean(0) ? ctx.attrGraph("then_branch") : ctx.attrGraph("else_branch");
        if (branch == null) throw ctx.fail("missing branch graph");
        List<Object> outs = ctx.runSubgraph(branch, List.of());
        if (outs.size() != ctx.outputCount()) throw ctx.fail("branch has " + outs.size() + " outputs, node has " + ctx.outputCount());
        return outs.toArray();
    }

    private static Object[] loop(KernelContext ctx) {
        Graph body = ctx.attrGraph("body");
        if (body == null) throw ctx.fail("attribute 'body' is required");
        Tensor mT = ctx.optionalInput(0), condT = ctx.optionalInput(1);
        long max = mT == null ? Long.MAX_VALUE : mT.getLong(0);
        boolean cond = condT == null || condT.getBoolean(0);
        int nCarried = ctx.inputCount() - 2;
        List<Object> carried = new ArrayList<>();
        for (int i = 0; i < nCarried; i++) carried.add(ctx.inputValue(i + 2));
        int nScan = body.outputs().size() - 1 - nCarried;
        if (nScan < 0) throw ctx.fail("body has " + body.outputs().size() + " outputs for " + nCarried + " loop-carried values");
        List<List<Tensor>> scans = new ArrayList<>();
        for (int k = 0; k < nScan; k++) scans.add(new ArrayList<>());
        if (mT == null && condT == null) throw ctx.fail("Loop with neither a trip count nor a condition never ends");
        for (long i = 0; i < max && cond; i++) {
            if (mT == null && i >= MAX_UNBOUNDED_ITERATIONS) throw ctx.fail("Loop ran " + i + " iterations without its condition turning false");
            List<Object> in = new ArrayList<>();
            in.add(Tensor.scalarLong(DType.I64, i));
            in.add(Tensor.ofBooleans(new boolean[]{cond}));
            in.addAll(carried);
            List<Object> out = ctx.runSubgraph(body, in);
            if (condT != null) {
                if (!(out.get(0) instanceof Tensor c)) throw ctx.fail("body condition output must be a tensor");
                cond = c.getBoolean(0);
            }
            for (int j = 0; j < nCarried; j++) carried.set(j, out.get(1 + j));
            for (int k = 0; k < nScan; k++) {
                if (!(out.get(1 + nCarried + k) instanceof Tensor t)) throw ctx.fail("scan output " + k + " must be a tensor");
                scans.get(k).add(t);
            }
        }
        Object[] result = new Object[ctx.outputCount()];
        for (int j = 0; j < nCarried && j < result.length; j++) result[j] = carried.get(j);
        for (int k = 0; k < nScan && nCarried + k < result.length; k++)
            result[nCarried + k] = stack(ctx, scans.get(k), 0, body.outputs().get(1 + nCarried + k));
        return result;
    }

    /** Stacks per-iteration tensors along a new axis; an empty list yields a 0-length tensor shaped by {@code decl}. */
    static Tensor stack(KernelContext ctx, List<Tensor> items, int axis, Value decl) {
        if (items.isEmpty()) {
            DType dt = DType.F32;
            long[] dims = {0};
            if (decl != null && decl.type() instanceof ValueType.TensorType tt) {
                if (tt.dtype() != null) dt = tt.dtype();
                if (tt.hasRank()) {
                    dims = new long[tt.rank() + 1];
                    for (int i = 0, j = 0; i < dims.length; i++) dims[i] = i == axis ? 0 : tt.dims().get(j++).valueOr(0);
                }
            }
            return Tensor.allocate(dt, Shape.of(dims));
        }
        Shape first = items.get(0).shape();
        List<Tensor> parts = new ArrayList<>();
        for (Tensor t : items) {
            if (!t.shape().equals(first)) throw ctx.fail("per-iteration outputs differ in shape: " + first + " vs " + t.shape());
            parts.add(View.dense(t).unsqueeze(axis));
        }
        return ShapeOps.concat(ctx, parts, axis);
    }

    static Tensor stack(KernelContext ctx, List<Tensor> items, int axis) { return stack(ctx, items, axis, null); }
}
