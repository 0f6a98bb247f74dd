package dev.kiln.runtime.backend;

import dev.kiln.ops.KernelSelector;
import dev.kiln.runtime.SessionOptions;

import java.util.Set;

/**
 * A place to run kernels (the JVM's CPU, a GPU). Implementations are found with {@link java.util.ServiceLoader}
 * ({@code META-INF/services/dev.kiln.runtime.backend.Backend}), so GPU modules plug in without the runtime
 * depending on them. A backend substitutes its kernels through a {@link KernelSelector}; nodes it does not cover
 * get the reference kernel.
 */
public interface Backend {
    /** Short lower-case name users select it by ("cpu", "reference", "cuda"). */
    String name();

    /** Whether it can run here and now (a GPU backend checks for its driver and a device). Never throws. */
    boolean available();

    /** The kernel choice for a session; called once per session, after {@link #available()} said yes. */
    KernelSelector selector(SessionOptions options);

    /** One line for users: the device and why it is (un)available. */
    default String describe() { return name() + (available() ? "" : " (unavailable)"); }

    /**
     * Ops this backend runs with its own kernels, whether or not it is available on this machine, as
     * {@code OpType} for ai.onnx ops and {@code domain::OpType} for others; {@code docs/OPERATORS.md} lists them.
     */
    default Set<String> optimizedOps() { return Set.of(); }
}
