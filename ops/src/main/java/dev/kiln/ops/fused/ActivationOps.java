package dev.kiln.ops.fused;

import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * {@code dev.kiln.Gelu(X)} with {@code approximate} "none" (0.5x(1+erf(x/sqrt 2))) or "tanh"; the same function as
 * ONNX Gelu (opset 20) but available at any model opset, which is what a fusion pass needs.
 *
 * <p>{@code dev.kiln.BiasSoftmax(X, bias)}: Softmax(X + bias) over the last axis, bias broadcast to X's shape.
 */
final class ActivationOps {
    private ActivationOps() {}

    static void register(OpRegistry r) {
        OpSchema.builder(FusedOps.DOMAIN, "Gelu").since(1)
                .attrString("approximate", "none")
                .infer(ctx -> FusedTensors.sameAs(ctx, 0))
                .kernel(ActivationOps::gelu)
                .register(r);
        OpSchema.builder(FusedOps.DOMAIN, "BiasSoftmax").since(1)
                .infer(ctx -> FusedTensors.sameAs(ctx, 0))
                .kernel(ActivationOps::biasSoftmax)
                .register(r);
    }

    private static Object[] gelu(KernelContext ctx) {
        Tensor x = FusedTensors.floatInput(ctx, 0);
        String mode = ctx.attrString("approximate");
        FusedActivation act = switch (mode) {
            case "none" -> FusedActivation.GELU;
            case "tanh" -> FusedActivation.GELU_TANH;
            default -> throw ctx.fail("approximate must be 'none' or 'tanh', got '" + mode + "'");
        };
        Tensor y = Tensor.allocate(x.dtype(), x.shape());
        for (long i = 0; i < y.numel(); i++) y.setDouble(i, act.apply(x.getDouble(i), 0, 0));
        return new Object[]{y};
    }

    private static Object[] biasSoftmax(KernelContext ctx) {
        Tensor x = FusedTensors.floatInput(ctx, 0);
        if (x.rank() == 0) throw ctx.fail("BiasSoftmax of a scalar");
        Shape s = x.shape();
        Tensor bias = FusedTensors.broadcastTo(ctx, FusedTensors.floatInput(ctx, 1), s, "bias");
        Tensor y = Tensor.allocate(x.dtype(), s);
        long n = s.dim(s.rank() - 1);
        if (n == 0) return new Object[]{y};
        long rows = s.numel() / n;
        double[] row = new double[(int) Math.min(n, Integer.MAX_VALUE)];
        if (n > Integer.MAX_VALUE) throw ctx.fail("softmax row of " + n + " elements");
        for (long r = 0; r < rows; r++) {
            double max = Double.NEGATIVE_INFINITY;
            for (int j = 0; j < n; j++) {
                long i = r * n + j;
                // the sum is rounded to the input dtype, as the Add it replaces did
                row[j] = roundTo(x, x.getDouble(i) + bias.getDouble(i));
                max = Math.max(max, row[j]);
            }
            double sum = 0;
            for (int j = 0; j < n; j++) { row[j] = Math.exp(row[j] - max); sum += row[j]; }
            for (int j = 0; j < n; j++) y.setDouble(r * n + j, row[j] / sum);
        }
        return new Object[]{y};
    }

    private static double roundTo(Tensor like, double v) {
        return like.dtype() == dev.kiln.tensor.DType.F32 ? (float) v : v;
    }
}
