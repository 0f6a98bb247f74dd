package dev.kiln.runtime.cpu;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.lang.foreign.MemorySegment;

/**
 * ONNX Gather for fixed-width dtypes: for every outer index and every gathered index, one bulk copy of the
 * contiguous inner block (an embedding row for axis 0).
 */
public final class GatherKernel {
    private GatherKernel() {}

    /** Gathers {@code data} along {@code axis} at integer {@code indices}; throws IllegalArgumentException when out of range. */
    public static Tensor gather(Tensor data, Tensor indices, int axis) {
        if (data.dtype() == DType.STRING) throw new IllegalArgumentException("string gather is not handled here");
        if (indices.dtype() != DType.I64 && indices.dtype() != DType.I32) throw new IllegalArgumentException("indices must be int32/int64");
        Shape ds = data.shape();
        int ax = ds.axis(axis);
        long dim = ds.dim(ax);
        long outer = 1, inner = 1;
        for (int i = 0; i < ax; i++) outer *= ds.dim(i);
        for (int i = ax + 1; i < ds.rank(); i++) inner *= ds.dim(i);
        long[] idx = indices.toLongArray();
        for (int i = 0; i < idx.length; i++) {
            long v = idx[i] < 0 ? idx[i] + dim : idx[i];
            if (v < 0 || v >= dim) throw new IllegalArgumentException("index " + idx[i] + " out of range for axis of " + dim);
            idx[i] = v;
        }
        long[] out = new long[ds.rank() - 1 + indices.rank()];
        int o = 0;
        for (int i = 0; i < ax; i++) out[o++] = ds.dim(i);
        for (int i = 0; i < indices.rank(); i++) out[o++] = indices.shape().dim(i);
        for (int i = ax + 1; i < ds.rank(); i++) out[o++] = ds.dim(i);
        Tensor y = Tensor.allocate(data.dtype(), Shape.of(out));
        if (y.numel() == 0) return y;
        Tensor dc = data.contiguous();
        int es = data.dtype().byteSize();
        MemorySegment src = dc.segment(), dst = y.segment();
        long base = dc.offset(), blockBytes = inner * es, at = 0;
        for (long ou = 0; ou < outer; ou++)
            for (long v : idx) {
                MemorySegment.copy(src, (base + (ou * dim + v) * inner) * es, dst, at, blockBytes);
                at += blockBytes;
            }
        return y;
    }
}
