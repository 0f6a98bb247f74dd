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
        // 24 added nonpad_kv_seqlen (input 6); under 23 the kernel rejects that input.
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

        OpSchema.builder("LinearAttention").since(27)
                .attrInt("q_num_heads", 0)
                .attrInt("kv_num_heads", 0)
                .attrString("update_rule", "gated_delta")
                .attr("scale", dev.kiln.graph.Attribute.Kind.FLOAT, null)
                .infer(ctx -> {
                    var q = AttnIo.tensorType(ctx.inputType(0));
                    if (q == null) return;
                    ctx.setOutputType(0, q);
                    if (ctx.outputCount() > 1) ctx.setOutputType(1, AttnIo.typeOf(q.dtype(), AttnIo.dim(q, 0), -1, -1, -1));
                })
                .kernel(AttentionStateKernels::linearAttention)
                .register(r);

        OpSchema.builder("CausalConvWithState").since(27)
                .attrString("activation", "none")
                .infer(ctx -> {
                    var x = AttnIo.tensorType(ctx.inputType(0));
                    var w = AttnIo.tensorType(ctx.inputType(1));
                    if (x == null) return;
                    ctx.setOutputType(0, x);
                    long k = AttnIo.dim(w, 2);
                    if (ctx.outputCount() > 1)
                        ctx.setOutputType(1, AttnIo.typeOf(x.dtype(), AttnIo.dim(x, 0), AttnIo.dim(x, 1), k < 0 ? -1 : k - 1));
                })
                .kernel(AttentionStateKernels::causalConv)
                .register(r);

        OpSchema.builder("ai.onnx.preview", "FlexAttention").since(1)
                .attr("scale", dev.kiln.graph.Attribute.Kind.FLOAT, null)
                .attr("score_mod", dev.kiln.graph.Attribute.Kind.GRAPH, null)
                .attr("prob_mod", dev.kiln.graph.Attribute.Kind.GRAPH, null)
                .infer(ctx -> {
                    var q = AttnIo.tensorType(ctx.inputType(0));
                    var v = AttnIo.tensorType(ctx.inputType(2));
                    if (q != null) ctx.setOutputType(0, AttnIo.typeOf(q.dtype(), AttnIo.dim(q, 0), AttnIo.dim(q, 1), AttnIo.dim(q, 2), AttnIo.dim(v, 3)));
                })
                .kernel(FlexAttentionKernel::run)
                .register(r);
    }
}
