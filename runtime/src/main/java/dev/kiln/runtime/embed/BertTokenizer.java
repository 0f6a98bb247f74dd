package dev.kiln.runtime.embed;

import dev.kiln.formats.json.Json;
import dev.kiln.formats.json.JsonException;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * BERT WordPiece tokenization driven by a HF {@code tokenizer.json}: special tokens matched verbatim in the raw
 * text, the BERT normalizer, whitespace + punctuation pre-tokenization, greedy longest-match WordPiece with
 * {@code ##} continuations, {@code [CLS] A [SEP]} post-processing, right truncation to the model's max length.
 */
public final class BertTokenizer {
    private final Map<String, Integer> vocab;
    private final List<String> specialTokens = new ArrayList<>();
    private final Map<String, Integer> specialIds = new HashMap<>();
    private final BertNormalizer normalizer;
    private final String unk;
    private final String prefix;
    private final int maxCharsPerWord;
    private final int maxLength;
    private final int clsId;
    private final int sepId;
    private final int unkId;

    /** One encoded text: ids including [CLS]/[SEP], and the wordpiece strings for debugging. */
    public record Encoding(int[] ids, List<String> tokens, int untruncatedLength) {}

    private BertTokenizer(Map<String, Object> json) {
        Map<String, Object> model = Json.obj(json, "model");
        if (!"WordPiece".equals(model.get("type"))) throw new JsonException("tokenizer model is not WordPiece: " + model.get("type"));
        Map<String, Object> v = Json.obj(model, "vocab");
        vocab = new HashMap<>(v.size() * 2);
        for (Map.Entry<String, Object> e : v.entrySet()) vocab.put(e.getKey(), ((Number) e.getValue()).intValue());
        unk = Json.str(model, "unk_token");
        prefix = model.get("continuing_subword_prefix") instanceof String s ? s : "##";
        maxCharsPerWord = model.get("max_input_chars_per_word") instanceof Number n ? n.intValue() : 100;

        Object norm = json.get("normalizer");
        if (norm instanceof Map<?, ?> m && "BertNormalizer".equals(m.get("type"))) {
            normalizer = new BertNormalizer(!Boolean.FALSE.equals(m.get("clean_text")),
                    !Boolean.FALSE.equals(m.get("handle_chinese_chars")),
                    (Boolean) m.get("strip_accents"), !Boolean.FALSE.equals(m.get("lowercase")));
        } else if (norm == null) {
            normalizer = new BertNormalizer(false, false, false, false);
        } else {
            throw new JsonException("unsupported normalizer " + ((Map<?, ?>) norm).get("type"));
        }
        Object pre = json.get("pre_tokenizer");
        if (pre instanceof Map<?, ?> m && !"BertPreTokenizer".equals(m.get("type")))
            throw new JsonException("unsupported pre_tokenizer " + m.get("type"));

        if (json.get("added_tokens") instanceof List<?> added) {
            for (Object o : added) {
                Map<?, ?> t = (Map<?, ?>) o;
                String content = (String) t.get("content");
                specialTokens.add(content);
                specialIds.put(content, ((Number) t.get("id")).intValue());
            }
        }
        // Longest first, so a special token never matches as a prefix of a longer one.
        specialTokens.sort((a, b) -> b.length() - a.length());
        int ml = 512;
        if (json.get("truncation") instanceof Map<?, ?> tr && tr.get("max_length") instanceof Number n) ml = n.intValue();
        maxLength = ml;
        clsId = idOf("[CLS]");
        sepId = idOf("[SEP]");
        unkId = idOf(unk);
    }

    private int idOf(String token) {
        Integer id = specialIds.getOrDefault(token, vocab.get(token));
        if (id == null) throw new JsonException("tokenizer has no token " + token);
        return id;
    }

    public static BertTokenizer fromJson(String json) { return new BertTokenizer(Json.parseObject(json)); }

    public static BertTokenizer load(Path file) throws IOException {
        try {
            return fromJson(Files.readString(file, StandardCharsets.UTF_8));
        } catch (JsonException e) {
            throw new JsonException(file + ": " + e.getMessage());
        }
    }

    public int maxLength() { return maxLength; }
    public int padId() { return specialIds.getOrDefault("[PAD]", 0); }

    /** Tokenizes one text into [CLS] tokens [SEP], truncated on the right to {@link #maxLength()}. */
    public Encoding encode(String text) {
        List<String> pieces = new ArrayList<>();
        List<Integer> ids = new ArrayList<>();
        splitSpecial(text, pieces, ids);
        int untruncated = ids.size() + 2;
        int keep = Math.min(ids.size(), Math.max(0, maxLength - 2));
        int[] out = new int[keep + 2];
        List<String> toks = new ArrayList<>(keep + 2);
        out[0] = clsId;
        toks.add("[CLS]");
        for (int i = 0; i < keep; i++) { out[i + 1] = ids.get(i); toks.add(pieces.get(i)); }
        out[keep + 1] = sepId;
        toks.add("[SEP]");
        return new Encoding(out, toks, untruncated);
    }

    /** Special tokens are matched in the raw text first; the text between them is normalized and split. */
    private void splitSpecial(String text, List<String> pieces, List<Integer> ids) {
        int start = 0;
        int i = 0;
        while (i < text.length()) {
            String hit = null;
            for (String s : specialTokens) if (text.startsWith(s, i)) { hit = s; break; }
            if (hit == null) { i++; continue; }
            wordpieces(text.substring(start, i), pieces, ids);
            pieces.add(hit);
            ids.add(specialIds.get(hit));
            i += hit.length();
            start = i;
        }
        wordpieces(text.substring(start), pieces, ids);
    }

    private void wordpieces(String segment, List<String> pieces, List<Integer> ids) {
        if (segment.isEmpty()) return;
        for (String word : preTokenize(normalizer.normalize(segment))) {
            int n = word.codePointCount(0, word.length());
            if (n > maxCharsPerWord) { pieces.add(unk); ids.add(unkId); continue; }
            List<String> sub = new ArrayList<>();
            List<Integer> subIds = new ArrayList<>();
            int start = 0;
            boolean bad = false;
            while (start < word.length()) {
                int end = word.length();
                String found = null;
                while (end > start) {
                    String cand = (start > 0 ? prefix : "") + word.substring(start, end);
                    if (vocab.containsKey(cand)) { found = cand; break; }
                    end = word.offsetByCodePoints(end, -1);
                }
                if (found == null) { bad = true; break; }
                sub.add(found);
                subIds.add(vocab.get(found));
                start = end;
            }
            if (bad) { pieces.add(unk); ids.add(unkId); }
            else { pieces.addAll(sub); ids.addAll(subIds); }
        }
    }

    /** Splits on whitespace (dropped) and isolates every punctuation character, as BertPreTokenizer does. */
    static List<String> preTokenize(String s) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            if (BertNormalizer.isWhitespace(cp)) {
                flush(cur, out);
            } else if (isPunctuation(cp)) {
                flush(cur, out);
                out.add(new String(Character.toChars(cp)));
            } else {
                cur.appendCodePoint(cp);
            }
        }
        flush(cur, out);
        return out;
    }

    private static void flush(StringBuilder cur, List<String> out) {
        if (!cur.isEmpty()) { out.add(cur.toString()); cur.setLength(0); }
    }

    /** ASCII punctuation (incl. $+<=>^`|~) or a Unicode P* category. */
    static boolean isPunctuation(int cp) {
        if (cp < 128) return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126);
        int t = Character.getType(cp);
        return t == Character.CONNECTOR_PUNCTUATION || t == Character.DASH_PUNCTUATION || t == Character.START_PUNCTUATION
                || t == Character.END_PUNCTUATION || t == Character.INITIAL_QUOTE_PUNCTUATION
                || t == Character.FINAL_QUOTE_PUNCTUATION || t == Character.OTHER_PUNCTUATION;
    }
}
