package dev.kiln.runtime.cpu.fused;

import dev.kiln.graph.Node;
import dev.kiln.ops.Kernel;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpSchema;
import dev.kiln.ops.fused.FusedOps;
import dev.kiln.runtime.cpu.Activation;
import dev.kiln.runtime.cpu.ConvKernels;
import dev.kiln.runtime.cpu.Elementwise;
import dev.kiln.runtime.cpu.KilnPool;
import dev.kiln.runtime.cpu.NnKernels;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

/**
 * Fast CPU kernels for the {@code dev.kiln} fused ops, built on the CPU backend's public kernels (packed GEMM with
 * epilogue, layer norm, softmax, activations). Like the backend's other kernels, each one handles f32 in the
 * layouts it supports and answers null otherwise, and the wrapper then runs the op's reference kernel — so
 * selection never changes results beyond float rounding.
 */
public final class FusedCpuKernels {
    private FusedCpuKernels() {}

    /** A fast kernel for {@code node}, or null when none exists (the reference kernel runs). */
    public static Kernel select(Node node, OpSchema schema, KilnPool pool) {
        Kernel fast = fast(node, pool);
        if (fast == null) return null;
        Kernel ref = schema.kernel();
        return ctx -> {
            if (!allF32(ctx)) return ref.execute(ctx);
            Object[] out;
            try {
                out = fast.execute(ctx);
            } catch (IllegalArgumentException unsupported) {
                return ref.execute(ctx);   // shapes the fast path rejects: the reference reports them with node context
            }
            return out != null && out[0] != null ? out : ref.execute(ctx);
        };
    }

    /**
     * The fast kernel alone, without the reference fallback (tests use it to prove the fast path ran): it answers
     * null, or null as output 0, for inputs it does not cover. Null when the op has no fast kernel.
     */
    public static Kernel fast(Node node, KilnPool pool) {
        if (!FusedOps.DOMAIN.equals(node.domain())) return null;
        return switch (node.opType()) {
            case "FusedMatMul" -> new FusedMatMulKernel(node, pool);
            case "LayerNorm" -> ctx -> one(NnKernels.layerNorm(ctx.input(0), ctx.input(1), ctx.optionalInput(2),
                    (int) ctx.attrInt("axis"), ctx.attrFloat("epsilon"), pool));
            case "SkipLayerNorm" -> ctx -> {
                Tensor sum = RowOps.add(ctx.input(0), ctx.input(1));
                return sum == null ? null : one(NnKernels.layerNorm(sum, ctx.input(2), ctx.optionalInput(3),
                        (int) ctx.attrInt("axis"), ctx.attrFloat("epsilon"), pool));
            };
            case "Gelu" -> ctx -> switch (ctx.attrString("approximate")) {
                case "none" -> one(Elementwise.unary(Activation.GELU_ERF, ctx.input(0)));
                case "tanh" -> one(Elementwise.unary(Activation.GELU_TANH, ctx.input(0)));
                default -> null;
            };
            case "BiasSoftmax" -> ctx -> {
                Tensor x = ctx.input(0);
                if (x.rank() == 0 || !ctx.input(1).shape().broadcastableTo(x.shape())) return null;
                Tensor sum = RowOps.add(x, ctx.input(1));
                return sum == null || !sum.shape().equals(x.shape()) ? null : one(NnKernels.softmax(sum, -1, false, false, pool));
            };
            case "Attention" -> new AttentionKernel(pool);
            case "ConvNhwc" -> ctx -> one(convNhwc(ctx, pool));
            case "FusedConv" -> ctx -> one(fusedConv(ctx, pool));
            default -> null;
        };
    }

    /** Channels-last conv through the packed-weight GEMM, activation in its epilogue; Clip / GELU fall back. */
    private static Tensor convNhwc(KernelContext ctx, KilnPool pool) {
        Activation act = activation(ctx.attrString("activation"));
        Tensor w = ctx.input(1);
        if (act == null || w.rank() != 4) return null;
        ConvKernels.Conv2d g = geometry((int) w.shape().dim(0), (int) w.shape().dim(1), ctx.attrInts("strides"), ctx.attrInts("dilations"), ctx.attrInts("pads"));
        return g == null ? null : ConvKernels.conv2dNhwcPacked(ctx.input(0), w, ctx.optionalInput(2), act, g, pool);
    }

    /**
     * FusedConv (NCHW, the O2 form of Conv + activation): the backend's NCHW conv, then the activation. Explicit or
     * VALID padding and Relu / Sigmoid / Tanh / none only; anything else (SAME padding, Clip, GELU) is left to the
     * reference kernel.
     */
    private static Tensor fusedConv(KernelContext ctx, KilnPool pool) {
        Activation act = activation(ctx.attrString("activation"));
        String auto = ctx.attrString("auto_pad");
        Tensor x = ctx.input(0), w = ctx.input(1);
        if (act == null || !(auto.equals("NOTSET") || auto.equals("VALID")) || x.rank() != 4 || w.rank() != 4) return null;
        long[] ks = ctx.attrInts("kernel_shape"), st = ctx.attrInts("strides"), dl = ctx.attrInts("dilations");
        long[] pd = auto.equals("VALID") ? null : ctx.attrInts("pads");
        if (ks != null && (ks.length != 2 || ks[0] != w.shape().dim(2) || ks[1] != w.shape().dim(3))) return null;
        ConvKernels.Conv2d g = geometry((int) w.shape().dim(2), (int) w.shape().dim(3), st, dl, pd);
        if (g == null) return null;
        Tensor y = ConvKernels.conv2d(x, w, ctx.optionalInput(2), (int) ctx.attrInt("group"), g, pool);
        return y == null || act == Activation.NONE ? y : Elementwise.unary(act, y, pool);
    }

    private static Activation activation(String name) {
        return switch (name) {
            case "" -> Activation.NONE;
            case "Relu" -> Activation.RELU;
            case "Sigmoid" -> Activation.SIGMOID;
            case "Tanh" -> Activation.TANH;
            default -> null;
        };
    }

    /** 2-D conv geometry from the attributes (defaults: stride 1, dilation 1, no padding); null when malformed. */
    private static ConvKernels.Conv2d geometry(int kh, int kw, long[] st, long[] dl, long[] pd) {
        if ((st != null && st.length != 2) || (dl != null && dl.length != 2) || (pd != null && pd.length != 4)) return null;
        int[] p = new int[4];
        if (pd != null) for (int i = 0; i < 4; i++) p[i] = (int) pd[i];
        ConvKernels.Conv2d g = new ConvKernels.Conv2d(kh, kw, st == null ? 1 : (int) st[0], st == null ? 1 : (int) st[1],
                dl == null ? 1 : (int) dl[0], dl == null ? 1 : (int) dl[1], p[0], p[1], p[2], p[3]);
        boolean ok = g.sh() >= 1 && g.sw() >= 1 && g.dh() >= 1 && g.dw() >= 1 && p[0] >= 0 && p[1] >= 0 && p[2] >= 0 && p[3] >= 0;
        return ok ? g : null;
    }

    private static boolean allF32(KernelContext ctx) {
        for (int i = 0; i < ctx.inputCount(); i++) {
            Object v = ctx.inputValue(i);
            if (v != null && (!(v instanceof Tensor t) || t.dtype() != DType.F32)) return false;
        }
        return true;
    }

    static Object[] one(Tensor t) { return new Object[]{t}; }
}
