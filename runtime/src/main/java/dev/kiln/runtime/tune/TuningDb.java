package dev.kiln.runtime.tune;

import dev.kiln.formats.json.Json;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Tuned parameters on disk: a versioned JSON file, {@code tuning.json} under {@code ~/.cache/kiln/} (or the
 * directory {@code -Dkiln.cache} or {@code $KILN_CACHE} names). Each entry is keyed by device fingerprint, kernel name and version
 * (bump the version when a kernel changes so stale winners are ignored), dtype and a shape bucket.
 */
public final class TuningDb {
    public static final String FORMAT = "kiln-tuning";
    public static final int VERSION = 1;

    /** What an entry is valid for. */
    public record Key(String device, String kernel, int kernelVersion, String dtype, String bucket) {}

    /** A stored winner: its parameters and whatever metrics the tuner recorded (gflops, median_ns...). */
    public record Entry(Key key, Map<String, Integer> params, Map<String, Object> metrics) {}

    private final Path file;
    private final Map<Key, Entry> entries = new LinkedHashMap<>();

    private TuningDb(Path file) { this.file = file; }

    public static Path defaultFile() {
        Path base = dev.kiln.runtime.KilnCache.root();
        return base.resolve("tuning.json");
    }

    /**
     * Reads the database; a missing file is an empty database. A file of another format or version, or one
     * that does not parse, throws {@link IllegalStateException} naming the file.
     */
    public static TuningDb load(Path file) {
        TuningDb db = new TuningDb(file);
        if (!Files.exists(file)) return db;
        try {
            Object root = Json.parse(Files.readString(file, StandardCharsets.UTF_8));
            if (!(root instanceof Map<?, ?> m) || !FORMAT.equals(m.get("format")))
                throw new IllegalStateException(file + " is not a Kiln tuning database");
            Object v = m.get("version");
            if (!(v instanceof Number d) || d.doubleValue() != VERSION)
                throw new IllegalStateException(file + " has tuning database version " + v + ", this Kiln reads " + VERSION);
            if (m.get("entries") instanceof List<?> list) {
                for (Object o : list) {
                    if (!(o instanceof Map<?, ?> e)) continue;
                    Key k = new Key(str(e.get("device")), str(e.get("kernel")), num(e.get("kernelVersion")), str(e.get("dtype")), str(e.get("bucket")));
                    Map<String, Integer> params = new LinkedHashMap<>();
                    if (e.get("params") instanceof Map<?, ?> pm) for (var pe : pm.entrySet()) params.put(str(pe.getKey()), num(pe.getValue()));
                    Map<String, Object> metrics = new LinkedHashMap<>();
                    if (e.get("metrics") instanceof Map<?, ?> mm) for (var me : mm.entrySet()) metrics.put(str(me.getKey()), me.getValue());
                    db.entries.put(k, new Entry(k, params, metrics));
                }
            }
            return db;
        } catch (IOException | IllegalArgumentException | dev.kiln.formats.json.JsonException e) {
            throw new IllegalStateException("cannot read tuning database " + file + ": " + e.getMessage(), e);
        }
    }

    private static String str(Object o) {
        if (!(o instanceof String s)) throw new IllegalArgumentException("expected a string, got " + o);
        return s;
    }

    private static int num(Object o) {
        if (!(o instanceof Number d) || d.doubleValue() != Math.rint(d.doubleValue())) throw new IllegalArgumentException("expected an integer, got " + o);
        return d.intValue();
    }

    public Path file() { return file; }
    public int size() { return entries.size(); }
    public Entry find(Key key) { return entries.get(key); }
    public List<Entry> entries() { return List.copyOf(entries.values()); }

    public void put(Key key, Map<String, Integer> params, Map<String, Object> metrics) {
        entries.put(key, new Entry(key, java.util.Collections.unmodifiableMap(new LinkedHashMap<>(params)), new LinkedHashMap<>(metrics)));
    }

    /** Writes the file atomically (temp file, then rename), creating the directory. */
    public void save() throws IOException {
        List<Object> list = new ArrayList<>();
        for (Entry e : entries.values()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("device", e.key.device());
            m.put("kernel", e.key.kernel());
            m.put("kernelVersion", e.key.kernelVersion());
            m.put("dtype", e.key.dtype());
            m.put("bucket", e.key.bucket());
            m.put("params", new LinkedHashMap<>(e.params));
            m.put("metrics", e.metrics);
            list.add(m);
        }
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("format", FORMAT);
        root.put("version", VERSION);
        root.put("entries", list);
        Path dir = file.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, "tuning", ".tmp");
        Files.writeString(tmp, Json.writePretty(root), StandardCharsets.UTF_8);
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Rounds a size up to the next bucket boundary (1, 2, 3, 4, 6, 8, 12, 16, 24, ...: two significant bits) so
     * nearby shapes share a tuned entry while common model sizes (384, 768, 1536) keep their own.
     */
    public static long bucket(long x) {
        if (x <= 4) return Math.max(x, 0);
        long hi = Long.highestOneBit(x);
        if (x == hi) return x;
        long mid = hi + hi / 2;
        return x <= mid ? mid : hi * 2;
    }
}
