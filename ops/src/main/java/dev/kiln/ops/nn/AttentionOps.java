package dev.kiln.ops.nn;

import dev.kiln.ops.Infers;
import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/** Op family: attention and its building blocks (Attention, RotaryEmbedding, SwiGLU, ...). */
public final class AttentionOps implements OpFamily {
    @Override public void register(OpRegistry r) {
        // 24 added nonpad_kv_seqlen (input 6); the kernel ignores that slot under 23.
        OpSchema.builder("Attention").since(23, 24)
                .attrInt("is_causal", 0)
                .attrFloat("softcap", 0f)
                .attrInt("qk_matmul_output_mode", 0)
                .attr("q_num_heads", dev.kiln.graph.Attribute.Kind.INT, null)
                .attr("kv_num_heads", dev.kiln.graph.Attribute.Kind.INT, null)
                .attr("scale", dev.kiln.graph.Attribute.Kind.FLOAT, null)
                .attr("softmax_precision", dev.kiln.graph.Attribute.Kind.INT, null)
                .infer(AttentionKernel::infer)
                .kernel(AttentionKernel::run)
                .register(r);

        OpSchema.builder("RotaryEmbedding").since(23)
                .attrInt("interleaved", 0)
                .attrInt("rotary_embedding_dim", 0)
                .attrInt("num_heads", 0)
                .infer(Infers.SAME_AS_INPUT0)
                .kernel(RotaryKernel::run)
                .register(r);

        // y = a * sigmoid(alpha * a) * b, with a and b broadcast against each other.
        OpSchema.builder("SwiGLU").since(28)
                .attrFloat("alpha", 1f)
                .infer(Infers.BROADCAST)
                .kernel(ctx -> {
                    Tensor a = ctx.input(0), b = ctx.input(1);
                    AttnIo.requireFloat(ctx, a, "a");
                    Shape out;
                    try {
                        out = Shape.broadcast(a.shape(), b.shape());
                    } catch (IllegalArgumentException e) {
                        throw ctx.fail(e.getMessage());
                    }
                    double alpha = ctx.attrFloat("alpha");
                    double[] av = AttnIo.doubles(a.expand(out)), bv = AttnIo.doubles(b.expand(out));
                    double[] y = new double[av.length];
                    for (int i = 0; i < y.length; i++) y[i] = av[i] / (1 + Math.exp(-alpha * av[i])) * bv[i];
                    return new Object[]{AttnIo.tensor(a.dtype(), out, y)};
                })
                .register(r);
    }
}
