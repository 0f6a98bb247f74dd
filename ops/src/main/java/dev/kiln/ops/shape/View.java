package dev.kiln.ops.shape;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * A strided window over a tensor's storage, addressed by <em>physical</em> element positions. Layout kernels build
 * views (permute, slice with ONNX clamping, broadcast) and then copy them with {@link #copy}, which walks both
 * sides with precomputed strides: no per-element division and no allocation, and a bulk copy when the innermost
 * axis is dense on both sides. String tensors are made contiguous first so that a physical position minus the
 * base offset is also a logical index (the only access {@link Tensor} offers for strings).
 */
public record View(Tensor base, long offset, long[] dims, long[] strides) {
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public static View of(Tensor t) {
        Tensor b = t.dtype() == DType.STRING ? t.contiguous() : t;
        return new View(b, b.offset(), b.shape().dims(), b.strides());
    }

    public int rank() { return dims.length; }
    public DType dtype() { return base.dtype(); }

    public long numel() {
        long n = 1;
        for (long d : dims) n = Math.multiplyExact(n, d);
        return n;
    }

    /** Output axis i is this view's axis perm[i]. */
    public View permute(int[] perm) {
        long[] d = new long[perm.length], s = new long[perm.length];
        for (int i = 0; i < perm.length; i++) { d[i] = dims[perm[i]]; s[i] = strides[perm[i]]; }
        return new View(base, offset, d, s);
    }

    /** {@code count} elements along {@code axis} starting at {@code first}, {@code step} apart (step may be negative). */
    public View slice(int axis, long first, long count, long step) {
        long[] d = dims.clone(), s = strides.clone();
        d[axis] = count;
        s[axis] = strides[axis] * step;
        return new View(base, count == 0 ? offset : offset + first * strides[axis], d, s);
    }

    /** Numpy broadcast to {@code target} (right-aligned, size-1 axes get stride 0). */
    public View broadcastTo(long[] target) {
        int off = target.length - dims.length;
        long[] s = new long[target.length];
        for (int i = 0; i < target.length; i++) {
            if (i < off) continue;
            long d = dims[i - off];
            if (d == target[i]) s[i] = strides[i - off];
            else if (d != 1) throw new IllegalArgumentException("cannot broadcast dim " + d + " to " + target[i]);
        }
        return new View(base, offset, target.clone(), s);
    }

    /** A dense copy of this view as a new tensor. */
    public Tensor materialize() {
        Tensor out = Tensor.allocate(base.dtype(), Shape.of(dims));
        copy(this, of(out));
        return out;
    }

    /** A dense tensor with these elements: the input itself when it already is one, else a copy. */
    public static Tensor dense(Tensor t) {
        return t.isContiguous() ? t : of(t).materialize();
    }

    /** Copies every element of {@code src} to the same multi-index of {@code dst} (equal dims, equal dtype). */
    public static void copy(View src, View dst) {
        int r0 = src.dims.length;
        if (r0 != dst.dims.length) throw new IllegalArgumentException("rank mismatch in copy");
        long n = 1;
        for (int i = 0; i < r0; i++) {
            if (src.dims[i] != dst.dims[i]) throw new IllegalArgumentException("shape mismatch in copy");
            n *= src.dims[i];
        }
        if (n == 0) return;
        // Coalesce: drop size-1 axes and merge neighbours that are dense with respect to each other on both
        // sides, so a slice or concat of a dense tensor becomes a few long bulk copies.
        long[] dims = new long[r0], ss = new long[r0], ds = new long[r0];
        int r = 0;
        for (int i = 0; i < r0; i++) {
            long d = src.dims[i];
            if (d == 1) continue;
            if (r > 0 && ss[r - 1] == src.strides[i] * d && ds[r - 1] == dst.strides[i] * d) {
                dims[r - 1] *= d;
                ss[r - 1] = src.strides[i];
                ds[r - 1] = dst.strides[i];
            } else {
                dims[r] = d;
                ss[r] = src.strides[i];
                ds[r] = dst.strides[i];
                r++;
            }
        }
        long inner = r == 0 ? 1 : dims[r - 1];
        long sIn = r == 0 ? 0 : ss[r - 1], dIn = r == 0 ? 0 : ds[r - 1];
        long outer = n / inner;
        long[] idx = new long[r];
        long sp = src.offset, dp = dst.offset;
        boolean strings = src.base.dtype() == DType.STRING;
        int es = src.base.dtype().byteSize();
        MemorySegment sseg = strings ? null : src.base.segment(), dseg = strings ? null : dst.base.segment();
        for (long o = 0; o < outer; o++) {
            if (strings) {
                long sb = src.base.offset(), db = dst.base.offset();
                for (long i = 0; i < inner; i++) dst.base.setString(dp + i * dIn - db, src.base.getString(sp + i * sIn - sb));
            } else if (sIn == 1 && dIn == 1) {
                MemorySegment.copy(sseg, sp * es, dseg, dp * es, inner * es);
            } else {
                copyRow(sseg, sp, sIn, dseg, dp, dIn, inner, es);
            }
            for (int k = r - 2; k >= 0; k--) {
                idx[k]++;
                sp += ss[k];
                dp += ds[k];
                if (idx[k] < dims[k]) break;
                sp -= ss[k] * dims[k];
                dp -= ds[k] * dims[k];
                idx[k] = 0;
            }
        }
    }

    private static void copyRow(MemorySegment s, long sp, long ss, MemorySegment d, long dp, long ds, long n, int es) {
        switch (es) {
            case 1 -> { for (long i = 0; i < n; i++) d.set(ValueLayout.JAVA_BYTE, dp + i * ds, s.get(ValueLayout.JAVA_BYTE, sp + i * ss)); }
            case 2 -> { for (long i = 0; i < n; i++) d.set(I16, (dp + i * ds) * 2, s.get(I16, (sp + i * ss) * 2)); }
            case 4 -> { for (long i = 0; i < n; i++) d.set(I32, (dp + i * ds) * 4, s.get(I32, (sp + i * ss) * 4)); }
            case 8 -> { for (long i = 0; i < n; i++) d.set(I64, (dp + i * ds) * 8, s.get(I64, (sp + i * ss) * 8)); }
            default -> { for (long i = 0; i < n; i++) MemorySegment.copy(s, (sp + i * ss) * es, d, (dp + i * ds) * es, es); }
        }
    }

    /**
     * Copies {@code count} consecutive elements between two contiguous tensors, by logical index; the bulk path of
     * gather-like kernels.
     */
    public static void copyElems(Tensor src, long srcIndex, Tensor dst, long dstIndex, long count) {
        if (count <= 0) return;
        if (src.dtype() == DType.STRING) {
            for (long i = 0; i < count; i++) dst.setString(dstIndex + i, src.getString(srcIndex + i));
            return;
        }
        int es = src.dtype().byteSize();
        if (src.isContiguous() && dst.isContiguous()) {
            MemorySegment.copy(src.segment(), (src.offset() + srcIndex) * es, dst.segment(), (dst.offset() + dstIndex) * es, count * es);
            return;
        }
        for (long i = 0; i < count; i++)
            MemorySegment.copy(src.segment(), src.position(srcIndex + i) * es, dst.segment(), dst.position(dstIndex + i) * es, es);
    }
}
