package dev.kiln.runtime;

import java.nio.file.Path;

/** Where Kiln keeps what it learns or fetches per machine: models, tuning databases. */
public final class KilnCache {
    private KilnCache() {}

    /** {@code -Dkiln.cache}, else {@code $KILN_CACHE}, else {@code ~/.cache/kiln}. */
    public static Path root() {
        String p = System.getProperty("kiln.cache");
        if (p == null || p.isBlank()) p = System.getenv("KILN_CACHE");
        return p != null && !p.isBlank() ? Path.of(p) : Path.of(System.getProperty("user.home"), ".cache", "kiln");
    }
}
