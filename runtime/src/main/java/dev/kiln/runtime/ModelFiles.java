package dev.kiln.runtime;

import dev.kiln.formats.npy.Npy;
import dev.kiln.formats.onnx.OnnxModel;
import dev.kiln.formats.onnx.OnnxValues;
import dev.kiln.graph.ValueType;
import dev.kiln.tensor.Tensor;

import java.nio.file.Path;

/**
 * The runtime's one door to file formats (ONNX models, ONNX test-data .pb files, .npy arrays), so Session, the
 * CLI and the conformance runner do not each bind to the importer.
 */
public final class ModelFiles {
    private ModelFiles() {}

    /** Imports an ONNX model file; close the result when its graph is no longer used. */
    public static LoadedModel load(Path model) {
        return wrap(OnnxModel.load(model));
    }

    /** Imports an ONNX model from its serialized bytes. */
    public static LoadedModel load(byte[] model) {
        return wrap(OnnxModel.load(model, "<bytes>"));
    }

    private static LoadedModel wrap(OnnxModel m) {
        return new LoadedModel(m.graph(), m.irVersion(), m.producer(), m, m.arena().scope());
    }

    /** Reads one ONNX test-data file (TensorProto / SequenceProto / OptionalProto) as the given type expects. */
    public static Object readValue(Path pb, ValueType expected) {
        return OnnxValues.read(pb, expected);
    }

    public static Tensor readNpy(Path file) {
        return Npy.read(file);
    }

    public static void writeNpy(Path file, Tensor t) {
        Npy.write(file, t);
    }
}
