package dev.kiln.runtime;

import dev.kiln.graph.Graph;
import dev.kiln.graph.KilnException;
import dev.kiln.graph.ValueType;
import dev.kiln.tensor.Tensor;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Path;

/**
 * The runtime's only door to file formats (ONNX models, ONNX test-data .pb files, .npy arrays), so Session, the
 * CLI and the conformance runner do not each bind to the importer.
 *
 * <p>Why reflection: the importer (module {@code formats}) is being written in parallel; binding by name lets
 * the runtime build and test before it lands. Once its API is settled these become direct calls.
 */
public final class ModelFiles {
    private static final String ONNX_MODEL = "dev.kiln.formats.onnx.OnnxModel";
    private static final String ONNX_VALUES = "dev.kiln.formats.onnx.OnnxValues";
    private static final String NPY = "dev.kiln.formats.npy.Npy";

    private ModelFiles() {}

    /** Imports an ONNX model file. */
    public static LoadedModel load(Path model) {
        return describe(callStatic(ONNX_MODEL, new String[] {"load", "read", "parse"}, model));
    }

    /** Imports an ONNX model from its serialized bytes. */
    public static LoadedModel load(byte[] model) {
        return describe(callStatic(ONNX_MODEL, new String[] {"load", "parse", "read", "fromBytes"}, model));
    }

    /** Reads one ONNX test-data file (TensorProto / SequenceProto / OptionalProto) as the given type expects. */
    public static Object readValue(Path pb, ValueType expected) {
        return callStatic(ONNX_VALUES, new String[] {"read"}, pb, expected);
    }

    public static Tensor readNpy(Path file) {
        return (Tensor) callStatic(NPY, new String[] {"read", "load"}, file);
    }

    public static void writeNpy(Path file, Tensor t) {
        callStatic(NPY, new String[] {"write", "save"}, file, t);
    }

    private static LoadedModel describe(Object m) {
        if (m instanceof LoadedModel lm) return lm;
        if (m instanceof Graph g) return new LoadedModel(g, -1, "", "");
        Graph g = (Graph) callGetter(m, "graph");
        if (g == null) throw new KilnException("ONNX importer returned no graph (" + m.getClass().getName() + ")");
        Object ir = callGetter(m, "irVersion");
        Object prod = callGetter(m, "producerName");
        if (prod == null) prod = callGetter(m, "producer");
        Object pv = callGetter(m, "producerVersion");
        return new LoadedModel(g, ir instanceof Number n ? n.longValue() : -1,
                prod == null ? "" : prod.toString(), pv == null ? "" : pv.toString());
    }

    private static Object callGetter(Object target, String name) {
        try {
            Method m = target.getClass().getMethod(name);
            return m.invoke(target);
        } catch (NoSuchMethodException e) {
            return null;
        } catch (InvocationTargetException e) {
            throw unwrap(e);
        } catch (IllegalAccessException e) {
            return null;
        }
    }

    private static Object callStatic(String cls, String[] names, Object... args) {
        Class<?> c;
        try {
            c = Class.forName(cls);
        } catch (ClassNotFoundException e) {
            throw new KilnException("file format support missing from this build (" + cls + " not found)");
        }
        for (String name : names) {
            for (Method m : c.getMethods()) {
                if (!m.getName().equals(name) || !Modifier.isStatic(m.getModifiers())) continue;
                if (!accepts(m.getParameterTypes(), args)) continue;
                try {
                    return m.invoke(null, args);
                } catch (InvocationTargetException e) {
                    throw unwrap(e);
                } catch (IllegalAccessException e) {
                    throw new KilnException("cannot call " + cls + "." + name + ": " + e.getMessage());
                }
            }
        }
        throw new KilnException(cls + " has no usable " + String.join("/", names) + " method");
    }

    private static boolean accepts(Class<?>[] params, Object[] args) {
        if (params.length != args.length) return false;
        for (int i = 0; i < params.length; i++) if (args[i] != null && !params[i].isInstance(args[i])) return false;
        return true;
    }

    private static RuntimeException unwrap(InvocationTargetException e) {
        Throwable t = e.getCause();
        if (t instanceof RuntimeException r) return r;
        if (t instanceof Error err) throw err;
        return new KilnException(t.getClass().getSimpleName() + ": " + t.getMessage(), t);
    }
}
