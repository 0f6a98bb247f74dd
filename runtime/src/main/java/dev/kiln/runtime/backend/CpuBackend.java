package dev.kiln.runtime.backend;

import dev.kiln.ops.KernelSelector;
import dev.kiln.runtime.SessionOptions;
import dev.kiln.runtime.cpu.CpuKernelSelector;

import java.util.Set;

/**
 * The default backend: Vector API kernels on the JVM's CPU, reference kernels for every node they do not
 * cover. Always available, which makes it the fallback for unavailable backends.
 * The fast kernels live in {@code dev.kiln.runtime.cpu}; each falls back to the reference kernel for inputs it
 * does not cover (dtypes, layouts).
 */
public final class CpuBackend implements Backend {
    public static final String NAME = "cpu";

    @Override public String name() { return NAME; }
    @Override public boolean available() { return true; }

    @Override public KernelSelector selector(SessionOptions options) {
        return new CpuKernelSelector(options.threads());
    }

    @Override public String describe() {
        return "cpu (" + Runtime.getRuntime().availableProcessors() + " cores, Vector API kernels where available)";
    }

    @Override public Set<String> optimizedOps() { return CpuKernelSelector.OPS; }
}
