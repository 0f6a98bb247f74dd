/**
 * CPU kernels on the JDK Vector API.
 *
 * <p>Entry points: {@link dev.kiln.runtime.cpu.CpuKernelSelector} (a {@link dev.kiln.ops.KernelSelector}: fast
 * kernels for the ops in {@link dev.kiln.runtime.cpu.CpuKernelSelector#OPS}, null otherwise; a selected kernel
 * hands inputs it does not cover to the reference kernel at run time), {@link dev.kiln.runtime.cpu.Sgemm}
 * (SGEMM over MemorySegments with strides, alpha/beta, {@link dev.kiln.runtime.cpu.Epilogue} bias + activation,
 * pre-packed constant B via {@link dev.kiln.runtime.cpu.Sgemm#packB}), {@link dev.kiln.runtime.cpu.KilnPool}
 * (spin-then-park worker team) and {@link dev.kiln.runtime.cpu.GemmTuning} (tuned-or-default blocking, tuner).
 *
 * <p>Discipline: the species is chosen once ({@link dev.kiln.runtime.cpu.VectorConfig}, {@code kiln.vector.bits}
 * = 0|128|256|512); every loop has a scalar tail; vectors never go into arrays or across calls C2 might not
 * inline; micro-kernels are generated (bench/tools/gen_microkernels.py) with one local per accumulator.
 */
package dev.kiln.runtime.cpu;
