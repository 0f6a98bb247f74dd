package dev.kiln.runtime.cpu.fused;

import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.ops.Kernel;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.fused.FusedActivation;
import dev.kiln.runtime.cpu.Activation;
import dev.kiln.runtime.cpu.Epilogue;
import dev.kiln.runtime.cpu.KilnPool;
import dev.kiln.runtime.cpu.MatMulKernels;
import dev.kiln.runtime.cpu.PackedB;
import dev.kiln.runtime.cpu.Sgemm;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

/**
 * dev.kiln.FusedMatMul on the packed GEMM: bias and activation run in the epilogue on each block of C while it
 * is in cache. A constant B (a weight) is packed once, on first use, and kept by this kernel object — one per
 * node per session — for as long as the node keeps receiving that same tensor.
 */
final class FusedMatMulKernel implements Kernel {
    private final KilnPool pool;
    private final Tensor constantB;
    private final boolean transB;
    private volatile PackedB packed;

    FusedMatMulKernel(Node node, KilnPool pool) {
        this.pool = pool;
        Value b = node.input(1);
        this.constantB = b == null ? null : b.constant();
        var t = node.attribute("transB");
        this.transB = t != null && t.asInt() != 0;
    }

    @Override public Object[] execute(KernelContext ctx) {
        if (ctx.attrFloat("alpha") != 1f) return null;
        Activation act = switch (FusedActivation.parse(ctx.attrString("activation"))) {
            case NONE -> Activation.NONE;
            case RELU -> Activation.RELU;
            case GELU -> Activation.GELU_ERF;
            case GELU_TANH -> Activation.GELU_TANH;
            case SIGMOID -> Activation.SIGMOID;
            case TANH -> Activation.TANH;
            case CLIP -> null;
        };
        if (act == null) return null;
        Tensor a = ctx.input(0), b = ctx.input(1);
        if (ctx.attrInt("transA") != 0) {
            if (a.rank() != 2) return null;
            a = a.permute(1, 0);
        }
        Tensor bEff = b;
        if (transB) {
            if (b.rank() != 2) return null;
            bEff = b.permute(1, 0);
        }
        if (a.rank() < 2 || bEff.rank() < 2) return null;
        long n = bEff.shape().dim(bEff.rank() - 1);
        Epilogue ep = Epilogue.of(act);
        Tensor bias = ctx.optionalInput(2);
        if (bias != null) {
            // a vector over the last axis (all other dims 1) goes into the epilogue; anything else is unsupported
            if (bias.numel() != n || (bias.rank() > 0 && bias.shape().dim(bias.rank() - 1) != n)) return null;
            Tensor bc = bias.contiguous();
            ep = Epilogue.columnBias(bc.segment(), bc.offset(), act);
        }
        return new Object[]{MatMulKernels.matmul(a, bEff, packedFor(b, bEff), ep, pool)};
    }

    /** The packed form of B when it is this node's constant weight (2-D f32), else null. */
    private PackedB packedFor(Tensor b, Tensor bEff) {
        if (b != constantB || b.rank() != 2 || b.dtype() != DType.F32) return null;
        PackedB p = packed;
        if (p == null) {
            synchronized (this) {
                p = packed;
                if (p == null) {
                    long[] s = bEff.strides();
                    int k = (int) bEff.shape().dim(0), n = (int) bEff.shape().dim(1);
                    packed = p = Sgemm.packB(k, n, bEff.segment(), bEff.offset(), s[0], s[1]);
                }
            }
        }
        return p;
    }
}
