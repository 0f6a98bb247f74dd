package dev.kiln.runtime.embed;

import dev.kiln.formats.json.Json;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.*;

/** The tokenizer must reproduce HF tokenizers' ids for all 40 reference sentences exactly. */
class BertTokenizerTest {
    static BertTokenizer tokenizer;
    static Map<String, Object> reference;

    @BeforeAll
    static void load() throws Exception {
        Path ref = Path.of(System.getProperty("kiln.shared", "../shared"), "reference", "minilm_sentences.json");
        Assumptions.assumeTrue(Files.isRegularFile(ref), "reference data not found at " + ref);
        reference = Json.parseObject(Files.readString(ref));
        ModelStore.MiniLm m;
        try {
            m = ModelStore.miniLm(System.err);
        } catch (ModelStore.UnavailableException e) {
            Assumptions.abort("all-MiniLM-L6-v2 cannot be resolved: " + e.getMessage());
            return;
        }
        tokenizer = BertTokenizer.load(m.tokenizer());
    }

    @Test
    void matchesHuggingFaceOnAllReferenceSentences() {
        List<String> mismatches = new ArrayList<>();
        List<Object> cases = Json.arr(reference, "cases");
        for (Object o : cases) {
            @SuppressWarnings("unchecked") Map<String, Object> c = (Map<String, Object>) o;
            String text = Json.str(c, "text");
            List<Object> want = Json.arr(c, "input_ids");
            BertTokenizer.Encoding enc = tokenizer.encode(text);
            List<Long> got = new ArrayList<>();
            for (int id : enc.ids()) got.add((long) id);
            if (!got.equals(want)) mismatches.add("case " + c.get("index") + " " + Json.write(text) + "\n  want " + want
                    + "\n  got  " + got + "\n  tokens " + enc.tokens() + "\n  want " + c.get("tokens"));
            assertEquals(Json.num(c, "untruncated_length"), enc.untruncatedLength(), "untruncated length of case " + c.get("index"));
        }
        assertTrue(mismatches.isEmpty(), mismatches.size() + " of " + cases.size() + " differ:\n" + String.join("\n", mismatches));
    }

    @Test
    void splitsPunctuationAndWhitespace() {
        assertEquals(List.of("a", ",", "b", "$", "c"), BertTokenizer.preTokenize("a, b$c"));
        assertEquals(List.of(), BertTokenizer.preTokenize(" \t\n "));
    }
}
