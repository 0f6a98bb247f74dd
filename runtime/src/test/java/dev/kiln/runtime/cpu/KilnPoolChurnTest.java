package dev.kiln.runtime.cpu;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicIntegerArray;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Back-to-back runs with varying part counts on one pool: every part runs exactly once per run and is finished
 * when {@link KilnPool#run} returns. (The race fixed in KilnPool — a worker outside one run's parts picking up the
 * next run's part twice — needs a preemption between two reads, so this churn only rarely reaches it; it guards
 * the invariant against regressions; few iterations, since 4 spinning workers on a 2-core machine cost ~3 ms a run.)
 */
class KilnPoolChurnTest {
    @Test void everyPartRunsExactlyOnceBeforeReturn() {
        try (KilnPool pool = new KilnPool(4)) {
            java.util.Random rnd = new java.util.Random(1);
            for (int iter = 0; iter < 300; iter++) {
                int parts = 2 + rnd.nextInt(3);
                AtomicIntegerArray count = new AtomicIntegerArray(4);
                pool.run(parts, i -> {
                    if (i == 2) Thread.yield();   // vary the timing a little
                    count.incrementAndGet(i);
                });
                for (int i = 0; i < 4; i++)
                    assertEquals(i < parts ? 1 : 0, count.get(i), "iteration " + iter + ", parts " + parts + ", part " + i);
            }
        }
    }
}
