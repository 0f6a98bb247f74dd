package dev.kiln.formats.protobuf;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * A minimal protobuf encoder: enough to write ONNX values (TensorProto) and build test models. Messages are
 * written into a byte buffer; nested messages are built with {@link #message(int, Consumer)}.
 */
public final class ProtoWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public byte[] toByteArray() { return out.toByteArray(); }
    public int size() { return out.size(); }

    public ProtoWriter rawVarint(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) ((v & 0x7F) | 0x80));
            v >>>= 7;
        }
        out.write((int) v);
        return this;
    }

    public ProtoWriter tag(int field, int wireType) { return rawVarint(((long) field << 3) | wireType); }

    public ProtoWriter rawFixed32(int v) {
        for (int i = 0; i < 4; i++) out.write(v >>> (8 * i));
        return this;
    }

    public ProtoWriter rawFixed64(long v) {
        for (int i = 0; i < 8; i++) out.write((int) (v >>> (8 * i)));
        return this;
    }

    public ProtoWriter rawBytes(byte[] b) { out.write(b, 0, b.length); return this; }

    public ProtoWriter int64(int field, long v) { return tag(field, ProtoReader.VARINT).rawVarint(v); }

    public ProtoWriter sint64(int field, long v) { return int64(field, (v << 1) ^ (v >> 63)); }

    public ProtoWriter float32(int field, float v) { return tag(field, ProtoReader.FIXED32).rawFixed32(Float.floatToRawIntBits(v)); }

    public ProtoWriter float64(int field, double v) { return tag(field, ProtoReader.FIXED64).rawFixed64(Double.doubleToRawLongBits(v)); }

    public ProtoWriter bytes(int field, byte[] b) {
        tag(field, ProtoReader.LEN).rawVarint(b.length);
        return rawBytes(b);
    }

    public ProtoWriter string(int field, String s) { return bytes(field, s.getBytes(StandardCharsets.UTF_8)); }

    public ProtoWriter message(int field, Consumer<ProtoWriter> body) {
        ProtoWriter w = new ProtoWriter();
        body.accept(w);
        return bytes(field, w.toByteArray());
    }

    /** A packed repeated varint field. */
    public ProtoWriter packedVarints(int field, long... values) {
        ProtoWriter w = new ProtoWriter();
        for (long v : values) w.rawVarint(v);
        return bytes(field, w.toByteArray());
    }

    /** A packed repeated float field. */
    public ProtoWriter packedFloats(int field, float... values) {
        ProtoWriter w = new ProtoWriter();
        for (float v : values) w.rawFixed32(Float.floatToRawIntBits(v));
        return bytes(field, w.toByteArray());
    }

    /** A packed repeated double field. */
    public ProtoWriter packedDoubles(int field, double... values) {
        ProtoWriter w = new ProtoWriter();
        for (double v : values) w.rawFixed64(Double.doubleToRawLongBits(v));
        return bytes(field, w.toByteArray());
    }
}
