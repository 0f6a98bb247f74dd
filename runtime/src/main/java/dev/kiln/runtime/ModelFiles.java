package dev.kiln.runtime;

import dev.kiln.formats.onnx.OnnxModel;
import dev.kiln.formats.onnx.OnnxValues;
import dev.kiln.graph.KilnException;
import dev.kiln.graph.ValueType;
import dev.kiln.tensor.Tensor;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
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
        return (Tensor) callNpy("read", file);
    }

    public static void writeNpy(Path file, Tensor t) {
        callNpy("write", file, t);
    }

    /**
     * Why reflection: the .npy codec is being written in parallel in {@code formats}; binding by name keeps the
     * runtime building until it lands. Replace with direct calls then.
     */
    private static Object callNpy(String name, Object... args) {
        Class<?> c;
        try {
            c = Class.forName("dev.kiln.formats.npy.Npy");
        } catch (ClassNotFoundException e) {
            throw new KilnException(".npy support is missing from this build (dev.kiln.formats.npy.Npy)");
        }
        for (Method m : c.getMethods()) {
            if (!m.getName().equals(name) || m.getParameterCount() != args.length) continue;
            boolean ok = true;
            for (int i = 0; i < args.length; i++) ok &= m.getParameterTypes()[i].isInstance(args[i]);
            if (!ok) continue;
            try {
                return m.invoke(null, args);
            } catch (InvocationTargetException e) {
                if (e.getCause() instanceof RuntimeException r) throw r;
                throw new KilnException(e.getCause().toString(), e.getCause());
            } catch (IllegalAccessException e) {
                throw new KilnException("cannot call Npy." + name + ": " + e.getMessage(), e);
            }
        }
        throw new KilnException("dev.kiln.formats.npy.Npy has no usable " + name + " method");
    }
}
