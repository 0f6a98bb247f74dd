package dev.kiln.ops.ml;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

import static dev.kiln.ops.shape.OpRunner.op;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class MlOpsTest {
    @Test void labelEncoderMapsAndFallsBackToDefault() {
        Tensor y = op("ai.onnx.ml", "LabelEncoder").opset(2).attr("keys_strings", new String[]{"a", "b"})
                .attr("values_int64s", new long[]{7, 8}).attr("default_int64", 42L)
                .in(Tensor.ofStrings(new String[]{"b", "z", "a"}, 3)).run1();
        assertEquals(DType.I64, y.dtype());
        assertArrayEquals(new long[]{8, 42, 7}, y.toLongArray());
        Tensor back = op("ai.onnx.ml", "LabelEncoder").opset(2).attr("keys_int64s", new long[]{1})
                .attr("values_strings", new String[]{"one"}).in(Tensor.ofLongs(new long[]{1, 2}, 2)).run1();
        assertArrayEquals(new String[]{"one", "_Unused"}, back.toStringArray());
    }

    @Test void arrayFeatureExtractorAndBinarizer() {
        Tensor x = Tensor.of(new float[]{1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor y = op("ai.onnx.ml", "ArrayFeatureExtractor").opset(1).in(x).in(Tensor.ofLongs(new long[]{2, 0}, 2)).run1();
        assertEquals(Shape.of(2, 2), y.shape());
        assertArrayEquals(new float[]{3, 1, 6, 4}, y.toFloatArray());
        Tensor b = op("ai.onnx.ml", "Binarizer").opset(1).attr("threshold", 3f).in(x).run1();
        assertArrayEquals(new float[]{0, 0, 0, 1, 1, 1}, b.toFloatArray());
    }

    @Test void tfIdfCountsUnigramsOnceAndSkipGrams() {
        // pool: unigrams {1, 2}, bigram {(1, 2)}; output columns 0, 1, 2.
        {
            Tensor x = Tensor.ofInts(new int[]{1, 3, 2, 1, 2}, 5);
            Tensor y = op("TfIdfVectorizer").opset(9).attr("mode", "TF").attr("min_gram_length", 1L).attr("max_gram_length", 2L)
                    .attr("max_skip_count", 1L).attr("ngram_counts", new long[]{0, 2}).attr("ngram_indexes", new long[]{0, 1, 2})
                    .attr("pool_int64s", new long[]{1, 2, 1, 2}).in(x).run1();
            // unigrams: 1 twice, 2 twice; bigram (1,2): adjacent at 3-4, skip-1 at 0-2 => 2.
            assertArrayEquals(new float[]{2, 2, 2}, y.toFloatArray());
        }
    }
}
