/**
 * JVM code generation: {@link dev.kiln.codegen.jvm.KernelEmitter} writes the bytecode of a
 * {@link dev.kiln.codegen.jvm.RowKernel} for an {@code ElementLoop} with {@code java.lang.classfile}
 * (Vector API main loop with a constant species, scalar tail matching the reference), and
 * {@link dev.kiln.codegen.jvm.KernelCompiler} defines it as a hidden class, cached by program text, broadcast
 * pattern and vector width. {@link dev.kiln.codegen.jvm.GeneratedKernels} is the kernel selector backends put
 * in front of their own.
 */
package dev.kiln.codegen.jvm;
