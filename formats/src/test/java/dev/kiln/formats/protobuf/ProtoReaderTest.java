package dev.kiln.formats.protobuf;

import dev.kiln.graph.ModelFormatException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProtoReaderTest {

    static ProtoReader reader(byte[] b) { return ProtoReader.of(MemorySegment.ofArray(b), "test.pb", "Msg"); }

    static byte[] bytes(int... v) {
        byte[] b = new byte[v.length];
        for (int i = 0; i < v.length; i++) b[i] = (byte) v[i];
        return b;
    }

    @Property
    void varintRoundTrips(@ForAll long v) {
        byte[] b = new ProtoWriter().rawVarint(v).toByteArray();
        ProtoReader r = reader(b);
        assertEquals(v, r.readVarint());
        assertFalse(r.hasMore());
        assertTrue(b.length <= 10);
    }

    @Property
    void zigzagRoundTrips(@ForAll long v) {
        ProtoReader r = reader(new ProtoWriter().sint64(1, v).toByteArray());
        assertEquals(1, r.nextField());
        assertEquals(v, ProtoReader.zigzag(r.int64()));
    }

    @Test
    void knownVarintsAndZigzag() {
        assertEquals(300, reader(bytes(0xAC, 0x02)).readVarint());
        assertEquals(-1L, reader(bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01)).readVarint());
        assertEquals(0, ProtoReader.zigzag(0));
        assertEquals(-1, ProtoReader.zigzag(1));
        assertEquals(1, ProtoReader.zigzag(2));
        assertEquals(-2, ProtoReader.zigzag(3));
        assertEquals(Long.MAX_VALUE, ProtoReader.zigzag(-2L));
        assertEquals(Long.MIN_VALUE, ProtoReader.zigzag(-1L));
    }

    @Test
    void rejectsOverlongAndTruncatedVarints() {
        var e = assertThrows(ModelFormatException.class,
                () -> reader(bytes(0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01)).readVarint());
        assertTrue(e.getMessage().contains("test.pb"), e.getMessage());
        // 10th byte may only carry the top bit of a 64-bit value.
        assertThrows(ModelFormatException.class,
                () -> reader(bytes(0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02)).readVarint());
        assertThrows(ModelFormatException.class, () -> reader(bytes(0x80, 0x80)).readVarint());
    }

    @Test
    void fixedWidthValuesAreLittleEndian() {
        ProtoReader r = reader(bytes(0x78, 0x56, 0x34, 0x12, 1, 0, 0, 0, 0, 0, 0, 0x80));
        assertEquals(0x12345678, r.readFixed32());
        assertEquals(0x8000000000000001L, r.readFixed64());
        assertThrows(ModelFormatException.class, () -> reader(bytes(1, 2, 3)).readFixed32());
    }

    @Test
    void lengthBeyondRemainingBytesNamesFileMessageAndField() {
        // field 9, LEN, length 100, but only 2 bytes follow
        ProtoReader r = reader(bytes(0x4A, 100, 1, 2));
        assertEquals(9, r.nextField());
        var e = assertThrows(ModelFormatException.class, r::bytes);
        assertTrue(e.getMessage().contains("test.pb") && e.getMessage().contains("Msg") && e.getMessage().contains("field 9"), e.getMessage());
        // a 64-bit length that would be negative as a signed long
        ProtoReader r2 = reader(new ProtoWriter().tag(2, 2).rawVarint(-5).toByteArray());
        r2.nextField();
        assertThrows(ModelFormatException.class, r2::bytes);
    }

    @Test
    void packedAndUnpackedRepeatedFieldsDecodeAlike() {
        long[] vals = {0, 1, -1, 300, Long.MAX_VALUE, Long.MIN_VALUE};
        ProtoWriter unpacked = new ProtoWriter();
        for (long v : vals) unpacked.int64(7, v);
        byte[] packed = new ProtoWriter().packedVarints(7, vals).toByteArray();
        for (byte[] b : new byte[][] {unpacked.toByteArray(), packed}) {
            ProtoReader r = reader(b);
            LongList out = new LongList();
            while (r.hasMore()) { r.nextField(); r.varints(out); }
            assertArrayEquals(vals, out.toArray());
        }
        float[] fs = {1.5f, -0f, Float.NaN, Float.MIN_VALUE};
        ProtoWriter uf = new ProtoWriter();
        for (float f : fs) uf.float32(4, f);
        for (byte[] b : new byte[][] {uf.toByteArray(), new ProtoWriter().packedFloats(4, fs).toByteArray()}) {
            ProtoReader r = reader(b);
            IntList out = new IntList();
            while (r.hasMore()) { r.nextField(); r.fixed32s(out); }
            assertEquals(fs.length, out.size());
            for (int i = 0; i < fs.length; i++) assertEquals(Float.floatToRawIntBits(fs[i]), out.get(i));
        }
        double[] ds = {1.25, -3e300};
        ProtoWriter ud = new ProtoWriter();
        for (double d : ds) ud.float64(10, d);
        for (byte[] b : new byte[][] {ud.toByteArray(), new ProtoWriter().packedDoubles(10, ds).toByteArray()}) {
            ProtoReader r = reader(b);
            LongList out = new LongList();
            while (r.hasMore()) { r.nextField(); r.fixed64s(out); }
            assertEquals(Double.doubleToRawLongBits(ds[1]), out.get(1));
        }
    }

    @Test
    void packedRunsMustBeWhole() {
        ProtoReader r = reader(new ProtoWriter().bytes(4, new byte[6]).toByteArray());
        r.nextField();
        assertThrows(ModelFormatException.class, () -> r.fixed32s(new IntList()));
        // a varint that runs past the end of its packed run
        ProtoReader r2 = reader(new ProtoWriter().bytes(7, bytes(0x80, 0x80)).int64(1, 1).toByteArray());
        r2.nextField();
        assertThrows(ModelFormatException.class, () -> r2.varints(new LongList()));
    }

    @Test
    void unknownFieldsOfEveryWireTypeAreSkipped() {
        ProtoWriter w = new ProtoWriter();
        w.int64(100, 5).float32(101, 1f).float64(102, 2.0).string(103, "skip me");
        // a group (wire types 3/4) with a nested group inside
        w.tag(104, 3).int64(1, 9).tag(5, 3).int64(2, 1).tag(5, 4).tag(104, 4);
        w.int64(1, 42);
        ProtoReader r = reader(w.toByteArray());
        long found = -1;
        while (r.hasMore()) {
            if (r.nextField() == 1) found = r.int64();
            else r.skip();
        }
        assertEquals(42, found);
    }

    @Test
    void malformedGroupsAndTagsFail() {
        ProtoReader unterminated = reader(new ProtoWriter().tag(3, 3).int64(1, 1).toByteArray());
        unterminated.nextField();
        assertThrows(ModelFormatException.class, unterminated::skip);
        ProtoReader mismatched = reader(new ProtoWriter().tag(3, 3).tag(4, 4).toByteArray());
        mismatched.nextField();
        assertThrows(ModelFormatException.class, mismatched::skip);
        ProtoReader stray = reader(new ProtoWriter().tag(3, 4).toByteArray());
        stray.nextField();
        assertThrows(ModelFormatException.class, stray::skip);
        assertThrows(ModelFormatException.class, () -> reader(bytes(0x07)).nextField());   // wire type 7
        assertThrows(ModelFormatException.class, () -> reader(bytes(0x00)).nextField());   // field 0
    }

    @Test
    void wrongWireTypeIsReported() {
        ProtoReader r = reader(new ProtoWriter().float32(1, 1f).toByteArray());
        r.nextField();
        var e = assertThrows(ModelFormatException.class, r::int64);
        assertTrue(e.getMessage().contains("wire type"), e.getMessage());
    }

    @Test
    void nestingIsBounded() {
        byte[] inner = new byte[0];
        for (int i = 0; i < ProtoReader.MAX_DEPTH + 5; i++) inner = new ProtoWriter().bytes(1, inner).toByteArray();
        ProtoReader r = reader(inner);
        assertThrows(ModelFormatException.class, () -> descend(r));
    }

    private static void descend(ProtoReader r) {
        while (r.hasMore()) {
            r.nextField();
            descend(r.message("m"));
        }
    }

    @Test
    void bytesAreSlicesOfTheInput() {
        byte[] b = new ProtoWriter().bytes(9, bytes(1, 2, 3)).toByteArray();
        MemorySegment seg = MemorySegment.ofArray(b);
        ProtoReader r = ProtoReader.of(seg, "x", "T");
        r.nextField();
        MemorySegment s = r.bytes();
        assertEquals(3, s.byteSize());
        b[2] = 77;   // a view, not a copy
        assertEquals(77, s.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0));
    }
}
