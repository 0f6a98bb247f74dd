package dev.kiln.runtime.backend;

import dev.kiln.ops.KernelSelector;
import dev.kiln.runtime.SessionOptions;

import java.util.Set;

/**
 * The default backend: Vector API kernels on the JVM's CPU, reference kernels for every node they do not
 * cover. Always available, which makes it the fallback for unavailable backends.
 *
 * <p>The fast kernels live in {@code dev.kiln.runtime.cpu} (owned by the CPU-kernels work); until they are
 * plugged in here, {@link #selector} answers the reference kernels.
 */
public final class CpuBackend implements Backend {
    public static final String NAME = "cpu";

    @Override public String name() { return NAME; }
    @Override public boolean available() { return true; }

    @Override public KernelSelector selector(SessionOptions options) {
        return KernelSelector.REFERENCE;
    }

    @Override public String describe() {
        return "cpu (" + Runtime.getRuntime().availableProcessors() + " cores, Vector API kernels where available)";
    }

    @Override public Set<String> optimizedOps() { return Set.of(); }
}
