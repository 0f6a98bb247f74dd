package dev.kiln.tensor;

import java.util.Arrays;

/**
 * An immutable, validated tensor shape. Rank 0 is a scalar; a zero dim makes an empty tensor.
 * Negative dims and element counts that overflow a {@code long} are rejected rather than wrapped.
 */
public final class Shape {
    private static final long[] EMPTY = new long[0];
    public static final Shape SCALAR = new Shape(EMPTY);

    private final long[] dims;
    private final long numel;

    private Shape(long[] dims) {
        long n = 1;
        for (int i = 0; i < dims.length; i++) {
            long d = dims[i];
            if (d < 0) throw new IllegalArgumentException("negative dimension " + d + " at axis " + i + " in " + Arrays.toString(dims));
            n = Math.multiplyExact(n, d);
        }
        this.dims = dims;
        this.numel = n;
    }

    public static Shape of(long... dims) {
        return dims.length == 0 ? SCALAR : new Shape(dims.clone());
    }

    public static Shape of(int... dims) {
        long[] l = new long[dims.length];
        for (int i = 0; i < dims.length; i++) l[i] = dims[i];
        return new Shape(l);
    }

    public int rank() { return dims.length; }
    public long dim(int axis) { return dims[axis]; }
    public long[] dims() { return dims.clone(); }
    public long numel() { return numel; }
    public boolean isScalar() { return dims.length == 0; }
    public boolean isEmpty() { return numel == 0; }

    /** Element count as an int, for Java arrays; throws if it does not fit. */
    public int numelInt() {
        if (numel > Integer.MAX_VALUE - 8) throw new IllegalArgumentException("tensor of " + numel + " elements does not fit a Java array");
        return (int) numel;
    }

    /** Total bytes for elements of {@code dtype}, with overflow checked. */
    public long byteSize(DType dtype) { return Math.multiplyExact(numel, (long) dtype.byteSize()); }

    /** Normalises a possibly negative axis against this rank (or {@code rank + extra} for insertions). */
    public int axis(long axis) { return normalizeAxis(axis, dims.length); }

    public static int normalizeAxis(long axis, int rank) {
        long a = axis < 0 ? axis + rank : axis;
        if (a < 0 || a >= Math.max(rank, 1)) throw new IllegalArgumentException("axis " + axis + " out of range for rank " + rank);
        return (int) a;
    }

    /** Row-major (C order) strides in elements. */
    public long[] contiguousStrides() {
        long[] s = new long[dims.length];
        long acc = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            s[i] = acc;
            acc *= Math.max(dims[i], 1);
        }
        return s;
    }

    /** ONNX/numpy multidirectional broadcasting; throws naming both shapes when they are incompatible. */
    public static Shape broadcast(Shape a, Shape b) {
        int r = Math.max(a.rank(), b.rank());
        long[] out = new long[r];
        for (int i = 0; i < r; i++) {
            long da = i < r - a.rank() ? 1 : a.dims[i - (r - a.rank())];
            long db = i < r - b.rank() ? 1 : b.dims[i - (r - b.rank())];
            if (da == db || db == 1) out[i] = da;
            else if (da == 1) out[i] = db;
            else throw new IllegalArgumentException("shapes " + a + " and " + b + " cannot be broadcast (axis " + i + ": " + da + " vs " + db + ")");
        }
        return new Shape(out);
    }

    /** Broadcast of any number of shapes. */
    public static Shape broadcast(Shape... shapes) {
        Shape s = SCALAR;
        for (Shape x : shapes) s = broadcast(s, x);
        return s;
    }

    /** True when this shape can be broadcast (unidirectionally) to {@code target}. */
    public boolean broadcastableTo(Shape target) {
        if (rank() > target.rank()) return false;
        int off = target.rank() - rank();
        for (int i = 0; i < rank(); i++) if (dims[i] != 1 && dims[i] != target.dims[i + off]) return false;
        return true;
    }

    public Shape withDim(int axis, long value) {
        long[] d = dims.clone();
        d[axis] = value;
        return new Shape(d);
    }

    @Override public boolean equals(Object o) { return o instanceof Shape s && Arrays.equals(dims, s.dims); }
    @Override public int hashCode() { return Arrays.hashCode(dims); }
    @Override public String toString() {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < dims.length; i++) { if (i > 0) sb.append(", "); sb.append(dims[i]); }
        return sb.append(']').toString();
    }
}
