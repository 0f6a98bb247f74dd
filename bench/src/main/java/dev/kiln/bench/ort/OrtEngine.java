package dev.kiln.bench.ort;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;

import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/** The peer: ONNX Runtime Java, CPU execution provider, all graph optimizations on, fixed intra-op threads. */
final class OrtEngine implements Engine {
    private final OrtEnvironment env = OrtEnvironment.getEnvironment();
    private final OrtSession session;

    OrtEngine(Path model, int threads) throws Exception {
        OrtSession.SessionOptions so = new OrtSession.SessionOptions();
        so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        so.setIntraOpNumThreads(threads);
        so.setInterOpNumThreads(1);
        session = env.createSession(model.toString(), so);
    }

    @Override public String name() { return "ort"; }

    @Override public float[] run(Map<String, long[]> inputs, int batch, int seq) throws Exception {
        Map<String, OnnxTensor> in = new HashMap<>();
        try {
            for (var e : inputs.entrySet())
                in.put(e.getKey(), OnnxTensor.createTensor(env, LongBuffer.wrap(e.getValue()), new long[]{batch, seq}));
            try (OrtSession.Result r = session.run(in)) {
                FloatBuffer fb = ((OnnxTensor) r.get(0)).getFloatBuffer();
                float[] out = new float[fb.remaining()];
                fb.get(out);
                return out;
            }
        } finally {
            for (OnnxTensor t : in.values()) t.close();
        }
    }

    @Override public void close() throws Exception { session.close(); }
}
