package dev.kiln.runtime.backend;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.ServiceConfigurationError;
import java.util.ServiceLoader;
import java.util.function.Consumer;

/** Finds backends: the built-in ones plus whatever {@link ServiceLoader} discovers on the class path. */
public final class Backends {
    private Backends() {}

    /** Every known backend by name, built-ins first; a broken provider is skipped, not fatal. */
    public static Map<String, Backend> all() {
        Map<String, Backend> out = new LinkedHashMap<>();
        out.put(CpuBackend.NAME, new CpuBackend());
        out.put(ReferenceBackend.NAME, new ReferenceBackend());
        var it = ServiceLoader.load(Backend.class, Backends.class.getClassLoader()).iterator();
        while (true) {
            try {
                if (!it.hasNext()) break;
                Backend b = it.next();
                out.putIfAbsent(b.name().toLowerCase(Locale.ROOT), b);
            } catch (ServiceConfigurationError e) {
                // A GPU jar whose native prerequisites fail to link must not break CPU inference.
            }
        }
        return out;
    }

    /**
     * The backend called {@code name}, or the CPU backend when it is unknown or unavailable here, in which case
     * {@code notice} receives one line saying so.
     */
    public static Backend resolve(String name, Consumer<String> notice) {
        Map<String, Backend> all = all();
        String key = name.toLowerCase(Locale.ROOT);
        Backend b = all.get(key);
        if (b != null && safeAvailable(b)) return b;
        List<String> usable = new ArrayList<>();
        for (Backend x : all.values()) if (safeAvailable(x)) usable.add(x.name());
        String why = b == null ? "is not installed" : "is unavailable on this machine";
        notice.accept("kiln: backend '" + name + "' " + why + "; using cpu (available: " + String.join(", ", usable) + ")");
        return all.get(CpuBackend.NAME);
    }

    private static boolean safeAvailable(Backend b) {
        try {
            return b.available();
        } catch (RuntimeException | LinkageError e) {
            return false;
        }
    }
}
