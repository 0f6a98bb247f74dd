package dev.kiln.runtime.backend;

import dev.kiln.ops.KernelSelector;
import dev.kiln.runtime.SessionOptions;

/** The scalar reference kernels: slow, always available, the oracle every other backend is checked against. */
public final class ReferenceBackend implements Backend {
    public static final String NAME = "reference";

    @Override public String name() { return NAME; }
    @Override public boolean available() { return true; }
    @Override public KernelSelector selector(SessionOptions options) { return KernelSelector.REFERENCE; }
    @Override public String describe() { return "reference (scalar Java kernels, the correctness oracle)"; }
}
