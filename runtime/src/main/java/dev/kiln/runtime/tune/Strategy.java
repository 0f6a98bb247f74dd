package dev.kiln.runtime.tune;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/** How the tuner walks a {@link SearchSpace}. Every strategy only ranks candidates the evaluator accepted. */
public interface Strategy {
    Result search(SearchSpace space, Evaluator evaluator, Measurer measurer, Progress progress);

    /**
     * Measures one candidate; returns null to reject it (its output did not match the reference, or it failed).
     */
    @FunctionalInterface
    interface Evaluator {
        Measurement evaluate(SearchSpace.Config config, Measurer measurer);
    }

    /** The winner (null when every candidate was rejected) and how many were measured and rejected. */
    record Result(SearchSpace.Config best, Measurement measurement, int measured, int rejected) {}

    static Strategy exhaustive() { return (space, ev, m, p) -> rank(space.all(), ev, m, p); }

    /** {@code count} distinct random valid configurations. */
    static Strategy random(int count, long seed) {
        return (space, ev, m, p) -> {
            Random r = new Random(seed);
            Set<SearchSpace.Config> picks = new LinkedHashSet<>();
            for (int i = 0; i < count * 20 && picks.size() < count; i++) {
                SearchSpace.Config c = space.random(r);
                if (c != null) picks.add(c);
            }
            return rank(new ArrayList<>(picks), ev, m, p);
        };
    }

    /**
     * Successive halving: measure every candidate (all valid ones, or {@code initial} random ones when the
     * space is larger) cheaply, keep the best third, measure the survivors with three times the repeats, and so
     * on until one is left. Spends the measuring time where the ranking is close.
     */
    static Strategy successiveHalving(int initial, long seed) {
        return (space, ev, m, p) -> {
            List<SearchSpace.Config> all = space.all();
            List<SearchSpace.Config> pool = all;
            if (all.size() > initial) {
                List<SearchSpace.Config> shuffled = new ArrayList<>(all);
                java.util.Collections.shuffle(shuffled, new Random(seed));
                pool = shuffled.subList(0, initial);
            }
            int total = 0;
            for (int n = pool.size(); n > 1; n = Math.max(1, n / 3)) total += n;
            total = Math.max(total, 1);
            int done = 0, measured = 0, rejected = 0;
            Measurer cur = m.withRepeats(Math.max(3, m.repeats() / 3));
            List<Scored> alive = new ArrayList<>();
            for (SearchSpace.Config c : pool) alive.add(new Scored(c, null));
            while (true) {
                List<Scored> next = new ArrayList<>();
                for (Scored s : alive) {
                    Measurement r = ev.evaluate(s.config, cur);
                    measured++;
                    if (r == null) rejected++; else next.add(new Scored(s.config, r));
                    p.update(Math.min(++done, total), total, s.config.toString());
                }
                next.sort(Comparator.comparingDouble(x -> x.m.medianNs()));
                if (next.size() <= 1) {
                    Scored best = next.isEmpty() ? null : next.get(0);
                    return new Result(best == null ? null : best.config, best == null ? null : best.m, measured, rejected);
                }
                alive = next.subList(0, Math.max(1, next.size() / 3));
                if (alive.size() == 1) return new Result(alive.get(0).config, alive.get(0).m, measured, rejected);
                cur = cur.withRepeats(cur.repeats() * 3);
            }
        };
    }

    private static Result rank(List<SearchSpace.Config> configs, Evaluator ev, Measurer m, Progress p) {
        SearchSpace.Config best = null;
        Measurement bestM = null;
        int rejected = 0, done = 0;
        for (SearchSpace.Config c : configs) {
            Measurement r = ev.evaluate(c, m);
            if (r == null) rejected++;
            else if (bestM == null || r.medianNs() < bestM.medianNs()) { best = c; bestM = r; }
            p.update(++done, configs.size(), c.toString());
        }
        return new Result(best, bestM, configs.size(), rejected);
    }

    record Scored(SearchSpace.Config config, Measurement m) {}
}
