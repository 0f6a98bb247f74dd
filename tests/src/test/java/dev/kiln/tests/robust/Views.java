package dev.kiln.tests.robust;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.Random;

/**
 * Builds non-contiguous views for the robustness tests. Every view's storage around the viewed elements is
 * poisoned (NaN for floats), so a kernel that reads a view as if it were dense gives a visibly wrong answer.
 */
final class Views {
    private Views() {}

    /** A random view of {@code t}'s values or (for broadcasts) of values derived from them; describes itself. */
    record View(Tensor tensor, String how) {}

    static View random(Tensor t, Random rnd) { return random(t, rnd, true); }

    /**
     * As {@link #random(Tensor, Random)}; {@code allowBroadcast} false for normalizations, where a broadcast can make
     * a whole row constant: its variance is then 0 and float rounding of the mean, amplified by 1/sqrt(epsilon),
     * legitimately exceeds the comparison tolerance (ill-conditioned input, not a kernel bug).
     */
    static View random(Tensor t, Random rnd, boolean allowBroadcast) {
        Tensor v = t;
        StringBuilder how = new StringBuilder();
        int steps = 1 + rnd.nextInt(2);
        for (int s = 0; s < steps && v.rank() > 0; s++) {
            int kind = rnd.nextInt(4);
            // Broadcasting changes values: harmless for data, but integer inputs are often axes or shapes where
            // repeated values are invalid, so integers only get value-preserving views.
            if (kind == 3 && (!v.dtype().isFloatingPoint() || !allowBroadcast)) kind = 0;
            int axis = rnd.nextInt(v.rank());
            switch (kind) {
                case 0 -> { v = permuted(v, rnd); how.append("permuted-storage "); }
                case 1 -> { int step = 2 + rnd.nextInt(2); v = strided(v, axis, step); how.append("step").append(step).append("@").append(axis).append(' '); }
                case 2 -> { v = reversed(v, axis); how.append("reversed@").append(axis).append(' '); }
                default -> { v = broadcast(v, axis); how.append("expand@").append(axis).append(' '); }
            }
        }
        return new View(v, how.toString().trim() + " " + v.shape() + " strides " + java.util.Arrays.toString(v.strides())
                + " offset " + v.offset());
    }

    /** Same values, stored in a random axis order, viewed back in logical order. */
    static Tensor permuted(Tensor t, Random rnd) {
        int r = t.rank();
        int[] p = new int[r];
        for (int i = 0; i < r; i++) p[i] = i;
        for (int i = r - 1; i > 0; i--) { int j = rnd.nextInt(i + 1); int x = p[i]; p[i] = p[j]; p[j] = x; }
        int[] inv = new int[r];
        for (int i = 0; i < r; i++) inv[p[i]] = i;
        return t.permute(p).copy().permute(inv);
    }

    /** Same values at every {@code step}-th element of a poisoned buffer, starting at offset 1. */
    static Tensor strided(Tensor t, int axis, int step) {
        long d = t.shape().dim(axis);
        Tensor big = poisoned(t.dtype(), t.shape().withDim(axis, d * step + 1));
        Tensor v = big.slice(axis, 1, 1 + d * step, step);
        v.copyFrom(t);
        return v;
    }

    /** Same values stored back to front along {@code axis} (negative stride). */
    static Tensor reversed(Tensor t, int axis) {
        long d = t.shape().dim(axis);
        Tensor buf = poisoned(t.dtype(), t.shape());
        Tensor v = buf.slice(axis, d - 1, -d - 1, -1);
        v.copyFrom(t);
        return v;
    }

    /** The first slice along {@code axis} broadcast (stride 0) to the full shape: values change, shape does not. */
    static Tensor broadcast(Tensor t, int axis) {
        if (t.shape().dim(axis) == 0) return t;
        return t.slice(axis, 0, 1, 1).expand(t.shape());
    }

    static Tensor poisoned(DType dtype, Shape shape) {
        Tensor b = Tensor.allocate(dtype, shape);
        long n = b.numel();
        for (long i = 0; i < n; i++) {
            if (dtype.isFloatingPoint()) b.setDouble(i, Double.NaN);
            else if (dtype != DType.STRING) b.setLong(i, dtype == DType.BOOL ? 1 : 101);
        }
        return b;
    }
}
