package dev.kiln.ops.nn;

import dev.kiln.graph.Dim;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.DType;

/** Op family: signal processing (DFT, STFT, window functions, MelWeightMatrix). */
public final class SignalOps implements OpFamily {
    @Override public void register(OpRegistry r) {
        // 17: axis attribute (default 1); 20: axis is input 2 (default -2) and counts the complex axis.
        OpSchema.builder("DFT").since(17, 20)
                .attrInt("axis", 1)
                .attrInt("inverse", 0)
                .attrInt("onesided", 0)
                .infer(ctx -> {
                    TensorType t = AttnIo.tensorType(ctx.inputType(0));
                    if (t != null) ctx.setOutputType(0, t.hasRank() ? unknownDims(t.dtype(), t.rank()) : TensorType.unranked(t.dtype()));
                })
                .kernel(SpectralKernels::dft)
                .register(r);

        OpSchema.builder("STFT").since(17)
                .attrInt("onesided", 1)
                .infer(ctx -> {
                    TensorType t = AttnIo.tensorType(ctx.inputType(0));
                    if (t != null) ctx.setOutputType(0, AttnIo.typeOf(t.dtype(), AttnIo.dim(t, 0), -1, -1, 2));
                })
                .kernel(SpectralKernels::stft)
                .register(r);

        window(r, "HannWindow", 0.5, 0.5, 0);
        window(r, "HammingWindow", 25.0 / 46, 21.0 / 46, 0);
        window(r, "BlackmanWindow", 0.42, 0.5, 0.08);

        OpSchema.builder("MelWeightMatrix").since(17)
                .attrInt("output_datatype", 1)
                .infer(ctx -> ctx.setOutputType(0, AttnIo.typeOf(outType(ctx.node()), -1, -1)))
                .kernel(SpectralKernels::melWeightMatrix)
                .register(r);
    }

    private static void window(OpRegistry r, String name, double a0, double a1, double a2) {
        OpSchema.builder(name).since(17)
                .attrInt("output_datatype", 1)
                .attrInt("periodic", 1)
                .infer(ctx -> ctx.setOutputType(0, AttnIo.typeOf(outType(ctx.node()), -1)))
                .kernel(ctx -> SpectralKernels.window(ctx, a0, a1, a2))
                .register(r);
    }

    private static DType outType(dev.kiln.graph.Node n) {
        var a = n.attribute("output_datatype");
        try {
            return a == null ? DType.F32 : DType.fromOnnx((int) a.asInt());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static TensorType unknownDims(DType dt, int rank) {
        return new TensorType(dt, java.util.Collections.nCopies(rank, Dim.UNKNOWN));
    }
}
