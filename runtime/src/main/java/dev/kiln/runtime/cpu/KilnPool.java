package dev.kiln.runtime.cpu;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.IntConsumer;

/**
 * A fixed team of worker threads for data-parallel kernels: {@link #run} splits work into {@code parts} indices;
 * the caller runs part 0 itself and workers run the rest.
 *
 * <p>Why not an ExecutorService: kernels are short (tens of microseconds) and back to back, and waking a parked
 * thread costs about as much as the work. Workers therefore spin for a while after each task before parking,
 * so a sequence of kernels keeps them hot; an idle pool costs nothing once they park. One thread means no
 * workers at all: everything runs inline.
 */
public final class KilnPool implements AutoCloseable {
    /** Spin this long (ns) waiting for the next task before parking. */
    private static final long SPIN_NS = Long.getLong("kiln.pool.spinNanos", 2_000_000L);

    private static volatile KilnPool shared;

    private final int threads;
    private final Worker[] workers;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicBoolean busy = new AtomicBoolean();
    /**
     * The current task, its part count and generation, published together in one volatile write. Separate volatile
     * fields let a worker that was not part of run A (index >= A's parts), descheduled between reading A's
     * generation and reading the part count, see the next run B's count and task: it then ran B's part twice and
     * counted it down twice, so B's caller could return while another worker was still writing its part.
     */
    private record Job(IntConsumer body, int parts, long generation) {}

    private volatile Job job;
    private long generation;   // written only by the caller holding the busy flag
    private volatile boolean closed;

    public KilnPool(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.threads = threads;
        this.workers = new Worker[threads - 1];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker(i + 1);
            workers[i].start();
        }
    }

    /** The process-wide pool sized by {@code -Dkiln.threads} or the available processors. */
    public static KilnPool shared() {
        KilnPool p = shared;
        if (p == null) {
            synchronized (KilnPool.class) {
                p = shared;
                if (p == null) shared = p = new KilnPool(Integer.getInteger("kiln.threads", Runtime.getRuntime().availableProcessors()));
            }
        }
        return p;
    }

    public int threads() { return threads; }

    /**
     * Runs {@code body.accept(i)} for every i in [0, parts), parts <= threads, and returns when all are done.
     * Part 0 runs on the calling thread. Re-entrant calls and calls racing from other threads run inline.
     */
    public void run(int parts, IntConsumer body) {
        if (parts <= 1 || workers.length == 0) {
            for (int i = 0; i < parts; i++) body.accept(i);
            return;
        }
        if (parts > threads) throw new IllegalArgumentException(parts + " parts on a pool of " + threads + " threads");
        if (Thread.currentThread() instanceof Worker || !tryLock()) {
            for (int i = 0; i < parts; i++) body.accept(i);
            return;
        }
        try {
            pending.set(parts - 1);
            this.job = new Job(body, parts, ++generation);
            for (int w = 0; w < parts - 1; w++) LockSupport.unpark(workers[w]);
            Throwable failure = null;
            try {
                body.accept(0);
            } catch (Throwable t) {
                failure = t;
            }
            while (pending.get() > 0) Thread.onSpinWait();
            for (int w = 0; w < parts - 1; w++) {
                Throwable t = workers[w].failure;
                if (t != null) { workers[w].failure = null; if (failure == null) failure = t; }
            }
            this.job = null;   // do not keep the kernel's closure (and the buffers it captured) reachable
            if (failure instanceof RuntimeException re) throw re;
            if (failure instanceof Error er) throw er;
            if (failure != null) throw new RuntimeException(failure);
        } finally {
            busy.set(false);
        }
    }

    private boolean tryLock() { return busy.compareAndSet(false, true); }

    @Override public void close() {
        closed = true;
        for (Worker w : workers) LockSupport.unpark(w);
    }

    private final class Worker extends Thread {
        private final int index;
        volatile Throwable failure;

        Worker(int index) {
            super("kiln-cpu-" + index);
            this.index = index;
            setDaemon(true);
        }

        @Override public void run() {
            long seen = 0;
            while (!closed) {
                Job j = job;
                if (j == null || j.generation() == seen) {
                    long spinUntil = System.nanoTime() + SPIN_NS;
                    while (((j = job) == null || j.generation() == seen) && !closed) {
                        if (System.nanoTime() < spinUntil) Thread.onSpinWait();
                        else LockSupport.parkNanos(this, 50_000_000L);
                    }
                    if (closed) return;
                }
                seen = j.generation();
                // A stale job is harmless: if this worker had a part in it, that run could not have finished.
                if (index < j.parts()) {
                    try {
                        j.body().accept(index);
                    } catch (Throwable t) {
                        failure = t;
                    }
                    pending.decrementAndGet();
                }
            }
        }
    }
}
