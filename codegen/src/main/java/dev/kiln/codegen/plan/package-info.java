/**
 * Static memory planning over an optimized, shape-static graph: {@link dev.kiln.codegen.plan.Liveness}
 * intervals, in-place chains and greedy-by-size best-fit placement into one 64-byte-aligned arena
 * ({@link dev.kiln.codegen.plan.MemoryPlanner}), and a validator ({@link dev.kiln.codegen.plan.MemoryPlan#conflicts}).
 * The interpreter does not allocate from the plan yet; {@code kiln inspect --plan} reports it.
 */
package dev.kiln.codegen.plan;
