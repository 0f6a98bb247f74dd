package dev.kiln.runtime.tune;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * Identifies the machine a tuning result is valid for: CPU model and SIMD flags (from /proc/cpuinfo where it
 * exists), core count, JDK feature version and the vector width in use. GPU backends build their own with
 * {@link #of}.
 */
public record DeviceFingerprint(String kind, String model, String flags, int cores, String jdk, String extra) {
    /** A stable single-string key for the database. */
    public String key() { return kind + "|" + model + "|" + flags + "|" + cores + "|jdk" + jdk + "|" + extra; }

    public static DeviceFingerprint of(String kind, String model, String flags, int cores, String extra) {
        return new DeviceFingerprint(kind, model, flags, cores, String.valueOf(Runtime.version().feature()), extra);
    }

    /** This CPU; {@code vectorBits} is the species width the kernels run with. */
    public static DeviceFingerprint cpu(int vectorBits) {
        String model = System.getProperty("os.arch"), flags = "";
        try {
            Path p = Path.of("/proc/cpuinfo");
            if (Files.isReadable(p)) {
                for (String line : Files.readAllLines(p)) {
                    int c = line.indexOf(':');
                    if (c < 0) continue;
                    String k = line.substring(0, c).trim(), v = line.substring(c + 1).trim();
                    if (k.equals("model name") && model.equals(System.getProperty("os.arch"))) model = v;
                    if (k.equals("flags") && flags.isEmpty()) flags = simdFlags(v);
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // no cpuinfo (macOS, sandbox): the arch name alone still separates machines coarsely
        }
        return of("cpu", model, flags, Runtime.getRuntime().availableProcessors(), "v" + vectorBits);
    }

    /** Only the flags that change kernel speed, so microcode or kernel updates do not void the database. */
    private static String simdFlags(String all) {
        return Arrays.stream(all.split("\\s+"))
                .filter(f -> f.startsWith("avx") || f.startsWith("fma") || f.startsWith("sse4") || f.startsWith("amx") || f.equals("f16c"))
                .sorted().collect(Collectors.joining(","));
    }
}
