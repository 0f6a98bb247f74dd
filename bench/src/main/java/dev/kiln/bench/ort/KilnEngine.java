package dev.kiln.bench.ort;

import dev.kiln.runtime.Session;
import dev.kiln.runtime.SessionOptions;
import dev.kiln.tensor.Tensor;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** Kiln's side: a Session at the given opt level and thread count. */
final class KilnEngine implements Engine {
    private final Session session;

    KilnEngine(Path model, int threads, int optLevel) {
        session = Session.load(model, SessionOptions.defaults().withThreads(threads).withOptLevel(optLevel));
    }

    @Override public String name() { return "kiln"; }

    @Override public float[] run(Map<String, long[]> inputs, int batch, int seq) {
        Map<String, Tensor> in = new HashMap<>();
        for (var e : inputs.entrySet()) in.put(e.getKey(), Tensor.ofLongs(e.getValue(), batch, seq));
        return session.run(in).values().iterator().next().toFloatArray();
    }

    @Override public void close() { session.close(); }
}
