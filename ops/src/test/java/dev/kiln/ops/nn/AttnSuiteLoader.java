package dev.kiln.ops.nn;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Test-only reader for single-node ONNX backend tests, so the ops module can check its kernels against the
 * suite without depending on the formats module. It understands just what those files use (one graph, tensor
 * attributes, raw or typed tensor data); the real importer lives in formats.
 */
final class AttnSuiteLoader {
    private AttnSuiteLoader() {}

    private record Field(int number, int wire, long varint, byte[] bytes) {}

    private static List<Field> fields(byte[] b) {
        List<Field> out = new ArrayList<>();
        int[] pos = {0};
        while (pos[0] < b.length) {
            long key = varint(b, pos);
            int num = (int) (key >>> 3), wire = (int) (key & 7);
            switch (wire) {
                case 0 -> out.add(new Field(num, 0, varint(b, pos), null));
                case 1 -> { out.add(new Field(num, 1, 0, java.util.Arrays.copyOfRange(b, pos[0], pos[0] + 8))); pos[0] += 8; }
                case 5 -> { out.add(new Field(num, 5, 0, java.util.Arrays.copyOfRange(b, pos[0], pos[0] + 4))); pos[0] += 4; }
                case 2 -> {
                    int len = (int) varint(b, pos);
                    out.add(new Field(num, 2, 0, java.util.Arrays.copyOfRange(b, pos[0], pos[0] + len)));
                    pos[0] += len;
                }
                default -> throw new IllegalArgumentException("wire type " + wire);
            }
        }
        return out;
    }

    private static long varint(byte[] b, int[] pos) {
        long r = 0;
        int s = 0;
        while (true) {
            int c = b[pos[0]++] & 0xFF;
            r |= (long) (c & 0x7F) << s;
            s += 7;
            if (c < 0x80) return r;
        }
    }

    private static List<Long> packedVarints(Field f) {
        List<Long> out = new ArrayList<>();
        if (f.wire == 0) { out.add(f.varint); return out; }
        int[] pos = {0};
        while (pos[0] < f.bytes.length) out.add(varint(f.bytes, pos));
        return out;
    }

    private static String str(Field f) { return new String(f.bytes, StandardCharsets.UTF_8); }

    static Tensor tensor(byte[] b) {
        List<Long> dims = new ArrayList<>();
        int dt = 1;
        byte[] raw = null;
        List<Double> floats = new ArrayList<>();
        List<Long> ints = new ArrayList<>();
        List<String> strings = new ArrayList<>();
        for (Field f : fields(b)) {
            switch (f.number) {
                case 1 -> dims.addAll(packedVarints(f));
                case 2 -> dt = (int) f.varint;
                case 9 -> raw = f.bytes;
                case 4 -> {
                    ByteBuffer bb = ByteBuffer.wrap(f.bytes).order(ByteOrder.LITTLE_ENDIAN);
                    while (bb.remaining() >= 4) floats.add((double) bb.getFloat());
                }
                case 10 -> {
                    ByteBuffer bb = ByteBuffer.wrap(f.bytes).order(ByteOrder.LITTLE_ENDIAN);
                    while (bb.remaining() >= 8) floats.add(bb.getDouble());
                }
                case 5, 7, 11 -> ints.addAll(packedVarints(f));
                case 6 -> strings.add(str(f));
                default -> { }
            }
        }
        long[] d = new long[dims.size()];
        for (int i = 0; i < d.length; i++) d[i] = dims.get(i);
        DType type = DType.fromOnnx(dt);
        Shape shape = Shape.of(d);
        if (type == DType.STRING) return Tensor.ofStrings(strings.toArray(new String[0]), d);
        Tensor t = Tensor.allocate(type, shape);
        int n = shape.numelInt();
        if (raw != null) {
            java.lang.foreign.MemorySegment.copy(java.lang.foreign.MemorySegment.ofArray(raw), 0, t.segment(), 0, raw.length);
        } else if (!floats.isEmpty()) {
            for (int i = 0; i < n; i++) t.setDouble(i, floats.get(i));
        } else if (!ints.isEmpty()) {
            for (int i = 0; i < n; i++) {
                long v = ints.get(i);
                if (type == DType.F16 || type == DType.BF16) {
                    t.segment().set(java.lang.foreign.ValueLayout.JAVA_SHORT_UNALIGNED, 2L * i, (short) v);
                } else if (type.isFloatingPoint()) {
                    t.setDouble(i, v);
                } else {
                    t.setLong(i, type == DType.I32 || type == DType.I16 || type == DType.I8 ? (int) v : v);
                }
            }
        }
        return t;
    }

    private static Attribute attribute(byte[] b) {
        String name = null;
        Attribute a = null;
        List<Long> ints = new ArrayList<>();
        List<Float> floats = new ArrayList<>();
        List<String> strings = new ArrayList<>();
        int type = 0;
        Float f = null; Long i = null; String s = null; Tensor t = null;
        for (Field fd : fields(b)) {
            switch (fd.number) {
                case 1 -> name = str(fd);
                case 2 -> f = ByteBuffer.wrap(fd.bytes).order(ByteOrder.LITTLE_ENDIAN).getFloat();
                case 3 -> i = fd.varint;
                case 4 -> s = str(fd);
                case 5 -> t = tensor(fd.bytes);
                case 7 -> {
                    ByteBuffer bb = ByteBuffer.wrap(fd.bytes).order(ByteOrder.LITTLE_ENDIAN);
                    while (bb.remaining() >= 4) floats.add(bb.getFloat());
                }
                case 8 -> ints.addAll(packedVarints(fd));
                case 9 -> strings.add(str(fd));
                case 20 -> type = (int) fd.varint;
                default -> { }
            }
        }
        switch (type) {
            case 1 -> a = Attribute.of(name, f == null ? 0f : f);
            case 2 -> a = Attribute.of(name, i == null ? 0L : i);
            case 3 -> a = Attribute.of(name, s == null ? "" : s);
            case 4 -> a = Attribute.of(name, t);
            case 6 -> { float[] v = new float[floats.size()]; for (int k = 0; k < v.length; k++) v[k] = floats.get(k); a = Attribute.of(name, v); }
            case 7 -> { long[] v = new long[ints.size()]; for (int k = 0; k < v.length; k++) v[k] = ints.get(k); a = Attribute.of(name, v); }
            case 8 -> a = Attribute.of(name, strings.toArray(new String[0]));
            default -> a = null;
        }
        return a;
    }

    /** Loads model.onnx of one backend test into a Graph (single-level, no subgraphs). */
    static Graph load(Path model) throws IOException {
        byte[] b = Files.readAllBytes(model);
        Graph g = new Graph("test");
        byte[] graphBytes = null;
        for (Field f : fields(b)) {
            if (f.number == 7) graphBytes = f.bytes;
            if (f.number == 8) {
                String domain = "";
                long version = 0;
                for (Field o : fields(f.bytes)) {
                    if (o.number == 1) domain = str(o);
                    if (o.number == 2) version = o.varint;
                }
                g.opsetImports().put(domain.equals("ai.onnx") ? "" : domain, (int) version);
            }
        }
        Map<String, Value> values = new HashMap<>();
        List<byte[]> nodes = new ArrayList<>();
        for (Field f : fields(graphBytes)) {
            switch (f.number) {
                case 1 -> nodes.add(f.bytes);
                case 5 -> {
                    Tensor t = tensor(f.bytes);
                    String name = "";
                    for (Field x : fields(f.bytes)) if (x.number == 8) name = str(x);
                    Value v = new Value(name, null);
                    v.setConstant(t);
                    values.put(name, v);
                    g.initializers().add(v);
                }
                case 11 -> {
                    String name = valueInfoName(f.bytes);
                    Value v = values.computeIfAbsent(name, n -> new Value(n, null));
                    g.inputs().add(v);
                }
                default -> { }
            }
        }
        for (byte[] nb : nodes) {
            List<Value> in = new ArrayList<>(), out = new ArrayList<>();
            String op = "", domain = "", name = "";
            Map<String, Attribute> attrs = new LinkedHashMap<>();
            for (Field f : fields(nb)) {
                switch (f.number) {
                    case 1 -> { String n = str(f); in.add(n.isEmpty() ? null : values.computeIfAbsent(n, k -> new Value(k, null))); }
                    case 2 -> {
                        String n = str(f);
                        if (n.isEmpty()) { out.add(null); } else { Value v = new Value(n, null); values.put(n, v); out.add(v); }
                    }
                    case 3 -> name = str(f);
                    case 4 -> op = str(f);
                    case 7 -> domain = str(f);
                    case 5 -> { Attribute a = attribute(f.bytes); if (a != null) attrs.put(a.name(), a); }
                    default -> { }
                }
            }
            g.addNode(new Node(name, domain, op, in, out, attrs));
        }
        for (Field f : fields(graphBytes)) if (f.number == 12) g.outputs().add(values.get(valueInfoName(f.bytes)));
        return g;
    }

    private static String valueInfoName(byte[] b) {
        for (Field f : fields(b)) if (f.number == 1) return str(f);
        return "";
    }
}
