package dev.kiln.ops.nn;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Node;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpFailure;

import java.util.Arrays;

/**
 * Sliding-window geometry shared by Conv, pooling, Col2Im and friends: per spatial axis the input size, kernel
 * size, stride, dilation, begin/end padding and output size, resolved from {@code auto_pad}, {@code pads},
 * {@code strides}, {@code dilations} and {@code ceil_mode} exactly as the ONNX spec defines them.
 */
record Window(long[] in, long[] kernel, long[] strides, long[] dilations, long[] padBegin, long[] padEnd, long[] out) {

    int rank() { return in.length; }

    long effectiveKernel(int i) { return (kernel[i] - 1) * dilations[i] + 1; }

    long outCount() { return NnTensors.product(out, 0, out.length); }
    long kernelCount() { return NnTensors.product(kernel, 0, kernel.length); }
    long inCount() { return NnTensors.product(in, 0, in.length); }

    /** Where window attributes come from: a running node (kernels) or a graph node (type inference). */
    interface Attrs {
        /** The INTS attribute, or null when absent. */
        long[] ints(String name);
        /** The STRING attribute, or null when absent. */
        String string(String name);
        OpFailure fail(String message);

        static Attrs of(KernelContext ctx) {
            return new Attrs() {
                @Override public long[] ints(String name) { return ctx.attrInts(name); }
                @Override public String string(String name) { return ctx.attr(name) == null ? null : ctx.attrString(name); }
                @Override public OpFailure fail(String message) { return ctx.fail(message); }
            };
        }

        static Attrs of(Node node) {
            return new Attrs() {
                @Override public long[] ints(String name) { Attribute a = node.attribute(name); return a == null ? null : a.asInts(); }
                @Override public String string(String name) { Attribute a = node.attribute(name); return a == null ? null : a.asString(); }
                @Override public OpFailure fail(String message) { return new OpFailure(node.describe() + ": " + message); }
            };
        }
    }

    /** Resolves the geometry for a forward (convolution-like) window over {@code in} with {@code kernel}. */
    static Window forward(KernelContext ctx, long[] in, long[] kernel, boolean ceilMode) {
        return forward(Attrs.of(ctx), in, kernel, ceilMode);
    }

    static Window forward(Attrs ctx, long[] in, long[] kernel, boolean ceilMode) {
        int n = in.length;
        long[] strides = ints(ctx, "strides", n, 1);
        long[] dil = ints(ctx, "dilations", n, 1);
        long[] pads = ctx.ints("pads");
        String autoPad = ctx.string("auto_pad") == null ? "NOTSET" : ctx.string("auto_pad");
        long[] pb = new long[n], pe = new long[n], out = new long[n];
        if (pads != null && pads.length != 0 && pads.length != 2 * n)
            throw ctx.fail("pads must have " + 2 * n + " values, got " + Arrays.toString(pads));
        for (int i = 0; i < n; i++) {
            if (kernel[i] <= 0) throw ctx.fail("kernel size must be positive, got " + Arrays.toString(kernel));
            if (strides[i] <= 0 || dil[i] <= 0) throw ctx.fail("strides and dilations must be positive");
            long ek = (kernel[i] - 1) * dil[i] + 1;
            switch (autoPad) {
                case "SAME_UPPER", "SAME_LOWER" -> {
                    out[i] = ceilDiv(in[i], strides[i]);
                    long total = Math.max(0, (out[i] - 1) * strides[i] + ek - in[i]);
                    long small = total / 2, big = total - small;
                    pb[i] = autoPad.equals("SAME_UPPER") ? small : big;
                    pe[i] = total - pb[i];
                }
                case "VALID" -> out[i] = in[i] < ek ? 0 : (in[i] - ek) / strides[i] + 1;
                case "NOTSET", "" -> {
                    if (pads != null && pads.length == 2 * n) { pb[i] = pads[i]; pe[i] = pads[i + n]; }
                    if (pb[i] < 0 || pe[i] < 0) throw ctx.fail("negative pads " + Arrays.toString(pads));
                    long span = in[i] + pb[i] + pe[i] - ek;
                    if (span < 0) throw ctx.fail("kernel " + Arrays.toString(kernel) + " (dilated) is larger than the padded input " + Arrays.toString(in));
                    if (ceilMode) {
                        out[i] = ceilDiv(span, strides[i]) + 1;
                        // A window that would start entirely in the end padding is dropped (as PyTorch and ONNX do).
                        if ((out[i] - 1) * strides[i] >= in[i] + pb[i]) out[i]--;
                    } else {
                        out[i] = span / strides[i] + 1;
                    }
                }
                default -> throw ctx.fail("unknown auto_pad '" + autoPad + "'");
            }
        }
        long taps = 1;
        for (long k : kernel) {
            taps = Math.multiplyExact(taps, k);
            // Kernels walk every tap of the window; a window this large can only come from a bad attribute.
            if (taps * n > NnTensors.MAX_ELEMENTS) throw ctx.fail("kernel " + Arrays.toString(kernel) + " is too large");
        }
        return new Window(in, kernel, strides, dil, pb, pe, out);
    }

    static long[] ints(KernelContext ctx, String name, int n, long dflt) {
        return ints(Attrs.of(ctx), name, n, dflt);
    }

    static long[] ints(Attrs ctx, String name, int n, long dflt) {
        long[] v = ctx.ints(name);
        if (v == null || v.length == 0) {
            long[] d = new long[n];
            Arrays.fill(d, dflt);
            return d;
        }
        if (v.length != n) throw ctx.fail(name + " must have " + n + " values, got " + Arrays.toString(v));
        return v;
    }

    static long ceilDiv(long a, long b) { return -Math.floorDiv(-a, b); }

    /** Row-major multi-index of flat position {@code flat} within {@code dims}, written into {@code idx}. */
    static void unflatten(long flat, long[] dims, long[] idx) {
        for (int d = dims.length - 1; d >= 0; d--) {
            idx[d] = flat % dims[d];
            flat /= dims[d];
        }
    }

    /** Every kernel offset's multi-index, flattened row-major: {@code [k * rank + axis]}. */
    long[] kernelOffsets() {
        int n = rank();
        int kc = (int) kernelCount();
        long[] out = new long[kc * n];
        long[] idx = new long[n];
        for (int k = 0; k < kc; k++) {
            unflatten(k, kernel, idx);
            System.arraycopy(idx, 0, out, k * n, n);
        }
        return out;
    }
}
