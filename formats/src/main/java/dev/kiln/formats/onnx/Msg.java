package dev.kiln.formats.onnx;

import dev.kiln.formats.protobuf.LongList;
import dev.kiln.graph.ValueType;

import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decoded ONNX protobuf messages, close to the wire: the first import stage. Keeping this stage separate from
 * {@link GraphBuilder} lets function inlining rewrite names before any {@code Value} exists. Fields are mutable
 * because the decoder fills them one wire field at a time; nothing outside this package sees them.
 */
final class Msg {
    private Msg() {}

    static final class TensorMsg {
        String name = "";
        final LongList dims = new LongList();
        int dataType;
        MemorySegment raw;                  // raw_data, a slice of the file (no copy)
        int[] int32;                        // int32_data
        long[] int64;                       // int64_data
        int[] floatBits;                    // float_data as raw bits
        long[] doubleBits;                  // double_data as raw bits
        long[] uint64;                      // uint64_data
        List<byte[]> strings;               // string_data
        boolean external;                   // data_location == EXTERNAL
        final Map<String, String> externalData = new LinkedHashMap<>();
        boolean hasSegment;                 // TensorProto.segment: chunked tensors, not supported
        String where = "";                  // message path for errors

        /** A shallow copy under another name (function inlining renames initializers of nested graphs). */
        TensorMsg renamed(String newName) {
            TensorMsg c = new TensorMsg();
            c.name = newName;
            for (int i = 0; i < dims.size(); i++) c.dims.add(dims.get(i));
            c.dataType = dataType; c.raw = raw; c.int32 = int32; c.int64 = int64; c.floatBits = floatBits;
            c.doubleBits = doubleBits; c.uint64 = uint64; c.strings = strings; c.external = external;
            c.externalData.putAll(externalData); c.hasSegment = hasSegment; c.where = where;
            return c;
        }
    }

    static final class ValueInfoMsg {
        String name = "";
        ValueType type = ValueType.UNKNOWN;
        boolean hasType;
    }

    static final class AttrMsg {
        String name = "";
        String refAttrName = "";
        int type;                           // AttributeProto.AttributeType
        float f;
        long i;
        byte[] s;
        TensorMsg t;
        GraphMsg g;
        ValueType tp;
        boolean sparse;
        float[] floats;
        long[] ints;
        List<byte[]> strings = new ArrayList<>();
        List<TensorMsg> tensors = new ArrayList<>();
        List<GraphMsg> graphs = new ArrayList<>();
        List<ValueType> typeProtos = new ArrayList<>();

        AttrMsg copyNamed(String newName) {
            AttrMsg a = new AttrMsg();
            a.name = newName; a.refAttrName = ""; a.type = type; a.f = f; a.i = i; a.s = s; a.t = t; a.g = g;
            a.tp = tp; a.sparse = sparse; a.floats = floats; a.ints = ints; a.strings = strings;
            a.tensors = tensors; a.graphs = graphs; a.typeProtos = typeProtos;
            return a;
        }
    }

    static final class NodeMsg {
        String name = "";
        String opType = "";
        String domain = "";
        String overload = "";
        final List<String> inputs = new ArrayList<>();
        final List<String> outputs = new ArrayList<>();
        final List<AttrMsg> attributes = new ArrayList<>();
    }

    static final class GraphMsg {
        String name = "";
        final List<NodeMsg> nodes = new ArrayList<>();
        final List<TensorMsg> initializers = new ArrayList<>();
        int sparseInitializers;
        final List<ValueInfoMsg> inputs = new ArrayList<>();
        final List<ValueInfoMsg> outputs = new ArrayList<>();
        final List<ValueInfoMsg> valueInfo = new ArrayList<>();
    }

    static final class FunctionMsg {
        String name = "";
        String domain = "";
        String overload = "";
        final List<String> inputs = new ArrayList<>();
        final List<String> outputs = new ArrayList<>();
        final List<String> attributeNames = new ArrayList<>();
        final List<AttrMsg> attributeDefaults = new ArrayList<>();
        final List<NodeMsg> nodes = new ArrayList<>();
        final Map<String, Integer> opsets = new LinkedHashMap<>();
    }

    static final class ModelMsg {
        long irVersion;
        String producer = "";
        String producerVersion = "";
        final Map<String, Integer> opsets = new LinkedHashMap<>();
        GraphMsg graph;
        final Map<String, String> metadata = new LinkedHashMap<>();
        final List<FunctionMsg> functions = new ArrayList<>();
    }
}
