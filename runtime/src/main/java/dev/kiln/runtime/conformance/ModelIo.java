package dev.kiln.runtime.conformance;

import dev.kiln.graph.ValueType;
import dev.kiln.runtime.LoadedModel;
import dev.kiln.runtime.ModelFiles;

import java.nio.file.Path;

/**
 * How the conformance runner reads a test's files. The default reads ONNX models and ONNX test-data .pb files;
 * tests of the runner substitute simpler files so they do not depend on the importer.
 */
public interface ModelIo {
    LoadedModel load(Path model);

    /** One input or expected output file, read as a value of the given type. */
    Object readValue(Path file, ValueType expected);

    ModelIo ONNX = new ModelIo() {
        @Override public LoadedModel load(Path model) { return ModelFiles.load(model); }
        @Override public Object readValue(Path file, ValueType expected) { return ModelFiles.readValue(file, expected); }
    };
}
