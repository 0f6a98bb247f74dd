package dev.kiln.formats.onnx;

import dev.kiln.formats.onnx.Msg.TensorMsg;
import dev.kiln.graph.ModelFormatException;
import dev.kiln.graph.UnsupportedOperatorException;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;

/**
 * TensorProto to {@link Tensor}. Dense {@code raw_data} of byte-sized types is wrapped in place (no copy); typed
 * fields ({@code int32_data} etc.) and packed sub-byte data are copied into fresh tensors, one element per byte for
 * sub-byte types. Every declared size is checked against the data actually present before anything is allocated.
 */
final class TensorDecoder {
    private final ExternalData external;

    /** {@code external} resolves {@code data_location = EXTERNAL}; null when the source has no folder. */
    TensorDecoder(ExternalData external) { this.external = external; }

    Tensor decode(TensorMsg t) {
        if (t.hasSegment) throw new UnsupportedOperatorException(t.where + ": segmented tensors (TensorProto.segment) are not supported");
        DType dtype = dtype(t);
        Shape shape = shape(t);
        long n = shape.numel();
        if (t.external) {
            if (external == null) throw err(t, "uses external data, but the model was not loaded from a file");
            return wrapRaw(t, dtype, shape, external.resolve(t));
        }
        if (t.raw != null) {
            if (dtype == DType.STRING) throw err(t, "string tensors cannot use raw_data");
            return wrapRaw(t, dtype, shape, t.raw);
        }
        return switch (dtype) {
            case STRING -> strings(t, shape);
            case F32 -> fromInts(t, dtype, shape, t.floatBits, "float_data");
            case F64 -> fromLongs(t, dtype, shape, t.doubleBits, "double_data");
            case I64 -> fromLongs(t, dtype, shape, t.int64, "int64_data");
            case U64, U32 -> fromLongs(t, dtype, shape, t.uint64, "uint64_data");
            default -> {
                if (dtype.isSubByte()) yield subByteFromInt32(t, dtype, shape);
                yield fromInts(t, dtype, shape, t.int32, "int32_data");
            }
        };
    }

    static DType dtype(TensorMsg t) {
        if (t.dataType == 14 || t.dataType == 15)
            throw new UnsupportedOperatorException(t.where + ": complex tensors (data_type " + t.dataType + ") are not supported");
        try {
            return DType.fromOnnx(t.dataType);
        } catch (IllegalArgumentException e) {
            throw err(t, "data_type " + t.dataType + " is not a known tensor element type");
        }
    }

    static Shape shape(TensorMsg t) {
        long[] dims = t.dims.toArray();
        for (int i = 0; i < dims.length; i++)
            if (dims[i] < 0) throw err(t, "dims[" + i + "] = " + dims[i] + " is negative");
        try {
            return Shape.of(dims);
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw err(t, "dims " + java.util.Arrays.toString(dims) + " have too many elements");
        }
    }

    static ModelFormatException err(TensorMsg t, String what) {
        return new ModelFormatException(t.where + ": " + what);
    }

    /** Bits one element takes in a file (sub-byte types are packed there). */
    static int fileBits(DType d) {
        return switch (d) {
            case U4, I4, F4E2M1 -> 4;
            case U2, I2 -> 2;
            default -> 8 * d.byteSize();
        };
    }

    private static Tensor wrapRaw(TensorMsg t, DType dtype, Shape shape, MemorySegment raw) {
        long n = shape.numel();
        if (dtype.isSubByte()) {
            int bits = fileBits(dtype);
            long need = (n * bits + 7) / 8;   // n <= bytes*8/bits is checked before this could overflow
            if (n > raw.byteSize() * (8 / bits) + 8 || raw.byteSize() != need)
                throw err(t, "raw_data has " + raw.byteSize() + " bytes, " + dtype + shape + " packs into " + need);
            return unpack(dtype, shape, raw, bits);
        }
        long need;
        try {
            need = shape.byteSize(dtype);
        } catch (ArithmeticException e) {
            throw err(t, "byte size of " + dtype + shape + " overflows");
        }
        if (raw.byteSize() != need)
            throw err(t, "raw_data has " + raw.byteSize() + " bytes, " + dtype + shape + " needs " + need);
        return Tensor.wrap(dtype, shape, raw);
    }

    /** Unpacks LSB-first sub-byte elements to one per byte; Tensor.setLong sign-extends int4/int2. */
    private static Tensor unpack(DType dtype, Shape shape, MemorySegment packed, int bits) {
        Tensor out = Tensor.allocate(dtype, shape);
        long n = shape.numel();
        int perByte = 8 / bits, mask = (1 << bits) - 1;
        for (long i = 0; i < n; i++) {
            int b = packed.get(ValueLayout.JAVA_BYTE, i / perByte) & 0xFF;
            int v = (b >>> (bits * (int) (i % perByte))) & mask;
            if (dtype == DType.F4E2M1) out.segment().set(ValueLayout.JAVA_BYTE, i, (byte) v);
            else out.setLong(i, v);
        }
        return out;
    }

    /** int32_data of sub-byte types holds one packed byte per entry (two int4 or four int2 elements). */
    private static Tensor subByteFromInt32(TensorMsg t, DType dtype, Shape shape) {
        int[] v = t.int32 == null ? new int[0] : t.int32;
        int bits = fileBits(dtype);
        long need = (shape.numel() * bits + 7) / 8;
        if (shape.numel() > (long) v.length * (8 / bits) || v.length != need)
            throw err(t, "int32_data has " + v.length + " entries, " + dtype + shape + " packs into " + need);
        byte[] packed = new byte[v.length];
        for (int i = 0; i < v.length; i++) packed[i] = (byte) v[i];
        return unpack(dtype, shape, MemorySegment.ofArray(packed), bits);
    }

    private static void checkCount(TensorMsg t, Shape shape, int have, String field) {
        if (have != shape.numel())
            throw err(t, field + " has " + have + " values, " + shape + " needs " + shape.numel());
    }

    private static Tensor fromInts(TensorMsg t, DType dtype, Shape shape, int[] v, String field) {
        int[] vals = v == null ? new int[0] : v;
        checkCount(t, shape, vals.length, field);
        Tensor out = Tensor.allocate(dtype, shape);
        MemorySegment s = out.segment();
        for (int i = 0; i < vals.length; i++) {
            switch (dtype) {
                case F32, I32 -> s.setAtIndex(ValueLayout.JAVA_INT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), i, vals[i]);
                // f16/bf16 bits, float8 bits, and 8/16-bit ints: the element's low bits, stored as is.
                case F16, BF16, I16, U16 -> s.set(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), 2L * i, (short) vals[i]);
                case BOOL -> s.set(ValueLayout.JAVA_BYTE, i, (byte) (vals[i] != 0 ? 1 : 0));
                case I8, U8, F8E4M3FN, F8E4M3FNUZ, F8E5M2, F8E5M2FNUZ, F8E8M0 -> s.set(ValueLayout.JAVA_BYTE, i, (byte) vals[i]);
                default -> throw err(t, field + " cannot hold " + dtype);
            }
        }
        return out;
    }

    private static Tensor fromLongs(TensorMsg t, DType dtype, Shape shape, long[] v, String field) {
        long[] vals = v == null ? new long[0] : v;
        checkCount(t, shape, vals.length, field);
        Tensor out = Tensor.allocate(dtype, shape);
        for (int i = 0; i < vals.length; i++) {
            if (dtype == DType.F64) out.segment().setAtIndex(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(java.nio.ByteOrder.LITTLE_ENDIAN), i, vals[i]);
            else out.setLong(i, vals[i]);
        }
        return out;
    }

    private static Tensor strings(TensorMsg t, Shape shape) {
        int have = t.strings == null ? 0 : t.strings.size();
        checkCount(t, shape, have, "string_data");
        String[] s = new String[have];
        for (int i = 0; i < have; i++) s[i] = new String(t.strings.get(i), StandardCharsets.UTF_8);
        return Tensor.ofStrings(s, shape.dims());
    }
}
