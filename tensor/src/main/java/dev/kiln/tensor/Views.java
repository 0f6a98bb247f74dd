package dev.kiln.tensor;

/** Stride arithmetic shared by the view operations. */
final class Views {
    private Views() {}

    /**
     * Strides that present {@code from}/{@code strides} as {@code to} without copying, or null when the layout
     * does not allow it. Groups of input axes that are mutually dense are merged and re-split, as numpy does.
     */
    static long[] reshapeStrides(Shape from, long[] strides, Shape to) {
        if (from.numel() == 0 || from.numel() == 1) return to.contiguousStrides();
        // Drop unit dims of the input: they carry no stride information.
        int n = 0;
        long[] d = new long[from.rank()], s = new long[from.rank()];
        for (int i = 0; i < from.rank(); i++) if (from.dim(i) != 1) { d[n] = from.dim(i); s[n++] = strides[i]; }
        long[] out = new long[to.rank()];
        int i = 0, j = 0;
        while (i < n || j < to.rank()) {
            if (j < to.rank() && to.dim(j) == 1) { out[j] = 0; j++; continue; }
            if (i >= n || j >= to.rank()) return null;
            // Take the smallest run of input axes and output axes with equal products.
            long pi = d[i], pj = to.dim(j);
            int i0 = i, j0 = j;
            while (pi != pj) {
                if (pi < pj) { if (++i >= n) return null; pi *= d[i]; }
                else { if (++j >= to.rank()) return null; pj *= to.dim(j); }
            }
            // The input run must be dense with respect to itself.
            for (int k = i0; k < i; k++) if (s[k] != s[k + 1] * d[k + 1]) return null;
            long st = s[i];
            for (int k = j; k >= j0; k--) { out[k] = st; st *= to.dim(k); }
            i++;
            j++;
        }
        return out;
    }

    /** {first, count} of a Python slice over a dim of size n. */
    static long[] sliceRange(long n, long start, long end, long step) {
        if (step > 0) {
            long s = clamp(start < 0 ? start + n : start, 0, n);
            long e = clamp(end < 0 ? end + n : end, 0, n);
            // (e - s - 1) / step + 1 rather than a ceiling with + step - 1, which overflows for huge steps.
            long count = e > s ? (e - s - 1) / step + 1 : 0;
            return new long[]{s, count};
        } else {
            long s = clamp(start < 0 ? start + n : start, -1, n - 1);
            long e = clamp(end < 0 ? end + n : end, -1, n - 1);
            // Divides by the negative step directly: -step overflows for Long.MIN_VALUE.
            long count = s > e ? (e - s + 1) / step + 1 : 0;
            return new long[]{s, count};
        }
    }

    private static long clamp(long v, long lo, long hi) { return Math.max(lo, Math.min(hi, v)); }
}
