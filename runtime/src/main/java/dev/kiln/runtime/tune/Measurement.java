package dev.kiln.runtime.tune;

import java.util.Arrays;

/** Timings of one candidate: median and relative spread (half the interquartile range over the median). */
public record Measurement(double medianNs, double spread, int samples) {
    public static Measurement of(long[] ns) {
        if (ns.length == 0) throw new IllegalArgumentException("no samples");
        long[] s = ns.clone();
        Arrays.sort(s);
        double med = s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2.0;
        double iqr = s[(3 * s.length) / 4] - s[s.length / 4];
        return new Measurement(med, med > 0 ? iqr / 2 / med : 0, s.length);
    }

    /** Throughput for a kernel of {@code flops} floating point operations. */
    public double gflops(double flops) { return flops / medianNs; }
}
