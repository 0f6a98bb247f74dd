package dev.kiln.formats.gguf;

import dev.kiln.graph.ModelFormatException;
import dev.kiln.graph.UnsupportedOperatorException;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Half;
import dev.kiln.tensor.Shape;
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
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** GGUF files laid out by hand from the format description (llama.cpp docs/gguf.md). */
class GgufFileTest {

    static final class W {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        W u32(long v) { for (int i = 0; i < 4; i++) out.write((int) (v >>> (8 * i))); return this; }
        W u64(long v) { for (int i = 0; i < 8; i++) out.write((int) (v >>> (8 * i))); return this; }
        W u8(int v) { out.write(v); return this; }
        W str(String s) { byte[] b = s.getBytes(StandardCharsets.UTF_8); u64(b.length); out.write(b, 0, b.length); return this; }
        W bytes(byte[] b) { out.write(b, 0, b.length); return this; }
        W pad(int align) { while (out.size() % align != 0) out.write(0); return this; }
        int size() { return out.size(); }
        byte[] get() { return out.toByteArray(); }
    }

    static byte[] f32(float... v) {
        ByteBuffer b = ByteBuffer.allocate(v.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float f : v) b.putFloat(f);
        return b.array();
    }

    /** metadata: name (string), n (u32), ok (bool), vals (array of i32), pi (f32); tensors: w f32 [2,3] (ne = 3,2), q Q8_0 [1,32], q4 Q4_0 [32]. */
    static byte[] sample() {
        W w = new W();
        w.u32(0x46554747).u32(3).u64(3).u64(5);
        w.str("general.name").u32(8).str("tiny");
        w.str("n").u32(4).u32(7);
        w.str("ok").u32(7).u8(1);
        w.str("vals").u32(9).u32(5).u64(3).u32(-1).u32(2).u32(3);
        w.str("pi").u32(6).bytes(f32(3.25f));
        w.str("w").u32(2).u64(3).u64(2).u32(0).u64(0);
        w.str("q").u32(2).u64(32).u64(1).u32(8).u64(32);
        w.str("q4").u32(1).u64(32).u32(2).u64(96);
        w.pad(32);
        w.bytes(f32(1, 2, 3, 4, 5, 6));                       // w at 0, 24 bytes
        w.pad(32);
        // Q8_0 block: f16 scale 0.5, then 32 int8 values -16..15
        ByteBuffer q = ByteBuffer.allocate(34).order(ByteOrder.LITTLE_ENDIAN);
        q.putShort(Half.floatToF16(0.5f));
        for (int j = 0; j < 32; j++) q.put((byte) (j - 16));
        w.bytes(q.array());                                    // q at 32, 34 bytes
        w.pad(32);
        // Q4_0 block: f16 scale 2, 16 bytes: low nibble j, high nibble 15 - j
        ByteBuffer q4 = ByteBuffer.allocate(18).order(ByteOrder.LITTLE_ENDIAN);
        q4.putShort(Half.floatToF16(2f));
        for (int j = 0; j < 16; j++) q4.put((byte) (j | (15 - j) << 4));
        w.bytes(q4.array());                                   // q4 at 96
        return w.get();
    }

    @Test
    void readsMetadataTensorsAndQuantizedBlocks(@TempDir Path dir) throws IOException {
        Path p = Files.write(dir.resolve("m.gguf"), sample());
        try (GgufFile g = GgufFile.open(p)) {
            assertEquals(3, g.version());
            assertEquals("tiny", g.metadata().get("general.name"));
            assertEquals(7L, g.metadata().get("n"));
            assertEquals(true, g.metadata().get("ok"));
            assertEquals(List.of(-1L, 2L, 3L), g.metadata().get("vals"));
            assertEquals(3.25, g.metadata().get("pi"));
            assertEquals(List.of("w", "q", "q4"), List.copyOf(g.tensors().keySet()));
            Tensor w = g.tensor("w");
            assertEquals(Shape.of(2, 3), w.shape());
            assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, w.toFloatArray());
            assertTrue(w.segment().isMapped());
            assertThrows(UnsupportedOperatorException.class, () -> g.tensor("q"));
            Tensor q = g.dequantize("q");
            assertEquals(Shape.of(1, 32), q.shape());
            for (int j = 0; j < 32; j++) assertEquals(0.5f * (j - 16), q.getFloat(j));
            Tensor q4 = g.dequantize("q4");
            for (int j = 0; j < 16; j++) {
                assertEquals(2f * (j - 8), q4.getFloat(j));
                assertEquals(2f * (15 - j - 8), q4.getFloat(j + 16));
            }
            assertEquals(DType.F32, g.dequantize("w").dtype());
            assertThrows(ModelFormatException.class, () -> g.info("nope"));
        }
    }

    @Test
    void rejectsBadHeaders(@TempDir Path dir) throws IOException {
        byte[] good = sample();
        // magic
        byte[] b1 = good.clone(); b1[0] = 'X';
        assertThrows(ModelFormatException.class, () -> GgufFile.open(Files.write(dir.resolve("a"), b1)));
        // version 1 and unknown versions
        byte[] b2 = good.clone(); b2[4] = 1;
        assertThrows(UnsupportedOperatorException.class, () -> GgufFile.open(Files.write(dir.resolve("b"), b2)));
        byte[] b3 = good.clone(); b3[4] = 9;
        assertThrows(ModelFormatException.class, () -> GgufFile.open(Files.write(dir.resolve("c"), b3)));
        // giant tensor and metadata counts
        byte[] b4 = good.clone(); b4[15] = 0x10;
        assertThrows(ModelFormatException.class, () -> GgufFile.open(Files.write(dir.resolve("d"), b4)));
        byte[] b5 = good.clone(); b5[22] = 0x10;
        assertThrows(ModelFormatException.class, () -> GgufFile.open(Files.write(dir.resolve("e"), b5)));
        // truncated data section
        byte[] b6 = java.util.Arrays.copyOf(good, good.length - 1);
        assertThrows(ModelFormatException.class, () -> GgufFile.open(Files.write(dir.resolve("f"), b6)));
        assertThrows(ModelFormatException.class, () -> GgufFile.open(Files.write(dir.resolve("g"), new byte[3])));
    }

    @Property(tries = 400)
    void garbledFilesFailTyped(@ForAll @IntRange(min = 1, max = 6) int edits, @ForAll long seed) throws IOException {
        byte[] b = sample();
        Random r = new Random(seed);
        for (int i = 0; i < edits; i++) b[r.nextInt(Math.min(b.length, 200))] = (byte) r.nextInt(256);
        if (r.nextInt(4) == 0) b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
        Path p = Files.createTempFile("garbled", ".gguf");
        try {
            Files.write(p, b);
            try (GgufFile g = GgufFile.open(p)) {
                for (String n : g.tensors().keySet()) {
                    try {
                        g.dequantize(n);
                    } catch (UnsupportedOperatorException ok) {
                        // a garbled type code may name a real quantization we do not dequantize
                    }
                }
            } catch (ModelFormatException | UnsupportedOperatorException expected) {
                // typed failure
            }
        } finally {
            Files.deleteIfExists(p);
        }
    }
}
