package dev.kiln.ops.fused;

import dev.kiln.graph.Dim;
import dev.kiln.graph.InferenceContext;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code dev.kiln.Attention(Q, K, V, mask?)}: per batch and head, {@code softmax(scale * Q K^T + mask) V}.
 * <ul>
 *   <li>{@code layout} "BSHD": Q [B, Sq, H, D], K [B, Sk, H, D], V [B, Sk, H, Dv] and Y [B, Sq, H, Dv] — the
 *       tensors right after a projection's Reshape, so the head split/merge transposes disappear;</li>
 *   <li>{@code layout} "BHSD": Q [B, H, Sq, D], K [B, H, Sk, D], V [B, H, Sk, Dv] and Y [B, H, Sq, Dv].</li>
 * </ul>
 * B and H broadcast among Q, K, V (numpy rules, as the MatMuls it replaces did); the additive mask broadcasts to
 * [B, H, Sq, Sk] in either layout; softmax runs over Sk.
 */
public final class AttentionOp {
    private AttentionOp() {}

    static void register(OpRegistry r) {
        OpSchema.builder(FusedOps.DOMAIN, "Attention").since(1)
                .attrFloat("scale", 1f).attrString("layout", "BHSD")
                .infer(AttentionOp::infer)
                .kernel(ctx -> new Object[]{run(ctx)})
                .register(r);
    }

    /** Q, K, V as [B, H, S, D] views (broadcast over B and H), the output shape, and the layout flag. */
    public record Views(Tensor q, Tensor k, Tensor v, Tensor mask, boolean bshd) {}

    /** Validates the inputs and returns them as BHSD views; shared with backends' fast kernels. */
    public static Views views(KernelContext ctx) {
        Tensor q = FusedTensors.floatInput(ctx, 0), k = FusedTensors.floatInput(ctx, 1), v = FusedTensors.floatInput(ctx, 2);
        if (q.rank() != 4 || k.rank() != 4 || v.rank() != 4)
            throw ctx.fail("Q, K, V must be 4-D, got " + q.shape() + ", " + k.shape() + ", " + v.shape());
        boolean bshd = switch (ctx.attrString("layout")) {
            case "BSHD" -> true;
            case "BHSD" -> false;
            default -> throw ctx.fail("layout must be BSHD or BHSD, got '" + ctx.attrString("layout") + "'");
        };
        if (bshd) { q = q.permute(0, 2, 1, 3); k = k.permute(0, 2, 1, 3); v = v.permute(0, 2, 1, 3); }
        long d = q.shape().dim(3), sk = k.shape().dim(2);
        if (k.shape().dim(3) != d) throw ctx.fail("Q and K head sizes differ: " + q.shape() + " vs " + k.shape());
        if (v.shape().dim(2) != sk) throw ctx.fail("K and V sequence lengths differ: " + k.shape() + " vs " + v.shape());
        Shape bh = FusedTensors.broadcast(ctx, FusedTensors.broadcast(ctx, head(q), head(k)), head(v));
        long b = bh.dim(0), h = bh.dim(1);
        q = q.expand(Shape.of(b, h, q.shape().dim(2), d));
        k = k.expand(Shape.of(b, h, sk, d));
        v = v.expand(Shape.of(b, h, sk, v.shape().dim(3)));
        Tensor mask = ctx.hasInput(3)
                ? FusedTensors.broadcastTo(ctx, FusedTensors.floatInput(ctx, 3), Shape.of(b, h, q.shape().dim(2), sk), "mask") : null;
        return new Views(q, k, v, mask, bshd);
    }

    /** A 4-D view's elements: {@code v[base + sum(index * st)]}. */
    private record Strided(double[] v, long base, long[] st) {
        long row(long a, long b, long c) { return base + a * st[0] + b * st[1] + c * st[2]; }
    }

    /** Reads {@code view} (a permute/expand of {@code raw}) through its strides when raw is dense, else copies it. */
    private static Strided strided(Tensor raw, Tensor view) {
        boolean dense = java.util.Arrays.equals(raw.strides(), raw.shape().contiguousStrides()) && raw.segment() == view.segment();
        if (dense) return new Strided(FusedTensors.values(raw), view.offset() - raw.offset(), view.strides());
        return new Strided(FusedTensors.values(view), 0, view.shape().contiguousStrides());
    }

    private static Shape head(Tensor t) { return Shape.of(t.shape().dim(0), t.shape().dim(1)); }

    private static Tensor run(KernelContext ctx) {
        Views w = views(ctx);
        Tensor q = w.q(), k = w.k(), v = w.v();
        long b = q.shape().dim(0), h = q.shape().dim(1), sq = q.shape().dim(2), d = q.shape().dim(3);
        long sk = k.shape().dim(2), dv = v.shape().dim(3);
        double scale = ctx.attrFloat("scale");
        if (sk > Integer.MAX_VALUE || (double) b * h * sq * Math.max(sk, dv) > Integer.MAX_VALUE - 16)
            throw ctx.fail("attention of " + b + "x" + h + "x" + sq + "x" + sk + " is too large for the reference kernel");
        // each operand read in place through its BHSD view's strides over a dense copy of the input (no copies of
        // broadcast heads or masks); double accumulation
        Strided qs = strided(ctx.input(0), q), ks = strided(ctx.input(1), k), vs = strided(ctx.input(2), v);
        Strided ms = w.mask() == null ? null : strided(ctx.input(3), w.mask());
        int isq = (int) sq, isk = (int) sk, id = (int) d, idv = (int) dv;
        double[] yv = new double[(int) (b * h * sq * dv)];
        double[] p = new double[isk];
        for (int bi = 0; bi < b; bi++)
            for (int hi = 0; hi < h; hi++) {
                int yo = (bi * (int) h + hi) * isq * idv;
                for (int i = 0; i < isq; i++) {
                    long qRow = qs.row(bi, hi, i);
                    double max = Double.NEGATIVE_INFINITY;
                    for (int j = 0; j < isk; j++) {
                        long kRow = ks.row(bi, hi, j);
                        double acc = 0;
                        for (int c = 0; c < id; c++) acc += qs.v[(int) (qRow + c * qs.st[3])] * ks.v[(int) (kRow + c * ks.st[3])];
                        double s = scale * acc;
                        if (ms != null) s += ms.v[(int) (ms.row(bi, hi, i) + j * ms.st[3])];
                        p[j] = s;
                        max = Math.max(max, s);
                    }
                    double sum = 0;
                    for (int j = 0; j < isk; j++) { p[j] = Math.exp(p[j] - max); sum += p[j]; }
                    for (int j = 0; j < isk; j++) {
                        double pj = p[j] / sum;
                        long vRow = vs.row(bi, hi, j);
                        for (int c = 0; c < idv; c++) yv[yo + i * idv + c] += pj * vs.v[(int) (vRow + c * vs.st[3])];
                    }
                }
            }
        Tensor y = FusedTensors.tensor(q.dtype(), Shape.of(b, h, sq, dv), yv);
        return w.bshd() ? y.permute(0, 2, 1, 3).contiguous() : y;
    }


    private static void infer(InferenceContext ctx) {
        if (!(ctx.inputType(0) instanceof TensorType tq) || !(ctx.inputType(2) instanceof TensorType tv)
                || !tq.hasRank() || !tv.hasRank() || tq.rank() != 4 || tv.rank() != 4) return;
        var l = ctx.node().attribute("layout");
        boolean bshd = l != null && "BSHD".equals(l.asString());
        List<Dim> out = new ArrayList<>(tq.dims());
        out.set(3, tv.dims().get(3));
        if (!bshd) out.set(1, tq.dims().get(1));
        ctx.setOutputType(0, new TensorType(tq.dtype(), out));
    }
}
