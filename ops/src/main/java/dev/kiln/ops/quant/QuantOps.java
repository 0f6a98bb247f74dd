package dev.kiln.ops.quant;

import dev.kiln.graph.ValueType;
import dev.kiln.ops.Infers;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.ops.math.MathInfers;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Float8;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.lang.foreign.ValueLayout;
import java.util.List;

/**
 * Op family: QuantizeLinear / DequantizeLinear (per-tensor, per-axis and blocked scales; integer, sub-byte and
 * float8/float4 targets), DynamicQuantizeLinear, and the integer matmuls (registered from {@link IntegerMatMulOps}).
 * Quantization divides in the scale's precision and rounds half to even, then adds the zero point and clamps to
 * the target range (float targets convert with the {@code saturate} rule instead).
 */
public final class QuantOps implements OpFamily {
    @Override public void register(OpRegistry r) {
        OpSchema.builder("QuantizeLinear").since(10, 13, 19, 21, 23, 24, 25)
                .attrInt("axis", 1).attrInt("block_size", 0).attrInt("output_dtype", 0).attrInt("saturate", 1).attrInt("precision", 0)
                .infer(ctx -> {
                    var od = ctx.node().attribute("output_dtype");
                    DType t = od != null && od.asInt() != 0 ? DType.fromOnnx((int) od.asInt())
                            : ctx.inputCount() > 2 && ctx.node().input(2) != null ? Infers.dtypeOf(ctx.inputType(2)) : DType.U8;
                    ctx.setOutputType(0, MathInfers.withDtype(ctx.inputType(0), t));
                })
                .kernel(QuantOps::quantize).register(r);
        OpSchema.builder("DequantizeLinear").since(10, 13, 19, 21, 23, 24, 25)
                .attrInt("axis", 1).attrInt("block_size", 0).attrInt("output_dtype", 0)
                .infer(ctx -> {
                    var od = ctx.node().attribute("output_dtype");
                    DType t = od != null && od.asInt() != 0 ? DType.fromOnnx((int) od.asInt()) : Infers.dtypeOf(ctx.inputType(1));
                    ctx.setOutputType(0, MathInfers.withDtype(ctx.inputType(0), t));
                })
                .kernel(QuantOps::dequantize).register(r);
        OpSchema.builder("DynamicQuantizeLinear").since(11)
                .infer(ctx -> {
                    ctx.setOutputType(0, MathInfers.withDtype(ctx.inputType(0), DType.U8));
                    ctx.setOutputType(1, new ValueType.TensorType(DType.F32, List.of()));
                    ctx.setOutputType(2, new ValueType.TensorType(DType.U8, List.of()));
                })
                .kernel(QuantOps::dynamicQuantize).register(r);
        new IntegerMatMulOps().register(r);
    }

    /** Maps each dense index of x to the index of its scale / zero point (per-tensor, per-axis or blocked). */
    record ScaleMap(long inner, long axisDim, long blocks, int blockSize, int mode) {
        static final int TENSOR = 0, AXIS = 1, BLOCKED = 2;

        static ScaleMap of(KernelContext ctx, Shape x, Tensor scale) {
            long bs = ctx.attrInt("block_size");
            if (bs < 0) throw ctx.fail("block_size must be >= 0, got " + bs);
            if (scale.numel() == 1 && scale.rank() <= 1 && bs == 0) return new ScaleMap(1, 1, 1, 0, TENSOR);
            if (x.rank() == 0) throw ctx.fail("a scalar input needs a scalar scale, got " + scale.shape());
            int axis = (int) (ctx.attrInt("axis") < 0 ? ctx.attrInt("axis") + x.rank() : ctx.attrInt("axis"));
            if (axis < 0 || axis >= x.rank()) throw ctx.fail("axis " + ctx.attrInt("axis") + " is out of range for rank " + x.rank());
            long inner = 1;
            for (int i = axis + 1; i < x.rank(); i++) inner *= x.dim(i);
            long d = x.dim(axis);
            if (bs == 0) {
                if (scale.rank() != 1 || scale.shape().dim(0) != d)
                    throw ctx.fail("per-axis scale must have shape [" + d + "], got " + scale.shape());
                return new ScaleMap(inner, d, d, 0, AXIS);
            }
            long blocks = (d + bs - 1) / bs;
            Shape want = x.withDim(axis, blocks);
            if (!scale.shape().equals(want)) throw ctx.fail("blocked scale must have shape " + want + ", got " + scale.shape());
            return new ScaleMap(inner, d, blocks, (int) bs, BLOCKED);
        }

        long index(long i) {
            return switch (mode) {
                case TENSOR -> 0;
                case AXIS -> (i / inner) % axisDim;
                default -> {
                    long in = i % inner, a = (i / inner) % axisDim, outer = i / inner / axisDim;
                    yield (outer * blocks + a / blockSize) * inner + in;
                }
            };
        }
    }

    private static Object[] quantize(KernelContext ctx) {
        Tensor x = ctx.input(0), scale = ctx.input(1), zp = ctx.optionalInput(2);
        long od = ctx.attrInt("output_dtype");
        DType to = od != 0 ? DType.fromOnnx((int) od) : zp != null ? zp.dtype() : DType.U8;
        if (zp != null && zp.dtype() != to) throw ctx.fail("zero point type " + zp.dtype() + " differs from output_dtype " + to);
        if (zp != null && !(zp.numel() == 1 && scale.numel() == 1) && !zp.shape().equals(scale.shape())) throw ctx.fail("zero point shape " + zp.shape() + " differs from scale shape " + scale.shape());
        ScaleMap map = ScaleMap.of(ctx, x.shape(), scale);
        boolean saturate = ctx.attrInt("saturate") != 0;
        // The division runs in the scale's precision unless the 'precision' attribute names another float type.
        long prec = ctx.attrInt("precision");
        DType st = prec != 0 ? DType.fromOnnx((int) prec) : scale.dtype();
        Tensor out = Tensor.allocate(to, x.shape());
        long n = x.numel();
        long lo = rangeMin(to), hi = rangeMax(to);
        for (long i = 0; i < n; i++) {
            long si = map.index(i);
            double q = roundTo(st, x.getDouble(i) / scale.getDouble(si));
            if (to.isFloatingPoint()) {
                float v = (float) (q + (zp == null ? 0 : zp.getDouble(si)));
                int bits = to == DType.F8E8M0 ? Float8.toE8M0(v, saturate, Float8.RoundMode.UP) : Float8.fromFloat(to, v, saturate);
                out.segment().set(ValueLayout.JAVA_BYTE, i, (byte) bits);
            } else {
                double v = Math.rint(q) + (zp == null ? 0 : zp.getLong(si));
                out.setLong(i, Double.isNaN(v) ? 0 : (long) Math.max(lo, Math.min(hi, v)));
            }
        }
        return new Object[] {out};
    }

    private static Object[] dequantize(KernelContext ctx) {
        Tensor x = ctx.input(0), scale = ctx.input(1), zp = ctx.optionalInput(2);
        if (zp != null && zp.dtype() != x.dtype()) throw ctx.fail("zero point type " + zp.dtype() + " differs from input type " + x.dtype());
        long od = ctx.attrInt("output_dtype");
        DType to = od != 0 ? DType.fromOnnx((int) od) : scale.dtype();
        ScaleMap map = ScaleMap.of(ctx, x.shape(), scale);
        Tensor out = Tensor.allocate(to, x.shape());
        long n = x.numel();
        boolean fp = x.dtype().isFloatingPoint();
        for (long i = 0; i < n; i++) {
            long si = map.index(i);
            double d = fp ? x.getDouble(i) - (zp == null ? 0 : zp.getDouble(si))
                    : (double) (x.getLong(i) - (zp == null ? 0 : zp.getLong(si)));
            out.setDouble(i, roundTo(to, d * scale.getDouble(si)));
        }
        return new Object[] {out};
    }

    /** uint8 quantization with scale and zero point computed from the data range (which always includes 0). */
    private static Object[] dynamicQuantize(KernelContext ctx) {
        Tensor x = ctx.input(0);
        if (x.dtype() != DType.F32) throw ctx.fail("input must be float32, got " + x.dtype());
        long n = x.numel();
        float min = 0, max = 0;
        for (long i = 0; i < n; i++) {
            float v = x.getFloat(i);
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        float scale = (max - min) / 255f;
        float zpF = scale == 0 ? 0 : (float) Math.rint(Math.max(0, Math.min(255, (0 - min) / scale)));
        long zp = (long) zpF;
        Tensor y = Tensor.allocate(DType.U8, x.shape());
        for (long i = 0; i < n; i++) {
            double q = scale == 0 ? 0 : Math.rint(x.getFloat(i) / scale) + zp;
            y.setLong(i, (long) Math.max(0, Math.min(255, q)));
        }
        return new Object[] {y, Tensor.scalar(DType.F32, scale), Tensor.scalarLong(DType.U8, zp)};
    }

    /** Rounds a double to the precision of floating type {@code t} (f32, f16, bf16 arithmetic as numpy does it). */
    static double roundTo(DType t, double v) {
        return switch (t) {
            case F32 -> (float) v;
            case F16 -> Float.float16ToFloat(Float.floatToFloat16((float) v));
            case BF16 -> dev.kiln.tensor.Half.bf16ToFloat(dev.kiln.tensor.Half.floatToBf16((float) v));
            default -> v;
        };
    }

    static long rangeMin(DType t) {
        return switch (t) {
            case I8 -> -128; case I16 -> -32768; case I32 -> Integer.MIN_VALUE; case I4 -> -8; case I2 -> -2;
            default -> 0;
        };
    }

    static long rangeMax(DType t) {
        return switch (t) {
            case I8 -> 127; case U8 -> 255; case I16 -> 32767; case U16 -> 65535; case I32 -> Integer.MAX_VALUE;
            case U32 -> 0xFFFFFFFFL; case I4 -> 7; case U4 -> 15; case I2 -> 1; case U2 -> 3;
            default -> Long.MAX_VALUE;
        };
    }
}
