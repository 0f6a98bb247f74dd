package dev.kiln.ops.math;

/** Special functions the JDK lacks, accurate to about 1e-15, without per-call allocation. */
public final class SpecialFunctions {
    private SpecialFunctions() {}

    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;
    private static final int TERMS = 100;
    /** 1/n and 1/(2n+1), so the series loop multiplies instead of dividing. */
    private static final double[] INV_N = new double[TERMS], INV_ODD = new double[TERMS];
    static {
        for (int n = 1; n < TERMS; n++) { INV_N[n] = 1.0 / n; INV_ODD[n] = 1.0 / (2 * n + 1); }
    }

    /*
     * erf on [0.5, 6) is tabulated as Chebyshev series per half-unit segment, fitted at class load from the slow
     * exact evaluation (series / continued fraction). Erf is entire, so degree 16 on a width-0.5 segment is exact
     * to rounding, and evaluation costs one Clenshaw recurrence instead of 20-60 series terms (GELU in BERT-style
     * models calls erf once per activation).
     */
    private static final double SEG_WIDTH = 0.5, CHEB_FROM = 0.5, CHEB_TO = 6.0;
    private static final int N = 17;
    private static final double[][] CHEB = new double[(int) ((CHEB_TO - CHEB_FROM) / SEG_WIDTH)][];
    static {
        for (int s = 0; s < CHEB.length; s++) {
            double mid = CHEB_FROM + (s + 0.5) * SEG_WIDTH, half = SEG_WIDTH / 2;
            double[] f = new double[N];
            for (int k = 0; k < N; k++) f[k] = erfExact(mid + half * Math.cos(Math.PI * (k + 0.5) / N));
            double[] c = new double[N];
            for (int j = 0; j < N; j++) {
                double sum = 0;
                for (int k = 0; k < N; k++) sum += f[k] * Math.cos(Math.PI * j * (k + 0.5) / N);
                c[j] = 2.0 / N * sum;
            }
            CHEB[s] = c;
        }
    }

    /** The error function. */
    public static double erf(double x) {
        if (Double.isNaN(x)) return x;
        double a = Math.abs(x);
        if (a >= CHEB_TO) return Math.copySign(1.0, x);
        if (a < CHEB_FROM) return Math.copySign(series(a), x);
        int s = (int) ((a - CHEB_FROM) / SEG_WIDTH);
        double[] c = CHEB[s];
        double t = (a - (CHEB_FROM + (s + 0.5) * SEG_WIDTH)) / (SEG_WIDTH / 2);
        double b1 = 0, b2 = 0;
        for (int j = N - 1; j >= 1; j--) {
            double tmp = 2 * t * b1 - b2 + c[j];
            b2 = b1;
            b1 = tmp;
        }
        // erf < 1; the fit's last-bit error must not push the top segment past it.
        return Math.copySign(Math.min(1.0, t * b1 - b2 + c[0] / 2), x);
    }

    /** The slow, exact evaluation: Maclaurin series for |x| < 2.5, continued fraction of erfc beyond. */
    static double erfExact(double x) {
        if (Double.isNaN(x)) return x;
        double a = Math.abs(x);
        if (a >= 6) return Math.copySign(1.0, x);
        if (a < 2.5) return Math.copySign(series(a), x);
        return Math.copySign(1.0 - erfcLarge(a), x);
    }

    /** erf(a) = 2/sqrt(pi) * sum_n (-1)^n a^(2n+1) / (n! (2n+1)); terms peak near n = a^2. */
    private static double series(double a) {
        double x2 = a * a, term = a, sum = a;
        for (int n = 1; n < TERMS; n++) {
            term *= -x2 * INV_N[n];
            double t = term * INV_ODD[n];
            sum += t;
            if (Math.abs(t) <= 1e-17 * Math.abs(sum)) break;
        }
        return TWO_OVER_SQRT_PI * sum;
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
