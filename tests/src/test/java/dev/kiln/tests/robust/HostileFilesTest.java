package dev.kiln.tests.robust;

import dev.kiln.formats.gguf.GgufFile;
import dev.kiln.formats.npy.Npy;
import dev.kiln.formats.onnx.OnnxModel;
import dev.kiln.formats.safetensors.SafeTensors;
import dev.kiln.graph.KilnException;
import dev.kiln.graph.ModelFormatException;
import dev.kiln.runtime.Session;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Untrusted files through the public entry points: huge declared sizes and counts, truncation, garbage, wrong
 * kinds of file. Each must end in a typed {@link KilnException} naming the file — never an OOM, an out-of-bounds
 * read, a negative-size allocation or another untyped exception.
 */
class HostileFilesTest {
    @TempDir Path dir;

    static ModelFormatException rejects(String mention, Runnable r) {
        ModelFormatException e = assertThrows(ModelFormatException.class, r::run);
        assertTrue(e.getMessage().contains(mention), "'" + e.getMessage() + "' should mention " + mention);
        return e;
    }

    // ------------------------------------------------------------------ npy

    static byte[] npy(String header, int dataBytes) {
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        int pad = 64 - (10 + h.length + 1) % 64;
        ByteArrayOutputStream o = new ByteArrayOutputStream();
        o.writeBytes(new byte[] {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0});
        int len = h.length + pad + 1;
        o.write(len & 0xFF);
        o.write(len >> 8);
        o.writeBytes(h);
        for (int i = 0; i < pad; i++) o.write(' ');
        o.write('\n');
        o.writeBytes(new byte[dataBytes]);
        return o.toByteArray();
    }

    @Test void npyHostileHeaders() {
        rejects("x.npy", () -> Npy.read(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000000000, 1000000000000), }", 16), "x.npy"));
        rejects("x.npy", () -> Npy.read(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904,), }", 16), "x.npy"));
        rejects("x.npy", () -> Npy.read(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (1000000,), }", 16), "x.npy"));
        rejects("x.npy", () -> Npy.read(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (-4,), }", 16), "x.npy"));
        rejects("x.npy", () -> Npy.read(npy("{'descr': '|O', 'fortran_order': False, 'shape': (2,), }", 16), "x.npy"));
        rejects("x.npy", () -> Npy.read(npy("{'descr': '<U8', 'fortran_order': False, 'shape': (2,), }", 64), "x.npy"));
        rejects("x.npy", () -> Npy.read(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,3), }", 23), "x.npy"));
        rejects("x.npy", () -> Npy.read(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,3), ", 24), "x.npy"));
        rejects("x.npy", () -> Npy.read(npy("{'descr': '<f4', 'fortran_order': False, 'shape': ((((((((((2,),),),),),),),),),), }", 8), "x.npy"));
        byte[] v2 = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8);
        v2[6] = 2;   // version 2 reads a 4-byte header length from bytes 8..11: make it huge
        v2[8] = v2[9] = v2[10] = v2[11] = (byte) 0xFF;
        rejects("x.npy", () -> Npy.read(v2, "x.npy"));
        byte[] ok = Npy.toBytes(Tensor.of(new float[] {1, 2, 3}, 3));
        for (int cut = 0; cut < ok.length; cut++) {
            int c = cut;
            rejects("x.npy", () -> Npy.read(Arrays.copyOf(ok, c), "x.npy"));
        }
        rejects(dir.toString(), () -> Npy.read(dir));   // a directory
    }

    // ------------------------------------------------------------------ safetensors

    Path safetensors(String json, int dataBytes, long declaredHeaderLen) throws IOException {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(declaredHeaderLen < 0 ? h.length : declaredHeaderLen).put(h);
        return Files.write(dir.resolve("w" + System.nanoTime() + ".safetensors"), b.array());
    }

    @Test void safeTensorsHostileHeaders() throws IOException {
        String good = "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        try (SafeTensors s = SafeTensors.open(safetensors(good, 8, -1))) {
            assertTrue(s.get("a").numel() == 2);
        }
        for (long len : new long[] {Long.MAX_VALUE, 1L << 40, 0x7FFFFFF0L, good.length() + 1000, 0})
            rejects(".safetensors", () -> { try { SafeTensors.open(safetensors(good, 8, len)).close(); } catch (IOException e) { throw new AssertionError(e); } });
        for (String hostile : new String[] {
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,9223372036854775807]}}",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[4611686018427387904],\"data_offsets\":[0,8]}}",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]}}",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,1e30]}}",
                "{\"a\":{\"dtype\":\"Q9\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2]}}",
                "{\"a\":[1,2]}",
                "[1,2,3]",
                "{\"a\":" + "[".repeat(100_000) + "]".repeat(100_000) + "}",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                "\u0000\u0000\u0000\u0000"}) {
            try {
                SafeTensors.open(safetensors(hostile, 8, -1)).close();
                fail("accepted " + hostile.substring(0, Math.min(120, hostile.length())));
            } catch (KilnException expected) {
                assertTrue(expected.getMessage().contains(".safetensors"), expected.getMessage());
            } catch (StackOverflowError e) {
                fail("stack overflow on deeply nested JSON");
            }
        }
    }

    // ------------------------------------------------------------------ gguf

    /** A GGUF v3 writer for hand-made headers. */
    static final class G {
        final ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
        G u32(long v) { b.putInt((int) v); return this; }
        G u64(long v) { b.putLong(v); return this; }
        G str(String s) { byte[] x = s.getBytes(StandardCharsets.UTF_8); b.putLong(x.length).put(x); return this; }
        G pad(int align) { while (b.position() % align != 0) b.put((byte) 0); return this; }
        G zeros(int n) { b.put(new byte[n]); return this; }
        byte[] bytes() { return Arrays.copyOf(b.array(), b.position()); }
    }

    static G ggufHead(long tensors, long kvs) { return new G().u32(0x46554747).u32(3).u64(tensors).u64(kvs); }

    Path write(String name, byte[] b) throws IOException { return Files.write(dir.resolve(name), b); }

    @Test void ggufHugeCountsAndSizes() throws IOException {
        byte[] good = ggufHead(1, 1).str("general.name").u32(8).str("t").str("w").u32(1).u64(4).u32(0).u64(0).pad(32).zeros(16).bytes();
        try (GgufFile g = GgufFile.open(write("good.gguf", good))) {
            assertTrue(g.tensor("w").numel() == 4);
        }
        byte[][] hostile = {
                ggufHead(Long.MAX_VALUE, 0).zeros(64).bytes(),
                ggufHead(0, 1L << 60).zeros(64).bytes(),
                ggufHead(-1, -1).zeros(64).bytes(),
                ggufHead(0, 1).u64(Long.MAX_VALUE).zeros(64).bytes(),                                // key length
                ggufHead(0, 1).str("k").u32(8).u64(1L << 40).zeros(64).bytes(),                        // string value length
                ggufHead(0, 1).str("k").u32(9).u32(12).u64(1L << 61).zeros(64).bytes(),                // array length
                ggufHead(0, 1).str("k").u32(9).u32(9).u64(2).u32(9).u64(1L << 50).zeros(64).bytes(),   // nested array
                ggufHead(1, 0).str("w").u32(1 << 30).zeros(64).bytes(),                                 // n_dims
                ggufHead(1, 0).str("w").u32(2).u64(1L << 40).u64(1L << 40).u32(0).u64(0).pad(32).zeros(32).bytes(),
                ggufHead(1, 0).str("w").u32(1).u64(1L << 62).u32(0).u64(0).pad(32).zeros(32).bytes(),
                ggufHead(1, 0).str("w").u32(1).u64(4).u32(0).u64(Long.MAX_VALUE - 31).pad(32).zeros(32).bytes(),
                ggufHead(1, 0).str("w").u32(1).u64(4).u32(0).u64(32).pad(32).zeros(40).bytes(),
                ggufHead(1, 0).str("w").u32(1).u64(4).u32(999).u64(0).pad(32).zeros(16).bytes(),
                ggufHead(1, 1).str("general.alignment").u32(4).u32(0).str("w").u32(1).u64(4).u32(0).u64(0).zeros(16).bytes(),
                ggufHead(1, 1).str("general.alignment").u32(4).u32(3).str("w").u32(1).u64(4).u32(0).u64(0).zeros(16).bytes(),
        };
        for (int i = 0; i < hostile.length; i++) {
            Path p = write("h" + i + ".gguf", hostile[i]);
            try {
                try (GgufFile g = GgufFile.open(p)) {
                    for (String n : g.tensors().keySet()) g.tensor(n).toFloatArray();
                }
                fail("hostile GGUF #" + i + " was accepted");
            } catch (KilnException expected) {
                assertTrue(expected.getMessage().contains("h" + i + ".gguf"), expected.getMessage());
            }
        }
        for (int cut = 0; cut < good.length; cut++) {
            Path p = write("cut.gguf", Arrays.copyOf(good, cut));
            try (GgufFile g = GgufFile.open(p)) {
                for (String n : g.tensors().keySet()) g.tensor(n).toFloatArray();
                if (cut < good.length - 16) fail("truncated GGUF (" + cut + " bytes) was accepted");
            } catch (KilnException expected) {
                // typed: fine
            }
        }
    }

    // ------------------------------------------------------------------ onnx

    @Test void onnxWrongKindsOfFile() throws IOException {
        rejects(dir.toString(), () -> OnnxModel.load(dir));
        Path empty = write("empty.onnx", new byte[0]);
        rejects("empty.onnx", () -> Session.load(empty).close());
        Path text = write("text.onnx", "ir_version: 8\ngraph { node { op_type: \"Relu\" } }\n".getBytes(StandardCharsets.UTF_8));
        rejects("text.onnx", () -> Session.load(text).close());
        rejects("nope.onnx", () -> Session.load(dir.resolve("nope.onnx")).close());
        Path npy = write("npy.onnx", Npy.toBytes(Tensor.of(new float[] {1}, 1)));
        rejects("npy.onnx", () -> Session.load(npy).close());
        Path gguf = write("gguf.onnx", ggufHead(0, 0).zeros(8).bytes());
        rejects("gguf.onnx", () -> Session.load(gguf).close());
    }

    /** Random corruption of every format: only typed errors (or a successful parse) may come out. */
    @Property(tries = 120)
    void garbledFilesFailTyped(@ForAll @IntRange(max = 3) int format, @ForAll long seed) throws IOException {
        Random r = new Random(seed);
        Path work = Files.createTempDirectory("kiln-robust");
        try {
            byte[] base = switch (format) {
                case 0 -> Npy.toBytes(Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3));
                case 1 -> {
                    Map<String, Tensor> m = new LinkedHashMap<>();
                    m.put("a", Tensor.of(new float[] {1, 2, 3}, 3));
                    m.put("b", Tensor.ofLongs(new long[] {4, 5}, 2, 1));
                    Path p = work.resolve("base.safetensors");
                    SafeTensors.write(p, m, Map.of("k", "v"));
                    yield Files.readAllBytes(p);
                }
                case 2 -> ggufHead(1, 1).str("general.name").u32(8).str("t").str("w").u32(2).u64(2).u64(2).u32(0).u64(0).pad(32).zeros(16).bytes();
                default -> Files.readAllBytes(Models.node("test_gemm_default_matrix_bias").resolve("model.onnx"));
            };
            byte[] b = base.clone();
            int edits = 1 + r.nextInt(4);
            for (int e = 0; e < edits; e++) {
                switch (r.nextInt(4)) {
                    case 0 -> b = Arrays.copyOf(b, r.nextInt(b.length + 1));
                    case 1 -> { if (b.length > 0) b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8)); }
                    case 2 -> {   // a huge little-endian number somewhere (sizes, counts, lengths, offsets)
                        if (b.length >= 8) {
                            int at = r.nextInt(b.length - 7);
                            long v = r.nextBoolean() ? Long.MAX_VALUE >>> r.nextInt(40) : -1L >>> r.nextInt(60);
                            ByteBuffer.wrap(b, at, 8).order(ByteOrder.LITTLE_ENDIAN).putLong(v);
                        }
                    }
                    default -> { if (b.length > 0) b[r.nextInt(b.length)] = (byte) r.nextInt(256); }
                }
            }
            Path p = Files.write(work.resolve("f" + format), b);
            try {
                switch (format) {
                    case 0 -> Npy.read(p);
                    case 1 -> { try (SafeTensors s = SafeTensors.open(p)) { for (Tensor t : s.tensors().values()) t.toDoubleArray(); } }
                    case 2 -> { try (GgufFile g = GgufFile.open(p)) { for (String n : g.tensors().keySet()) g.tensor(n).toFloatArray(); } }
                    default -> { try (Session s = Session.load(p, Models.cpu(1))) { s.inputs(); } }
                }
            } catch (KilnException expected) {
                assertTrue(expected.getMessage() != null && !expected.getMessage().isBlank());
            } catch (Throwable t) {
                fail("format " + format + " seed " + seed + ": untyped " + t, t);
            }
        } finally {
            try (var s = Files.list(work)) { for (Path x : s.toList()) Files.delete(x); }
            Files.delete(work);
        }
    }
}
