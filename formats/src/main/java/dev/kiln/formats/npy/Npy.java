package dev.kiln.formats.npy;

import dev.kiln.graph.ModelFormatException;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * NumPy {@code .npy} files, versions 1.0, 2.0 and 3.0: little- or big-endian, C or Fortran order, bool, signed and
 * unsigned integers, float16/32/64. Reading copies into a dense little-endian C-order {@link Tensor}; writing emits
 * version 1.0 (2.0 when the header needs more than 65535 bytes), little-endian, C order, as {@code numpy.save}
 * does. The header is untrusted: its length is bounded, its dict parsed strictly, and the data size it implies
 * checked against the bytes actually present before anything is allocated.
 */
public final class Npy {
    private Npy() {}

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    /** numpy itself refuses headers over 10000 bytes by default; allow more for very high ranks, but bound it. */
    static final int MAX_HEADER = 1 << 20;

    /** Reads a .npy file into a fresh tensor. */
    public static Tensor read(Path file) {
        byte[] b;
        try {
            long size = Files.size(file);
            if (size > Integer.MAX_VALUE - 8)
                throw new ModelFormatException(file + ": .npy files over 2 GiB are not supported (" + size + " bytes)");
            b = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new ModelFormatException(file + ": cannot read: " + e.getMessage(), e);
        }
        return read(b, file.toString());
    }

    /** Parses .npy bytes; {@code sourceName} names the data in errors. */
    public static Tensor read(byte[] b, String sourceName) {
        Header h = header(b, sourceName);
        DType t = h.dtype;
        long need;
        try {
            need = h.shape.byteSize(t);
        } catch (ArithmeticException e) {
            throw bad(sourceName, "shape " + h.shape + " is too large");
        }
        long have = b.length - (long) h.dataOffset;
        if (have != need)
            throw bad(sourceName, "holds " + have + " data bytes, " + h.descr + h.shape + " needs " + need);
        Shape stored = h.fortran ? reversed(h.shape) : h.shape;
        Tensor out = Tensor.allocate(t, stored);
        MemorySegment dst = out.segment();
        MemorySegment.copy(MemorySegment.ofArray(b), h.dataOffset, dst, 0, need);
        if (h.bigEndian && t.byteSize() > 1) swapBytes(dst, need, t.byteSize());
        if (t == DType.BOOL)
            for (long i = 0; i < need; i++)
                if (dst.get(ValueLayout.JAVA_BYTE, i) > 1) dst.set(ValueLayout.JAVA_BYTE, i, (byte) 1);
        if (!h.fortran || h.shape.rank() < 2) return out;
        int[] perm = new int[h.shape.rank()];
        for (int i = 0; i < perm.length; i++) perm[i] = perm.length - 1 - i;
        return out.permute(perm).contiguous();
    }

    private static Shape reversed(Shape s) {
        long[] d = s.dims();
        long[] r = new long[d.length];
        for (int i = 0; i < d.length; i++) r[i] = d[d.length - 1 - i];
        return Shape.of(r);
    }

    private static void swapBytes(MemorySegment s, long bytes, int width) {
        for (long off = 0; off < bytes; off += width)
            for (int i = 0, j = width - 1; i < j; i++, j--) {
                byte a = s.get(ValueLayout.JAVA_BYTE, off + i);
                s.set(ValueLayout.JAVA_BYTE, off + i, s.get(ValueLayout.JAVA_BYTE, off + j));
                s.set(ValueLayout.JAVA_BYTE, off + j, a);
            }
    }

    private static ModelFormatException bad(String src, String what) {
        return new ModelFormatException(src + ": not a valid .npy file: " + what);
    }

    record Header(String descr, DType dtype, boolean bigEndian, boolean fortran, Shape shape, int dataOffset) {}

    static Header header(byte[] b, String src) {
        if (b.length < 10) throw bad(src, "only " + b.length + " bytes");
        for (int i = 0; i < MAGIC.length; i++) if (b[i] != MAGIC[i]) throw bad(src, "missing the \\x93NUMPY magic");
        int major = b[6] & 0xFF;
        int len, start;
        if (major == 1) {
            len = (b[8] & 0xFF) | (b[9] & 0xFF) << 8;
            start = 10;
        } else if (major == 2 || major == 3) {
            if (b.length < 12) throw bad(src, "truncated header length");
            long l = (b[8] & 0xFFL) | (b[9] & 0xFFL) << 8 | (b[10] & 0xFFL) << 16 | (b[11] & 0xFFL) << 24;
            if (l > MAX_HEADER) throw bad(src, "header of " + l + " bytes exceeds the " + MAX_HEADER + "-byte limit");
            len = (int) l;
            start = 12;
        } else {
            throw bad(src, "unsupported format version " + major + "." + (b[7] & 0xFF));
        }
        if (len > b.length - start) throw bad(src, "header of " + len + " bytes but the file has " + (b.length - start) + " left");
        String text = new String(b, start, len, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        HeaderParser p = new HeaderParser(text, src);
        p.parse();
        if (p.descr == null || p.fortran == null || p.shape == null)
            throw bad(src, "header lacks one of 'descr', 'fortran_order', 'shape': " + text.strip());
        String d = p.descr;
        if (d.length() < 3) throw bad(src, "unsupported descr '" + d + "'");
        char order = d.charAt(0);
        if (order != '<' && order != '>' && order != '|' && order != '=') throw bad(src, "unsupported byte order in descr '" + d + "'");
        DType t = switch (d.substring(1)) {
            case "b1" -> DType.BOOL;
            case "i1" -> DType.I8;
            case "u1" -> DType.U8;
            case "i2" -> DType.I16;
            case "u2" -> DType.U16;
            case "i4" -> DType.I32;
            case "u4" -> DType.U32;
            case "i8" -> DType.I64;
            case "u8" -> DType.U64;
            case "f2" -> DType.F16;
            case "f4" -> DType.F32;
            case "f8" -> DType.F64;
            default -> throw bad(src, "unsupported dtype '" + d + "' (bool, int8-64, uint8-64 and float16/32/64 are)");
        };
        Shape shape;
        try {
            shape = Shape.of(p.shape.stream().mapToLong(Long::longValue).toArray());
        } catch (ArithmeticException | IllegalArgumentException e) {
            throw bad(src, "shape " + p.shape + " is invalid: " + e.getMessage());
        }
        return new Header(d, t, order == '>', p.fortran, shape, start + len);
    }

    /** Parses the header: a Python dict literal of str keys and str / bool / int-tuple values. */
    private static final class HeaderParser {
        final String s;
        final String src;
        int i;
        String descr;
        Boolean fortran;
        List<Long> shape;

        HeaderParser(String s, String src) { this.s = s; this.src = src; }

        void parse() {
            ws();
            expect('{');
            while (true) {
                ws();
                if (peek() == '}') { i++; break; }
                String key = str();
                ws();
                expect(':');
                ws();
                switch (key) {
                    case "descr" -> descr = str();
                    case "fortran_order" -> fortran = bool();
                    case "shape" -> shape = tuple();
                    default -> throw bad(src, "unknown header key '" + key + "'");
                }
                ws();
                if (peek() == ',') { i++; continue; }
                ws();
                expect('}');
                break;
            }
            ws();
            if (i != s.length()) throw bad(src, "trailing characters after the header dict");
        }

        private char peek() {
            if (i >= s.length()) throw bad(src, "header ends early");
            return s.charAt(i);
        }

        private void expect(char c) {
            if (peek() != c) throw bad(src, "expected '" + c + "' at header offset " + i + ": " + s.strip());
            i++;
        }

        private void ws() { while (i < s.length() && Character.isWhitespace(s.charAt(i))) i++; }

        private String str() {
            char q = peek();
            if (q != '\'' && q != '"') throw bad(src, "expected a string at header offset " + i);
            int end = s.indexOf(q, i + 1);
            if (end < 0) throw bad(src, "unterminated string in header");
            String v = s.substring(i + 1, end);
            i = end + 1;
            return v;
        }

        private boolean bool() {
            if (s.startsWith("True", i)) { i += 4; return true; }
            if (s.startsWith("False", i)) { i += 5; return false; }
            throw bad(src, "expected True or False at header offset " + i);
        }

        private List<Long> tuple() {
            expect('(');
            List<Long> out = new ArrayList<>();
            while (true) {
                ws();
                if (peek() == ')') { i++; return out; }
                int st = i;
                while (i < s.length() && Character.isDigit(s.charAt(i))) i++;
                if (st == i) throw bad(src, "expected a non-negative integer in 'shape' at header offset " + st);
                if (i - st > 18) throw bad(src, "dimension " + s.substring(st, i) + " is too large");
                out.add(Long.parseLong(s.substring(st, i)));
                if (i < s.length() && s.charAt(i) == 'L') i++;   // Python 2 longs
                ws();
                if (peek() == ',') i++;
                else if (peek() != ')') throw bad(src, "expected ',' or ')' in 'shape' at header offset " + i);
            }
        }
    }

    // ---------------------------------------------------------------- writing

    /** Writes {@code t} as a .npy file (see {@link #toBytes}). */
    public static void write(Path file, Tensor t) {
        try {
            Files.write(file, toBytes(t));
        } catch (IOException e) {
            throw new java.io.UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Serializes {@code t}: version 1.0 (2.0 for huge headers), little-endian, C order. */
    public static byte[] toBytes(Tensor t) {
        String descr = switch (t.dtype()) {
            case BOOL -> "|b1";
            case I8 -> "|i1";
            case U8 -> "|u1";
            case I16 -> "<i2";
            case U16 -> "<u2";
            case I32 -> "<i4";
            case U32 -> "<u4";
            case I64 -> "<i8";
            case U64 -> "<u8";
            case F16 -> "<f2";
            case F32 -> "<f4";
            case F64 -> "<f8";
            default -> throw new IllegalArgumentException(".npy cannot store " + t.dtype() + " tensors");
        };
        StringBuilder shape = new StringBuilder("(");
        for (int i = 0; i < t.rank(); i++) shape.append(t.shape().dim(i)).append(t.rank() == 1 ? "," : i + 1 < t.rank() ? ", " : "");
        shape.append(')');
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int preamble = dict.length() + 1 + 10 > 65535 ? 12 : 10;
        int total = preamble + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        long dataBytes = t.byteSize();
        if (preamble + header.length() + dataBytes > Integer.MAX_VALUE - 8)
            throw new IllegalArgumentException("tensor of " + dataBytes + " bytes is too large for an in-memory .npy");
        byte[] out = new byte[(int) (preamble + header.length() + dataBytes)];
        System.arraycopy(MAGIC, 0, out, 0, 6);
        out[6] = (byte) (preamble == 10 ? 1 : 2);
        int hl = header.length();
        out[8] = (byte) hl;
        out[9] = (byte) (hl >>> 8);
        if (preamble == 12) { out[10] = (byte) (hl >>> 16); out[11] = (byte) (hl >>> 24); }
        byte[] hb = header.getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(hb, 0, out, preamble, hb.length);
        if (dataBytes > 0) {
            MemorySegment src = t.contiguous().contiguousSegment();
            MemorySegment.copy(src, 0, MemorySegment.ofArray(out), preamble + hb.length, dataBytes);
        }
        return out;
    }
}
