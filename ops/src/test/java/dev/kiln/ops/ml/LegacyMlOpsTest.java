package dev.kiln.ops.ml;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static dev.kiln.ops.shape.OpRunner.op;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class LegacyMlOpsTest {
    private static final String ML = "ai.onnx.ml";

    /** One stump on feature 0 (x <= 0.5 goes to node 1) plus a second tree that is a single leaf. */
    private static dev.kiln.ops.shape.OpRunner stumps(String op, String prefix) {
        return op(ML, op).opset(3)
                .attr("nodes_treeids", new long[]{0, 0, 0, 1}).attr("nodes_nodeids", new long[]{0, 1, 2, 0})
                .attr("nodes_modes", new String[]{"BRANCH_LEQ", "LEAF", "LEAF", "LEAF"})
                .attr("nodes_featureids", new long[]{0, 0, 0, 0}).attr("nodes_values", new float[]{0.5f, 0, 0, 0})
                .attr("nodes_truenodeids", new long[]{1, 0, 0, 0}).attr("nodes_falsenodeids", new long[]{2, 0, 0, 0})
                .attr("nodes_missing_value_tracks_true", new long[]{1, 0, 0, 0})
                .attr(prefix + "_treeids", new long[]{0, 0, 1}).attr(prefix + "_nodeids", new long[]{1, 2, 0});
    }

    @Test void treeRegressorSumsLeavesAndFollowsMissingValues() {
        Tensor x = Tensor.of(new float[]{0.2f, 0.9f, Float.NaN}, 3, 1);
        Tensor y = stumps("TreeEnsembleRegressor", "target").attr("target_ids", new long[]{0, 0, 0})
                .attr("target_weights", new float[]{10, 20, 1}).attr("base_values", new float[]{100}).in(x).run1();
        assertEquals(Shape.of(3, 1), y.shape());
        assertArrayEquals(new float[]{111, 121, 111}, y.toFloatArray());
        Tensor avg = stumps("TreeEnsembleRegressor", "target").attr("target_ids", new long[]{0, 0, 0})
                .attr("target_weights", new float[]{10, 20, 2}).attr("aggregate_function", "AVERAGE").in(x).run1();
        assertArrayEquals(new float[]{6, 11, 6}, avg.toFloatArray());
    }

    @Test void treeClassifierMulticlassAndBinary() {
        Tensor x = Tensor.of(new float[]{0.2f, 0.9f}, 2, 1);
        Object[] r = stumps("TreeEnsembleClassifier", "class").attr("class_ids", new long[]{0, 1, 2})
                .attr("class_weights", new float[]{1, 1, 0.5f}).attr("classlabels_strings", new String[]{"a", "b", "c"}).outputs(2).in(x).run();
        assertArrayEquals(new String[]{"a", "b"}, ((Tensor) r[0]).toStringArray());
        assertArrayEquals(new float[]{1, 0, 0.5f, 0, 1, 0.5f}, ((Tensor) r[1]).toFloatArray());
        // Binary: a single class column scores the positive class; column 0 is its complement.
        Object[] b = stumps("TreeEnsembleClassifier", "class").attr("class_ids", new long[]{0, 0, 0})
                .attr("class_weights", new float[]{0.1f, 0.7f, 0.0f}).attr("classlabels_int64s", new long[]{3, 7}).outputs(2).in(x).run();
        assertArrayEquals(new long[]{3, 7}, ((Tensor) b[0]).toLongArray());
        assertArrayEquals(new float[]{0.9f, 0.1f, 0.3f, 0.7f}, ((Tensor) b[1]).toFloatArray(), 1e-6f);
    }

    @Test void linearClassifierBinaryWithLogistic() {
        Tensor x = Tensor.of(new float[]{1, 2, -3, 0}, 2, 2);
        Object[] r = op(ML, "LinearClassifier").opset(1).attr("coefficients", new float[]{1, 1}).attr("intercepts", new float[]{0})
                .attr("classlabels_ints", new long[]{0, 1}).attr("post_transform", "LOGISTIC").outputs(2).in(x).run();
        assertArrayEquals(new long[]{1, 0}, ((Tensor) r[0]).toLongArray());
        float[] s = ((Tensor) r[1]).toFloatArray();
        assertEquals(1 / (1 + Math.exp(3)), s[0], 1e-6);
        assertEquals(1 / (1 + Math.exp(-3)), s[1], 1e-6);
        Tensor reg = op(ML, "LinearRegressor").opset(1).attr("coefficients", new float[]{2, 0, 0, 1}).attr("intercepts", new float[]{1, -1})
                .attr("targets", 2L).in(x).run1();
        assertArrayEquals(new float[]{3, 1, -5, -1}, reg.toFloatArray());
    }

    @Test void scalerNormalizerImputer() {
        Tensor x = Tensor.of(new float[]{1, 2, 3, 4}, 2, 2);
        Tensor s = op(ML, "Scaler").opset(1).attr("offset", new float[]{1, 2}).attr("scale", new float[]{2}).in(x).run1();
        assertArrayEquals(new float[]{0, 0, 4, 4}, s.toFloatArray());
        Tensor n = op(ML, "Normalizer").opset(1).attr("norm", "L1").in(x).run1();
        assertArrayEquals(new float[]{1 / 3f, 2 / 3f, 3 / 7f, 4 / 7f}, n.toFloatArray(), 1e-6f);
        Tensor m = op(ML, "Normalizer").opset(1).attr("norm", "MAX").in(Tensor.of(new float[]{-4, 2, 0, 0}, 2, 2)).run1();
        assertArrayEquals(new float[]{-1, 0.5f, 0, 0}, m.toFloatArray());
        Tensor imp = op(ML, "Imputer").opset(1).attr("imputed_value_floats", new float[]{7, 8}).attr("replaced_value_float", Float.NaN)
                .in(Tensor.of(new float[]{Float.NaN, 1, 2, Float.NaN}, 2, 2)).run1();
        assertArrayEquals(new float[]{7, 1, 2, 8}, imp.toFloatArray());
        assertEquals(DType.F32, imp.dtype());
    }

    @Test void encoders() {
        Tensor oh = op(ML, "OneHotEncoder").opset(1).attr("cats_int64s", new long[]{5, 9}).in(Tensor.ofLongs(new long[]{9, 1, 5}, 3)).run1();
        assertEquals(Shape.of(3, 2), oh.shape());
        assertArrayEquals(new float[]{0, 1, 0, 0, 1, 0}, oh.toFloatArray());
        org.junit.jupiter.api.Assertions.assertThrows(dev.kiln.ops.OpFailure.class, () -> op(ML, "OneHotEncoder").opset(1)
                .attr("cats_int64s", new long[]{5}).attr("zeros", 0L).in(Tensor.ofLongs(new long[]{1}, 1)).run1());
        Tensor cm = op(ML, "CategoryMapper").opset(1).attr("cats_strings", new String[]{"a", "b"}).attr("cats_int64s", new long[]{1, 2})
                .in(Tensor.ofStrings(new String[]{"b", "z"}, 2)).run1();
        assertArrayEquals(new long[]{2, -1}, cm.toLongArray());
        Tensor fv = op(ML, "FeatureVectorizer").opset(1).attr("inputdimensions", new long[]{1, 3})
                .in(Tensor.of(new float[]{1, 2, 3, 4}, 2, 2)).in(Tensor.ofLongs(new long[]{5, 6}, 2)).run1();
        assertEquals(Shape.of(2, 4), fv.shape());
        assertArrayEquals(new float[]{1, 5, 0, 0, 3, 6, 0, 0}, fv.toFloatArray());
    }

    @Test void svmRegressorKernels() {
        Tensor x = Tensor.of(new float[]{1, 0, 0, 2}, 2, 2);
        Tensor rbf = op(ML, "SVMRegressor").opset(1).attr("kernel_type", "RBF").attr("n_supports", 2L)
                .attr("support_vectors", new float[]{1, 0, 0, 0}).attr("coefficients", new float[]{2, -1})
                .attr("kernel_params", new float[]{0.5f, 0, 0}).attr("rho", new float[]{0.25f}).in(x).run1();
        // row 0: 2*exp(0) - exp(-0.5*1) + 0.25; row 1: 2*exp(-0.5*5) - exp(-0.5*4) + 0.25
        assertEquals(2 - Math.exp(-0.5) + 0.25, rbf.getDouble(0), 1e-6);
        assertEquals(2 * Math.exp(-2.5) - Math.exp(-2) + 0.25, rbf.getDouble(1), 1e-6);
        Tensor lin = op(ML, "SVMRegressor").opset(1).attr("coefficients", new float[]{3, 1}).attr("rho", new float[]{-1})
                .attr("one_class", 1L).in(Tensor.of(new float[]{1, 0, 0, 0.5f}, 2, 2)).run1();
        assertArrayEquals(new float[]{1, -1}, lin.toFloatArray());
    }

    @Test void svmClassifierOneVsOneVotes() {
        // Three classes with one support vector each; x = [1, 0] gives kernels [0, 1, 0].
        Object[] r = op(ML, "SVMClassifier").opset(1).attr("classlabels_strings", new String[]{"a", "b", "c"})
                .attr("vectors_per_class", new long[]{1, 1, 1}).attr("support_vectors", new float[]{0, 0, 1, 0, 0, 1})
                .attr("coefficients", new float[]{0, -1, 0, 0, 1, 0}).attr("rho", new float[]{0, 0.5f, 0})
                .outputs(2).in(Tensor.of(new float[]{1, 0}, 1, 2)).run();
        // Pair (0,1) = -1 votes b, (0,2) = 0.5 votes a, (1,2) = 1 votes b.
        assertArrayEquals(new String[]{"b"}, ((Tensor) r[0]).toStringArray());
        assertArrayEquals(new float[]{-1, 0.5f, 1}, ((Tensor) r[1]).toFloatArray());
    }

    @Test void svmClassifierBinaryWithProbabilitiesSumsToOne() {
        Object[] r = op(ML, "SVMClassifier").opset(1).attr("classlabels_ints", new long[]{0, 1}).attr("kernel_type", "RBF")
                .attr("kernel_params", new float[]{1, 0, 3}).attr("vectors_per_class", new long[]{1, 1})
                .attr("support_vectors", new float[]{0, 1}).attr("coefficients", new float[]{1, -1}).attr("rho", new float[]{0})
                .attr("prob_a", new float[]{-2}).attr("prob_b", new float[]{0}).outputs(2)
                .in(Tensor.of(new float[]{0, 1}, 2, 1)).run();
        float[] p = ((Tensor) r[1]).toFloatArray();
        assertEquals(Shape.of(2, 2), ((Tensor) r[1]).shape());
        assertEquals(1, p[0] + p[1], 1e-5);
        assertEquals(1, p[2] + p[3], 1e-5);
        // x = 0 is nearer class 0's vector: positive decision value, class 0 more probable.
        assertEquals(true, p[0] > p[1]);
        assertArrayEquals(new long[]{0, 1}, ((Tensor) r[0]).toLongArray());
    }
}
