package dev.kiln.ops;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * All op schemas, keyed by (domain, op type) and then by since-version. {@link #lookup} picks the schema whose
 * since-version is the greatest not above the model's opset, as ONNX versioning prescribes.
 */
public final class OpRegistry {
    private final Map<String, TreeMap<Integer, OpSchema>> byKey = new TreeMap<>();

    private static final class Standard {
        static final OpRegistry INSTANCE = build();

        private static OpRegistry build() {
            OpRegistry r = new OpRegistry();
            for (OpFamily f : StandardFamilies.ALL) f.register(r);
            return r;
        }
    }

    /** The registry of every op Kiln implements (built once, immutable after). */
    public static OpRegistry standard() { return Standard.INSTANCE; }

    private static String key(String domain, String opType) {
        String d = domain == null || domain.equals("ai.onnx") ? "" : domain;
        return d + "::" + opType;
    }

    void add(OpSchema s) {
        TreeMap<Integer, OpSchema> versions = byKey.computeIfAbsent(key(s.domain(), s.opType()), k -> new TreeMap<>());
        if (versions.putIfAbsent(s.sinceVersion(), s) != null)
            throw new IllegalStateException("duplicate schema " + s.opType() + " since " + s.sinceVersion());
    }

    /** The schema for this op at the model's opset version for its domain, or null when Kiln has none. */
    public OpSchema lookup(String domain, String opType, int opsetVersion) {
        TreeMap<Integer, OpSchema> versions = byKey.get(key(domain, opType));
        if (versions == null) return null;
        Map.Entry<Integer, OpSchema> e = versions.floorEntry(opsetVersion < 0 ? Integer.MAX_VALUE : opsetVersion);
        return e == null ? null : e.getValue();
    }

    public boolean knows(String domain, String opType) { return byKey.containsKey(key(domain, opType)); }

    /** Every schema, sorted by domain, op type and version. */
    public List<OpSchema> all() {
        List<OpSchema> out = new ArrayList<>();
        for (TreeMap<Integer, OpSchema> v : byKey.values()) out.addAll(v.values());
        return Collections.unmodifiableList(out);
    }

    public Collection<String> opTypes() {
        List<String> out = new ArrayList<>();
        for (String k : byKey.keySet()) out.add(k.startsWith("::") ? k.substring(2) : k.replace("::", "."));
        return out;
    }
}
