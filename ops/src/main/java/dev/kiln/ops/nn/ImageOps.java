package dev.kiln.ops.nn;

import dev.kiln.graph.Attribute;
import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;

/** Op family: image ops (Resize, Upsample, GridSample, AffineGrid, RoiAlign, ImageDecoder, NonMaxSuppression). */
public final class ImageOps implements OpFamily {
    @Override public void register(OpRegistry r) {
        // 10: scales only, asymmetric; 11: roi/sizes, coordinate modes; 13: optional roi/scales;
        // 18: antialias, axes, keep_aspect_ratio_policy; 19: half_pixel_symmetric.
        OpSchema.builder("Resize").since(10, 11, 13, 18, 19)
                .attrString("mode", "nearest")
                .attrString("coordinate_transformation_mode", "half_pixel")
                .attrString("nearest_mode", "round_prefer_floor")
                .attrFloat("cubic_coeff_a", -0.75f)
                .attrInt("exclude_outside", 0)
                .attrFloat("extrapolation_value", 0f)
                .attrInt("antialias", 0)
                .attr("axes", Attribute.Kind.INTS, null)
                .attrString("keep_aspect_ratio_policy", "stretch")
                .infer(ImageInference::resize)
                .kernel(ResizeKernel::resize)
                .register(r);

        OpSchema.builder("Upsample").since(7, 9)
                .attrString("mode", "nearest")
                .attr("scales", Attribute.Kind.FLOATS, null)
                .infer(ImageInference::resize)
                .kernel(ResizeKernel::upsample)
                .register(r);

        // 16: 4-D only with bilinear/bicubic names; 20: N-D with linear/cubic; 22: more types.
        OpSchema.builder("GridSample").since(16, 20, 22)
                .attrInt("align_corners", 0)
                .attrString("mode", "linear")
                .attrString("padding_mode", "zeros")
                .infer(ImageInference::gridSample)
                .kernel(GridSampleKernel::run)
                .register(r);

        OpSchema.builder("AffineGrid").since(20)
                .attrInt("align_corners", 0)
                .infer(ImageInference::affineGrid)
                .kernel(DetectionKernels::affineGrid)
                .register(r);

        OpSchema.builder("RoiAlign").since(10, 16, 22)
                .attrString("coordinate_transformation_mode", "half_pixel")
                .attrString("mode", "avg")
                .attrInt("output_height", 1)
                .attrInt("output_width", 1)
                .attrInt("sampling_ratio", 0)
                .attrFloat("spatial_scale", 1f)
                .infer(ImageInference::roiAlign)
                .kernel(DetectionKernels::roiAlign)
                .register(r);

        OpSchema.builder("ImageDecoder").since(20)
                .attrString("pixel_format", "RGB")
                .infer(ctx -> {
                    var f = ctx.node().attribute("pixel_format");
                    long c = f != null && f.asString().equals("Grayscale") ? 1 : 3;
                    ctx.setOutputType(0, AttnIo.typeOf(dev.kiln.tensor.DType.U8, -1, -1, c));
                })
                .kernel(ImageDecodeKernel::run)
                .register(r);

        OpSchema.builder("NonMaxSuppression").since(10, 11)
                .attrInt("center_point_box", 0)
                .infer(ctx -> ctx.setOutputType(0, AttnIo.typeOf(dev.kiln.tensor.DType.I64, -1, 3)))
                .kernel(DetectionKernels::nms)
                .register(r);
    }
}
