package dev.kiln.bench.ort;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Child-process side of the side-by-side run: one engine, one thread count, every shape. Running each engine in
 * its own JVM keeps their heaps, JIT state and native pools apart and lets us read each one's peak RSS (VmHWM).
 * Prints one `RESULT key=value ...` line per shape plus a `LOAD` and a `MEM` line, parsed by {@link SideBySide}.
 */
public final class EngineProcess {
    private EngineProcess() {}

    public static void main(String[] args) throws Exception {
        String engineName = args[0];
        Path model = Path.of(args[1]);
        int threads = Integer.parseInt(args[2]);
        int warmup = Integer.parseInt(args[3]);
        int iterations = Integer.parseInt(args[4]);
        int optLevel = Integer.parseInt(args[5]);
        List<int[]> shapes = new ArrayList<>();
        for (String s : args[6].split(",")) {
            String[] bs = s.split("x");
            shapes.add(new int[]{Integer.parseInt(bs[0]), Integer.parseInt(bs[1])});
        }
        long t0 = System.nanoTime();
        try (Engine engine = engineName.equals("ort") ? new OrtEngine(model, threads) : new KilnEngine(model, threads, optLevel)) {
            System.out.printf("LOAD ms=%.1f%n", (System.nanoTime() - t0) / 1e6);
            for (int[] bs : shapes) {
                Map<String, long[]> in = inputs(bs[0], bs[1]);
                for (int i = 0; i < warmup; i++) engine.run(in, bs[0], bs[1]);
                double[] ms = new double[iterations];
                float[] last = null;
                for (int i = 0; i < iterations; i++) {
                    long s = System.nanoTime();
                    last = engine.run(in, bs[0], bs[1]);
                    ms[i] = (System.nanoTime() - s) / 1e6;
                }
                Arrays.sort(ms);
                double checksum = 0;
                for (float f : last) checksum += f;
                System.out.printf("RESULT shape=%dx%d min=%.3f median=%.3f p90=%.3f checksum=%.6f%n", bs[0], bs[1],
                        ms[0], ms[ms.length / 2], ms[(int) Math.min(ms.length - 1, Math.round(ms.length * 0.9))], checksum);
            }
        }
        System.out.println("MEM peak_rss_mb=" + peakRssMb());
    }

    /** Same deterministic ids as the accuracy fixtures: a 64-bit LCG, ids in [1000, 20000), mask 1, types 0. */
    static Map<String, long[]> inputs(int batch, int seq) {
        long[] ids = new long[batch * seq], mask = new long[batch * seq], types = new long[batch * seq];
        long s = 42;
        for (int i = 0; i < ids.length; i++) {
            s = s * 6364136223846793005L + 1442695040888963407L;
            ids[i] = 1000 + Long.remainderUnsigned(s >>> 33, 19000);
            mask[i] = 1;
        }
        Map<String, long[]> m = new HashMap<>();
        m.put("input_ids", ids);
        m.put("attention_mask", mask);
        m.put("token_type_ids", types);
        return m;
    }

    static long peakRssMb() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status")))
                if (line.startsWith("VmHWM:")) return Long.parseLong(line.replaceAll("\\D", "")) / 1024;
        } catch (Exception e) {
            // not Linux: report unknown
        }
        return -1;
    }
}
