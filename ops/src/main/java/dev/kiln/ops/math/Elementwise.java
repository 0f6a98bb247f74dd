package dev.kiln.ops.math;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.function.DoubleUnaryOperator;
import java.util.function.LongUnaryOperator;

/**
 * Elementwise application over broadcast operands. Floating types compute in double and round once on store
 * (exact for +,-,*,/,sqrt of f32/f16/bf16 and at least as accurate as the narrow type elsewhere); integer types
 * compute in long and wrap to the output width on store, as fixed-width integer arithmetic does.
 */
public final class Elementwise {
    private Elementwise() {}

    @FunctionalInterface public interface DD { double apply(double a, double b); }
    @FunctionalInterface public interface LL { long apply(long a, long b); }
    /** A double predicate/producer with a long (0/1 or integer) result, for comparisons into bool. */
    @FunctionalInterface public interface DL { long apply(double a, double b); }

    /** Little-endian f32 access for the float32 fast paths (the dominant case in real models). */
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN);

    public static Tensor mapDouble(Tensor x, DType outType, DoubleUnaryOperator f) {
        Tensor out = Tensor.allocate(outType, x.shape());
        long n = x.numel();
        if (x.isContiguous() && x.dtype() == DType.F32 && outType == DType.F32) {
            MemorySegment src = x.segment(), dst = out.segment();
            long off = x.offset() * 4;
            for (long i = 0; i < n; i++) dst.set(F32, i * 4, (float) f.applyAsDouble(src.get(F32, off + i * 4)));
        } else if (x.isContiguous()) {
            long off = x.offset();
            for (long i = 0; i < n; i++) out.writeDouble(i, f.applyAsDouble(x.readDouble(off + i)));
        } else {
            for (long i = 0; i < n; i++) out.writeDouble(i, f.applyAsDouble(x.getDouble(i)));
        }
        return out;
    }

    public static Tensor mapLong(Tensor x, DType outType, LongUnaryOperator f) {
        Tensor out = Tensor.allocate(outType, x.shape());
        long n = x.numel();
        if (x.isContiguous()) {
            long off = x.offset();
            for (long i = 0; i < n; i++) out.writeLong(i, f.applyAsLong(x.readLong(off + i)));
        } else {
            for (long i = 0; i < n; i++) out.writeLong(i, f.applyAsLong(x.getLong(i)));
        }
        return out;
    }

    /** Maps a double input to a long-valued output (predicates into bool, float-to-int). */
    public static Tensor mapDoubleToLong(Tensor x, DType outType, java.util.function.DoubleToLongFunction f) {
        Tensor out = Tensor.allocate(outType, x.shape());
        long n = x.numel();
        for (long i = 0; i < n; i++) out.writeLong(i, f.applyAsLong(x.getDouble(i)));
        return out;
    }

    public static Tensor zipDouble(Tensor a, Tensor b, DType outType, DD f) {
        Shape s = Shape.broadcast(a.shape(), b.shape());
        Tensor out = Tensor.allocate(outType, s);
        long[] sa = Broadcasting.alignedStrides(a, s), sb = Broadcasting.alignedStrides(b, s);
        long ia = Broadcasting.innerStride(sa), ib = Broadcasting.innerStride(sb);
        if (a.dtype() == DType.F32 && b.dtype() == DType.F32 && outType == DType.F32) {
            MemorySegment ma = a.segment(), mb = b.segment(), mo = out.segment();
            Broadcasting.forEachRow(s, new long[][] {sa, sb}, new long[] {a.offset(), b.offset()}, (o, st, len) -> {
                long pa = st[0] * 4, pb = st[1] * 4, sa4 = ia * 4, sb4 = ib * 4, q = o * 4;
                for (long j = 0; j < len; j++, pa += sa4, pb += sb4, q += 4)
                    mo.set(F32, q, (float) f.apply(ma.get(F32, pa), mb.get(F32, pb)));
            });
            return out;
        }
        Broadcasting.forEachRow(s, new long[][] {sa, sb}, new long[] {a.offset(), b.offset()}, (o, st, len) -> {
            long pa = st[0], pb = st[1];
            for (long j = 0; j < len; j++, pa += ia, pb += ib) out.writeDouble(o + j, f.apply(a.readDouble(pa), b.readDouble(pb)));
        });
        return out;
    }

    public static Tensor zipLong(Tensor a, Tensor b, DType outType, LL f) {
        Shape s = Shape.broadcast(a.shape(), b.shape());
        Tensor out = Tensor.allocate(outType, s);
        long[] sa = Broadcasting.alignedStrides(a, s), sb = Broadcasting.alignedStrides(b, s);
        long ia = Broadcasting.innerStride(sa), ib = Broadcasting.innerStride(sb);
        Broadcasting.forEachRow(s, new long[][] {sa, sb}, new long[] {a.offset(), b.offset()}, (o, st, len) -> {
            long pa = st[0], pb = st[1];
            for (long j = 0; j < len; j++, pa += ia, pb += ib) out.writeLong(o + j, f.apply(a.readLong(pa), b.readLong(pb)));
        });
        return out;
    }

    /** Double inputs, long-valued output (comparisons into bool). */
    public static Tensor zipDoubleToLong(Tensor a, Tensor b, DType outType, DL f) {
        Shape s = Shape.broadcast(a.shape(), b.shape());
        Tensor out = Tensor.allocate(outType, s);
        long[] sa = Broadcasting.alignedStrides(a, s), sb = Broadcasting.alignedStrides(b, s);
        long ia = Broadcasting.innerStride(sa), ib = Broadcasting.innerStride(sb);
        Broadcasting.forEachRow(s, new long[][] {sa, sb}, new long[] {a.offset(), b.offset()}, (o, st, len) -> {
            long pa = st[0], pb = st[1];
            for (long j = 0; j < len; j++, pa += ia, pb += ib) out.writeLong(o + j, f.apply(a.readDouble(pa), b.readDouble(pb)));
        });
        return out;
    }

    /** String inputs compared elementwise into a long-valued output. */
    public static Tensor zipStrings(Tensor a, Tensor b, DType outType, java.util.function.ToLongBiFunction<String, String> f) {
        Shape s = Shape.broadcast(a.shape(), b.shape());
        Tensor ea = a.expand(s), eb = b.expand(s);
        Tensor out = Tensor.allocate(outType, s);
        long n = s.numel();
        for (long i = 0; i < n; i++) out.writeLong(i, f.applyAsLong(ea.getString(i), eb.getString(i)));
        return out;
    }

    /**
     * Copies the raw element at physical position {@code p} of {@code src} to position {@code q} of {@code dst}
     * (same dtype); strings copy the reference.
     */
    public static void copyElement(Tensor src, long p, Tensor dst, long q) {
        DType t = src.dtype();
        if (t == DType.STRING) throw new IllegalArgumentException("copyElement does not handle strings");
        MemorySegment s = src.segment(), d = dst.segment();
        switch (t.byteSize()) {
            case 1 -> d.set(ValueLayout.JAVA_BYTE, q, s.get(ValueLayout.JAVA_BYTE, p));
            case 2 -> d.set(ValueLayout.JAVA_SHORT_UNALIGNED, q * 2, s.get(ValueLayout.JAVA_SHORT_UNALIGNED, p * 2));
            case 4 -> d.set(ValueLayout.JAVA_INT_UNALIGNED, q * 4, s.get(ValueLayout.JAVA_INT_UNALIGNED, p * 4));
            default -> d.set(ValueLayout.JAVA_LONG_UNALIGNED, q * 8, s.get(ValueLayout.JAVA_LONG_UNALIGNED, p * 8));
        }
    }
}
