package dev.kiln.ops;

import java.util.List;

/** The op families that make up {@link OpRegistry#standard()}: one file per family, one line each here. */
final class StandardFamilies {
    private StandardFamilies() {}

    static final List<OpFamily> ALL = List.of(
            new dev.kiln.ops.math.ElementwiseOps(),
            new dev.kiln.ops.math.CastOps(),
            new dev.kiln.ops.reduce.ReductionOps(),
            new dev.kiln.ops.reduce.SoftmaxOps(),
            new dev.kiln.ops.reduce.LossOps(),
            new dev.kiln.ops.quant.QuantOps(),
            new dev.kiln.ops.shape.ShapeOps(),
            new dev.kiln.ops.shape.IndexingOps(),
            new dev.kiln.ops.shape.GeneratorOps(),
            new dev.kiln.ops.control.ControlFlowOps(),
            new dev.kiln.ops.control.SequenceOps(),
            new dev.kiln.ops.text.StringOps(),
            new dev.kiln.ops.ml.MlOps(),
            new dev.kiln.ops.nn.ConvOps(),
            new dev.kiln.ops.nn.PoolOps(),
            new dev.kiln.ops.nn.NormalizationOps(),
            new dev.kiln.ops.nn.MatMulOps(),
            new dev.kiln.ops.nn.AttentionOps(),
            new dev.kiln.ops.nn.RecurrentOps(),
            new dev.kiln.ops.nn.ImageOps(),
            new dev.kiln.ops.nn.SignalOps(),
            new dev.kiln.ops.fused.FusedOps(),
            new dev.kiln.ops.fused.ElementwiseFusionOps(),
            new dev.kiln.ops.fused.ConvNhwcOps());
}
