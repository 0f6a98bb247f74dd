package dev.kiln.runtime.cpu;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

/** Copies GEMM operand blocks into the panel layouts the micro-kernels stream through (zero-padded edges). */
final class Packing {
    private Packing() {}

    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /**
     * Packs A rows [ic, ic+mc) x columns [pc, pc+kc), A(i, p) = a[off + i*rs + p*cs], into MR-tall panels:
     * panel q starts at q*MR*kc and holds element (i, p) at p*MR + i. Values are multiplied by {@code alpha}
     * on the way (GEMM's alpha costs nothing here; 1 is exact).
     */
    static void packA(MemorySegment a, long off, long rs, long cs, int ic, int mc, int pc, int kc, int mr, float alpha, float[] dst) {
        float[] rows = cs == 1 ? rowScratch(mr * kc) : null;
        for (int ir = 0; ir < mc; ir += mr) {
            int nrows = Math.min(mr, mc - ir);
            int base = ir * kc;
            if (nrows < mr) Arrays.fill(dst, base, base + mr * kc, 0f);
            if (rows != null) {
                // unit-stride rows: bulk-copy each row (memcpy speed), then interleave from the array, which C2
                // compiles to plain loads; per-element segment reads cost about 3x more here
                for (int i = 0; i < nrows; i++)
                    MemorySegment.copy(a, F32, (off + (long) (ic + ir + i) * rs + pc) * 4, rows, i * kc, kc);
                for (int i = 0; i < nrows; i++) {
                    int d = base + i, r = i * kc;
                    if (alpha == 1f) for (int p = 0; p < kc; p++, d += mr) dst[d] = rows[r + p];
                    else for (int p = 0; p < kc; p++, d += mr) dst[d] = alpha * rows[r + p];
                }
                continue;
            }
            for (int i = 0; i < nrows; i++) {
                long src = (off + (long) (ic + ir + i) * rs + (long) pc * cs) * 4;
                long step = cs * 4;
                int d = base + i;
                if (alpha == 1f) for (int p = 0; p < kc; p++, d += mr, src += step) dst[d] = a.get(F32, src);
                else for (int p = 0; p < kc; p++, d += mr, src += step) dst[d] = alpha * a.get(F32, src);
            }
        }
    }

    private static final ThreadLocal<float[][]> ROWS = ThreadLocal.withInitial(() -> new float[1][0]);

    private static float[] rowScratch(int n) {
        float[][] h = ROWS.get();
        if (h[0].length < n) h[0] = new float[n];
        return h[0];
    }

    /**
     * Packs B rows [pc, pc+kc) x columns [jc, jc+nc), B(p, j) = b[off + p*rs + j*cs], into NR-wide panels:
     * panel q starts at dstOff + q*kc*NR and holds element (p, j) at p*NR + j.
     */
    static void packB(MemorySegment b, long off, long rs, long cs, int pc, int kc, int jc, int nc, int nr, float[] dst, int dstOff) {
        int full = cs != 1 ? 0 : nc / nr;
        if (full > 0) packRowsVector(b, off + (long) pc * rs + jc, rs, kc, nr, full, dst, dstOff);
        for (int jr = full * nr; jr < nc; jr += nr) {
            int cols = Math.min(nr, nc - jr);
            int base = dstOff + (jr / nr) * kc * nr;
            if (cols < nr) Arrays.fill(dst, base, base + kc * nr, 0f);
            for (int j = 0; j < cols; j++) {
                long src = (off + (long) pc * rs + (long) (jc + jr + j) * cs) * 4;
                long step = rs * 4;
                int d = base + j;
                for (int p = 0; p < kc; p++, d += nr, src += step) dst[d] = b.get(F32, src);
            }
        }
    }

    /**
     * The first {@code panels} full panels from unit-stride rows. Row by row (each B row is read once,
     * sequentially, and scattered NR floats per panel) because walking one panel down the rows strides through
     * memory a row pitch at a time, which the hardware prefetchers follow poorly. Bulk copies, not vector
     * stores into the array: measured as fast, and it keeps vectors out of arrays.
     */
    private static void packRowsVector(MemorySegment b, long srcElem, long rs, int kc, int nr, int panels, float[] dst, int base) {
        int panelStride = kc * nr;
        for (int p = 0; p < kc; p++) {
            long src = (srcElem + p * rs) * 4;
            int d = base + p * nr;
            for (int q = 0; q < panels; q++, d += panelStride, src += nr * 4L)
                MemorySegment.copy(b, F32, src, dst, d, nr);
        }
    }
}
