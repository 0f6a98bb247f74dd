package dev.kiln.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Objects;

/**
 * A typed, strided view over memory: dtype + shape + strides + offset over a {@link MemorySegment}.
 *
 * <p>Strides and offset are in elements. Views (reshape, permute, slice, expand, squeeze, unsqueeze) share the
 * segment and never copy; {@link #contiguous()} copies only when the layout is not already row-major dense.
 * Element accessors take a <em>logical</em> flat index in row-major order, whatever the physical layout.
 * All multi-byte values are little-endian, as ONNX, safetensors and GGUF store them, so a mapped file can be
 * wrapped without a copy. String tensors hold Java strings instead of a segment.
 */
public final class Tensor {
    /** Allocation alignment: a cache line, and the widest vector Kiln uses. */
    public static final long ALIGNMENT = 64;

    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private final DType dtype;
    private final Shape shape;
    private final long[] strides;
    private final long offset;
    private final MemorySegment data;   // null for STRING
    private final String[] strings;     // non-null only for STRING
    private final boolean contiguous;

    private Tensor(DType dtype, Shape shape, long[] strides, long offset, MemorySegment data, String[] strings) {
        this.dtype = dtype;
        this.shape = shape;
        this.strides = strides;
        this.offset = offset;
        this.data = data;
        this.strings = strings;
        this.contiguous = Arrays.equals(strides, shape.contiguousStrides()) || shape.numel() <= 1
                || isDenseIgnoringUnitDims(shape, strides);
    }

    private static boolean isDenseIgnoringUnitDims(Shape shape, long[] strides) {
        long expect = 1;
        for (int i = shape.rank() - 1; i >= 0; i--) {
            long d = shape.dim(i);
            if (d == 1) continue;
            if (strides[i] != expect) return false;
            expect *= d;
        }
        return true;
    }

    // ---------------------------------------------------------------- construction

    /** Zero-filled tensor in GC-managed memory (an automatic arena), 64-byte aligned. */
    public static Tensor allocate(DType dtype, Shape shape) {
        return allocate(dtype, shape, RUN_ARENA.isBound() ? RUN_ARENA.get() : Arena.ofAuto());
    }

    /**
     * The arena of the model run in progress on this thread, if any. GC-managed memory is only returned when the
     * collector notices the tensor is gone, which lets a busy process's RSS grow to its direct-memory limit (several
     * GB); a run instead allocates its intermediates here and frees them all when it ends (see {@link #inArena}).
     */
    private static final ScopedValue<Arena> RUN_ARENA = ScopedValue.newInstance();

    /**
     * Runs {@code body} with {@link #allocate(DType, Shape)} on this thread taking memory from {@code arena}. The
     * caller owns the arena and must copy out (with {@link #copy()}) whatever must outlive it.
     */
    public static <T, X extends Throwable> T inArena(Arena arena, ScopedValue.CallableOp<T, X> body) throws X {
        return ScopedValue.where(RUN_ARENA, arena).call(body);
    }

    /** True when this tensor's memory belongs to {@code arena}. */
    public boolean isIn(Arena arena) {
        return data != null && data.scope().equals(arena.scope());
    }

    /** Zero-filled tensor owned by {@code arena}. */
    public static Tensor allocate(DType dtype, Shape shape, Arena arena) {
        if (dtype == DType.STRING) {
            String[] s = new String[shape.numelInt()];
            Arrays.fill(s, "");
            return new Tensor(dtype, shape, shape.contiguousStrides(), 0, null, s);
        }
        MemorySegment seg = arena.allocate(Math.max(shape.byteSize(dtype), 1), ALIGNMENT);
        return new Tensor(dtype, shape, shape.contiguousStrides(), 0, seg, null);
    }

    /** Wraps existing memory (for example a memory-mapped file region) as a dense tensor, without copying. */
    public static Tensor wrap(DType dtype, Shape shape, MemorySegment segment) {
        if (dtype == DType.STRING) throw new IllegalArgumentException("string tensors cannot wrap memory");
        long need = shape.byteSize(dtype);
        if (segment.byteSize() < need)
            throw new IllegalArgumentException("segment of " + segment.byteSize() + " bytes is too small for " + dtype + shape + " (" + need + " bytes)");
        return new Tensor(dtype, shape, shape.contiguousStrides(), 0, segment, null);
    }

    /** A strided view over {@code segment}; every reachable element is bounds-checked up front. */
    public static Tensor wrap(DType dtype, Shape shape, long[] strides, long offset, MemorySegment segment) {
        Objects.requireNonNull(segment);
        if (strides.length != shape.rank()) throw new IllegalArgumentException("strides rank " + strides.length + " != shape rank " + shape.rank());
        if (!shape.isEmpty()) {
            long lo = offset, hi = offset;
            for (int i = 0; i < strides.length; i++) {
                long span = Math.multiplyExact(strides[i], shape.dim(i) - 1);
                if (span < 0) lo += span; else hi += span;
            }
            if (lo < 0 || Math.multiplyExact(hi + 1, (long) dtype.byteSize()) > segment.byteSize())
                throw new IllegalArgumentException("strided view exceeds its segment");
        }
        return new Tensor(dtype, shape, strides.clone(), offset, segment, null);
    }

    public static Tensor ofStrings(String[] values, long... dims) {
        Shape s = Shape.of(dims);
        checkCount(values.length, s);
        return new Tensor(DType.STRING, s, s.contiguousStrides(), 0, null, values.clone());
    }

    public static Tensor of(float[] values, long... dims) {
        Tensor t = allocate(DType.F32, checkCount(values.length, Shape.of(dims)));
        MemorySegment.copy(values, 0, t.data, F32, 0, values.length);
        return t;
    }

    public static Tensor ofDoubles(double[] values, long... dims) {
        Tensor t = allocate(DType.F64, checkCount(values.length, Shape.of(dims)));
        MemorySegment.copy(values, 0, t.data, F64, 0, values.length);
        return t;
    }

    public static Tensor ofLongs(long[] values, long... dims) {
        Tensor t = allocate(DType.I64, checkCount(values.length, Shape.of(dims)));
        MemorySegment.copy(values, 0, t.data, I64, 0, values.length);
        return t;
    }

    public static Tensor ofInts(int[] values, long... dims) {
        Tensor t = allocate(DType.I32, checkCount(values.length, Shape.of(dims)));
        MemorySegment.copy(values, 0, t.data, I32, 0, values.length);
        return t;
    }

    public static Tensor ofBooleans(boolean[] values, long... dims) {
        Tensor t = allocate(DType.BOOL, checkCount(values.length, Shape.of(dims)));
        for (int i = 0; i < values.length; i++) t.data.set(ValueLayout.JAVA_BYTE, i, (byte) (values[i] ? 1 : 0));
        return t;
    }

    /** A tensor of any numeric dtype filled from doubles (converted as {@link #setDouble} does). */
    public static Tensor fromDoubles(DType dtype, double[] values, long... dims) {
        Tensor t = allocate(dtype, checkCount(values.length, Shape.of(dims)));
        for (int i = 0; i < values.length; i++) t.setDouble(i, values[i]);
        return t;
    }

    /** A tensor of any integer/bool dtype filled from longs (wrapped to the dtype's width). */
    public static Tensor fromLongs(DType dtype, long[] values, long... dims) {
        Tensor t = allocate(dtype, checkCount(values.length, Shape.of(dims)));
        for (int i = 0; i < values.length; i++) t.setLong(i, values[i]);
        return t;
    }

    public static Tensor scalar(DType dtype, double value) {
        Tensor t = allocate(dtype, Shape.SCALAR);
        t.setDouble(0, value);
        return t;
    }

    public static Tensor scalarLong(DType dtype, long value) {
        Tensor t = allocate(dtype, Shape.SCALAR);
        t.setLong(0, value);
        return t;
    }

    private static Shape checkCount(int n, Shape s) {
        if (s.numel() != n) throw new IllegalArgumentException(n + " values do not fill shape " + s);
        return s;
    }

    // ---------------------------------------------------------------- metadata

    public DType dtype() { return dtype; }
    public Shape shape() { return shape; }
    public int rank() { return shape.rank(); }
    public long numel() { return shape.numel(); }
    public long[] strides() { return strides.clone(); }
    /** Offset of element 0, in elements, from the start of {@link #segment()}. */
    public long offset() { return offset; }
    /** The backing segment (shared by all views). Null for string tensors. */
    public MemorySegment segment() { return data; }
    /** Row-major dense (unit dims ignored), so the logical flat index maps to {@code offset + i}. */
    public boolean isContiguous() { return contiguous; }
    /** Bytes of element data in logical order; only meaningful for contiguous tensors. */
    public long byteSize() { return shape.byteSize(dtype); }

    /** A segment slice holding exactly this tensor's elements; requires a contiguous tensor. */
    public MemorySegment contiguousSegment() {
        if (!contiguous) throw new IllegalStateException("tensor is not contiguous");
        return data.asSlice(offset * dtype.byteSize(), byteSize());
    }

    // ---------------------------------------------------------------- element access (logical flat index)

    /** Physical element position of logical row-major index {@code i}. */
    public long position(long i) {
        if (contiguous) return offset + i;
        long pos = offset;
        for (int d = shape.rank() - 1; d >= 0; d--) {
            long n = shape.dim(d);
            long q = i / n;
            pos += (i - q * n) * strides[d];
            i = q;
        }
        return pos;
    }

    /** Physical element position of a multi-index. */
    public long position(long[] index) {
        long pos = offset;
        for (int d = 0; d < index.length; d++) pos += index[d] * strides[d];
        return pos;
    }

    public double getDouble(long i) { return readDouble(position(i)); }
    public void setDouble(long i, double v) { writeDouble(position(i), v); }
    public float getFloat(long i) { return (float) readDouble(position(i)); }
    public void setFloat(long i, float v) { writeDouble(position(i), v); }
    public long getLong(long i) { return readLong(position(i)); }
    public void setLong(long i, long v) { writeLong(position(i), v); }
    public boolean getBoolean(long i) { return readLong(position(i)) != 0; }
    public void setBoolean(long i, boolean v) { writeLong(position(i), v ? 1 : 0); }
    public String getString(long i) { return strings[(int) position(i)]; }
    public void setString(long i, String v) { strings[(int) position(i)] = Objects.requireNonNull(v); }

    public double getDouble(long[] index) { return readDouble(position(index)); }
    public long getLong(long[] index) { return readLong(position(index)); }
    public void setDouble(long[] index, double v) { writeDouble(position(index), v); }
    public void setLong(long[] index, long v) { writeLong(position(index), v); }

    /** Reads the element at a physical position as a double (exact for all but the widest 64-bit integers). */
    public double readDouble(long p) {
        long b = p * dtype.byteSize();
        return switch (dtype) {
            case F32 -> data.get(F32, b);
            case F64 -> data.get(F64, b);
            case F16 -> Float.float16ToFloat(data.get(I16, b));
            case BF16 -> Half.bf16ToFloat(data.get(I16, b));
            case F8E4M3FN, F8E4M3FNUZ, F8E5M2, F8E5M2FNUZ, F8E8M0, F4E2M1 ->
                    Float8.toFloat(dtype, data.get(ValueLayout.JAVA_BYTE, b) & 0xFF);
            case U64 -> {
                long v = data.get(I64, b);
                // Halve with the low bit kept as a sticky bit so the one rounding to double is correct
                // (adding the bit back after rounding the half can miss a tie-break: 2^63 + 2^10 + 1).
                yield v >= 0 ? (double) v : ((double) ((v >>> 1) | (v & 1))) * 2.0;
            }
            case STRING -> throw new UnsupportedOperationException("string tensor has no numeric value");
            default -> readLong(p);
        };
    }

    /** Reads the element at a physical position as a long; floats truncate toward zero. */
    public long readLong(long p) {
        long b = p * dtype.byteSize();
        return switch (dtype) {
            case BOOL -> data.get(ValueLayout.JAVA_BYTE, b) != 0 ? 1 : 0;
            case I8, I4, I2 -> data.get(ValueLayout.JAVA_BYTE, b);
            case U8, U4, U2 -> data.get(ValueLayout.JAVA_BYTE, b) & 0xFF;
            case I16 -> data.get(I16, b);
            case U16 -> data.get(I16, b) & 0xFFFF;
            case I32 -> data.get(I32, b);
            case U32 -> data.get(I32, b) & 0xFFFFFFFFL;
            case I64, U64 -> data.get(I64, b);
            case STRING -> throw new UnsupportedOperationException("string tensor has no numeric value");
            default -> (long) readDouble(p);
        };
    }

    /** Writes a double at a physical position, converting to the dtype (floats round to nearest even, ints truncate). */
    public void writeDouble(long p, double v) {
        long b = p * dtype.byteSize();
        switch (dtype) {
            case F32 -> data.set(F32, b, (float) v);
            case F64 -> data.set(F64, b, v);
            case F16 -> data.set(I16, b, Half.doubleToF16(v));
            case BF16 -> data.set(I16, b, Half.doubleToBf16(v));
            case F8E4M3FN, F8E4M3FNUZ, F8E5M2, F8E5M2FNUZ, F8E8M0, F4E2M1 ->
                    data.set(ValueLayout.JAVA_BYTE, b, (byte) Float8.fromFloat(dtype, Half.toFloatRoundToOdd(v), true));
            case BOOL -> data.set(ValueLayout.JAVA_BYTE, b, (byte) (v != 0 ? 1 : 0));
            case U64 -> writeLong(p, v >= 0x1p63 ? (long) (v - 0x1p63) ^ Long.MIN_VALUE : (long) v);
            case STRING -> throw new UnsupportedOperationException("string tensor has no numeric value");
            default -> writeLong(p, (long) v);
        }
    }

    /** Writes a long at a physical position, wrapping to the dtype's width (sub-byte types keep their low bits). */
    public void writeLong(long p, long v) {
        long b = p * dtype.byteSize();
        switch (dtype) {
            case BOOL -> data.set(ValueLayout.JAVA_BYTE, b, (byte) (v != 0 ? 1 : 0));
            case I8, U8 -> data.set(ValueLayout.JAVA_BYTE, b, (byte) v);
            case I4 -> data.set(ValueLayout.JAVA_BYTE, b, (byte) ((v << 60) >> 60));
            case U4 -> data.set(ValueLayout.JAVA_BYTE, b, (byte) (v & 0xF));
            case I2 -> data.set(ValueLayout.JAVA_BYTE, b, (byte) ((v << 62) >> 62));
            case U2 -> data.set(ValueLayout.JAVA_BYTE, b, (byte) (v & 0x3));
            case I16, U16 -> data.set(I16, b, (short) v);
            case I32, U32 -> data.set(I32, b, (int) v);
            case I64, U64 -> data.set(I64, b, v);
            case STRING -> throw new UnsupportedOperationException("string tensor has no numeric value");
            default -> writeDouble(p, (double) v);
        }
    }

    // ---------------------------------------------------------------- bulk copies

    public float[] toFloatArray() {
        int n = shape.numelInt();
        float[] out = new float[n];
        if (n == 0) return out;   // an empty view's offset may lie past its segment's end
        if (dtype == DType.F32 && contiguous) MemorySegment.copy(data, F32, offset * 4, out, 0, n);
        else for (int i = 0; i < n; i++) out[i] = getFloat(i);
        return out;
    }

    public double[] toDoubleArray() {
        int n = shape.numelInt();
        double[] out = new double[n];
        for (int i = 0; i < n; i++) out[i] = getDouble(i);
        return out;
    }

    public long[] toLongArray() {
        int n = shape.numelInt();
        long[] out = new long[n];
        if (n == 0) return out;
        if (dtype == DType.I64 && contiguous) MemorySegment.copy(data, I64, offset * 8, out, 0, n);
        else for (int i = 0; i < n; i++) out[i] = getLong(i);
        return out;
    }

    public int[] toIntArray() {
        int n = shape.numelInt();
        int[] out = new int[n];
        for (int i = 0; i < n; i++) out[i] = (int) getLong(i);
        return out;
    }

    public boolean[] toBooleanArray() {
        int n = shape.numelInt();
        boolean[] out = new boolean[n];
        for (int i = 0; i < n; i++) out[i] = getBoolean(i);
        return out;
    }

    public String[] toStringArray() {
        int n = shape.numelInt();
        String[] out = new String[n];
        for (int i = 0; i < n; i++) out[i] = getString(i);
        return out;
    }

    /** Copies every element of {@code src} (same shape, same dtype) into this tensor, in logical order. */
    public void copyFrom(Tensor src) {
        if (!src.shape.equals(shape) || src.dtype != dtype)
            throw new IllegalArgumentException("copyFrom " + src.dtype + src.shape + " into " + dtype + shape);
        long n = shape.numel();
        if (n == 0) return;
        if (dtype == DType.STRING) {
            for (long i = 0; i < n; i++) setString(i, src.getString(i));
        } else if (contiguous && src.contiguous) {
            long es = dtype.byteSize();
            MemorySegment.copy(src.data, src.offset * es, data, offset * es, n * es);
        } else {
            int es = dtype.byteSize();
            for (long i = 0; i < n; i++)
                MemorySegment.copy(src.data, src.position(i) * es, data, position(i) * es, es);
        }
    }

    // ---------------------------------------------------------------- views

    /** Same elements, dense row-major; returns {@code this} when already contiguous. */
    public Tensor contiguous() {
        return contiguous ? this : copy();
    }

    /** A fresh dense copy in GC-managed memory. */
    public Tensor copy() {
        Tensor t = allocate(dtype, shape);
        t.copyFrom(this);
        return t;
    }

    /** Reshape; a view when the layout allows, else a copy. One dim may be -1 (inferred). */
    public Tensor reshape(long... newDims) {
        Shape target = Shape.of(resolveReshape(shape, newDims));
        long[] viewStrides = Views.reshapeStrides(shape, strides, target);
        if (viewStrides != null) return derive(target, viewStrides, offset);
        return contiguous().reshape(newDims);
    }

    public Tensor reshape(Shape target) { return reshape(target.dims()); }

    private static long[] resolveReshape(Shape from, long[] dims) {
        long[] out = dims.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < out.length; i++) {
            if (out[i] == -1) {
                if (infer >= 0) throw new IllegalArgumentException("reshape has more than one -1: " + Arrays.toString(dims));
                infer = i;
            } else if (out[i] < 0) {
                throw new IllegalArgumentException("reshape to negative dim: " + Arrays.toString(dims));
            } else {
                known = Math.multiplyExact(known, out[i]);
            }
        }
        if (infer >= 0) {
            if (known == 0 || from.numel() % known != 0)
                throw new IllegalArgumentException("cannot infer -1 reshaping " + from + " to " + Arrays.toString(dims));
            out[infer] = from.numel() / known;
        } else if (known != from.numel()) {
            throw new IllegalArgumentException("cannot reshape " + from + " (" + from.numel() + " elements) to " + Arrays.toString(dims));
        }
        return out;
    }

    /** Reorders axes: output axis {@code i} is input axis {@code perm[i]}. */
    public Tensor permute(int... perm) {
        int r = rank();
        if (perm.length != r) throw new IllegalArgumentException("permutation " + Arrays.toString(perm) + " for rank " + r);
        boolean[] seen = new boolean[r];
        long[] d = new long[r], s = new long[r];
        for (int i = 0; i < r; i++) {
            int p = perm[i] < 0 ? perm[i] + r : perm[i];
            if (p < 0 || p >= r || seen[p]) throw new IllegalArgumentException("invalid permutation " + Arrays.toString(perm));
            seen[p] = true;
            d[i] = shape.dim(p);
            s[i] = strides[p];
        }
        return derive(Shape.of(d), s, offset);
    }

    /** Swaps two axes. */
    public Tensor transpose(int a, int b) {
        int r = rank();
        int[] perm = new int[r];
        for (int i = 0; i < r; i++) perm[i] = i;
        a = shape.axis(a);
        b = shape.axis(b);
        perm[a] = b;
        perm[b] = a;
        return permute(perm);
    }

    /**
     * numpy-style slice {@code [start:end:step]} along one axis, with Python clamping rules; negative steps
     * walk backwards. Never copies.
     */
    public Tensor slice(int axis, long start, long end, long step) {
        axis = shape.axis(axis);
        if (step == 0) throw new IllegalArgumentException("slice step must not be 0");
        long n = shape.dim(axis);
        long[] r = Views.sliceRange(n, start, end, step);
        long first = r[0], count = r[1];
        long newOffset = count == 0 ? offset : offset + first * strides[axis];
        long[] s = strides.clone();
        // With at most one element the stride is never used; skipping the product avoids overflow for huge steps.
        if (count > 1) s[axis] = Math.multiplyExact(strides[axis], step);
        return derive(shape.withDim(axis, count), s, newOffset);
    }

    /** Broadcasts to {@code target} with stride 0 on the expanded axes (unidirectional broadcasting). */
    public Tensor expand(Shape target) {
        if (!shape.broadcastableTo(target)) throw new IllegalArgumentException("cannot expand " + shape + " to " + target);
        int off = target.rank() - rank();
        long[] s = new long[target.rank()];
        for (int i = 0; i < target.rank(); i++) {
            if (i < off) s[i] = 0;
            else s[i] = shape.dim(i - off) == target.dim(i) ? strides[i - off] : 0;
        }
        return derive(target, s, offset);
    }

    /** Removes the given size-1 axes, or all size-1 axes when none are given. */
    public Tensor squeeze(int... axes) {
        int r = rank();
        boolean[] drop = new boolean[r];
        if (axes.length == 0) {
            for (int i = 0; i < r; i++) drop[i] = shape.dim(i) == 1;
        } else {
            for (int a : axes) {
                int ax = shape.axis(a);
                if (shape.dim(ax) != 1) throw new IllegalArgumentException("cannot squeeze axis " + a + " of size " + shape.dim(ax));
                drop[ax] = true;
            }
        }
        int k = 0;
        for (boolean b : drop) if (!b) k++;
        long[] d = new long[k], s = new long[k];
        for (int i = 0, j = 0; i < r; i++) if (!drop[i]) { d[j] = shape.dim(i); s[j++] = strides[i]; }
        return derive(Shape.of(d), s, offset);
    }

    /** Inserts size-1 axes at the given positions of the output (negative counts from the output rank). */
    public Tensor unsqueeze(int... axes) {
        int outRank = rank() + axes.length;
        boolean[] ins = new boolean[outRank];
        for (int a : axes) {
            int ax = Shape.normalizeAxis(a, outRank);
            if (ins[ax]) throw new IllegalArgumentException("duplicate unsqueeze axis " + a);
            ins[ax] = true;
        }
        long[] d = new long[outRank], s = new long[outRank];
        for (int i = 0, j = 0; i < outRank; i++) {
            if (ins[i]) { d[i] = 1; s[i] = 0; }
            else { d[i] = shape.dim(j); s[i] = strides[j++]; }
        }
        return derive(Shape.of(d), s, offset);
    }

    private Tensor derive(Shape newShape, long[] newStrides, long newOffset) {
        return new Tensor(dtype, newShape, newStrides, newOffset, data, strings);
    }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder("Tensor<").append(dtype).append(shape).append(">");
        long n = Math.min(numel(), 8);
        sb.append('[');
        for (long i = 0; i < n; i++) {
            if (i > 0) sb.append(", ");
            sb.append(dtype == DType.STRING ? "\"" + getString(i) + "\"" : dtype.isFloatingPoint() ? String.valueOf(getDouble(i)) : String.valueOf(getLong(i)));
        }
        if (numel() > n) sb.append(", …");
        return sb.append(']').toString();
    }
}
