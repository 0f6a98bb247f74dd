package dev.kiln.runtime.tune;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;

/**
 * A tuning search space: named integer parameters, each with its candidate values, and a validity constraint
 * (for example "the register tile exists" or "the GPU block fits in shared memory"). Backend-neutral.
 */
public final class SearchSpace {
    private final Map<String, int[]> params = new LinkedHashMap<>();
    private Predicate<Config> valid = c -> true;

    public SearchSpace param(String name, int... values) {
        if (values.length == 0) throw new IllegalArgumentException("parameter " + name + " has no values");
        params.put(name, values.clone());
        return this;
    }

    public SearchSpace constraint(Predicate<Config> p) {
        valid = valid.and(p);
        return this;
    }

    public List<String> names() { return List.copyOf(params.keySet()); }

    public boolean isValid(Config c) { return valid.test(c); }

    /** Every valid configuration, in lexicographic order of the parameter values. */
    public List<Config> all() {
        List<Config> out = new ArrayList<>();
        List<String> names = names();
        int[] idx = new int[names.size()];
        while (true) {
            Map<String, Integer> m = new LinkedHashMap<>();
            for (int i = 0; i < idx.length; i++) m.put(names.get(i), params.get(names.get(i))[idx[i]]);
            Config c = new Config(m);
            if (valid.test(c)) out.add(c);
            int d = idx.length - 1;
            while (d >= 0 && ++idx[d] == params.get(names.get(d)).length) idx[d--] = 0;
            if (d < 0) return out;
        }
    }

    /** A random valid configuration (null after many invalid draws). */
    public Config random(Random r) {
        for (int attempt = 0; attempt < 1000; attempt++) {
            Map<String, Integer> m = new LinkedHashMap<>();
            for (var e : params.entrySet()) m.put(e.getKey(), e.getValue()[r.nextInt(e.getValue().length)]);
            Config c = new Config(m);
            if (valid.test(c)) return c;
        }
        return null;
    }

    /** One parameter moved to a neighbouring value (for evolutionary search); may be invalid. */
    public Config mutate(Config c, Random r) {
        List<String> names = names();
        String n = names.get(r.nextInt(names.size()));
        int[] vals = params.get(n);
        int at = 0;
        for (int i = 0; i < vals.length; i++) if (vals[i] == c.get(n)) at = i;
        int to = Math.max(0, Math.min(vals.length - 1, at + (r.nextBoolean() ? 1 : -1)));
        return c.with(n, vals[to]);
    }

    /** One configuration: parameter name to value. */
    public record Config(Map<String, Integer> values) {
        public Config { values = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(values)); }

        public int get(String name) {
            Integer v = values.get(name);
            if (v == null) throw new IllegalArgumentException("no parameter " + name);
            return v;
        }

        public Config with(String name, int v) {
            Map<String, Integer> m = new LinkedHashMap<>(values);
            m.put(name, v);
            return new Config(m);
        }

        @Override public String toString() { return values.toString(); }
    }
}
