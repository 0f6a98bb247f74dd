package dev.kiln.tests.opsshape;

import dev.kiln.tests.suite.BackendSuite;
import dev.kiln.tests.suite.BackendSuite.KnownPolicy;
import dev.kiln.tests.suite.StrictComparison;
import dev.kiln.tests.suite.Tally;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * ONNX backend node tests of the shape, indexing, control-flow, sequence, string and ai.onnx.ml ops, run through
 * the reference interpreter, each checked twice: outputs against the expected data, and whole-graph type inference
 * against the values produced, on the shared {@link BackendSuite} harness with {@link StrictComparison}. Cases in
 * {@link #KNOWN_FAILURES} must keep failing (so a fix is noticed and the list shrinks); every other selected case
 * must pass.
 */
class OpsShapeBackendTest {
    static final Set<String> OPS = Set.of(
            "Reshape", "Shape", "Size", "Flatten", "Squeeze", "Unsqueeze", "Transpose", "Concat", "Split", "Slice",
            "Expand", "Tile", "Pad", "Identity", "DepthToSpace", "SpaceToDepth", "ReverseSequence", "CenterCropPad",
            "Trilu", "EyeLike", "Range", "ConstantOfShape", "Constant", "OneHot",
            "Gather", "GatherElements", "GatherND", "Scatter", "ScatterElements", "ScatterND", "TensorScatter",
            "Compress", "NonZero", "Unique", "TopK",
            "If", "Loop", "Scan",
            "SequenceConstruct", "SequenceEmpty", "SequenceAt", "SequenceInsert", "SequenceErase", "SequenceLength",
            "SplitToSequence", "ConcatFromSequence", "SequenceMap", "Optional", "OptionalHasElement", "OptionalGetElement",
            "StringConcat", "StringSplit", "StringNormalizer", "RegexFullMatch",
            "LabelEncoder", "ArrayFeatureExtractor", "Binarizer", "TreeEnsemble", "TfIdfVectorizer");

    /** Cases that fail for reasons outside these ops (test -> reason); each must keep failing. */
    static final Map<String, String> KNOWN_FAILURES = Map.of();

    @TestFactory
    List<DynamicTest> backendNodeTests() throws IOException {
        BackendSuite.assumeData();
        List<DynamicTest> tests = new ArrayList<>();
        for (BackendSuite.Case c : BackendSuite.select(OPS))
            tests.add(DynamicTest.dynamicTest(c.test(), () -> BackendSuite.verdict(c.test(), run(c), KNOWN_FAILURES, KnownPolicy.MUST_FAIL)));
        return tests;
    }

    /** Outputs against the expected data, then (the static type rules must agree with what the kernels produce) inference. */
    static String run(BackendSuite.Case c) {
        Path dir = BackendSuite.caseDir(c.test());
        String why = BackendSuite.run(dir, StrictComparison::compare);
        return why != null ? why : InferenceAgreement.check(dir);
    }

    /** Prints per-op pass counts (for reports, without Maven): optional argument, a comma-separated op list. */
    public static void main(String[] args) throws IOException {
        Tally tally = new Tally();
        for (BackendSuite.Case c : BackendSuite.select(args.length > 0 ? Set.of(args[0].split(",")) : OPS))
            tally.add(c.test(), c.op(), run(c));
        tally.print();
    }
}
