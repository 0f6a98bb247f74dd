package dev.kiln.ops.ml;

import dev.kiln.ops.KernelContext;

/** The score post-transforms of the ai.onnx.ml classifiers and regressors, applied to one row in place. */
enum PostTransform {
    NONE, SOFTMAX, LOGISTIC, SOFTMAX_ZERO, PROBIT;

    static PostTransform parse(KernelContext ctx, String name) {
        try {
            return valueOf(name);
        } catch (IllegalArgumentException e) {
            throw ctx.fail("unknown post_transform '" + name + "'");
        }
    }

    /** TreeEnsemble (opset 5) encodes the transform as an integer in this enum's order. */
    static PostTransform of(KernelContext ctx, long code) {
        if (code < 0 || code >= values().length) throw ctx.fail("unknown post_transform " + code);
        return values()[(int) code];
    }

    void apply(double[] v, int from, int len) {
        switch (this) {
            case NONE -> { }
            case SOFTMAX -> {
                double mx = Double.NEGATIVE_INFINITY, sum = 0;
                for (int i = 0; i < len; i++) mx = Math.max(mx, v[from + i]);
                for (int i = 0; i < len; i++) { v[from + i] = Math.exp(v[from + i] - mx); sum += v[from + i]; }
                for (int i = 0; i < len; i++) v[from + i] /= sum;
            }
            case LOGISTIC -> {
                for (int i = 0; i < len; i++) {
                    // Evaluated on |x| so exp never overflows.
                    double x = v[from + i], s = 1 / (1 + Math.exp(-Math.abs(x)));
                    v[from + i] = x < 0 ? 1 - s : s;
                }
            }
            case SOFTMAX_ZERO -> {
                // Like softmax, but exact zeros stay (near) zero: they are scaled, not exponentiated.
                double mx = Double.NEGATIVE_INFINITY, sum = 0;
                for (int i = 0; i < len; i++) mx = Math.max(mx, v[from + i]);
                double expNegMax = Math.exp(-mx);
                for (int i = 0; i < len; i++) {
                    double x = v[from + i];
                    v[from + i] = x > 1e-7 || x < -1e-7 ? Math.exp(x - mx) : x * expNegMax;
                    sum += v[from + i];
                }
                for (int i = 0; i < len; i++) v[from + i] = sum == 0 ? 0.5 : v[from + i] / sum;
            }
            case PROBIT -> { for (int i = 0; i < len; i++) v[from + i] = Math.sqrt(2) * erfInv(2 * v[from + i] - 1); }
        }
    }

    /** Winitzki's approximation of the inverse error function, as the ONNX reference uses. */
    static double erfInv(double x) {
        double sgn = x < 0 ? -1 : 1;
        double w = (1 - x) * (1 + x);
        if (w == 0) return 0;
        double log = Math.log(w);
        double a = 2 / (Math.PI * 0.147) + 0.5 * log;
        return sgn * Math.sqrt(-a + Math.sqrt(a * a - log / 0.147));
    }
}
