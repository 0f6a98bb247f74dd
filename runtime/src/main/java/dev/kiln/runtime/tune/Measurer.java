package dev.kiln.runtime.tune;

/**
 * Times a piece of work: warm-up runs (JIT, caches), then {@code repeats} timed runs, each run repeated enough
 * times to last at least {@code minRunNs} so short kernels are not lost in timer resolution.
 *
 * <p>{@code threadCpuTime} times with the calling thread's CPU clock instead of the wall clock: for work that
 * runs entirely on the calling thread it ignores time spent descheduled, which keeps rankings stable on a
 * machine shared with other processes. Multi-threaded work must use the wall clock.
 */
public record Measurer(int warmups, int repeats, long minRunNs, boolean threadCpuTime) {
    public Measurer {
        if (warmups < 0 || repeats < 1 || minRunNs < 0) throw new IllegalArgumentException("bad measurer settings");
    }

    public Measurer(int warmups, int repeats, long minRunNs) { this(warmups, repeats, minRunNs, false); }

    public static Measurer standard() { return new Measurer(3, 7, 2_000_000L); }

    /** The same measurer with {@code repeats} timed runs (successive halving raises it for the survivors). */
    public Measurer withRepeats(int r) { return new Measurer(warmups, r, minRunNs, threadCpuTime); }

    /** The same measurer on the calling thread's CPU clock (or back on the wall clock). */
    public Measurer withThreadCpuTime(boolean on) { return new Measurer(warmups, repeats, minRunNs, on); }

    private static final java.lang.management.ThreadMXBean MX = java.lang.management.ManagementFactory.getThreadMXBean();

    private long now() { return threadCpuTime ? MX.getCurrentThreadCpuTime() : System.nanoTime(); }

    /** Median time of one execution of {@code work}, in ns. */
    public Measurement measure(Runnable work) {
        for (int i = 0; i < warmups; i++) work.run();
        long t0 = now();
        work.run();
        long one = Math.max(1, now() - t0);
        int inner = (int) Math.max(1, Math.min(1_000_000, minRunNs / one));
        long[] ns = new long[repeats];
        for (int r = 0; r < repeats; r++) {
            long t = now();
            for (int i = 0; i < inner; i++) work.run();
            ns[r] = (now() - t) / inner;
        }
        return Measurement.of(ns);
    }
}
