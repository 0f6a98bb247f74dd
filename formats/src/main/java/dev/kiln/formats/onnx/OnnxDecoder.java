package dev.kiln.formats.onnx;

import dev.kiln.formats.onnx.Msg.AttrMsg;
import dev.kiln.formats.onnx.Msg.FunctionMsg;
import dev.kiln.formats.onnx.Msg.GraphMsg;
import dev.kiln.formats.onnx.Msg.ModelMsg;
import dev.kiln.formats.onnx.Msg.NodeMsg;
import dev.kiln.formats.onnx.Msg.TensorMsg;
import dev.kiln.formats.onnx.Msg.ValueInfoMsg;
import dev.kiln.formats.protobuf.IntList;
import dev.kiln.formats.protobuf.LongList;
import dev.kiln.formats.protobuf.ProtoReader;
import dev.kiln.graph.Dim;
import dev.kiln.graph.ValueType;
import dev.kiln.tensor.DType;

import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Decodes ONNX protobuf messages (onnx.proto field numbers) into {@link Msg} objects. Unknown fields are skipped,
 * as protobuf requires, so files from newer ONNX versions still load.
 */
final class OnnxDecoder {
    private OnnxDecoder() {}

    static ModelMsg model(ProtoReader r) {
        ModelMsg m = new ModelMsg();
        while (r.hasMore()) {
            switch (r.nextField()) {
                case 1 -> m.irVersion = r.int64();
                case 2 -> m.producer = r.string();
                case 3 -> m.producerVersion = r.string();
                case 7 -> m.graph = graph(r.message("graph"));
                case 8 -> opset(r.message("opset_import"), m.opsets);
                case 14 -> keyValue(r.message("metadata_props"), m.metadata);
                case 25 -> m.functions.add(function(r.message("functions[" + m.functions.size() + "]")));
                default -> r.skip();
            }
        }
        if (m.graph == null) throw r.error("ModelProto has no graph");
        return m;
    }

    static void opset(ProtoReader r, Map<String, Integer> into) {
        String domain = "";
        long version = 0;
        while (r.hasMore()) {
            switch (r.nextField()) {
                case 1 -> domain = r.string();
                case 2 -> version = r.int64();
                default -> r.skip();
            }
        }
        if (version < 0 || version > Integer.MAX_VALUE) throw r.error("opset version " + version + " out of range");
        into.put(domain.equals("ai.onnx") ? "" : domain, (int) version);
    }

    static void keyValue(ProtoReader r, Map<String, String> into) {
        String k = "", v = "";
        while (r.hasMore()) {
            switch (r.nextField()) {
                case 1 -> k = r.string();
                case 2 -> v = r.string();
                default -> r.skip();
            }
        }
        into.put(k, v);
    }

    static GraphMsg graph(ProtoReader r) {
        GraphMsg g = new GraphMsg();
        while (r.hasMore()) {
            switch (r.nextField()) {
                case 1 -> g.nodes.add(node(r.message("node[" + g.nodes.size() + "]")));
                case 2 -> g.name = r.string();
                case 5 -> g.initializers.add(tensor(r.message("initializer[" + g.initializers.size() + "]")));
                case 11 -> g.inputs.add(valueInfo(r.message("input[" + g.inputs.size() + "]")));
                case 12 -> g.outputs.add(valueInfo(r.message("output[" + g.outputs.size() + "]")));
                case 13 -> g.valueInfo.add(valueInfo(r.message("value_info[" + g.valueInfo.size() + "]")));
                case 15 -> { r.bytes(); g.sparseInitializers++; }
                default -> r.skip();
            }
        }
        return g;
    }

    static NodeMsg node(ProtoReader r) {
        NodeMsg n = new NodeMsg();
        while (r.hasMore()) {
            switch (r.nextField()) {
                case 1 -> n.inputs.add(r.string());
                case 2 -> n.outputs.add(r.string());
                case 3 -> n.name = r.string();
                case 4 -> n.opType = r.string();
                case 5 -> n.attributes.add(attribute(r.message("attribute[" + n.attributes.size() + "]")));
                case 7 -> n.domain = r.string();
                case 8 -> n.overload = r.string();
                default -> r.skip();
            }
        }
        if (n.domain.equals("ai.onnx")) n.domain = "";
        return n;
    }

    static FunctionMsg function(ProtoReader r) {
        FunctionMsg f = new FunctionMsg();
        while (r.hasMore()) {
            switch (r.nextField()) {
                case 1 -> f.name = r.string();
                case 4 -> f.inputs.add(r.string());
                case 5 -> f.outputs.add(r.string());
                case 6 -> f.attributeNames.add(r.string());
                case 7 -> f.nodes.add(node(r.message("node[" + f.nodes.size() + "]")));
                case 9 -> opset(r.message("opset_import"), f.opsets);
                case 10 -> f.domain = r.string();
                case 11 -> f.attributeDefaults.add(attribute(r.message("attribute_proto")));
                case 13 -> f.overload = r.string();
                default -> r.skip();
            }
        }
        if (f.domain.equals("ai.onnx")) f.domain = "";
        return f;
    }

    static AttrMsg attribute(ProtoReader r) {
        AttrMsg a = new AttrMsg();
        FloatBits floats = null;
        LongList ints = null;
        while (r.hasMore()) {
            switch (r.nextField()) {
                case 1 -> a.name = r.string();
                case 2 -> a.f = r.float32();
                case 3 -> a.i = r.int64();
                case 4 -> a.s = r.bytes().toArray(ValueLayout.JAVA_BYTE);
                case 5 -> a.t = tensor(r.message("t"));
                case 6 -> a.g = graph(r.message("g"));
                case 7 -> { if (floats == null) floats = new FloatBits(); r.fixed32s(floats.bits); }
                case 8 -> { if (ints == null) ints = new LongList(); r.varints(ints); }
                case 9 -> a.strings.add(r.bytes().toArray(ValueLayout.JAVA_BYTE));
                case 10 -> a.tensors.add(tensor(r.message("tensors[" + a.tensors.size() + "]")));
                case 11 -> a.graphs.add(graph(r.message("graphs[" + a.graphs.size() + "]")));
                case 14 -> a.tp = type(r.message("tp"));
                case 15 -> a.typeProtos.add(type(r.message("type_protos[" + a.typeProtos.size() + "]")));
                case 20 -> a.type = r.int32();
                case 21 -> a.refAttrName = r.string();
                case 22, 23 -> { r.bytes(); a.sparse = true; }
                default -> r.skip();
            }
        }
        if (floats != null) {
            a.floats = new float[floats.bits.size()];
            for (int i = 0; i < a.floats.length; i++) a.floats[i] = Float.intBitsToFloat(floats.bits.get(i));
        }
        if (ints != null) a.ints = ints.toArray();
        if (a.type == 0) a.type = guessType(a);
        return a;
    }

    private static final class FloatBits { final IntList bits = new IntList(); }

    /** IR versions before 0.0.2 had no {@code type} field: infer the kind from which field is set. */
    private static int guessType(AttrMsg a) {
        if (a.floats != null) return 6;
        if (a.ints != null) return 7;
        if (!a.strings.isEmpty()) return 8;
        if (!a.tensors.isEmpty()) return 9;
        if (!a.graphs.isEmpty()) return 10;
        if (!a.typeProtos.isEmpty()) return 14;
        if (a.t != null) return 4;
        if (a.g != null) return 5;
        if (a.tp != null) return 13;
        if (a.s != null) return 3;
        if (a.sparse) return 11;
        if (a.i != 0) return 2;
        if (a.f != 0) return 1;
        return 0;
    }

    static TensorMsg tensor(ProtoReader r) {
        TensorMsg t = new TensorMsg();
        t.where = r.source() + ": " + r.path();
        IntList int32 = null, floats = null;
        LongList int64 = null, doubles = null, uint64 = null;
        while (r.hasMore()) {
            switch (r.nextField()) {
                case 1 -> r.varints(t.dims);
                case 2 -> t.dataType = r.int32();
                case 3 -> { r.bytes(); t.hasSegment = true; }
                case 4 -> { if (floats == null) floats = new IntList(); r.fixed32s(floats); }
                case 5 -> {
                    // int32 is a varint; packed runs are decoded as varints and truncated to 32 bits below.
                    if (int32 == null) int32 = new IntList();
                    if (r.wireType() == ProtoReader.VARINT) { int32.add((int) r.readVarint()); continue; }
                    LongList tmp = new LongList();
                    r.varints(tmp);
                    for (int i = 0; i < tmp.size(); i++) int32.add((int) tmp.get(i));
                }
                case 6 -> {
                    if (t.strings == null) t.strings = new ArrayList<>();
                    t.strings.add(r.bytes().toArray(ValueLayout.JAVA_BYTE));
                }
                case 7 -> { if (int64 == null) int64 = new LongList(); r.varints(int64); }
                case 8 -> t.name = r.string();
                case 9 -> { r.expect(ProtoReader.LEN); t.raw = r.bytes(); }
                case 10 -> { if (doubles == null) doubles = new LongList(); r.fixed64s(doubles); }
                case 11 -> { if (uint64 == null) uint64 = new LongList(); r.varints(uint64); }
                case 13 -> keyValue(r.message("external_data"), t.externalData);
                case 14 -> t.external = r.int32() == 1;
                default -> r.skip();
            }
        }
        if (int32 != null) t.int32 = int32.toArray();
        if (floats != null) t.floatBits = floats.toArray();
        if (int64 != null) t.int64 = int64.toArray();
        if (doubles != null) t.doubleBits = doubles.toArray();
        if (uint64 != null) t.uint64 = uint64.toArray();
        if (!t.name.isEmpty()) t.where += " '" + t.name + "'";
        return t;
    }

    static ValueInfoMsg valueInfo(ProtoReader r) {
        ValueInfoMsg v = new ValueInfoMsg();
        while (r.hasMore()) {
            switch (r.nextField()) {
                case 1 -> v.name = r.string();
                case 2 -> { v.type = type(r.message("type")); v.hasType = true; }
                default -> r.skip();
            }
        }
        return v;
    }

    /** TypeProto to ValueType. Sparse tensors and unknown kinds become UNKNOWN rather than failing the import. */
    static ValueType type(ProtoReader r) {
        ValueType t = ValueType.UNKNOWN;
        while (r.hasMore()) {
            switch (r.nextField()) {
                case 1 -> t = tensorType(r.message("tensor_type"));
                case 4 -> t = new ValueType.SequenceType(singleElem(r.message("sequence_type")));
                case 5 -> t = mapType(r.message("map_type"));
                case 9 -> t = new ValueType.OptionalType(singleElem(r.message("optional_type")));
                default -> r.skip();
            }
        }
        return t;
    }

    private static ValueType singleElem(ProtoReader r) {
        ValueType t = ValueType.UNKNOWN;
        while (r.hasMore()) {
            if (r.nextField() == 1) t = type(r.message("elem_type"));
            else r.skip();
        }
        return t;
    }

    private static ValueType mapType(ProtoReader r) {
        DType key = null;
        ValueType value = ValueType.UNKNOWN;
        while (r.hasMore()) {
            switch (r.nextField()) {
                case 1 -> key = dtypeOrNull(r, r.int32());
                case 2 -> value = type(r.message("value_type"));
                default -> r.skip();
            }
        }
        return new ValueType.MapType(key, value);
    }

    private static ValueType tensorType(ProtoReader r) {
        DType dtype = null;
        List<Dim> dims = null;
        while (r.hasMore()) {
            switch (r.nextField()) {
                case 1 -> dtype = dtypeOrNull(r, r.int32());
                case 2 -> dims = shape(r.message("shape"));
                default -> r.skip();
            }
        }
        return new ValueType.TensorType(dtype, dims);
    }

    private static List<Dim> shape(ProtoReader r) {
        List<Dim> dims = new ArrayList<>();
        while (r.hasMore()) {
            if (r.nextField() != 1) { r.skip(); continue; }
            ProtoReader d = r.message("dim[" + dims.size() + "]");
            Dim dim = Dim.UNKNOWN;
            while (d.hasMore()) {
                switch (d.nextField()) {
                    case 1 -> {
                        long v = d.int64();
                        // Exporters write -1 for "unknown" in the wild; keep it loadable as an unknown dim.
                        dim = v >= 0 ? Dim.of(v) : Dim.UNKNOWN;
                    }
                    case 2 -> {
                        String p = d.string();
                        dim = p.isEmpty() ? Dim.UNKNOWN : Dim.sym(p);
                    }
                    default -> d.skip();
                }
            }
            dims.add(dim);
        }
        return dims;
    }

    private static DType dtypeOrNull(ProtoReader r, int code) {
        if (code == 0) return null;
        try {
            return DType.fromOnnx(code);
        } catch (IllegalArgumentException e) {
            throw r.error("unsupported tensor element type code " + code);
        }
    }
}
