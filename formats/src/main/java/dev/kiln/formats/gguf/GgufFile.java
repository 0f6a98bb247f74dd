package dev.kiln.formats.gguf;

import dev.kiln.formats.MappedFile;
import dev.kiln.graph.ModelFormatException;
import dev.kiln.graph.UnsupportedOperatorException;
import dev.kiln.tensor.Half;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF (v2/v3) model file, memory-mapped: metadata key/values, tensor infos, and tensor data as views of the
 * mapping. Plain tensors (f32, f16, bf16, f64, int8-64) come back as {@link Tensor}s without copying; block-quantized
 * tensors are available as raw bytes ({@link #data}) and, for Q8_0/Q4_0, dequantized to f32 ({@link #dequantize}).
 *
 * <p>GGUF lists dimensions innermost first ({@code ne[0]} is the row length); {@link TensorInfo#shape()} is in
 * Kiln's outermost-first order. Every count and offset in the header is checked against the file before use.
 */
public final class GgufFile implements AutoCloseable {
    private static final int MAGIC = 0x46554747;   // "GGUF" little-endian
    private static final int MAX_DIMS = 8;
    private static final int MAX_ARRAY_NESTING = 8;

    /** One tensor: {@code offset} is absolute in the file; {@code byteSize} covers all its blocks. */
    public record TensorInfo(String name, GgmlType type, Shape shape, long offset, long byteSize) {}

    private final Path source;
    private final Arena arena;
    private final MemorySegment file;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, TensorInfo> tensors;

    private GgufFile(Path source, Arena arena, MemorySegment file, int version, Map<String, Object> metadata,
                     Map<String, TensorInfo> tensors) {
        this.source = source;
        this.arena = arena;
        this.file = file;
        this.version = version;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.tensors = Collections.unmodifiableMap(tensors);
    }

    public static GgufFile open(Path path) {
        return MappedFile.map(path, (seg, arena) -> parse(seg, path, arena));
    }

    public Path source() { return source; }
    public int version() { return version; }
    /**
     * Metadata in file order. Integers are {@code Long} (uint64 keeps its bits), floats {@code Double}, bools
     * {@code Boolean}, strings {@code String}, arrays {@code List<Object>}.
     */
    public Map<String, Object> metadata() { return metadata; }
    /** Tensor infos in file order. */
    public Map<String, TensorInfo> tensors() { return tensors; }

    public TensorInfo info(String name) {
        TensorInfo t = tensors.get(name);
        if (t == null) throw new ModelFormatException(source + ": no tensor named '" + name + "'");
        return t;
    }

    /** The tensor's bytes (a view of the mapping), whatever its type. */
    public MemorySegment data(String name) {
        TensorInfo t = info(name);
        return file.asSlice(t.offset, t.byteSize);
    }

    /** A plain-typed tensor as a view of the mapping; quantized tensors need {@link #dequantize}. */
    public Tensor tensor(String name) {
        TensorInfo t = info(name);
        if (t.type.isQuantized())
            throw new UnsupportedOperatorException(source + ": tensor '" + name + "' is " + t.type + "-quantized; use dequantize() or data()");
        return Tensor.wrap(t.type.dtype(), t.shape, data(name));
    }

    /** A fresh f32 copy of a Q8_0, Q4_0 or plain tensor. */
    public Tensor dequantize(String name) {
        TensorInfo t = info(name);
        MemorySegment d = data(name);
        Tensor out = Tensor.allocate(dev.kiln.tensor.DType.F32, t.shape);
        if (!t.type.isQuantized()) {
            Tensor src = Tensor.wrap(t.type.dtype(), t.shape, d);
            for (long i = 0; i < src.numel(); i++) out.setDouble(i, src.getDouble(i));
            return out;
        }
        long blocks = t.shape.numel() / t.type.blockElements();
        ValueLayout.OfShort f16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (long b = 0; b < blocks; b++) {
            long base = b * t.type.blockBytes();
            float scale = Half.f16ToFloat(d.get(f16, base));
            long e0 = b * 32;
            switch (t.type) {
                case Q8_0 -> {
                    for (int j = 0; j < 32; j++) out.setFloat(e0 + j, scale * d.get(ValueLayout.JAVA_BYTE, base + 2 + j));
                }
                case Q4_0 -> {
                    for (int j = 0; j < 16; j++) {
                        int q = d.get(ValueLayout.JAVA_BYTE, base + 2 + j) & 0xFF;
                        out.setFloat(e0 + j, scale * ((q & 0xF) - 8));
                        out.setFloat(e0 + j + 16, scale * ((q >>> 4) - 8));
                    }
                }
                default -> throw new UnsupportedOperatorException(source + ": dequantizing " + t.type + " is not implemented");
            }
        }
        return out;
    }

    @Override public void close() {
        if (arena.scope().isAlive()) arena.close();
    }

    // ---------------------------------------------------------------- parsing

    /** A bounds-checked little-endian cursor over the file. */
    private static final class Cursor {
        final MemorySegment s;
        final String src;
        long pos;

        Cursor(MemorySegment s, String src) { this.s = s; this.src = src; }

        ModelFormatException error(String what) { return new ModelFormatException(src + " (byte " + pos + "): " + what); }

        void need(long n) {
            if (n < 0 || n > s.byteSize() - pos) throw error("needs " + n + " bytes, " + (s.byteSize() - pos) + " remain");
        }
        long remaining() { return s.byteSize() - pos; }
        int u8() { need(1); return s.get(ValueLayout.JAVA_BYTE, pos++) & 0xFF; }
        int i32() {
            need(4);
            int v = s.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), pos);
            pos += 4;
            return v;
        }
        long i64() {
            need(8);
            long v = s.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), pos);
            pos += 8;
            return v;
        }
        short i16() {
            need(2);
            short v = s.get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), pos);
            pos += 2;
            return v;
        }
        /** A count that must be covered by at least {@code minBytesEach} bytes per item of what remains. */
        long count(String what, long minBytesEach) {
            long n = i64();
            if (n < 0 || n > remaining() / Math.max(1, minBytesEach))
                throw error(what + " " + Long.toUnsignedString(n) + " exceeds what the remaining " + remaining() + " bytes can hold");
            return n;
        }
        String str() {
            long n = count("string length", 1);
            if (n > Integer.MAX_VALUE - 8) throw error("string of " + n + " bytes is too long");
            byte[] b = s.asSlice(pos, n).toArray(ValueLayout.JAVA_BYTE);
            pos += n;
            return new String(b, StandardCharsets.UTF_8);
        }
    }

    private static GgufFile parse(MemorySegment seg, Path path, Arena arena) {
        Cursor c = new Cursor(seg, path.toString());
        if (seg.byteSize() < 24 || c.i32() != MAGIC) { c.pos = 0; throw c.error("not a GGUF file (bad magic)"); }
        int version = c.i32();
        if (version == 1) throw new UnsupportedOperatorException(path + ": GGUF version 1 is not supported (2 and 3 are)");
        if (version != 2 && version != 3) throw c.error("unknown GGUF version " + version);
        long nTensors = c.i64();
        long nKv = c.i64();
        // A tensor info takes at least 8+4+4+8 bytes and a key/value at least 8+4+1: bound both counts by the file.
        if (nTensors < 0 || nTensors > c.remaining() / 24) throw c.error("tensor count " + Long.toUnsignedString(nTensors) + " exceeds the file");
        if (nKv < 0 || nKv > c.remaining() / 13) throw c.error("metadata count " + Long.toUnsignedString(nKv) + " exceeds the file");
        Map<String, Object> meta = new LinkedHashMap<>();
        for (long i = 0; i < nKv; i++) {
            String key = c.str();
            int type = c.i32();
            Object v = value(c, type, 0);
            if (meta.putIfAbsent(key, v) != null) throw c.error("metadata key '" + key + "' appears twice");
        }
        long alignment = 32;
        Object al = meta.get("general.alignment");
        if (al != null) {
            if (!(al instanceof Long a) || a <= 0 || a > (1 << 20) || Long.bitCount(a) != 1)
                throw c.error("general.alignment " + al + " is not a power of two up to 1 MiB");
            alignment = (Long) al;
        }
        List<long[]> raw = new ArrayList<>();
        List<String> names = new ArrayList<>();
        List<GgmlType> types = new ArrayList<>();
        for (long i = 0; i < nTensors; i++) {
            String name = c.str();
            int nd = c.i32();
            if (nd < 0 || nd > MAX_DIMS) throw c.error("tensor '" + name + "' has " + nd + " dimensions (at most " + MAX_DIMS + ")");
            long[] ne = new long[nd];
            for (int k = 0; k < nd; k++) {
                ne[k] = c.i64();
                if (ne[k] < 0) throw c.error("tensor '" + name + "' dimension " + k + " is " + Long.toUnsignedString(ne[k]));
            }
            int code = c.i32();
            GgmlType t = GgmlType.fromCode(code & 0xFFFFFFFFL);
            if (t == null) throw new UnsupportedOperatorException(path + ": tensor '" + name + "' has ggml type " + code + ", which Kiln does not support");
            long off = c.i64();
            names.add(name);
            types.add(t);
            long[] rec = new long[nd + 1];
            System.arraycopy(ne, 0, rec, 0, nd);
            rec[nd] = off;
            raw.add(rec);
        }
        long dataStart = (c.pos + alignment - 1) / alignment * alignment;
        if (dataStart > seg.byteSize() && nTensors > 0) throw c.error("data section starts past the end of the file");
        long dataSize = Math.max(0, seg.byteSize() - dataStart);
        Map<String, TensorInfo> infos = new LinkedHashMap<>();
        for (int i = 0; i < names.size(); i++) {
            String name = names.get(i);
            GgmlType t = types.get(i);
            long[] rec = raw.get(i);
            int nd = rec.length - 1;
            long[] dims = new long[nd];
            for (int k = 0; k < nd; k++) dims[k] = rec[nd - 1 - k];   // innermost-first -> outermost-first
            String where = path + ": tensor '" + name + "'";
            Shape shape;
            try {
                shape = Shape.of(dims);
            } catch (ArithmeticException | IllegalArgumentException e) {
                throw new ModelFormatException(where + ": shape " + java.util.Arrays.toString(dims) + " is invalid");
            }
            long rowLen = nd == 0 ? 1 : rec[0];
            if (rowLen % t.blockElements() != 0)
                throw new ModelFormatException(where + ": row length " + rowLen + " is not a multiple of the " + t + " block (" + t.blockElements() + ")");
            long bytes;
            try {
                bytes = Math.multiplyExact(shape.numel() / t.blockElements(), (long) t.blockBytes());
            } catch (ArithmeticException e) {
                throw new ModelFormatException(where + ": byte size overflows");
            }
            long off = rec[nd];
            if (off < 0 || off % alignment != 0) throw new ModelFormatException(where + ": offset " + off + " is not aligned to " + alignment);
            if (off > dataSize || bytes > dataSize - off)
                throw new ModelFormatException(where + ": data [" + off + ", +" + bytes + ") lies outside the " + dataSize + "-byte data section");
            if (infos.putIfAbsent(name, new TensorInfo(name, t, shape, dataStart + off, bytes)) != null)
                throw new ModelFormatException(where + " appears twice");
        }
        return new GgufFile(path, arena, seg, version, meta, infos);
    }

    private static Object value(Cursor c, int type, int depth) {
        return switch (type) {
            case 0 -> (long) c.u8();
            case 1 -> (long) (byte) c.u8();
            case 2 -> (long) (c.i16() & 0xFFFF);
            case 3 -> (long) c.i16();
            case 4 -> c.i32() & 0xFFFFFFFFL;
            case 5 -> (long) c.i32();
            case 6 -> (double) Float.intBitsToFloat(c.i32());
            case 7 -> {
                int b = c.u8();
                if (b > 1) throw c.error("bool value " + b);
                yield b == 1;
            }
            case 8 -> c.str();
            case 9 -> {
                if (depth >= MAX_ARRAY_NESTING) throw c.error("arrays nested deeper than " + MAX_ARRAY_NESTING);
                int et = c.i32();
                long n = c.count("array length", minBytes(et));
                List<Object> l = new ArrayList<>((int) Math.min(n, 1 << 16));
                for (long i = 0; i < n; i++) l.add(value(c, et, depth + 1));
                yield Collections.unmodifiableList(l);
            }
            case 10, 11 -> c.i64();
            case 12 -> Double.longBitsToDouble(c.i64());
            default -> throw c.error("unknown metadata value type " + type);
        };
    }

    private static long minBytes(int type) {
        return switch (type) {
            case 0, 1, 7 -> 1;
            case 2, 3 -> 2;
            case 4, 5, 6 -> 4;
            case 8, 10, 11, 12 -> 8;
            case 9 -> 12;
            default -> 1;
        };
    }
}
