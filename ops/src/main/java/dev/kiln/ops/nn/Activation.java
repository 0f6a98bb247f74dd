package dev.kiln.ops.nn;

import dev.kiln.ops.KernelContext;

import java.util.Locale;

/** A recurrent-cell activation function by its ONNX name, with its alpha/beta parameters bound. */
record Activation(String name, double alpha, double beta) {

    double apply(double x) {
        return switch (name) {
            case "relu" -> Math.max(0, x);
            case "tanh" -> Math.tanh(x);
            case "sigmoid" -> 1 / (1 + Math.exp(-x));
            case "affine" -> alpha * x + beta;
            case "leakyrelu" -> x >= 0 ? x : alpha * x;
            case "thresholdedrelu" -> x > alpha ? x : 0;
            case "scaledtanh" -> alpha * Math.tanh(beta * x);
            case "hardsigmoid" -> Math.max(0, Math.min(1, alpha * x + beta));
            case "elu" -> x >= 0 ? x : alpha * (Math.exp(x) - 1);
            case "softsign" -> x / (1 + Math.abs(x));
            case "softplus" -> Math.log1p(Math.exp(x));
            default -> throw new IllegalStateException(name);
        };
    }

    /**
     * The activation list for {@code dirs} directions of {@code perDir} functions each. alpha and beta values are
     * consumed in list order by the functions that take them, per the spec's "consumed in order" rule.
     */
    static Activation[] list(KernelContext ctx, int dirs, String[] defaults) {
        int perDir = defaults.length;
        String[] names = ctx.attrStrings("activations");
        if (names == null || names.length == 0) {
            names = new String[perDir * dirs];
            for (int d = 0; d < dirs; d++) System.arraycopy(defaults, 0, names, d * perDir, perDir);
        } else if (names.length == perDir && dirs == 2) {
            String[] both = new String[2 * perDir];
            System.arraycopy(names, 0, both, 0, perDir);
            System.arraycopy(names, 0, both, perDir, perDir);
            names = both;
        } else if (names.length != perDir * dirs) {
            throw ctx.fail("activations must list " + perDir * dirs + " functions, got " + names.length);
        }
        float[] alphas = ctx.attrFloats("activation_alpha"), betas = ctx.attrFloats("activation_beta");
        int ai = 0, bi = 0;
        Activation[] out = new Activation[names.length];
        for (int i = 0; i < names.length; i++) {
            String n = names[i].toLowerCase(Locale.ROOT);
            double[] dflt = switch (n) {
                case "relu", "tanh", "sigmoid", "softsign", "softplus" -> null;
                case "affine" -> new double[]{1, 0};
                case "leakyrelu" -> new double[]{0.01, Double.NaN};
                case "thresholdedrelu", "elu" -> new double[]{1, Double.NaN};
                case "scaledtanh" -> new double[]{1, 1};
                case "hardsigmoid" -> new double[]{0.2, 0.5};
                default -> throw ctx.fail("unknown activation '" + names[i] + "'");
            };
            double a = 0, b = 0;
            if (dflt != null) {
                a = alphas != null && ai < alphas.length ? alphas[ai++] : dflt[0];
                if (!Double.isNaN(dflt[1])) b = betas != null && bi < betas.length ? betas[bi++] : dflt[1];
            }
            out[i] = new Activation(n, a, b);
        }
        return out;
    }
}
