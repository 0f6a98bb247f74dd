package dev.kiln.bench.ort;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kiln vs ONNX Runtime on one model, same inputs and thread counts, in one run: for each thread count it starts one
 * JVM per engine (ORT first, then Kiln) and prints latency, the Kiln/ORT ratio, session-creation time and peak RSS.
 *
 * <pre>java -cp bench/target/kiln-bench-*.jar:bench/target/lib/* dev.kiln.bench.ort.SideBySide MODEL.onnx
 *     [--threads 1,2] [--shapes 1x16,1x128,8x128] [--warmup 5] [--iterations 20] [--opt-level 3]</pre>
 */
public final class SideBySide {
    private SideBySide() {}

    public static void main(String[] argv) throws Exception {
        List<String> args = new ArrayList<>(List.of(argv));
        if (args.isEmpty()) {
            System.err.println("usage: SideBySide MODEL.onnx [--threads 1,2] [--shapes 1x16,1x128,8x128] [--warmup N] [--iterations N] [--opt-level N]");
            System.exit(2);
        }
        Path model = Path.of(args.remove(0));
        String threads = opt(args, "--threads", "1,2");
        String shapes = opt(args, "--shapes", "1x16,1x128,8x128");
        String warmup = opt(args, "--warmup", "100");   // JIT-compiled Vector API kernels need ~2-3 s to reach C2
        String iterations = opt(args, "--iterations", "40");
        String opt = opt(args, "--opt-level", "3");

        System.out.printf("%-8s %-7s %12s %12s %8s %10s%n", "threads", "shape", "ORT ms", "Kiln ms", "ratio", "checksums");
        List<String> footer = new ArrayList<>();
        for (String t : threads.split(",")) {
            Map<String, String[]> ort = runChild("ort", model, t, warmup, iterations, opt, shapes, footer);
            Map<String, String[]> kiln = runChild("kiln", model, t, warmup, iterations, opt, shapes, footer);
            for (String shape : shapes.split(",")) {
                String[] o = ort.get(shape), k = kiln.get(shape);
                if (o == null || k == null) { System.out.printf("%-8s %-7s  (failed)%n", t, shape); continue; }
                double om = Double.parseDouble(o[0]), km = Double.parseDouble(k[0]);
                System.out.printf("%-8s %-7s %12.2f %12.2f %7.2fx %s/%s%n", t, shape, om, km, km / om, o[1], k[1]);
            }
        }
        System.out.println();
        footer.forEach(System.out::println);
        System.out.println("ratio = Kiln median / ORT median (lower is better for Kiln; 1.00x = parity)");
    }

    private static Map<String, String[]> runChild(String engine, Path model, String threads, String warmup,
                                                  String iterations, String opt, String shapes, List<String> footer) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = List.of(java, "--add-modules", "jdk.incubator.vector", "--enable-native-access=ALL-UNNAMED",
                "-Xmx4g", "-cp", System.getProperty("java.class.path"), EngineProcess.class.getName(),
                engine, model.toString(), threads, warmup, iterations, opt, shapes);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        Map<String, String[]> results = new LinkedHashMap<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("RESULT ")) {
                    Map<String, String> kv = parse(line.substring(7));
                    results.put(kv.get("shape"), new String[]{kv.get("median"), kv.get("checksum")});
                } else if (line.startsWith("LOAD ")) {
                    footer.add(String.format("%-4s threads=%s session creation %s ms", engine, threads, parse(line.substring(5)).get("ms")));
                } else if (line.startsWith("MEM ")) {
                    footer.add(String.format("%-4s threads=%s peak RSS %s MB", engine, threads, parse(line.substring(4)).get("peak_rss_mb")));
                } else if (!line.contains("incubator")) {
                    System.err.println("[" + engine + "] " + line);
                }
            }
        }
        p.waitFor();
        return results;
    }

    private static Map<String, String> parse(String s) {
        Map<String, String> kv = new LinkedHashMap<>();
        for (String part : s.trim().split("\\s+")) {
            int i = part.indexOf('=');
            if (i > 0) kv.put(part.substring(0, i), part.substring(i + 1));
        }
        return kv;
    }

    private static String opt(List<String> args, String name, String dflt) {
        int i = args.indexOf(name);
        if (i < 0) return dflt;
        args.remove(i);
        return args.remove(i);
    }
}
