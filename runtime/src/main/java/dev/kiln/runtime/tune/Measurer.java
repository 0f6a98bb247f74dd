package dev.kiln.runtime.tune;

/**
 * Times a piece of work: warm-up runs (JIT, caches), then {@code repeats} timed runs, each run repeated enough
 * times to last at least {@code minRunNs} so short kernels are not lost in timer resolution.
 */
public record Measurer(int warmups, int repeats, long minRunNs) {
    public Measurer {
        if (warmups < 0 || repeats < 1 || minRunNs < 0) throw new IllegalArgumentException("bad measurer settings");
    }

    public static Measurer standard() { return new Measurer(3, 7, 2_000_000L); }

    /** The same measurer with {@code repeats} timed runs (successive halving raises it for the survivors). */
    public Measurer withRepeats(int r) { return new Measurer(warmups, r, minRunNs); }

    /** Median time of one execution of {@code work}, in ns. */
    public Measurement measure(Runnable work) {
        for (int i = 0; i < warmups; i++) work.run();
        long t0 = System.nanoTime();
        work.run();
        long one = Math.max(1, System.nanoTime() - t0);
        int inner = (int) Math.max(1, Math.min(1_000_000, minRunNs / one));
        long[] ns = new long[repeats];
        for (int r = 0; r < repeats; r++) {
            long t = System.nanoTime();
            for (int i = 0; i < inner; i++) work.run();
            ns[r] = (System.nanoTime() - t) / inner;
        }
        return Measurement.of(ns);
    }
}
