package dev.kiln.formats.safetensors;

import dev.kiln.formats.json.Json;
import dev.kiln.formats.json.JsonException;
import dev.kiln.formats.MappedFile;
import dev.kiln.graph.ModelFormatException;
import dev.kiln.graph.UnsupportedOperatorException;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A safetensors file: an 8-byte little-endian header length, a JSON header naming each tensor's dtype, shape and
 * byte range, then the data. The file is memory-mapped and tensors are views of it (no copy), valid until
 * {@link #close()}. The header is validated as the format requires: bounded size, ranges inside the data,
 * sizes matching dtype and shape, and ranges that neither overlap nor leave holes.
 */
public final class SafeTensors implements AutoCloseable {
    /** The format's own limit on header size (the reference implementation refuses more than 100 MB). */
    public static final long MAX_HEADER = 100_000_000L;

    private final Path source;
    private final Arena arena;
    private final Map<String, Tensor> tensors;
    private final Map<String, String> metadata;

    private SafeTensors(Path source, Arena arena, Map<String, Tensor> tensors, Map<String, String> metadata) {
        this.source = source;
        this.arena = arena;
        this.tensors = Collections.unmodifiableMap(tensors);
        this.metadata = Collections.unmodifiableMap(metadata);
    }

    /** Maps and validates {@code file}. */
    public static SafeTensors open(Path file) {
        return MappedFile.map(file, (seg, arena) -> parse(seg, file, arena));
    }

    public Path source() { return source; }
    /** Tensors in header order. */
    public Map<String, Tensor> tensors() { return tensors; }
    /** The header's {@code __metadata__} string map (empty when absent). */
    public Map<String, String> metadata() { return metadata; }

    /** The named tensor, or throws naming the file and the missing name. */
    public Tensor get(String name) {
        Tensor t = tensors.get(name);
        if (t == null) throw new ModelFormatException(source + ": no tensor named '" + name + "'");
        return t;
    }

    @Override public void close() {
        if (arena.scope().isAlive()) arena.close();
    }

    static DType dtype(String s, String where) {
        return switch (s) {
            case "BOOL" -> DType.BOOL;
            case "U8" -> DType.U8;
            case "I8" -> DType.I8;
            case "U16" -> DType.U16;
            case "I16" -> DType.I16;
            case "U32" -> DType.U32;
            case "I32" -> DType.I32;
            case "U64" -> DType.U64;
            case "I64" -> DType.I64;
            case "F16" -> DType.F16;
            case "BF16" -> DType.BF16;
            case "F32" -> DType.F32;
            case "F64" -> DType.F64;
            case "F8_E4M3" -> DType.F8E4M3FN;
            case "F8_E5M2" -> DType.F8E5M2;
            case "F8_E8M0" -> DType.F8E8M0;
            default -> throw new UnsupportedOperatorException(where + ": safetensors dtype '" + s + "' is not supported");
        };
    }

    static String name(DType t) {
        return switch (t) {
            case BOOL -> "BOOL"; case U8 -> "U8"; case I8 -> "I8"; case U16 -> "U16"; case I16 -> "I16";
            case U32 -> "U32"; case I32 -> "I32"; case U64 -> "U64"; case I64 -> "I64"; case F16 -> "F16";
            case BF16 -> "BF16"; case F32 -> "F32"; case F64 -> "F64"; case F8E4M3FN -> "F8_E4M3";
            case F8E5M2 -> "F8_E5M2"; case F8E8M0 -> "F8_E8M0";
            default -> throw new IllegalArgumentException("safetensors cannot store " + t + " tensors");
        };
    }

    private record Entry(String name, DType dtype, Shape shape, long begin, long end) {}

    private static SafeTensors parse(MemorySegment seg, Path file, Arena arena) {
        String src = file.toString();
        long size = seg.byteSize();
        if (size < 8) throw bad(src, "file of " + size + " bytes has no header length");
        long n = seg.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
        if (n < 2 || n > MAX_HEADER) throw bad(src, "header length " + Long.toUnsignedString(n) + " is outside [2, " + MAX_HEADER + "]");
        if (n > size - 8) throw bad(src, "header length " + n + " exceeds the file (" + size + " bytes)");
        byte[] hb = seg.asSlice(8, n).toArray(ValueLayout.JAVA_BYTE);
        if (hb[0] != '{') throw bad(src, "header does not start with '{'");
        String header = new String(hb, StandardCharsets.UTF_8);
        Map<String, Object> json;
        try {
            json = Json.parseObject(header);
        } catch (JsonException e) {
            throw bad(src, "header: " + e.getMessage());
        }
        MemorySegment data = seg.asSlice(8 + n);
        Map<String, String> metadata = new LinkedHashMap<>();
        List<Entry> entries = new ArrayList<>();
        for (var e : json.entrySet()) {
            String key = e.getKey();
            if (key.equals("__metadata__")) {
                if (!(e.getValue() instanceof Map<?, ?> m)) throw bad(src, "__metadata__ is not an object");
                for (var me : m.entrySet()) {
                    if (!(me.getValue() instanceof String v)) throw bad(src, "__metadata__ value of '" + me.getKey() + "' is not a string");
                    metadata.put((String) me.getKey(), v);
                }
                continue;
            }
            entries.add(entry(src, key, e.getValue(), data.byteSize()));
        }
        // The data section must be covered exactly: sorted ranges abut, start at 0 and end at the file's end.
        List<Entry> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparingLong(Entry::begin).thenComparingLong(Entry::end));
        long at = 0;
        for (Entry en : sorted) {
            if (en.begin != at)
                throw bad(src, "tensor '" + en.name + "' starts at data offset " + en.begin + " but the previous range ends at " + at
                        + (en.begin < at ? " (overlap)" : " (hole)"));
            at = en.end;
        }
        if (at != data.byteSize()) throw bad(src, "tensor data ends at " + at + " but the file has " + data.byteSize() + " data bytes");
        Map<String, Tensor> tensors = new LinkedHashMap<>();
        for (Entry en : entries) tensors.put(en.name, Tensor.wrap(en.dtype, en.shape, data.asSlice(en.begin, en.end - en.begin)));
        return new SafeTensors(file, arena, tensors, metadata);
    }

    private static Entry entry(String src, String name, Object v, long dataSize) {
        String where = src + ": tensor '" + name + "'";
        if (!(v instanceof Map<?, ?> m)) throw new ModelFormatException(where + " is not an object");
        if (!(m.get("dtype") instanceof String dt)) throw new ModelFormatException(where + " has no string 'dtype'");
        DType dtype = dtype(dt, where);
        long[] dims = longs(m.get("shape"), where, "shape", -1);
        long[] off = longs(m.get("data_offsets"), where, "data_offsets", 2);
        Shape shape;
        long bytes;
        try {
            shape = Shape.of(dims);
            bytes = shape.byteSize(dtype);
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw new ModelFormatException(where + ": shape " + java.util.Arrays.toString(dims) + " is invalid: " + e.getMessage());
        }
        if (off[0] > off[1] || off[1] > dataSize)
            throw new ModelFormatException(where + ": data_offsets [" + off[0] + ", " + off[1] + "] are outside the " + dataSize + " data bytes");
        if (off[1] - off[0] != bytes)
            throw new ModelFormatException(where + ": data_offsets span " + (off[1] - off[0]) + " bytes, " + dtype + shape + " needs " + bytes);
        return new Entry(name, dtype, shape, off[0], off[1]);
    }

    private static long[] longs(Object v, String where, String field, int count) {
        if (!(v instanceof List<?> l)) throw new ModelFormatException(where + ": '" + field + "' is not an array");
        if (count >= 0 && l.size() != count) throw new ModelFormatException(where + ": '" + field + "' must have " + count + " entries");
        long[] out = new long[l.size()];
        for (int i = 0; i < out.length; i++) {
            if (!(l.get(i) instanceof Long x) || x < 0)
                throw new ModelFormatException(where + ": '" + field + "'[" + i + "] = " + l.get(i) + " is not a non-negative integer");
            out[i] = x;
        }
        return out;
    }

    private static ModelFormatException bad(String src, String what) {
        return new ModelFormatException(src + ": not a valid safetensors file: " + what);
    }

    /** Writes tensors (in map order) and metadata as a safetensors file, with the header padded to 8 bytes. */
    public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) {
        StringBuilder h = new StringBuilder("{");
        boolean first = true;
        if (metadata != null && !metadata.isEmpty()) {
            h.append("\"__metadata__\":{");
            boolean f2 = true;
            for (var e : metadata.entrySet()) {
                if (!f2) h.append(',');
                f2 = false;
                h.append(quote(e.getKey())).append(':').append(quote(e.getValue()));
            }
            h.append('}');
            first = false;
        }
        long offset = 0;
        for (var e : tensors.entrySet()) {
            Tensor t = e.getValue();
            if (!first) h.append(',');
            first = false;
            h.append(quote(e.getKey())).append(":{\"dtype\":\"").append(name(t.dtype())).append("\",\"shape\":[");
            for (int i = 0; i < t.rank(); i++) h.append(i == 0 ? "" : ",").append(t.shape().dim(i));
            long b = t.byteSize();
            h.append("],\"data_offsets\":[").append(offset).append(',').append(offset + b).append("]}");
            offset += b;
        }
        h.append('}');
        byte[] hb = h.toString().getBytes(StandardCharsets.UTF_8);
        int pad = (8 - hb.length % 8) % 8;
        try (OutputStream out = Files.newOutputStream(file)) {
            byte[] len = new byte[8];
            long total = hb.length + pad;
            for (int i = 0; i < 8; i++) len[i] = (byte) (total >>> (8 * i));
            out.write(len);
            out.write(hb);
            out.write(" ".repeat(pad).getBytes(StandardCharsets.US_ASCII));
            for (Tensor t : tensors.values())
                if (t.numel() > 0) out.write(t.contiguous().contiguousSegment().toArray(ValueLayout.JAVA_BYTE));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + file, e);
        }
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            if (c == '"' || c == '\\') b.append('\\').append(c);
            else if (c < 0x20) b.append(String.format("\\u%04x", (int) c));
            else b.append(c);
        }
        return b.append('"').toString();
    }
}
