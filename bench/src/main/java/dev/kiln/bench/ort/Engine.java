package dev.kiln.bench.ort;

import java.util.Map;

/** One inference engine under test: loads a BERT-style model once, then runs batches of token ids. */
interface Engine extends AutoCloseable {
    String name();

    /** Runs the model on int64 [batch, seq] inputs (input_ids, attention_mask, token_type_ids); returns the first output. */
    float[] run(Map<String, long[]> inputs, int batch, int seq) throws Exception;

    @Override void close() throws Exception;
}
