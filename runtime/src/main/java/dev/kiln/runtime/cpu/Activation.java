package dev.kiln.runtime.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static dev.kiln.runtime.cpu.VectorConfig.F;

/**
 * Pointwise activations, vectorized over contiguous f32 runs. Each activation has its own loop so vectors never
 * cross a method boundary C2 might not inline; tails (and scalar mode) use the same formula in scalar code.
 */
public enum Activation {
    NONE, RELU, SIGMOID, TANH, GELU_ERF, GELU_TANH, EXP, ERF, NEG, ABS, SQRT, RECIPROCAL;

    static final ByteOrder LE = ByteOrder.LITTLE_ENDIAN;
    static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(LE);

    static float getF(MemorySegment s, long i) { return s.get(F32, i * 4); }
    static void setF(MemorySegment s, long i, float v) { s.set(F32, i * 4, v); }

    /** dst[i] = act(src[i]) for n elements (offsets in elements); src and dst may be the same run. */
    public static void apply(Activation act, MemorySegment src, long so, MemorySegment dst, long d0, int n) {
        switch (act) {
            case NONE -> { if (src != dst || so != d0) MemorySegment.copy(src, so * 4, dst, d0 * 4, n * 4L); }
            case RELU -> relu(src, so, dst, d0, n);
            case SIGMOID -> sigmoid(src, so, dst, d0, n);
            case TANH -> tanh(src, so, dst, d0, n);
            case GELU_ERF -> geluErf(src, so, dst, d0, n);
            case GELU_TANH -> geluTanh(src, so, dst, d0, n);
            case EXP -> exp(src, so, dst, d0, n);
            case ERF -> erf(src, so, dst, d0, n);
            case NEG -> neg(src, so, dst, d0, n);
            case ABS -> abs(src, so, dst, d0, n);
            case SQRT -> sqrt(src, so, dst, d0, n);
            case RECIPROCAL -> reciprocal(src, so, dst, d0, n);
        }
    }

    static void applyInPlace(Activation act, MemorySegment c, long off, int n) { apply(act, c, off, c, off, n); }

    static void addScalarAndApply(Activation act, MemorySegment c, long off, int n, float s) {
        int i = 0;
        if (!VectorConfig.SCALAR) {
            int l = F.length();
            for (; i <= n - l; i += l) {
                long b = (off + i) * 4;
                FloatVector.fromMemorySegment(F, c, b, LE).add(s).intoMemorySegment(c, b, LE);
            }
        }
        for (; i < n; i++) setF(c, off + i, getF(c, off + i) + s);
        applyInPlace(act, c, off, n);
    }

    static void addVectorAndApply(Activation act, MemorySegment c, long off, int n, MemorySegment bias, long bo) {
        int i = 0;
        if (!VectorConfig.SCALAR) {
            int l = F.length();
            for (; i <= n - l; i += l) {
                long b = (off + i) * 4;
                FloatVector.fromMemorySegment(F, c, b, LE).add(FloatVector.fromMemorySegment(F, bias, (bo + i) * 4, LE))
                        .intoMemorySegment(c, b, LE);
            }
        }
        for (; i < n; i++) setF(c, off + i, getF(c, off + i) + getF(bias, bo + i));
        applyInPlace(act, c, off, n);
    }

    // ---------------------------------------------------------------- scalar definitions (tails, scalar mode)

    static float erfScalar(float x) {
        // Abramowitz & Stegun 7.1.26 with |error| < 1.5e-7: enough for f32 and cheap to vectorize identically.
        float ax = Math.abs(x);
        float t = 1f / (1f + 0.3275911f * ax);
        float y = 1f - ((((1.061405429f * t - 1.453152027f) * t + 1.421413741f) * t - 0.284496736f) * t + 0.254829592f) * t
                * (float) Math.exp(-ax * ax);
        return Math.copySign(y, x);
    }

    static float geluErfScalar(float x) { return 0.5f * x * (1f + erfScalar(x * 0.70710678118654752f)); }

    static float geluTanhScalar(float x) {
        return 0.5f * x * (1f + (float) Math.tanh(0.7978845608028654 * (x + 0.044715 * x * x * x)));
    }

    static float sigmoidScalar(float x) { return (float) (1.0 / (1.0 + Math.exp(-x))); }

    // ---------------------------------------------------------------- vector loops

    private static int lanesOrZero() { return VectorConfig.SCALAR ? Integer.MAX_VALUE : F.length(); }

    private static void relu(MemorySegment s, long so, MemorySegment d, long d0, int n) {
        int i = 0, l = lanesOrZero();
        for (; i <= n - l; i += l)
            FloatVector.fromMemorySegment(F, s, (so + i) * 4, LE).max(0f).intoMemorySegment(d, (d0 + i) * 4, LE);
        for (; i < n; i++) { float x = getF(s, so + i); setF(d, d0 + i, x > 0f ? x : (x == x ? 0f : x)); }
    }

    private static void sigmoid(MemorySegment s, long so, MemorySegment d, long d0, int n) {
        int i = 0, l = lanesOrZero();
        for (; i <= n - l; i += l) {
            FloatVector x = FloatVector.fromMemorySegment(F, s, (so + i) * 4, LE);
            FloatVector e = x.neg().lanewise(VectorOperators.EXP);
            FloatVector.broadcast(F, 1f).div(e.add(1f)).intoMemorySegment(d, (d0 + i) * 4, LE);
        }
        for (; i < n; i++) setF(d, d0 + i, sigmoidScalar(getF(s, so + i)));
    }

    private static void tanh(MemorySegment s, long so, MemorySegment d, long d0, int n) {
        int i = 0, l = lanesOrZero();
        for (; i <= n - l; i += l)
            FloatVector.fromMemorySegment(F, s, (so + i) * 4, LE).lanewise(VectorOperators.TANH).intoMemorySegment(d, (d0 + i) * 4, LE);
        for (; i < n; i++) setF(d, d0 + i, (float) Math.tanh(getF(s, so + i)));
    }

    private static void exp(MemorySegment s, long so, MemorySegment d, long d0, int n) {
        int i = 0, l = lanesOrZero();
        for (; i <= n - l; i += l)
            FloatVector.fromMemorySegment(F, s, (so + i) * 4, LE).lanewise(VectorOperators.EXP).intoMemorySegment(d, (d0 + i) * 4, LE);
        for (; i < n; i++) setF(d, d0 + i, (float) Math.exp(getF(s, so + i)));
    }

    private static void erf(MemorySegment s, long so, MemorySegment d, long d0, int n) {
        int i = 0, l = lanesOrZero();
        for (; i <= n - l; i += l) {
            FloatVector x = FloatVector.fromMemorySegment(F, s, (so + i) * 4, LE);
            FloatVector ax = x.abs();
            FloatVector t = FloatVector.broadcast(F, 1f).div(ax.fma(0.3275911f, 1f));
            FloatVector poly = t.fma(1.061405429f, -1.453152027f).fma(t, FloatVector.broadcast(F, 1.421413741f))
                    .fma(t, FloatVector.broadcast(F, -0.284496736f)).fma(t, FloatVector.broadcast(F, 0.254829592f)).mul(t);
            FloatVector e = ax.mul(ax).neg().lanewise(VectorOperators.EXP);
            FloatVector y = poly.mul(e).neg().add(1f);
            y = y.blend(y.neg(), x.compare(VectorOperators.LT, 0f));
            y.intoMemorySegment(d, (d0 + i) * 4, LE);
        }
        for (; i < n; i++) setF(d, d0 + i, erfScalar(getF(s, so + i)));
    }

    private static void geluErf(MemorySegment s, long so, MemorySegment d, long d0, int n) {
        int i = 0, l = lanesOrZero();
        for (; i <= n - l; i += l) {
            FloatVector x = FloatVector.fromMemorySegment(F, s, (so + i) * 4, LE);
            FloatVector z = x.mul(0.70710678118654752f);
            FloatVector az = z.abs();
            FloatVector t = FloatVector.broadcast(F, 1f).div(az.fma(0.3275911f, 1f));
            FloatVector poly = t.fma(1.061405429f, -1.453152027f).fma(t, FloatVector.broadcast(F, 1.421413741f))
                    .fma(t, FloatVector.broadcast(F, -0.284496736f)).fma(t, FloatVector.broadcast(F, 0.254829592f)).mul(t);
            FloatVector e = az.mul(az).neg().lanewise(VectorOperators.EXP);
            FloatVector y = poly.mul(e).neg().add(1f);
            y = y.blend(y.neg(), z.compare(VectorOperators.LT, 0f));
            x.mul(0.5f).mul(y.add(1f)).intoMemorySegment(d, (d0 + i) * 4, LE);
        }
        for (; i < n; i++) setF(d, d0 + i, geluErfScalar(getF(s, so + i)));
    }

    private static void geluTanh(MemorySegment s, long so, MemorySegment d, long d0, int n) {
        int i = 0, l = lanesOrZero();
        for (; i <= n - l; i += l) {
            FloatVector x = FloatVector.fromMemorySegment(F, s, (so + i) * 4, LE);
            FloatVector inner = x.mul(x).mul(x).mul(0.044715f).add(x).mul(0.7978845608028654f);
            FloatVector th = inner.lanewise(VectorOperators.TANH);
            x.mul(0.5f).mul(th.add(1f)).intoMemorySegment(d, (d0 + i) * 4, LE);
        }
        for (; i < n; i++) setF(d, d0 + i, geluTanhScalar(getF(s, so + i)));
    }

    private static void neg(MemorySegment s, long so, MemorySegment d, long d0, int n) {
        int i = 0, l = lanesOrZero();
        for (; i <= n - l; i += l)
            FloatVector.fromMemorySegment(F, s, (so + i) * 4, LE).neg().intoMemorySegment(d, (d0 + i) * 4, LE);
        for (; i < n; i++) setF(d, d0 + i, -getF(s, so + i));
    }

    private static void abs(MemorySegment s, long so, MemorySegment d, long d0, int n) {
        int i = 0, l = lanesOrZero();
        for (; i <= n - l; i += l)
            FloatVector.fromMemorySegment(F, s, (so + i) * 4, LE).abs().intoMemorySegment(d, (d0 + i) * 4, LE);
        for (; i < n; i++) setF(d, d0 + i, Math.abs(getF(s, so + i)));
    }

    private static void sqrt(MemorySegment s, long so, MemorySegment d, long d0, int n) {
        int i = 0, l = lanesOrZero();
        for (; i <= n - l; i += l)
            FloatVector.fromMemorySegment(F, s, (so + i) * 4, LE).sqrt().intoMemorySegment(d, (d0 + i) * 4, LE);
        for (; i < n; i++) setF(d, d0 + i, (float) Math.sqrt(getF(s, so + i)));
    }

    private static void reciprocal(MemorySegment s, long so, MemorySegment d, long d0, int n) {
        int i = 0, l = lanesOrZero();
        for (; i <= n - l; i += l)
            FloatVector.broadcast(F, 1f).div(FloatVector.fromMemorySegment(F, s, (so + i) * 4, LE)).intoMemorySegment(d, (d0 + i) * 4, LE);
        for (; i < n; i++) setF(d, d0 + i, 1f / getF(s, so + i));
    }
}
