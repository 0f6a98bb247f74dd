package dev.kiln.runtime.cpu;

import java.lang.foreign.MemorySegment;
import java.util.Objects;

/**
 * What GEMM applies to each finished block of C while it is still in cache: an optional bias (one value per
 * column, as in Gemm/Linear, or per row, as in convolutions) and then an activation.
 *
 * @param bias     f32 little-endian bias values, or null
 * @param biasOff  element offset of the first bias value
 * @param perRow   true: bias[i] is added to row i; false: bias[j] to column j
 * @param act      the activation applied after the bias
 */
public record Epilogue(MemorySegment bias, long biasOff, boolean perRow, Activation act) {
    public static final Epilogue NONE = new Epilogue(null, 0, false, Activation.NONE);

    public Epilogue {
        Objects.requireNonNull(act);
    }

    public static Epilogue columnBias(MemorySegment bias, long off, Activation act) { return new Epilogue(bias, off, false, act); }
    public static Epilogue rowBias(MemorySegment bias, long off, Activation act) { return new Epilogue(bias, off, true, act); }
    public static Epilogue of(Activation act) { return new Epilogue(null, 0, false, act); }

    public boolean isNone() { return bias == null && act == Activation.NONE; }

    /** Applies the epilogue to rows [i0, i1) x columns [j0, j1) of C (row-major, ldc elements). */
    void apply(MemorySegment c, long cOff, long ldc, int i0, int i1, int j0, int j1) {
        if (isNone()) return;
        int n = j1 - j0;
        for (int i = i0; i < i1; i++) {
            long row = cOff + i * ldc + j0;
            if (bias == null) Activation.applyInPlace(act, c, row, n);
            else if (perRow) Activation.addScalarAndApply(act, c, row, n, Activation.getF(bias, biasOff + i));
            else Activation.addVectorAndApply(act, c, row, n, bias, biasOff + j0);
        }
    }
}
