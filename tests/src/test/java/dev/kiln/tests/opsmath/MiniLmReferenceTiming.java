package dev.kiln.tests.opsmath;

import dev.kiln.formats.onnx.OnnxModel;
import dev.kiln.graph.Node;
import dev.kiln.ops.Kernel;
import dev.kiln.ops.KernelSelector;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.ops.interp.Interpreter;
import dev.kiln.tensor.Tensor;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

class MiniLmReferenceTiming {
    @Test
    void time() {
        Path model = Path.of(System.getProperty("user.home"), ".cache/kiln/models/all-minilm-l6-v2/all-minilm-l6-v2.onnx");
        if (!Files.exists(model)) return;
        Path ref = Path.of("/work/shared/reference");
        for (String c : new String[] {"minilm_b1_s16", "minilm_b1_s128"}) {
            try (OnnxModel m = OnnxModel.load(model)) {
                Map<String, long[]> nanos = new TreeMap<>();
                KernelSelector timing = (Node n, OpSchema s) -> {
                    Kernel k = s.kernel();
                    return ctx -> {
                        long t0 = System.nanoTime();
                        Object[] r = k.execute(ctx);
                        long[] a = nanos.computeIfAbsent(n.opType(), x -> new long[2]);
                        synchronized (a) { a[0] += System.nanoTime() - t0; a[1]++; }
                        return r;
                    };
                };
                Interpreter in = new Interpreter(m.graph(), OpRegistry.standard(), timing);
                Map<String, Object> feed = Map.of(
                        "input_ids", npy(ref.resolve(c + ".input_ids.npy")),
                        "attention_mask", npy(ref.resolve(c + ".attention_mask.npy")),
                        "token_type_ids", npy(ref.resolve(c + ".token_type_ids.npy")));
                long t0 = System.nanoTime();
                Tensor out = (Tensor) in.run(feed).values().iterator().next();
                long t1 = System.nanoTime();
                Tensor want = npy(ref.resolve(c + ".last_hidden_state.npy"));
                double maxd = 0;
                for (long i = 0; i < want.numel(); i++) maxd = Math.max(maxd, Math.abs(out.getDouble(i) - want.getDouble(i)));
                System.out.printf("%s: %.1f ms, max abs diff %.3g%n", c, (t1 - t0) / 1e6, maxd);
                nanos.forEach((k, v) -> System.out.printf("  %-20s %8.1f ms  x%d%n", k, v[0] / 1e6, v[1]));
            }
        }
    }

    /** Minimal .npy v1 reader for the little-endian int64/float32 reference files. */
    static Tensor npy(Path f) {
        try {
            byte[] b = Files.readAllBytes(f);
            int hlen = (b[8] & 0xFF) | (b[9] & 0xFF) << 8;
            String h = new String(b, 10, hlen, java.nio.charset.StandardCharsets.ISO_8859_1);
            String shape = h.substring(h.indexOf("'shape': (") + 10, h.indexOf(")", h.indexOf("'shape'")));
            long[] dims = java.util.Arrays.stream(shape.split(",")).map(String::strip).filter(x -> !x.isEmpty()).mapToLong(Long::parseLong).toArray();
            var bb = java.nio.ByteBuffer.wrap(b, 10 + hlen, b.length - 10 - hlen).order(java.nio.ByteOrder.LITTLE_ENDIAN);
            long n = 1;
            for (long d : dims) n *= d;
            if (h.contains("<i8")) { long[] v = new long[(int) n]; for (int i = 0; i < n; i++) v[i] = bb.getLong(); return Tensor.ofLongs(v, dims); }
            float[] v = new float[(int) n];
            for (int i = 0; i < n; i++) v[i] = bb.getFloat();
            return Tensor.of(v, dims);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
