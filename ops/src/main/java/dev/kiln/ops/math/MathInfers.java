package dev.kiln.ops.math;

import dev.kiln.graph.ValueType;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.ops.Inference;
import dev.kiln.ops.Infers;
import dev.kiln.tensor.DType;

/** Type-inference rules shared by the math, reduce and quant families. */
public final class MathInfers {
    private MathInfers() {}

    /** Output 0: input 0's dims with a fixed dtype. */
    public static Inference sameShape(DType dtype) {
        return ctx -> ctx.setOutputType(0, withDtype(ctx.inputType(0), dtype));
    }

    /** Output 0: broadcast of the inputs' dims with a fixed dtype. */
    public static Inference broadcastAs(DType dtype) {
        return ctx -> ctx.setOutputType(0, Infers.broadcastAll(ctx, dtype));
    }

    /** Input {@code t}'s dims (unranked when unknown) with {@code dtype}. */
    public static TensorType withDtype(ValueType t, DType dtype) {
        return t instanceof TensorType tt ? new TensorType(dtype, tt.dims()) : TensorType.unranked(dtype);
    }
}
