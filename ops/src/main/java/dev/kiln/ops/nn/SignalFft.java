package dev.kiln.ops.nn;

/**
 * In-place discrete Fourier transform of one complex line of any length: X[k] = sum_t x[t] exp(sign 2 pi i k t / n).
 * Short lines use the direct sum (one rounding per twiddle, the most accurate), powers of two an iterative radix-2
 * FFT, and other lengths Bluestein's chirp-z reformulation on a power-of-two FFT, so large transforms stay
 * O(n log n) instead of hanging in an O(n^2) loop.
 */
final class SignalFft {
    private SignalFft() {}

    private static final int DIRECT_MAX = 64;

    static void transform(double[] re, double[] im, int n, int sign) {
        if (n <= 1) return;
        if (n <= DIRECT_MAX) direct(re, im, n, sign);
        else if ((n & (n - 1)) == 0) radix2(re, im, n, sign);
        else bluestein(re, im, n, sign);
    }

    private static void direct(double[] re, double[] im, int n, int sign) {
        double[] c = new double[n], s = new double[n], or = new double[n], oi = new double[n];
        for (int m = 0; m < n; m++) {
            double a = 2 * Math.PI * m / n;
            c[m] = Math.cos(a);
            s[m] = sign * Math.sin(a);
        }
        for (int k = 0; k < n; k++) {
            double sr = 0, si = 0;
            for (int t = 0; t < n; t++) {
                int m = (int) ((long) k * t % n);
                sr += re[t] * c[m] - im[t] * s[m];
                si += re[t] * s[m] + im[t] * c[m];
            }
            or[k] = sr;
            oi[k] = si;
        }
        System.arraycopy(or, 0, re, 0, n);
        System.arraycopy(oi, 0, im, 0, n);
    }

    private static void radix2(double[] re, double[] im, int n, int sign) {
        for (int i = 1, j = 0; i < n; i++) {
            int bit = n >> 1;
            for (; (j & bit) != 0; bit >>= 1) j ^= bit;
            j ^= bit;
            if (i < j) {
                double t = re[i]; re[i] = re[j]; re[j] = t;
                t = im[i]; im[i] = im[j]; im[j] = t;
            }
        }
        for (int len = 2; len <= n; len <<= 1) {
            int half = len >> 1;
            for (int k = 0; k < half; k++) {
                // Twiddles computed directly per k (not by repeated multiplication) to avoid error growth.
                double a = 2 * Math.PI * k / len;
                double wr = Math.cos(a), wi = sign * Math.sin(a);
                for (int i = k; i < n; i += len) {
                    int j = i + half;
                    double xr = re[j] * wr - im[j] * wi, xi = re[j] * wi + im[j] * wr;
                    re[j] = re[i] - xr; im[j] = im[i] - xi;
                    re[i] += xr; im[i] += xi;
                }
            }
        }
    }

    private static void bluestein(double[] re, double[] im, int n, int sign) {
        int m = Integer.highestOneBit(2 * n - 1);
        if (m < 2 * n - 1) m <<= 1;
        // Chirp c[j] = exp(sign pi i j^2 / n); j^2 is reduced mod 2n so every angle is exact before the cosine.
        double[] cr = new double[n], ci = new double[n];
        for (int j = 0; j < n; j++) {
            long q = (long) j * j % (2L * n);
            double a = Math.PI * q / n;
            cr[j] = Math.cos(a);
            ci[j] = sign * Math.sin(a);
        }
        double[] ar = new double[m], ai = new double[m], br = new double[m], bi = new double[m];
        for (int t = 0; t < n; t++) {
            ar[t] = re[t] * cr[t] - im[t] * ci[t];
            ai[t] = re[t] * ci[t] + im[t] * cr[t];
        }
        br[0] = cr[0]; bi[0] = -ci[0];
        for (int j = 1; j < n; j++) {
            br[j] = br[m - j] = cr[j];
            bi[j] = bi[m - j] = -ci[j];
        }
        radix2(ar, ai, m, -1);
        radix2(br, bi, m, -1);
        for (int i = 0; i < m; i++) {
            double r = ar[i] * br[i] - ai[i] * bi[i], s = ar[i] * bi[i] + ai[i] * br[i];
            ar[i] = r;
            ai[i] = s;
        }
        radix2(ar, ai, m, 1);
        for (int k = 0; k < n; k++) {
            double r = ar[k] / m, s = ai[k] / m;
            re[k] = r * cr[k] - s * ci[k];
            im[k] = r * ci[k] + s * cr[k];
        }
    }
}
