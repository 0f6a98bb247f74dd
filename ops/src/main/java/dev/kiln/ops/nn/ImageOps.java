package dev.kiln.ops.nn;

import dev.kiln.graph.Attribute;
import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;

/** Op family: image ops (Resize, Upsample, GridSample, AffineGrid, RoiAlign, NonMaxSuppression). */
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
    }
}
