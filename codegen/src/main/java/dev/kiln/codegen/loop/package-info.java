/**
 * Loop IR: {@link dev.kiln.codegen.loop.ElementLoop}, one fused elementwise row over registers, with each
 * operand's row stride (1 or 0) fixed and loop-invariant registers marked for hoisting. It is the seam between
 * the graph-level program ({@code dev.kiln.ops.fused.FusedElementwiseProgram}) and a code generator
 * ({@code dev.kiln.codegen.jvm}). Row reductions are not expressed yet.
 */
package dev.kiln.codegen.loop;
