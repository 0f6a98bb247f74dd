package dev.kiln.tests.opsmath;

import dev.kiln.tests.suite.BackendSuite;
import dev.kiln.tests.suite.StrictComparison;
import dev.kiln.tests.suite.Tally;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The ONNX backend node tests of the ops-math families (elementwise, cast, reductions, softmax, losses,
 * quantization), {@code _expanded} variants included, selected by op_type from MANIFEST.tsv, run through the shared
 * {@link BackendSuite} harness with exact-integer comparison and a type-inference check. Writes a per-op pass
 * summary to {@code target/opsmath-backend.tsv}. Tests listed in {@code opsmath-known-failures.txt} (with reasons)
 * are skipped; any other failure fails the build, and a known failure that starts passing is reported.
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

    @TestFactory
    List<DynamicTest> backendNodeTests() throws IOException {
        BackendSuite.assumeData();
        Map<String, String> known = BackendSuite.knownFailures("/opsmath-known-failures.txt");
        Tally tally = new Tally();
        List<DynamicTest> tests = new ArrayList<>();
        for (BackendSuite.Case c : BackendSuite.select(OPS)) {
            tests.add(DynamicTest.dynamicTest(c.test(), () -> {
                String why = BackendSuite.run(BackendSuite.caseDir(c.test()), StrictComparison::compare, (g, in, out) -> {
                    String inference = InferenceCheck.check(g);
                    return inference == null ? null : "type inference: " + inference;
                });
                tally.add(c.test(), c.op(), why);
                tally.write("opsmath-backend.tsv");
                BackendSuite.verdict(c.test(), why, known, BackendSuite.KnownPolicy.SKIP);
            }));
        }
        return tests;
    }
}
