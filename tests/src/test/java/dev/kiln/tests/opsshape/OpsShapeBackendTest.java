package dev.kiln.tests.opsshape;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * ONNX backend node tests of the shape, indexing, control-flow, sequence, string and ai.onnx.ml ops, run through
 * the reference interpreter, each checked twice: outputs against the expected data, and whole-graph type inference
 * against the values produced. Cases in {@link #KNOWN_FAILURES} must keep failing (so a fix is noticed and the list
 * shrinks); every other selected case must pass.
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

    /** Cases that fail for reasons outside these ops (see the comment on each). */
    static final Set<String> KNOWN_FAILURES = Set.of();

    static Path nodeRoot() {
        String shared = System.getProperty("kiln.shared", "../shared");
        return Path.of(shared, "onnx-backend", "node");
    }

    @TestFactory
    List<DynamicTest> backendNodeTests() throws IOException {
        Path node = nodeRoot();
        Assumptions.assumeTrue(Files.isDirectory(node), "ONNX backend test data not found at " + node);
        List<DynamicTest> tests = new ArrayList<>();
        for (BackendSuite.Row r : BackendSuite.select(node, OPS)) {
            boolean known = KNOWN_FAILURES.contains(r.test());
            tests.add(DynamicTest.dynamicTest(r.test(), () -> {
                String why = BackendCase.run(node.resolve(r.test()));
                // The static type rules must agree with what the kernels produce (dtype, rank, known dims).
                if (why == null) why = BackendCase.checkInference(node.resolve(r.test()));
                if (known) assertNotNull(why, r.test() + " now passes: remove it from KNOWN_FAILURES");
                else assertNull(why, r.test());
            }));
        }
        return tests;
    }
}
