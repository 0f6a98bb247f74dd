package dev.kiln.runtime.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;

import static dev.kiln.runtime.cpu.Activation.getF;
import static dev.kiln.runtime.cpu.Activation.setF;
import static dev.kiln.runtime.cpu.VectorConfig.F;

/**
 * Kernels over one contiguous f32 row: softmax, log-softmax, layer normalization and reductions. Callers lay
 * the reduced axis (axes) out as the row; accumulation is in f32 vectors, with a scalar tail.
 */
final class RowKernels {
    private RowKernels() {}

    private static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;

    /** Elements summed in f32 before the partial sum joins a double total. */
    static final int CHUNK = 1024;

    private static int lanes() { return VectorConfig.SCALAR ? Integer.MAX_VALUE : F.length(); }

    static float max(MemorySegment x, long xo, int n) {
        int i = 0, l = lanes();
        float m = Float.NEGATIVE_INFINITY;
        if (n >= l) {
            FloatVector vm = FloatVector.broadcast(F, Float.NEGATIVE_INFINITY);
            for (; i <= n - l; i += l) vm = vm.max(FloatVector.fromMemorySegment(F, x, (xo + i) * 4, LE));
            m = vm.reduceLanes(VectorOperators.MAX);
        }
        for (; i < n; i++) m = Math.max(m, getF(x, xo + i));
        return m;
    }

    static float min(MemorySegment x, long xo, int n) {
        int i = 0, l = lanes();
        float m = Float.POSITIVE_INFINITY;
        if (n >= l) {
            FloatVector vm = FloatVector.broadcast(F, Float.POSITIVE_INFINITY);
            for (; i <= n - l; i += l) vm = vm.min(FloatVector.fromMemorySegment(F, x, (xo + i) * 4, LE));
            m = vm.reduceLanes(VectorOperators.MIN);
        }
        for (; i < n; i++) m = Math.min(m, getF(x, xo + i));
        return m;
    }

    private static float sumChunk(MemorySegment x, long xo, int n) {
        int i = 0, l = lanes();
        float s = 0f;
        if (n >= l) {
            FloatVector vs = FloatVector.zero(F);
            for (; i <= n - l; i += l) vs = vs.add(FloatVector.fromMemorySegment(F, x, (xo + i) * 4, LE));
            s = vs.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) s += getF(x, xo + i);
        return s;
    }

    private static float sumAbsChunk(MemorySegment x, long xo, int n) {
        int i = 0, l = lanes();
        float s = 0f;
        if (n >= l) {
            FloatVector vs = FloatVector.zero(F);
            for (; i <= n - l; i += l) vs = vs.add(FloatVector.fromMemorySegment(F, x, (xo + i) * 4, LE).abs());
            s = vs.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) s += Math.abs(getF(x, xo + i));
        return s;
    }

    private static float sumSquaresChunk(MemorySegment x, long xo, int n) {
        int i = 0, l = lanes();
        float s = 0f;
        if (n >= l) {
            FloatVector vs = FloatVector.zero(F);
            for (; i <= n - l; i += l) {
                FloatVector v = FloatVector.fromMemorySegment(F, x, (xo + i) * 4, LE);
                vs = v.fma(v, vs);
            }
            s = vs.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) { float v = getF(x, xo + i); s += v * v; }
        return s;
    }

    /** sum with f32 vector partial sums per chunk of {@link #CHUNK} added in double: long rows keep f32 accuracy. */
    static float sum(MemorySegment x, long xo, int n) {
        double acc = 0;
        for (int c = 0; c < n; c += CHUNK) acc += sumChunk(x, xo + c, Math.min(CHUNK, n - c));
        return (float) acc;
    }

    /** sumAbs with f32 vector partial sums per chunk of {@link #CHUNK} added in double: long rows keep f32 accuracy. */
    static float sumAbs(MemorySegment x, long xo, int n) {
        double acc = 0;
        for (int c = 0; c < n; c += CHUNK) acc += sumAbsChunk(x, xo + c, Math.min(CHUNK, n - c));
        return (float) acc;
    }

    /** sumSquares with f32 vector partial sums per chunk of {@link #CHUNK} added in double: long rows keep f32 accuracy. */
    static float sumSquares(MemorySegment x, long xo, int n) {
        double acc = 0;
        for (int c = 0; c < n; c += CHUNK) acc += sumSquaresChunk(x, xo + c, Math.min(CHUNK, n - c));
        return (float) acc;
    }

    static float prod(MemorySegment x, long xo, int n) {
        int i = 0, l = lanes();
        float s = 1f;
        if (n >= l) {
            FloatVector vs = FloatVector.broadcast(F, 1f);
            for (; i <= n - l; i += l) vs = vs.mul(FloatVector.fromMemorySegment(F, x, (xo + i) * 4, LE));
            s = vs.reduceLanes(VectorOperators.MUL);
        }
        for (; i < n; i++) s *= getF(x, xo + i);
        return s;
    }

    /** sum(exp(x - m)); with {@code y} non-null also stores each exp(x - m) there. */
    static float sumExp(MemorySegment x, long xo, float m, MemorySegment y, long yo, int n) {
        double acc = 0;
        for (int c = 0; c < n; c += CHUNK) acc += sumExpChunk(x, xo + c, m, y, yo + c, Math.min(CHUNK, n - c));
        return (float) acc;
    }

    private static float sumExpChunk(MemorySegment x, long xo, float m, MemorySegment y, long yo, int n) {
        int i = 0, l = lanes();
        float s = 0f;
        if (n >= l) {
            FloatVector vs = FloatVector.zero(F);
            for (; i <= n - l; i += l) {
                FloatVector e = FloatVector.fromMemorySegment(F, x, (xo + i) * 4, LE).sub(m).lanewise(VectorOperators.EXP);
                if (y != null) e.intoMemorySegment(y, (yo + i) * 4, LE);
                vs = vs.add(e);
            }
            s = vs.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) {
            float e = (float) Math.exp(getF(x, xo + i) - m);
            if (y != null) setF(y, yo + i, e);
            s += e;
        }
        return s;
    }

    /** y = x * s + t over a run (in place allowed). */
    static void scaleShift(MemorySegment x, long xo, float s, float t, MemorySegment y, long yo, int n) {
        int i = 0, l = lanes();
        for (; i <= n - l; i += l)
            FloatVector.fromMemorySegment(F, x, (xo + i) * 4, LE).fma(s, t).intoMemorySegment(y, (yo + i) * 4, LE);
        for (; i < n; i++) setF(y, yo + i, getF(x, xo + i) * s + t);
    }

    static void softmax(MemorySegment x, long xo, MemorySegment y, long yo, int n) {
        float m = max(x, xo, n);
        if (m == Float.NEGATIVE_INFINITY) m = 0f; // all -inf: exp gives 0/0 = NaN, as the reference does
        float s = sumExp(x, xo, m, y, yo, n);
        scaleShift(y, yo, 1f / s, 0f, y, yo, n);
    }

    static void logSoftmax(MemorySegment x, long xo, MemorySegment y, long yo, int n) {
        float m = max(x, xo, n);
        if (m == Float.NEGATIVE_INFINITY) m = 0f;
        float s = sumExp(x, xo, m, null, 0, n);
        scaleShift(x, xo, 1f, -m - (float) Math.log(s), y, yo, n);
    }

    /**
     * y = (x - mean) / sqrt(var + eps) * scale + bias over one row; scale and bias are runs of n (bias may be
     * null). Variance is computed around the mean (two passes) so large offsets do not cancel.
     */
    private static float centeredSquares(MemorySegment x, long xo, float mean, int n) {
        int i = 0, l = lanes();
        float var = 0f;
        if (n >= l) {
            FloatVector vs = FloatVector.zero(F);
            for (; i <= n - l; i += l) {
                FloatVector d = FloatVector.fromMemorySegment(F, x, (xo + i) * 4, LE).sub(mean);
                vs = d.fma(d, vs);
            }
            var = vs.reduceLanes(VectorOperators.ADD);
        }
        for (; i < n; i++) { float d = getF(x, xo + i) - mean; var += d * d; }
        return var;
    }

    static void layerNorm(MemorySegment x, long xo, MemorySegment y, long yo, int n, float eps,
                          MemorySegment scale, long so, MemorySegment bias, long bo) {
        float mean = (float) (sum(x, xo, n) / (double) n);
        double varAcc = 0;
        for (int c = 0; c < n; c += CHUNK) varAcc += centeredSquares(x, xo + c, mean, Math.min(CHUNK, n - c));
        int i = 0, l = lanes();
        float inv = (float) (1.0 / Math.sqrt(varAcc / n + eps));
        for (; i <= n - l; i += l) {
            FloatVector v = FloatVector.fromMemorySegment(F, x, (xo + i) * 4, LE).sub(mean).mul(inv)
                    .mul(FloatVector.fromMemorySegment(F, scale, (so + i) * 4, LE));
            if (bias != null) v = v.add(FloatVector.fromMemorySegment(F, bias, (bo + i) * 4, LE));
            v.intoMemorySegment(y, (yo + i) * 4, LE);
        }
        for (; i < n; i++) {
            float v = (getF(x, xo + i) - mean) * inv * getF(scale, so + i);
            if (bias != null) v += getF(bias, bo + i);
            setF(y, yo + i, v);
        }
    }
}
