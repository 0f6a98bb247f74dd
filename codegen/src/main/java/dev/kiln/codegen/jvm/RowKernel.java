package dev.kiln.codegen.jvm;

import java.lang.foreign.MemorySegment;

/**
 * A generated fused-elementwise row: {@code out[outStart + i] = f(in_k[starts[k] + i * s_k])} for
 * {@code i < len}, f32 elements, where {@code s_k} (0 or 1) was fixed when the kernel was generated. Offsets are
 * in elements. Vectors never cross this call: all vector work happens inside one generated method.
 */
public interface RowKernel {
    void row(MemorySegment[] ins, long[] starts, MemorySegment out, long outStart, long len);
}
