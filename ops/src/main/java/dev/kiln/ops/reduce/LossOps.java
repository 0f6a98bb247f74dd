package dev.kiln.ops.reduce;

import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.ops.Infers;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.List;

/**
 * Op family: NegativeLogLikelihoodLoss and SoftmaxCrossEntropyLoss over inputs (N, C, d1..dk) and integer targets
 * (N, d1..dk). Targets equal to {@code ignore_index} contribute 0 and weigh 0; "mean" divides by the sum of the
 * applied weights (the count of non-ignored targets without a weight input).
 */
public final class LossOps implements OpFamily {
    @Override public void register(OpRegistry r) {
        OpSchema.builder("NegativeLogLikelihoodLoss").since(12, 13, 22).attrString("reduction", "mean")
                .infer(LossOps::inferLoss)
                .kernel(ctx -> {
                    Tensor in = floatIn(ctx, 0);
                    return new Object[] {nll(ctx, in.contiguous(), ctx.input(1), ctx.optionalInput(2))};
                }).register(r);
        OpSchema.builder("SoftmaxCrossEntropyLoss").since(12, 13).attrString("reduction", "mean")
                .infer(ctx -> {
                    inferLoss(ctx);
                    if (ctx.outputCount() > 1) ctx.setOutputType(1, ctx.inputType(0));
                })
                .kernel(ctx -> {
                    Tensor scores = floatIn(ctx, 0).contiguous();
                    Shape s = scores.shape();
                    if (s.rank() < 2) throw ctx.fail("scores must have shape (N, C, ...), got " + s);
                    Tensor logp = Tensor.allocate(scores.dtype(), s);
                    // Log-probabilities along the class axis 1, computed in double from the raw scores.
                    SoftmaxOps.apply(scores, logp, s.dim(0), s.dim(1), Axes.prod(s, 2, s.rank()), SoftmaxOps.Kind.LOG_SOFTMAX);
                    Tensor loss = nll(ctx, logp, ctx.input(1), ctx.optionalInput(2));
                    return new Object[] {loss, ctx.outputCount() > 1 && ctx.outputRequested(1) ? logp : null};
                }).register(r);
    }

    private static Tensor floatIn(KernelContext ctx, int i) {
        Tensor t = ctx.input(i);
        if (!t.dtype().isFloatingPoint()) throw ctx.fail("input " + i + " must be floating-point, got " + t.dtype());
        return t;
    }

    private static void inferLoss(dev.kiln.graph.InferenceContext ctx) {
        DType dt = Infers.dtypeOf(ctx.inputType(0));
        var red = ctx.node().attribute("reduction");
        String reduction = red == null ? "mean" : red.asString();
        if (!reduction.equals("none")) ctx.setOutputType(0, new TensorType(dt, List.of()));
        else if (ctx.inputType(1) instanceof TensorType t) ctx.setOutputType(0, new TensorType(dt, t.dims()));
        else ctx.setOutputType(0, TensorType.unranked(dt));
    }

    /** -logp[n, target, d] * weight[target], reduced per the {@code reduction} attribute. */
    private static Tensor nll(KernelContext ctx, Tensor logp, Tensor target, Tensor weight) {
        Shape s = logp.shape();
        if (s.rank() < 2) throw ctx.fail("input must have shape (N, C, ...), got " + s);
        if (!target.dtype().isInteger()) throw ctx.fail("target must be an integer tensor, got " + target.dtype());
        long n = s.dim(0), c = s.dim(1), d = Axes.prod(s, 2, s.rank());
        long[] want = new long[s.rank() - 1];
        want[0] = n;
        for (int i = 2; i < s.rank(); i++) want[i - 1] = s.dim(i);
        if (!target.shape().equals(Shape.of(want))) throw ctx.fail("target shape " + target.shape() + " must be " + Shape.of(want));
        if (weight != null && !weight.shape().equals(Shape.of(c))) throw ctx.fail("weight shape " + weight.shape() + " must be [" + c + "]");
        String reduction = ctx.attrString("reduction");
        if (!reduction.equals("none") && !reduction.equals("sum") && !reduction.equals("mean"))
            throw ctx.fail("reduction must be none, sum or mean, got '" + reduction + "'");
        boolean hasIgnore = ctx.hasAttr("ignore_index");
        long ignore = hasIgnore ? ctx.attrInt("ignore_index") : 0;
        Tensor none = Tensor.allocate(logp.dtype(), target.shape());
        double total = 0, weights = 0;
        long base = logp.offset();
        for (long i = 0; i < n; i++) {
            for (long j = 0; j < d; j++) {
                long t = target.getLong(i * d + j);
                double loss = 0, w = 0;
                if (!(hasIgnore && t == ignore)) {
                    if (t < 0 || t >= c) throw ctx.fail("target " + t + " is out of range [0, " + c + ")");
                    w = weight == null ? 1 : weight.getDouble(t);
                    loss = -logp.readDouble(base + (i * c + t) * d + j) * w;
                }
                none.setDouble(i * d + j, loss);
                total += loss;
                weights += w;
            }
        }
        return switch (reduction) {
            case "none" -> none;
            case "sum" -> Tensor.scalar(logp.dtype(), total);
            default -> Tensor.scalar(logp.dtype(), total / weights);
        };
    }
}
