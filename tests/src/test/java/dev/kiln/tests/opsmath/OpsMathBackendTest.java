package dev.kiln.tests.opsmath;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * The ONNX backend node tests of the ops-math families (elementwise, cast, reductions, softmax, losses,
 * quantization), {@code _expanded} variants included, selected by op_type from MANIFEST.tsv. Writes a per-op pass
 * summary to {@code target/opsmath-backend.tsv}. Tests listed in {@code opsmath-known-failures.txt} (with reasons)
 * are skipped; any other failure fails the build, and a known failure that starts passing is reported so the list
 * shrinks.
 */
class OpsMathBackendTest {
    static final Set<String> OPS = Set.of(("Abs Acos Acosh Asin Asinh Atan Atanh Ceil Cos Cosh Erf Exp Floor IsInf IsNaN Log Neg "
            + "Not Reciprocal Round Sign Sin Sinh Sqrt Tan Tanh Relu LeakyRelu Elu Selu Celu Sigmoid HardSigmoid HardSwish "
            + "Softplus Softsign Mish Swish ThresholdedRelu Shrink Gelu PRelu Clip Add Sub Mul Div Pow Mod Max Min Mean Sum "
            + "Equal Less LessOrEqual Greater GreaterOrEqual And Or Xor BitShift BitwiseAnd BitwiseOr BitwiseXor BitwiseNot "
            + "Where BitCast Cast CastLike ReduceSum ReduceMean ReduceMax ReduceMin ReduceProd ReduceL1 ReduceL2 ReduceLogSum "
            + "ReduceLogSumExp ReduceSumSquare ArgMax ArgMin CumSum CumProd LpNormalization Softmax LogSoftmax Hardmax "
            + "SoftmaxCrossEntropyLoss NegativeLogLikelihoodLoss QuantizeLinear DequantizeLinear DynamicQuantizeLinear "
            + "MatMulInteger QLinearMatMul").split(" "));

    static Path backendDir() {
        String shared = System.getProperty("kiln.shared", "/work/shared");
        return Path.of(shared, "onnx-backend");
    }

    @TestFactory
    List<DynamicTest> backendNodeTests() throws IOException {
        Path root = backendDir();
        Assumptions.assumeTrue(Files.isRegularFile(root.resolve("MANIFEST.tsv")), "no ONNX backend data at " + root);
        Map<String, String> known = knownFailures();
        Map<String, int[]> perOp = new TreeMap<>();
        List<String> lines = new ArrayList<>();
        List<DynamicTest> tests = new ArrayList<>();
        for (String line : Files.readAllLines(root.resolve("MANIFEST.tsv"))) {
            String[] f = line.split("\t");
            if (f[0].equals("test_name") || !OPS.contains(f[1])) continue;
            String name = f[0], op = f[1];
            tests.add(DynamicTest.dynamicTest(name, () -> {
                String why = BackendCase.run(root.resolve("node").resolve(name));
                int[] c = perOp.computeIfAbsent(op, k -> new int[2]);
                c[1]++;
                if (why == null) c[0]++;
                lines.add(name + "\t" + op + "\t" + (why == null ? "PASS" : "FAIL\t" + why));
                writeSummary(perOp, lines);
                if (known.containsKey(name)) {
                    if (why == null) System.out.println("known failure now passes: " + name);
                    Assumptions.assumeTrue(why == null, "known failure: " + known.get(name));
                } else if (why != null) {
                    fail(name + ": " + why);
                }
            }));
        }
        return tests;
    }

    private static Map<String, String> knownFailures() throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (var in = OpsMathBackendTest.class.getResourceAsStream("/opsmath-known-failures.txt")) {
            if (in == null) return out;
            for (String l : new String(in.readAllBytes()).split("\n")) {
                l = l.strip();
                if (l.isEmpty() || l.startsWith("#")) continue;
                int sp = l.indexOf(' ');
                out.put(sp < 0 ? l : l.substring(0, sp), sp < 0 ? "" : l.substring(sp + 1).strip());
            }
        }
        return out;
    }

    private static void writeSummary(Map<String, int[]> perOp, List<String> lines) {
        StringBuilder sb = new StringBuilder();
        int pass = 0, total = 0;
        for (var e : perOp.entrySet()) {
            sb.append("# ").append(e.getKey()).append('\t').append(e.getValue()[0]).append('/').append(e.getValue()[1]).append('\n');
            pass += e.getValue()[0];
            total += e.getValue()[1];
        }
        sb.append("# TOTAL\t").append(pass).append('/').append(total).append('\n');
        for (String l : lines) sb.append(l).append('\n');
        try {
            Files.createDirectories(Path.of("target"));
            Files.writeString(Path.of("target", "opsmath-backend.tsv"), sb.toString());
        } catch (IOException ignored) {
            // The summary is a convenience; the assertions above are the test.
        }
    }
}
