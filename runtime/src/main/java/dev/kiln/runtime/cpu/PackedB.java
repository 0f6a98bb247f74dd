package dev.kiln.runtime.cpu;

/**
 * A constant right-hand GEMM operand (a weight) packed once into NR-wide column panels spanning all of K:
 * element (p, j) lives at {@code (j / nr) * k * nr + p * nr + j % nr}, zero-padded to a multiple of NR columns.
 * Any KC blocking reads it in place, so packing does not depend on tuned cache blocks, only on NR.
 */
public final class PackedB {
    final int k, n, nv, nr;
    final float[] data;

    PackedB(int k, int n, int nv, float[] data) {
        this.k = k;
        this.n = n;
        this.nv = nv;
        this.nr = nv * VectorConfig.LANES;
        this.data = data;
    }

    public int k() { return k; }
    public int n() { return n; }
    /** Vectors per micro-tile row the panels were packed for. */
    public int nv() { return nv; }
    /** Packed floats held (for memory accounting). */
    public long floats() { return data.length; }
}
