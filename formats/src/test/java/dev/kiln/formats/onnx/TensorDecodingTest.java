package dev.kiln.formats.onnx;

import dev.kiln.formats.protobuf.ProtoWriter;
import dev.kiln.graph.ModelFormatException;
import dev.kiln.graph.UnsupportedOperatorException;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Half;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.lang.foreign.ValueLayout;
import java.util.Random;
import java.util.function.Consumer;

import static org.junit.jupiter.api.Assertions.*;

/** TensorProto decoding for every dtype and storage field, with values worked out by hand. */
class TensorDecodingTest {

    static Tensor decode(Consumer<ProtoWriter> body) {
        ProtoWriter w = new ProtoWriter();
        body.accept(w);
        return OnnxValues.decodeTensor(w.toByteArray(), "t.pb");
    }

    static Consumer<ProtoWriter> header(DType t, long... dims) {
        return w -> { for (long d : dims) w.int64(1, d); w.int64(2, t.onnxCode()); };
    }

    static byte rawByte(Tensor t, long i) { return t.contiguousSegment().get(ValueLayout.JAVA_BYTE, i); }

    @Test
    void typedFields() {
        Tensor f = decode(header(DType.F32, 3).andThen(w -> w.packedFloats(4, 1.5f, -2f, Float.NaN)));
        assertArrayEquals(new float[] {1.5f, -2f, Float.NaN}, f.toFloatArray());
        Tensor fu = decode(header(DType.F32, 2).andThen(w -> w.float32(4, 3f).float32(4, 4f)));  // unpacked
        assertArrayEquals(new float[] {3, 4}, fu.toFloatArray());
        Tensor d = decode(header(DType.F64, 2).andThen(w -> w.packedDoubles(10, 1e300, -0.5)));
        assertArrayEquals(new double[] {1e300, -0.5}, d.toDoubleArray());
        Tensor l = decode(header(DType.I64, 2, 1).andThen(w -> w.packedVarints(7, Long.MIN_VALUE, 42)));
        assertArrayEquals(new long[] {Long.MIN_VALUE, 42}, l.toLongArray());
        assertEquals(Shape.of(2, 1), l.shape());
        Tensor u64 = decode(header(DType.U64, 1).andThen(w -> w.packedVarints(11, (1L << 63) + 5)));
        assertEquals((1L << 63) + 5, u64.getLong(0));
        assertEquals(0x1p63 + 5, u64.getDouble(0), 1e4);
        Tensor u32 = decode(header(DType.U32, 1).andThen(w -> w.packedVarints(11, 0xFFFFFFFFL)));
        assertEquals(0xFFFFFFFFL, u32.getLong(0));
        Tensor i32 = decode(header(DType.I32, 2).andThen(w -> w.packedVarints(5, -7, Integer.MAX_VALUE)));
        assertArrayEquals(new long[] {-7, Integer.MAX_VALUE}, i32.toLongArray());
        Tensor i16 = decode(header(DType.I16, 2).andThen(w -> w.packedVarints(5, -300, 300)));
        assertArrayEquals(new long[] {-300, 300}, i16.toLongArray());
        Tensor u16 = decode(header(DType.U16, 1).andThen(w -> w.packedVarints(5, 65535)));
        assertEquals(65535, u16.getLong(0));
        Tensor i8 = decode(header(DType.I8, 2).andThen(w -> w.packedVarints(5, -128, 127)));
        assertArrayEquals(new long[] {-128, 127}, i8.toLongArray());
        Tensor u8 = decode(header(DType.U8, 1).andThen(w -> w.packedVarints(5, 255)));
        assertEquals(255, u8.getLong(0));
        Tensor b = decode(header(DType.BOOL, 3).andThen(w -> w.packedVarints(5, 1, 0, 1)));
        assertArrayEquals(new boolean[] {true, false, true}, b.toBooleanArray());
        Tensor h = decode(header(DType.F16, 2).andThen(w -> w.packedVarints(5, 0x3C00, 0xC000)));
        assertArrayEquals(new double[] {1.0, -2.0}, h.toDoubleArray());
        Tensor bf = decode(header(DType.BF16, 1).andThen(w -> w.packedVarints(5, 0x3FC0)));
        assertEquals(1.5, bf.getDouble(0));
        for (DType f8 : new DType[] {DType.F8E4M3FN, DType.F8E4M3FNUZ, DType.F8E5M2, DType.F8E5M2FNUZ, DType.F8E8M0}) {
            Tensor t = decode(header(f8, 2).andThen(w -> w.packedVarints(5, 0x38, 0xFF)));
            assertEquals(0x38, rawByte(t, 0) & 0xFF, f8.toString());
            assertEquals(0xFF, rawByte(t, 1) & 0xFF, f8.toString());
        }
        Tensor s = decode(header(DType.STRING, 2).andThen(w -> w.string(6, "ab").string(6, "ü")));
        assertArrayEquals(new String[] {"ab", "ü"}, s.toStringArray());
    }

    @Test
    void rawDataIsLittleEndianAndWrapsInPlace() {
        Tensor t = decode(header(DType.I32, 2).andThen(w -> w.bytes(9, new byte[] {1, 0, 0, 0, (byte) 0xFE, (byte) 0xFF, (byte) 0xFF, (byte) 0xFF})));
        assertArrayEquals(new long[] {1, -2}, t.toLongArray());
        Tensor h = decode(header(DType.F16, 1).andThen(w -> w.bytes(9, new byte[] {0x00, 0x3C})));
        assertEquals(1.0, h.getDouble(0));
        assertEquals(Half.bf16ToFloat((short) 0x3F80), 1.0f);
    }

    @Test
    void subByteTypesAreUnpackedOnePerByte() {
        byte[] packed4 = {0x21, (byte) 0xF8};
        Tensor i4 = decode(header(DType.I4, 3).andThen(w -> w.bytes(9, packed4)));
        assertArrayEquals(new long[] {1, 2, -8}, i4.toLongArray());
        Tensor u4 = decode(header(DType.U4, 3).andThen(w -> w.bytes(9, packed4)));
        assertArrayEquals(new long[] {1, 2, 8}, u4.toLongArray());
        Tensor u2 = decode(header(DType.U2, 5).andThen(w -> w.bytes(9, new byte[] {(byte) 0xE4, 0x03})));
        assertArrayEquals(new long[] {0, 1, 2, 3, 3}, u2.toLongArray());
        Tensor i2 = decode(header(DType.I2, 4).andThen(w -> w.bytes(9, new byte[] {(byte) 0xE4})));
        assertArrayEquals(new long[] {0, 1, -2, -1}, i2.toLongArray());
        Tensor f4 = decode(header(DType.F4E2M1, 2).andThen(w -> w.bytes(9, new byte[] {(byte) 0x9A})));
        assertEquals(0xA, rawByte(f4, 0));
        assertEquals(0x9, rawByte(f4, 1));
        // int32_data carries one packed byte per entry
        Tensor i4b = decode(header(DType.I4, 3).andThen(w -> w.packedVarints(5, 0x21, 0xF8)));
        assertArrayEquals(new long[] {1, 2, -8}, i4b.toLongArray());
        // odd counts need exactly ceil(n/2) bytes
        assertThrows(ModelFormatException.class, () -> decode(header(DType.U4, 3).andThen(w -> w.bytes(9, new byte[3]))));
        assertThrows(ModelFormatException.class, () -> decode(header(DType.U4, 3).andThen(w -> w.bytes(9, new byte[1]))));
    }

    @Test
    void emptyTensorsNeedNoData() {
        Tensor e = decode(header(DType.F32, 0, 3));
        assertEquals(0, e.numel());
        assertEquals(Shape.of(0, 3), e.shape());
        Tensor scalar = decode(header(DType.F32).andThen(w -> w.packedFloats(4, 2f)));
        assertEquals(0, scalar.rank());
        assertEquals(2f, scalar.getFloat(0));
    }

    @Test
    void badTensorsAreTypedErrors() {
        var e = assertThrows(ModelFormatException.class, () -> decode(header(DType.F32, 3).andThen(w -> w.bytes(9, new byte[8]))));
        assertTrue(e.getMessage().contains("raw_data") && e.getMessage().contains("t.pb"), e.getMessage());
        assertThrows(ModelFormatException.class, () -> decode(header(DType.F32, 2).andThen(w -> w.packedFloats(4, 1f))));
        assertThrows(ModelFormatException.class, () -> decode(header(DType.F32, 5)));       // no data at all
        assertThrows(ModelFormatException.class, () -> decode(header(DType.F32, -1)));      // negative dim
        assertThrows(ModelFormatException.class,                                             // element count overflows
                () -> decode(header(DType.F32, 1L << 40, 1L << 40).andThen(w -> w.packedFloats(4, 1f))));
        assertThrows(ModelFormatException.class, () -> decode(w -> w.int64(1, 1).int64(2, 99)));   // unknown dtype
        assertThrows(ModelFormatException.class, () -> decode(w -> w.int64(1, 1).packedFloats(4, 1f)));  // UNDEFINED
        assertThrows(UnsupportedOperatorException.class, () -> decode(w -> w.int64(1, 1).int64(2, 14)));  // complex64
        assertThrows(ModelFormatException.class, () -> decode(header(DType.STRING, 1).andThen(w -> w.bytes(9, new byte[1]))));
        // a huge declared dim with a tiny payload must fail before allocating
        assertThrows(ModelFormatException.class, () -> decode(header(DType.F64, 1L << 40).andThen(w -> w.packedDoubles(10, 1.0))));
    }

    @Provide
    Arbitrary<DType> numericTypes() {
        return Arbitraries.of(DType.values()).filter(t -> t != DType.STRING);
    }

    @Property(tries = 200)
    void encodeDecodeRoundTripsEveryDType(@ForAll("numericTypes") DType t, @ForAll @IntRange(min = 0, max = 9) int n,
                                          @ForAll @IntRange(min = 1, max = 3) int m, @ForAll long seed) {
        Tensor x = Tensor.allocate(t, Shape.of(n, m));
        Random r = new Random(seed);
        int bits = TensorDecoder.fileBits(t);
        for (long i = 0; i < x.numel(); i++) {
            // fill raw bit patterns of the element's width (sub-byte types keep their low bits)
            long v = r.nextLong() & (bits >= 64 ? -1L : (1L << bits) - 1);
            if (t == DType.BOOL) v &= 1;
            x.contiguousSegment().asSlice(i * t.byteSize(), t.byteSize())
                    .copyFrom(java.lang.foreign.MemorySegment.ofArray(java.nio.ByteBuffer.allocate(8)
                            .order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(v).array()).asSlice(0, t.byteSize()));
            if (t == DType.I4 || t == DType.I2) x.setLong(i, (v << (64 - bits)) >> (64 - bits));
        }
        Tensor y = OnnxValues.decodeTensor(OnnxValues.encodeTensor(x, "x"), "rt");
        assertEquals(t, y.dtype());
        assertEquals(x.shape(), y.shape());
        assertArrayEquals(x.contiguousSegment().toArray(ValueLayout.JAVA_BYTE), y.contiguousSegment().toArray(ValueLayout.JAVA_BYTE));
    }

    @Test
    void stringsRoundTrip() {
        Tensor s = Tensor.ofStrings(new String[] {"", "x", "日本"}, 3);
        assertArrayEquals(s.toStringArray(), OnnxValues.decodeTensor(OnnxValues.encodeTensor(s, null), "s").toStringArray());
    }
}
