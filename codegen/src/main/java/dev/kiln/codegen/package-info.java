/**
 * Kiln's compiler: turns a typed {@link dev.kiln.graph.Graph} into faster executable code.
 *
 * <p>What belongs here: graph-to-graph optimisation passes that need op semantics (constant folding, fusion of
 * elementwise chains into their producers, layout choices), the loop-level IR those fused regions lower to, and
 * the lowering of that IR to Java Vector API code. Everything here must produce results the reference interpreter
 * ({@code dev.kiln.ops.interp.Interpreter}) agrees with; tests compare against it.
 *
 * <p>What does not: op definitions and reference kernels (module {@code ops}), file formats ({@code formats}),
 * sessions, backends and the CLI ({@code runtime}), device code ({@code kernels-cuda}, {@code kernels-hip}).
 * Depends only on {@code ops} (and through it {@code graph}, {@code tensor}); no third-party libraries.
 */
package dev.kiln.codegen;
