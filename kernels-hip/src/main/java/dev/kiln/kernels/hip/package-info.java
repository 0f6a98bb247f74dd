/**
 * AMD ROCm/HIP backend (not implemented yet).
 *
 * <p>What belongs here: a {@code runtime} backend that binds the HIP runtime through the Foreign Function &amp;
 * Memory API (no JNI, no third-party bindings), device memory management and HIP kernels. Like
 * {@code kernels-cuda} it depends on {@code runtime}, never the other way round, and is discovered through the
 * runtime's backend SPI. Every kernel is checked against the reference interpreter.
 */
package dev.kiln.kernels.hip;
