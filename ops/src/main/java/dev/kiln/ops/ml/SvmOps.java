package dev.kiln.ops.ml;

import dev.kiln.ops.KernelContext;
import dev.kiln.ops.shape.Args;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * SVMRegressor (ai.onnx.ml 1): with support vectors, y = sum_j coef_j * K(x, sv_j) + rho[0] (libsvm form);
 * without, a linear model y = x . coef + rho[0]. one_class turns the score into +1 / -1.
 */
final class SvmOps {
    private SvmOps() {}

    /** The kernel K(a, b) of a row of {@code x} and a row of {@code v}. */
    static double kernel(String type, double gamma, double coef0, int degree, Tensor x, long xo, float[] v, int vo, long n) {
        switch (type) {
            case "RBF": {
                double s = 0;
                for (long i = 0; i < n; i++) { double d = x.getDouble(xo + i) - v[(int) (vo + i)]; s += d * d; }
                return Math.exp(-gamma * s);
            }
            case "LINEAR": case "POLY": case "SIGMOID": {
                double s = 0;
                for (long i = 0; i < n; i++) s += x.getDouble(xo + i) * v[(int) (vo + i)];
                if (type.equals("LINEAR")) return s;
                s = s * gamma + coef0;
                return type.equals("POLY") ? Math.pow(s, degree) : Math.tanh(s);
            }
            default: throw new IllegalArgumentException("unknown kernel_type '" + type + "'");
        }
    }

    static Object[] regressor(KernelContext ctx) {
        Tensor x = ctx.input(0);
        if (x.rank() == 1) x = x.reshape(1, x.numel());
        if (x.rank() != 2) throw ctx.fail("X must be [N, F], got " + x.shape());
        long rows = x.shape().dim(0), nf = x.shape().dim(1);
        float[] coef = ctx.attrFloats("coefficients"), sv = ctx.attrFloats("support_vectors"), rho = ctx.attrFloats("rho");
        float[] kp = ctx.attrFloats("kernel_params");
        long nsv = ctx.attrInt("n_supports");
        if (coef == null || rho == null || rho.length == 0) throw ctx.fail("coefficients and rho are required");
        double gamma = kp != null && kp.length > 0 ? kp[0] : 0, coef0 = kp != null && kp.length > 1 ? kp[1] : 0;
        int degree = kp != null && kp.length > 2 ? (int) kp[2] : 0;
        String type = nsv > 0 ? ctx.attrString("kernel_type") : "LINEAR";
        if (nsv > 0 && (sv == null || sv.length != nsv * nf || coef.length < nsv))
            throw ctx.fail("support_vectors must hold n_supports x " + nf + " values and coefficients one per vector");
        if (nsv <= 0 && coef.length != nf) throw ctx.fail("a linear SVM needs one coefficient per feature (" + nf + ")");
        boolean oneClass = ctx.attrInt("one_class") != 0;
        PostTransform post = PostTransform.parse(ctx, ctx.attrString("post_transform"));
        double[] out = new double[(int) Args.shape(ctx, new long[]{rows, 1}).numel()];
        for (long r = 0; r < rows; r++) {
            double s;
            try {
                if (nsv > 0) {
                    s = 0;
                    for (int j = 0; j < nsv; j++) s += coef[j] * kernel(type, gamma, coef0, degree, x, r * nf, sv, (int) (j * nf), nf);
                } else {
                    s = kernel("LINEAR", 0, 0, 0, x, r * nf, coef, 0, nf);
                }
            } catch (IllegalArgumentException e) {
                throw ctx.fail(e.getMessage());
            }
            s += rho[0];
            out[(int) r] = oneClass ? (s > 0 ? 1 : -1) : s;
            post.apply(out, (int) r, 1);
        }
        Tensor y = Tensor.allocate(DType.F32, Shape.of(rows, 1));
        for (int i = 0; i < out.length; i++) y.setDouble(i, out[i]);
        return new Object[]{y};
    }
}
