package dev.kiln.tests.minilm;

import dev.kiln.formats.json.Json;
import dev.kiln.formats.npy.Npy;
import dev.kiln.runtime.Session;
import dev.kiln.runtime.SessionOptions;
import dev.kiln.runtime.embed.ModelStore;
import dev.kiln.runtime.embed.SentenceEmbedder;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/**
 * all-MiniLM-L6-v2 against ONNX Runtime's outputs (../shared/reference): last_hidden_state within 1e-4 max abs at
 * every opt level, and every sentence embedding with cosine >= 0.99999 and max abs <= 1e-4. Skipped, with the
 * reason, only when the model cannot be resolved.
 */
class MiniLmAccuracyTest {
    static Path reference;
    static ModelStore.MiniLm model;

    @BeforeAll
    static void resolve() throws Exception {
        reference = Path.of(System.getProperty("kiln.shared", "../shared"), "reference");
        Assumptions.assumeTrue(Files.isDirectory(reference), "reference data not found at " + reference);
        try {
            model = ModelStore.miniLm(System.err);
        } catch (ModelStore.UnavailableException e) {
            Assumptions.abort("all-MiniLM-L6-v2 cannot be resolved: " + e.getMessage());
        }
    }

    @ParameterizedTest(name = "{0} at O{1}")
    @CsvSource({"minilm_b1_s16,0", "minilm_b1_s16,1", "minilm_b1_s16,2", "minilm_b1_s16,3",
            "minilm_b1_s128,0", "minilm_b1_s128,1", "minilm_b1_s128,2", "minilm_b1_s128,3"})
    void lastHiddenStateMatchesOnnxRuntime(String fixture, int optLevel) throws Exception {
        Map<String, Tensor> inputs = Map.of(
                "input_ids", Npy.read(reference.resolve(fixture + ".input_ids.npy")),
                "attention_mask", Npy.read(reference.resolve(fixture + ".attention_mask.npy")),
                "token_type_ids", Npy.read(reference.resolve(fixture + ".token_type_ids.npy")));
        float[] want = Npy.read(reference.resolve(fixture + ".last_hidden_state.npy")).toFloatArray();
        try (Session s = Session.load(model.model(), SessionOptions.defaults().withOptLevel(optLevel))) {
            Tensor out = s.run(inputs).get("last_hidden_state");
            float[] got = out.toFloatArray();
            assertEquals(want.length, got.length, "output size");
            double max = 0;
            int at = -1;
            for (int i = 0; i < got.length; i++) {
                double d = Math.abs(got[i] - want[i]);
                if (!(d <= max)) { max = d; at = i; }
            }
            assertTrue(max <= 1e-4, fixture + " O" + optLevel + ": max abs diff " + max + " at " + at
                    + " (got " + (at < 0 ? "" : got[at]) + ", want " + (at < 0 ? "" : want[at]) + ")");
        }
    }

    @Test
    void sentenceEmbeddingsMatchReference() throws Exception {
        Map<String, Object> ref = Json.parseObject(Files.readString(reference.resolve("minilm_sentences.json")));
        List<String> failures = new ArrayList<>();
        try (SentenceEmbedder e = SentenceEmbedder.miniLm(SessionOptions.defaults(), System.err)) {
            List<Object> cases = Json.arr(ref, "cases");
            List<String> texts = new ArrayList<>();
            for (Object o : cases) {
                @SuppressWarnings("unchecked") Map<String, Object> c = (Map<String, Object>) o;
                String text = Json.str(c, "text");
                texts.add(text);
                float[] got = e.embed(List.of(text))[0];
                check("case " + c.get("index"), got, Json.arr(c, "embedding"), failures);
            }
            Map<String, Object> batch = Json.obj(ref, "batch_case");
            List<Object> idx = Json.arr(batch, "case_indices");
            List<String> batchTexts = new ArrayList<>();
            for (Object i : idx) batchTexts.add(texts.get(((Number) i).intValue()));
            float[][] got = e.embed(batchTexts);
            List<Object> wantRows = Json.arr(batch, "embeddings");
            for (int b = 0; b < got.length; b++) {
                @SuppressWarnings("unchecked") List<Object> row = (List<Object>) wantRows.get(b);
                check("batch row " + b, got[b], row, failures);
            }
        }
        assertTrue(failures.isEmpty(), String.join("\n", failures));
    }

    private static void check(String what, float[] got, List<Object> want, List<String> failures) {
        float[] w = new float[want.size()];
        double maxAbs = 0;
        for (int i = 0; i < w.length; i++) {
            w[i] = ((Number) want.get(i)).floatValue();
            maxAbs = Math.max(maxAbs, Math.abs(w[i] - got[i]));
        }
        double cos = SentenceEmbedder.cosine(got, w);
        if (cos < 0.99999 || maxAbs > 1e-4) failures.add(what + ": cosine " + cos + ", max abs " + maxAbs);
    }
}
