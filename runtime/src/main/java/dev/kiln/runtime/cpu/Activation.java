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

    /**
     * erfc(|x|) by the Chebyshev fit of Numerical Recipes ("erfcc"): relative error below 1.2e-7 everywhere,
     * so GELU's negative tail (x * erfc) and tiny erf values stay accurate, unlike 1 - erf forms.
     */
    static float erfcAbsScalar(float x) {
        float z = Math.abs(x);
        float t = 1f / (1f + 0.5f * z);
        float p = ((((((((0.17087277f * t - 0.82215223f) * t + 1.48851587f) * t - 1.13520398f) * t + 0.27886807f) * t
                - 0.18628806f) * t + 0.09678418f) * t + 0.37409196f) * t + 1.00002368f) * t - 1.26551223f;
        return t * (float) Math.exp(-z * z + p);
    }

    static float erfScalar(float x) {
        float e = erfcAbsScalar(x);
        return x >= 0 ? 1f - e : e - 1f;
    }

    static float geluErfScalar(float x) {
        float z = x * 0.70710678118654752f, e = erfcAbsScalar(z);
        return 0.5f * x * (z >= 0 ? 2f - e : e);
    }

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

    /** Vector erfc(|z|), the same fit as {@link #erfcAbsScalar}. */
    private static void erf(MemorySegment s, long so, MemorySegment d, long d0, int n) {
        int i = 0, l = lanesOrZero();
        for (; i <= n - l; i += l) {
            FloatVector x = FloatVector.fromMemorySegment(F, s, (so + i) * 4, LE);
            FloatVector z = x.abs();
            FloatVector t = FloatVector.broadcast(F, 1f).div(z.fma(0.5f, 1f));
            FloatVector p = t.fma(0.17087277f, -0.82215223f).fma(t, FloatVector.broadcast(F, 1.48851587f))
                    .fma(t, FloatVector.broadcast(F, -1.13520398f)).fma(t, FloatVector.broadcast(F, 0.27886807f))
                    .fma(t, FloatVector.broadcast(F, -0.18628806f)).fma(t, FloatVector.broadcast(F, 0.09678418f))
                    .fma(t, FloatVector.broadcast(F, 0.37409196f)).fma(t, FloatVector.broadcast(F, 1.00002368f))
                    .fma(t, FloatVector.broadcast(F, -1.26551223f));
            FloatVector e = t.mul(z.mul(z).neg().add(p).lanewise(VectorOperators.EXP));
            // x >= 0: 1 - e; x < 0: e - 1
            FloatVector y = e.neg().add(1f);
            y = y.blend(e.sub(1f), x.compare(VectorOperators.LT, 0f));
            y.intoMemorySegment(d, (d0 + i) * 4, LE);
        }
        for (; i < n; i++) setF(d, d0 + i, erfScalar(getF(s, so + i)));
    }

    private static void geluErf(MemorySegment s, long so, MemorySegment d, long d0, int n) {
        int i = 0, l = lanesOrZero();
        for (; i <= n - l; i += l) {
            FloatVector x = FloatVector.fromMemorySegment(F, s, (so + i) * 4, LE);
            FloatVector z = x.mul(0.70710678118654752f).abs();
            FloatVector t = FloatVector.broadcast(F, 1f).div(z.fma(0.5f, 1f));
            FloatVector p = t.fma(0.17087277f, -0.82215223f).fma(t, FloatVector.broadcast(F, 1.48851587f))
                    .fma(t, FloatVector.broadcast(F, -1.13520398f)).fma(t, FloatVector.broadcast(F, 0.27886807f))
                    .fma(t, FloatVector.broadcast(F, -0.18628806f)).fma(t, FloatVector.broadcast(F, 0.09678418f))
                    .fma(t, FloatVector.broadcast(F, 0.37409196f)).fma(t, FloatVector.broadcast(F, 1.00002368f))
                    .fma(t, FloatVector.broadcast(F, -1.26551223f));
            FloatVector e = t.mul(z.mul(z).neg().add(p).lanewise(VectorOperators.EXP));
            // 1 + erf(x / sqrt 2) is 2 - erfc for x >= 0 and erfc(|.|) for x < 0
            FloatVector onePlusErf = e.neg().add(2f).blend(e, x.compare(VectorOperators.LT, 0f));
            x.mul(0.5f).mul(onePlusErf).intoMemorySegment(d, (d0 + i) * 4, LE);
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
