package dev.kiln.formats.protobuf;

import dev.kiln.graph.ModelFormatException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A protobuf wire-format decoder over a {@link MemorySegment}, so a memory-mapped model is parsed in place.
 *
 * <p>A reader covers the byte range {@code [pos, limit)} of one message. Every length read from the input is
 * checked against the bytes that remain before anything is sliced or allocated, so a garbled file ends in a
 * {@link ModelFormatException} that names the file, the message path and the field — never in an OOM or a
 * read past the end. Sub-messages are read through {@link #message(String)}, which returns a reader bounded to
 * the sub-message with a longer path for messages.
 */
public final class ProtoReader {
    public static final int VARINT = 0, FIXED64 = 1, LEN = 2, START_GROUP = 3, END_GROUP = 4, FIXED32 = 5;

    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /** Nesting bound for messages and groups: deep enough for any real model, small enough to never blow the stack. */
    public static final int MAX_DEPTH = 100;

    private final MemorySegment seg;
    private final String source;
    private final String path;
    private final int depth;
    private final long start;
    private final long limit;
    private long pos;
    private int lastTag;

    private ProtoReader(MemorySegment seg, String source, String path, long start, long limit, int depth) {
        this.seg = seg;
        this.source = source;
        this.path = path;
        this.start = start;
        this.pos = start;
        this.limit = limit;
        this.depth = depth;
    }

    /** A reader over the whole segment, decoding a top-level message named {@code messageName}. */
    public static ProtoReader of(MemorySegment seg, String source, String messageName) {
        return new ProtoReader(seg, source, messageName, 0, seg.byteSize(), 0);
    }

    public String source() { return source; }
    public String path() { return path; }
    /** The underlying segment (whole file); slices from {@link #readBytes()} are views of it. */
    public MemorySegment segment() { return seg; }
    public long position() { return pos; }
    public long remaining() { return limit - pos; }
    public boolean hasMore() { return pos < limit; }

    /** An error naming the file, the message path, the current field and byte offset. */
    public ModelFormatException error(String what) {
        String field = lastTag == 0 ? "" : " field " + (lastTag >>> 3);
        return new ModelFormatException(source + ": " + path + field + " (byte " + pos + "): " + what);
    }

    // ---------------------------------------------------------------- tags

    /** Reads the next tag; returns its field number. {@link #wireType()} tells how the value is encoded. */
    public int nextField() {
        long tag = readVarint();
        if (tag > Integer.MAX_VALUE || (tag >>> 3) == 0) {
            lastTag = 0;
            throw error("invalid tag " + tag);
        }
        lastTag = (int) tag;
        int wt = lastTag & 7;
        if (wt > 5) throw error("invalid wire type " + wt);
        return lastTag >>> 3;
    }

    public int wireType() { return lastTag & 7; }
    public int field() { return lastTag >>> 3; }

    /** Fails unless the current field has wire type {@code expected}. */
    public void expect(int expected) {
        if (wireType() != expected)
            throw error("wire type " + wireType() + " where " + expected + " was expected");
    }

    // ---------------------------------------------------------------- scalars

    public long readVarint() {
        long result = 0;
        for (int i = 0; i < 10; i++) {
            if (pos >= limit) throw error("truncated varint");
            byte b = seg.get(ValueLayout.JAVA_BYTE, pos++);
            if (i == 9 && (b & 0xFF) > 1) throw error("varint overflows 64 bits");
            result |= (long) (b & 0x7F) << (7 * i);
            if (b >= 0) return result;
        }
        throw error("varint longer than 10 bytes");
    }

    public static long zigzag(long v) { return (v >>> 1) ^ -(v & 1); }

    public long readSInt64() { return zigzag(readVarint()); }

    public int readFixed32() {
        need(4);
        int v = seg.get(I32, pos);
        pos += 4;
        return v;
    }

    public long readFixed64() {
        need(8);
        long v = seg.get(I64, pos);
        pos += 8;
        return v;
    }

    /** Reads a varint field (checking the wire type). */
    public long int64() { expect(VARINT); return readVarint(); }

    /** Reads an int32/enum varint field; protobuf sign-extends negative int32 to 10 bytes, so truncate. */
    public int int32() { return (int) int64(); }

    public float float32() { expect(FIXED32); return Float.intBitsToFloat(readFixed32()); }

    public double float64() { expect(FIXED64); return Double.longBitsToDouble(readFixed64()); }

    private void need(long n) {
        if (n < 0 || n > limit - pos) throw error("needs " + n + " bytes but only " + (limit - pos) + " remain");
    }

    private long readLength() {
        long n = readVarint();
        if (n < 0 || n > limit - pos)
            throw error("length " + Long.toUnsignedString(n) + " exceeds the " + (limit - pos) + " bytes that remain");
        return n;
    }

    // ---------------------------------------------------------------- length-delimited

    /** A length-delimited field as a slice of the underlying segment (no copy). */
    public MemorySegment bytes() {
        expect(LEN);
        long n = readLength();
        MemorySegment s = seg.asSlice(pos, n);
        pos += n;
        return s;
    }

    public String string() {
        MemorySegment s = bytes();
        if (s.byteSize() > Integer.MAX_VALUE - 8) throw error("string of " + s.byteSize() + " bytes is too long");
        return new String(s.toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }

    /** A reader for the embedded message of the current field; {@code name} extends the path in errors. */
    public ProtoReader message(String name) {
        if (wireType() != LEN) throw error(name + " has wire type " + wireType() + ", expected a length-delimited message");
        long n = readVarint();
        if (n < 0 || n > limit - pos)
            throw error(name + " declares " + Long.toUnsignedString(n) + " bytes but only " + (limit - pos) + " remain");
        if (depth + 1 > MAX_DEPTH) throw error("messages nested deeper than " + MAX_DEPTH);
        ProtoReader r = new ProtoReader(seg, source, path + "." + name, pos, pos + n, depth + 1);
        pos += n;
        return r;
    }

    // ---------------------------------------------------------------- repeated scalars (packed or not)

    /** Appends a repeated varint field's value(s): packed (LEN) or one unpacked value. */
    public void varints(LongList out) {
        if (wireType() == VARINT) { out.add(readVarint()); return; }
        expect(LEN);
        long n = readLength();
        long end = pos + n;
        // No pre-sizing: the list grows with values actually decoded (each consumed at least one checked byte).
        while (pos < end) {
            long v = readVarintBefore(end);
            out.add(v);
        }
    }

    private long readVarintBefore(long end) {
        long saved = limit;
        // Varints of a packed run must not cross the run's end.
        long result = 0;
        for (int i = 0; i < 10; i++) {
            if (pos >= end) throw error("truncated varint in packed field (limit " + saved + ")");
            byte b = seg.get(ValueLayout.JAVA_BYTE, pos++);
            if (i == 9 && (b & 0xFF) > 1) throw error("varint overflows 64 bits");
            result |= (long) (b & 0x7F) << (7 * i);
            if (b >= 0) return result;
        }
        throw error("varint longer than 10 bytes");
    }

    /** Appends a repeated fixed32 field's raw bits (floats): packed or one unpacked value. */
    public void fixed32s(IntList out) {
        if (wireType() == FIXED32) { out.add(readFixed32()); return; }
        expect(LEN);
        long n = readLength();
        if (n % 4 != 0) throw error("packed fixed32 run of " + n + " bytes is not a multiple of 4");
        if (n / 4 > Integer.MAX_VALUE - 16) throw error("packed run of " + n / 4 + " values is too long");
        out.ensureExtra(n / 4);
        for (long end = pos + n; pos < end; ) out.add(readFixed32());
    }

    /** Appends a repeated fixed64 field's raw bits (doubles): packed or one unpacked value. */
    public void fixed64s(LongList out) {
        if (wireType() == FIXED64) { out.add(readFixed64()); return; }
        expect(LEN);
        long n = readLength();
        if (n % 8 != 0) throw error("packed fixed64 run of " + n + " bytes is not a multiple of 8");
        if (n / 8 > Integer.MAX_VALUE - 16) throw error("packed run of " + n / 8 + " values is too long");
        out.ensureExtra(n / 8);
        for (long end = pos + n; pos < end; ) out.add(readFixed64());
    }

    // ---------------------------------------------------------------- unknown fields

    /** Skips the current field's value, whatever its wire type (groups included, nested groups bounded). */
    public void skip() {
        skipValue(lastTag, 0);
    }

    private void skipValue(int tag, int groupDepth) {
        switch (tag & 7) {
            case VARINT -> readVarint();
            case FIXED64 -> need(8);
            case FIXED32 -> need(4);
            case LEN -> {
                long n = readLength();
                pos += n;
                return;
            }
            case START_GROUP -> {
                if (groupDepth >= MAX_DEPTH) throw error("groups nested deeper than " + MAX_DEPTH);
                int fieldNo = tag >>> 3;
                while (true) {
                    if (!hasMore()) throw error("unterminated group " + fieldNo);
                    nextField();
                    if (wireType() == END_GROUP) {
                        if (field() != fieldNo) throw error("end of group " + field() + " inside group " + fieldNo);
                        return;
                    }
                    skipValue(lastTag, groupDepth + 1);
                }
            }
            case END_GROUP -> throw error("end-group tag without a matching start");
            default -> throw error("invalid wire type " + (tag & 7));
        }
        if ((tag & 7) == FIXED64) pos += 8;
        if ((tag & 7) == FIXED32) pos += 4;
    }

    @Override public String toString() { return source + ":" + path + "[" + start + "," + limit + ")@" + pos; }
}
