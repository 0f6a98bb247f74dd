package dev.kiln.formats.onnx;

import dev.kiln.formats.protobuf.ProtoWriter;

import java.util.List;
import java.util.function.Consumer;

/** Builds ONNX protobuf messages for tests (field numbers of onnx.proto). Each piece writes into a parent message. */
final class Pb {
    private Pb() {}

    interface Part extends Consumer<ProtoWriter> {}

    static byte[] model(int opset, Part graph, Part... extra) {
        ProtoWriter w = new ProtoWriter();
        w.int64(1, 8);
        w.string(2, "kiln-test");
        w.message(8, o -> o.string(1, "").int64(2, opset));
        w.message(7, graph);
        for (Part p : extra) p.accept(w);
        return w.toByteArray();
    }

    /** A GraphProto body built from parts (nodes, inputs, outputs, initializers). */
    static Part graph(String name, Part... parts) {
        return w -> {
            w.string(2, name);
            for (Part p : parts) p.accept(w);
        };
    }

    static Part typeTensor(int elemType, long... dims) {
        return t -> t.message(1, tt -> {
            tt.int64(1, elemType);
            tt.message(2, s -> { for (long d : dims) s.message(1, dim -> dim.int64(1, d)); });
        });
    }

    static Part input(String name, int elemType, long... dims) {
        return w -> w.message(11, v -> v.string(1, name).message(2, typeTensor(elemType, dims)));
    }

    static Part output(String name, int elemType, long... dims) {
        return w -> w.message(12, v -> v.string(1, name).message(2, typeTensor(elemType, dims)));
    }

    static Part outputUntyped(String name) { return w -> w.message(12, v -> v.string(1, name)); }

    static Part inputTyped(String name, Part type) {
        return w -> w.message(11, v -> v.string(1, name).message(2, type));
    }

    static Part node(String op, List<String> in, List<String> out, Part... attrs) {
        return nodeNamed(op + "_" + String.join("_", out), "", op, in, out, attrs);
    }

    static Part nodeNamed(String name, String domain, String op, List<String> in, List<String> out, Part... attrs) {
        return w -> w.message(1, n -> {
            for (String s : in) n.string(1, s);
            for (String s : out) n.string(2, s);
            n.string(3, name);
            n.string(4, op);
            if (!domain.isEmpty()) n.string(7, domain);
            for (Part a : attrs) n.message(5, a);
        });
    }

    static Part attrInt(String name, long v) { return a -> a.string(1, name).int64(20, 2).int64(3, v); }
    static Part attrFloat(String name, float v) { return a -> a.string(1, name).int64(20, 1).float32(2, v); }
    static Part attrString(String name, String v) { return a -> a.string(1, name).int64(20, 3).string(4, v); }
    static Part attrInts(String name, long... v) { return a -> a.string(1, name).int64(20, 7).packedVarints(8, v); }
    static Part attrGraph(String name, Part graph) { return a -> a.string(1, name).int64(20, 5).message(6, graph); }
    static Part attrTensor(String name, Part tensor) { return a -> a.string(1, name).int64(20, 4).message(5, tensor); }
    /** A function-body attribute that takes its value from the caller's attribute {@code ref}. */
    static Part attrRef(String name, String ref, int type) { return a -> a.string(1, name).int64(20, type).string(21, ref); }

    /** A TensorProto with raw_data. */
    static Part tensorRaw(String name, int dataType, long[] dims, byte[] raw) {
        return t -> {
            for (long d : dims) t.int64(1, d);
            t.int64(2, dataType);
            t.string(8, name);
            t.bytes(9, raw);
        };
    }

    static Part initializer(Part tensor) { return w -> w.message(5, tensor); }

    static Part function(String domain, String name, List<String> in, List<String> out, List<String> attrNames,
                         Part... nodes) {
        return w -> w.message(25, f -> {
            f.string(1, name);
            for (String s : in) f.string(4, s);
            for (String s : out) f.string(5, s);
            for (String s : attrNames) f.string(6, s);
            for (Part n : nodes) n.accept(f);   // node parts write field 1; remapped below
            f.string(10, domain);
            f.message(9, o -> o.string(1, "").int64(2, 17));
        });
    }

    /** A node inside a FunctionProto (field 7 there, not 1 as in GraphProto). */
    static Part fnode(String op, List<String> in, List<String> out, Part... attrs) {
        return w -> w.message(7, n -> {
            for (String s : in) n.string(1, s);
            for (String s : out) n.string(2, s);
            n.string(3, op + "_" + String.join("_", out));
            n.string(4, op);
            for (Part a : attrs) n.message(5, a);
        });
    }

    static byte[] floatsLE(float... v) {
        byte[] b = new byte[v.length * 4];
        for (int i = 0; i < v.length; i++) {
            int x = Float.floatToRawIntBits(v[i]);
            for (int k = 0; k < 4; k++) b[4 * i + k] = (byte) (x >>> (8 * k));
        }
        return b;
    }
}
