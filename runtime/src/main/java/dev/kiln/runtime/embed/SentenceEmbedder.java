package dev.kiln.runtime.embed;

import dev.kiln.graph.InvalidInputException;
import dev.kiln.runtime.IoInfo;
import dev.kiln.runtime.Session;
import dev.kiln.runtime.SessionOptions;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Sentence embeddings with a BERT-style encoder, the sentence-transformers recipe: tokenize, run the model, mean-pool
 * {@code last_hidden_state} over the attention mask, L2-normalise. Batches are right-padded to their longest text.
 */
public final class SentenceEmbedder implements AutoCloseable {
    private final Session session;
    private final BertTokenizer tokenizer;
    private final boolean wantsTokenTypes;

    public SentenceEmbedder(Session session, BertTokenizer tokenizer) {
        this.session = session;
        this.tokenizer = tokenizer;
        boolean tt = false;
        for (IoInfo in : session.inputs()) tt |= in.name().equals("token_type_ids");
        this.wantsTokenTypes = tt;
    }

    /** The default model (all-MiniLM-L6-v2), resolved on first use. */
    public static SentenceEmbedder miniLm(SessionOptions options, PrintStream progress) throws IOException {
        ModelStore.MiniLm m = ModelStore.miniLm(progress);
        return new SentenceEmbedder(Session.load(m.model(), options), BertTokenizer.load(m.tokenizer()));
    }

    public static SentenceEmbedder load(Path model, Path tokenizer, SessionOptions options) throws IOException {
        return new SentenceEmbedder(Session.load(model, options), BertTokenizer.load(tokenizer));
    }

    public BertTokenizer tokenizer() { return tokenizer; }
    public Session session() { return session; }

    /** Model inputs for a batch: input_ids, attention_mask (and token_type_ids when the model takes them). */
    public Map<String, Tensor> encodeBatch(List<String> texts) {
        if (texts.isEmpty()) throw new InvalidInputException("no texts to embed");
        int[][] ids = new int[texts.size()][];
        int seq = 0;
        for (int i = 0; i < ids.length; i++) {
            ids[i] = tokenizer.encode(texts.get(i)).ids();
            seq = Math.max(seq, ids[i].length);
        }
        long[] idData = new long[ids.length * seq], mask = new long[ids.length * seq];
        for (int b = 0; b < ids.length; b++) {
            for (int s = 0; s < seq; s++) {
                boolean real = s < ids[b].length;
                idData[b * seq + s] = real ? ids[b][s] : tokenizer.padId();
                mask[b * seq + s] = real ? 1 : 0;
            }
        }
        Map<String, Tensor> in = new HashMap<>();
        in.put("input_ids", Tensor.ofLongs(idData, ids.length, seq));
        in.put("attention_mask", Tensor.ofLongs(mask, ids.length, seq));
        if (wantsTokenTypes) in.put("token_type_ids", Tensor.ofLongs(new long[ids.length * seq], ids.length, seq));
        return in;
    }

    /** One unit-length embedding per text. */
    public float[][] embed(List<String> texts) {
        Map<String, Tensor> in = encodeBatch(texts);
        Tensor hidden = session.run(in).get("last_hidden_state");
        if (hidden == null) hidden = session.run(in).values().iterator().next();
        return meanPoolNormalize(hidden, in.get("attention_mask"));
    }

    /** Mean of {@code hidden[b, s, :]} over positions with mask 1, then divided by its L2 norm. */
    public static float[][] meanPoolNormalize(Tensor hidden, Tensor mask) {
        Shape hs = hidden.shape();
        if (hs.rank() != 3) throw new InvalidInputException("last_hidden_state must be [batch, seq, dim], got " + hs);
        int batch = (int) hs.dim(0), seq = (int) hs.dim(1), dim = (int) hs.dim(2);
        Tensor h = hidden.dtype() == DType.F32 ? hidden.contiguous() : hidden.copy();
        float[] data = h.toFloatArray();
        float[][] out = new float[batch][dim];
        for (int b = 0; b < batch; b++) {
            double[] acc = new double[dim];
            long count = 0;
            for (int s = 0; s < seq; s++) {
                if (mask.getLong((long) b * seq + s) == 0) continue;
                count++;
                int base = (b * seq + s) * dim;
                for (int d = 0; d < dim; d++) acc[d] += data[base + d];
            }
            double norm = 0;
            for (int d = 0; d < dim; d++) { acc[d] /= Math.max(count, 1); norm += acc[d] * acc[d]; }
            norm = Math.max(Math.sqrt(norm), 1e-12);
            for (int d = 0; d < dim; d++) out[b][d] = (float) (acc[d] / norm);
        }
        return out;
    }

    public static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) { dot += (double) a[i] * b[i]; na += (double) a[i] * a[i]; nb += (double) b[i] * b[i]; }
        return dot / Math.max(Math.sqrt(na * nb), 1e-30);
    }

    @Override public void close() { session.close(); }
}
