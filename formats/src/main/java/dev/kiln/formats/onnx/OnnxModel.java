package dev.kiln.formats.onnx;

import dev.kiln.formats.onnx.Msg.GraphMsg;
import dev.kiln.formats.onnx.Msg.ModelMsg;
import dev.kiln.formats.onnx.Msg.NodeMsg;
import dev.kiln.formats.onnx.Msg.TensorMsg;
import dev.kiln.formats.onnx.Msg.ValueInfoMsg;
import dev.kiln.formats.protobuf.ProtoReader;
import dev.kiln.graph.Graph;
import dev.kiln.graph.KilnException;
import dev.kiln.graph.ModelFormatException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An imported ONNX model: the IR graph plus model metadata. The model file is memory-mapped and initializers with
 * {@code raw_data} are views of the mapping, so {@link #close()} (which releases the mapping) invalidates them:
 * keep the model open while its graph is in use.
 *
 * @param graph      the main graph; model-local functions are already inlined
 * @param irVersion  ModelProto.ir_version
 * @param producer   producer name and version, e.g. {@code "pytorch 2.3"} (may be empty)
 * @param opsets     opset version per domain; the default domain is ""
 * @param metadata   metadata_props
 * @param source     the file it came from, or null for bytes
 */
public record OnnxModel(Graph graph, long irVersion, String producer, Map<String, Integer> opsets,
                        Map<String, String> metadata, Path source, Arena arena) implements AutoCloseable {

    public OnnxModel {
        opsets = Collections.unmodifiableMap(new LinkedHashMap<>(opsets));
        metadata = Collections.unmodifiableMap(new LinkedHashMap<>(metadata));
    }

    /** Maps and imports {@code file}; external data is resolved relative to its folder. */
    public static OnnxModel load(Path file) {
        Path abs = file.toAbsolutePath();
        if (!Files.isRegularFile(abs)) throw new ModelFormatException(file + ": no such model file");
        Arena arena = Arena.ofShared();
        try {
            MemorySegment seg;
            try (FileChannel ch = FileChannel.open(abs, StandardOpenOption.READ)) {
                long size = ch.size();
                seg = size == 0 ? MemorySegment.NULL.reinterpret(0) : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            }
            Path folder = abs.getParent();
            return decode(seg, abs.toString(), abs, new ExternalData(folder == null ? Path.of(".") : folder, arena), arena);
        } catch (IOException e) {
            arena.close();
            throw new ModelFormatException(file + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    /**
     * Imports a model held in memory. The bytes are copied into native memory owned by the model so tensors can be
     * handed to native code; external data is refused (there is no folder to resolve it against).
     */
    public static OnnxModel load(byte[] bytes, String sourceName) {
        Arena arena = Arena.ofShared();
        try {
            MemorySegment seg = arena.allocate(Math.max(1, bytes.length), 64).asSlice(0, bytes.length);
            MemorySegment.copy(bytes, 0, seg, ValueLayout.JAVA_BYTE, 0, bytes.length);
            return decode(seg, sourceName, null, null, arena);
        } catch (RuntimeException | Error e) {
            arena.close();
            throw e;
        }
    }

    private static OnnxModel decode(MemorySegment seg, String name, Path source, ExternalData ext, Arena arena) {
        try {
            ModelMsg m = OnnxDecoder.model(ProtoReader.of(seg, name, "ModelProto"));
            if (!m.functions.isEmpty()) {
                FunctionInliner inl = new FunctionInliner(m.functions, name, allNames(m.graph));
                inl.inline(m.graph);
            }
            Map<String, Integer> opsets = new LinkedHashMap<>(m.opsets);
            // IR version 1/2 files may lack opset_import; the ONNX checker then assumes opset 1.
            if (opsets.isEmpty()) opsets.put("", 1);
            for (var f : m.functions)
                for (var e : f.opsets.entrySet()) opsets.putIfAbsent(e.getKey(), e.getValue());
            Graph g = new GraphBuilder(new TensorDecoder(ext), opsets, name).build(m.graph);
            String producer = (m.producer + " " + m.producerVersion).trim();
            return new OnnxModel(g, m.irVersion, producer, opsets, m.metadata, source, arena);
        } catch (KilnException e) {
            throw e;
        } catch (IndexOutOfBoundsException | IllegalArgumentException | IllegalStateException | ArithmeticException e) {
            // Defensive: every size is checked before use, but a decoder bug must still surface as a typed error.
            throw new ModelFormatException(name + ": malformed model: " + e, e);
        } catch (OutOfMemoryError e) {
            throw new ModelFormatException(name + ": model needs more memory than available: " + e.getMessage(), e);
        } catch (StackOverflowError e) {
            throw new ModelFormatException(name + ": model is nested too deeply", e);
        }
    }

    private static Set<String> allNames(GraphMsg g) {
        Set<String> s = new HashSet<>();
        collect(g, s);
        return s;
    }

    private static void collect(GraphMsg g, Set<String> s) {
        for (ValueInfoMsg v : g.inputs) s.add(v.name);
        for (ValueInfoMsg v : g.outputs) s.add(v.name);
        for (TensorMsg t : g.initializers) s.add(t.name);
        for (NodeMsg n : g.nodes) {
            s.addAll(n.inputs);
            s.addAll(n.outputs);
            s.add(n.name);
            for (var a : n.attributes) {
                if (a.g != null) collect(a.g, s);
                for (GraphMsg sub : a.graphs) collect(sub, s);
            }
        }
    }

    /** The opset version imported for {@code domain} ("" = ai.onnx), or -1. */
    public int opset(String domain) {
        return opsets.getOrDefault(domain == null || domain.equals("ai.onnx") ? "" : domain, -1);
    }

    /** Releases the file mapping; tensors that view it become inaccessible. */
    @Override public void close() {
        if (arena.scope().isAlive()) arena.close();
    }
}
