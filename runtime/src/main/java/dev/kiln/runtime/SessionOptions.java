package dev.kiln.runtime;

/**
 * How a {@link Session} compiles and runs a model.
 *
 * @param optLevel graph optimization level: 0 none; 1 clean-ups that keep every op; 2 (the default) adds fusions;
 *                 3 adds layout changes. Every level is held to the same conformance ratchet and MiniLM accuracy
 * @param threads  threads a backend may use for one run (at least 1)
 * @param backend  backend name: "cpu" (Vector API kernels, the default), "reference" (scalar oracle), or a
 *                 discovered one such as "cuda"; an unavailable backend falls back to "cpu" with a notice
 * @param verify   also run every request on the reference interpreter and fail when outputs differ beyond the
 *                 ONNX tolerance; slow, for debugging backends
 */
public record SessionOptions(int optLevel, int threads, String backend, boolean verify) {
    public SessionOptions {
        if (optLevel < 0 || optLevel > 3) throw new IllegalArgumentException("optLevel must be 0..3, got " + optLevel);
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        if (backend == null || backend.isBlank()) throw new IllegalArgumentException("backend name is empty");
    }

    public static SessionOptions defaults() {
        // O2: the fused kernels are where the CPU backend's speed is (MiniLM runs about 10x faster than at O1).
        return new SessionOptions(2, Runtime.getRuntime().availableProcessors(), "cpu", false);
    }

    public SessionOptions withOptLevel(int level) { return new SessionOptions(level, threads, backend, verify); }
    public SessionOptions withThreads(int n) { return new SessionOptions(optLevel, n, backend, verify); }
    public SessionOptions withBackend(String name) { return new SessionOptions(optLevel, threads, name, verify); }
    public SessionOptions withVerify(boolean on) { return new SessionOptions(optLevel, threads, backend, on); }
}
