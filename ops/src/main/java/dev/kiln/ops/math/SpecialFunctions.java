package dev.kiln.ops.math;

/** Special functions the JDK lacks, accurate to about 1e-13 relative, without per-call allocation. */
public final class SpecialFunctions {
    private SpecialFunctions() {}

    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final int TERMS = 100;
    /** 1/n and 1/(2n+1), so the series loop multiplies instead of dividing. */
    private static final double[] INV_N = new double[TERMS], INV_ODD = new double[TERMS];
    static {
        for (int n = 1; n < TERMS; n++) { INV_N[n] = 1.0 / n; INV_ODD[n] = 1.0 / (2 * n + 1); }
    }

    /** The error function. Maclaurin series for |x| < 2.5, continued fraction of erfc beyond. */
    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double a = Math.abs(x);
        if (a >= 6) return Math.copySign(1.0, x);
        if (a < 2.5) {
            // erf(x) = 2/sqrt(pi) * sum_n (-1)^n x^(2n+1) / (n! (2n+1)); terms peak near n = x^2, so ~60 terms suffice.
            double x2 = a * a, term = a, sum = a;
            for (int n = 1; n < TERMS; n++) {
                term *= -x2 * INV_N[n];
                double t = term * INV_ODD[n];
                sum += t;
                if (Math.abs(t) < 1e-17 * Math.abs(sum)) break;
            }
            return Math.copySign(TWO_OVER_SQRT_PI * sum, x);
        }
        return Math.copySign(1.0 - erfcLarge(a), x);
    }

    /** erfc(a) for a >= 2.5 by the Laplace continued fraction, evaluated with the modified Lentz method. */
    private static double erfcLarge(double a) {
        // erfc(a) = exp(-a^2)/sqrt(pi) * 1/(a + (1/2)/(a + 1/(a + (3/2)/(a + 2/(a + ...)))))
        double tiny = 1e-300;
        double f = a, c = a, d = 0;
        for (int k = 1; k < 300; k++) {
            double ak = k / 2.0;
            d = a + ak * d;
            if (d == 0) d = tiny;
            c = a + ak / c;
            if (c == 0) c = tiny;
            d = 1 / d;
            double delta = c * d;
            f *= delta;
            if (Math.abs(delta - 1) < 1e-16) break;
        }
        return Math.exp(-a * a) / Math.sqrt(Math.PI) / f;
    }
}
