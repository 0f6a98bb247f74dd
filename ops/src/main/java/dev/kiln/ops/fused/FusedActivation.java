package dev.kiln.ops.fused;

import dev.kiln.ops.math.SpecialFunctions;

import java.util.Locale;

/**
 * The activations a fused op may apply after its main computation (the {@code activation} attribute of
 * FusedMatMul / FusedConv). Names follow the ONNX op they replace; evaluated in double by the reference kernels.
 */
public enum FusedActivation {
    NONE(""), RELU("Relu"), GELU("Gelu"), GELU_TANH("GeluTanh"), SIGMOID("Sigmoid"), TANH("Tanh"), CLIP("Clip");

    private final String attr;

    FusedActivation(String attr) { this.attr = attr; }

    /** The attribute spelling. */
    public String attrName() { return attr; }

    /** Parses the attribute; unknown names are an error (the fusion pass only writes known ones). */
    public static FusedActivation parse(String name) {
        if (name == null) return NONE;
        for (FusedActivation a : values()) if (a.attr.equalsIgnoreCase(name)) return a;
        throw new IllegalArgumentException("unknown fused activation '" + name + "' (known: Relu, Gelu, GeluTanh, Sigmoid, Tanh, Clip)");
    }

    /** act(x); {@code lo}/{@code hi} are Clip's bounds (ignored by the others). */
    public double apply(double x, double lo, double hi) {
        return switch (this) {
            case NONE -> x;
            case RELU -> x > 0 ? x : (x == 0 || x < 0 ? 0.0 : x);   // NaN stays NaN
            case GELU -> gelu(x);
            case GELU_TANH -> geluTanh(x);
            case SIGMOID -> 1.0 / (1.0 + Math.exp(-x));
            case TANH -> Math.tanh(x);
            case CLIP -> Double.isNaN(x) ? x : Math.min(hi, Math.max(lo, x));
        };
    }

    static double gelu(double x) { return 0.5 * x * (1.0 + SpecialFunctions.erf(x / Math.sqrt(2.0))); }

    static double geluTanh(double x) {
        return 0.5 * x * (1.0 + Math.tanh(Math.sqrt(2.0 / Math.PI) * (x + 0.044715 * x * x * x)));
    }

    @Override public String toString() { return attr.isEmpty() ? "none" : attr.toLowerCase(Locale.ROOT); }
}
