package dev.kiln.formats.safetensors;

import dev.kiln.graph.ModelFormatException;
import dev.kiln.graph.UnsupportedOperatorException;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

class SafeTensorsTest {

    /** A file laid out by hand from the format description, independent of {@link SafeTensors#write}. */
    static byte[] file(String header, byte[] data) {
        byte[] h = header.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[8 + h.length + data.length];
        for (int i = 0; i < 8; i++) out[i] = (byte) ((long) h.length >>> (8 * i));
        System.arraycopy(h, 0, out, 8, h.length);
        System.arraycopy(data, 0, out, 8 + h.length, data.length);
        return out;
    }

    static Path put(Path dir, byte[] b) throws IOException {
        return Files.write(dir.resolve("m.safetensors"), b);
    }

    @Test
    void readsHandWrittenFileAsMappedViews(@TempDir Path dir) throws IOException {
        byte[] data = new byte[8 + 4];
        // a: F32 [2] = {1.0, -2.0}; b: I16 [2] = {7, -1}
        int one = Float.floatToIntBits(1f), m2 = Float.floatToIntBits(-2f);
        for (int i = 0; i < 4; i++) { data[i] = (byte) (one >>> (8 * i)); data[4 + i] = (byte) (m2 >>> (8 * i)); }
        data[8] = 7; data[9] = 0; data[10] = (byte) 0xFF; data[11] = (byte) 0xFF;
        String h = "{\"b\":{\"dtype\":\"I16\",\"shape\":[2],\"data_offsets\":[8,12]},"
                + "\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}";
        try (SafeTensors st = SafeTensors.open(put(dir, file(h, data)))) {
            assertEquals(List.of("b", "a"), List.copyOf(st.tensors().keySet()));
            assertEquals(Map.of("format", "pt"), st.metadata());
            assertArrayEquals(new float[] {1f, -2f}, st.get("a").toFloatArray());
            assertArrayEquals(new long[] {7, -1}, st.get("b").toLongArray());
            assertTrue(st.get("a").segment().isMapped());
            assertThrows(ModelFormatException.class, () -> st.get("zzz"));
        }
    }

    @Test
    void rejectsInvalidHeaders(@TempDir Path dir) throws IOException {
        byte[] d8 = new byte[8];
        String[] bad = {
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,4]}}",          // size mismatch
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[0,4]}}",          // hole at the end
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"b\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[4,8]}}",  // overlap
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[4],\"data_offsets\":[0,16]}}",         // beyond the data
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[-2],\"data_offsets\":[0,8]}}",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[4294967296,4294967296,4294967296],\"data_offsets\":[0,8]}}",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[8,0]}}",
                "{\"a\":{\"shape\":[2],\"data_offsets\":[0,8]}}",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0]}}",
                "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},\"a\":{}}",
                "{\"__metadata__\":{\"k\":1},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                "[1]",
                "{not json",
        };
        for (String h : bad) assertThrows(ModelFormatException.class, () -> SafeTensors.open(put(dir, file(h, d8))), h);
        assertThrows(UnsupportedOperatorException.class, () -> SafeTensors.open(put(dir,
                file("{\"a\":{\"dtype\":\"C64\",\"shape\":[1],\"data_offsets\":[0,8]}}", d8))));
        assertThrows(ModelFormatException.class, () -> SafeTensors.open(put(dir, new byte[3])));
        byte[] huge = file("{}", new byte[0]);
        huge[7] = 0x7F;   // header length near 2^63
        assertThrows(ModelFormatException.class, () -> SafeTensors.open(put(dir, huge)));
        byte[] longer = file("{}", new byte[0]);
        longer[0] = 100;  // header length beyond the file
        assertThrows(ModelFormatException.class, () -> SafeTensors.open(put(dir, longer)));
    }

    @Property(tries = 50)
    void writeThenOpenRoundTrips(@ForAll @IntRange(max = 4) int n, @ForAll long seed) throws IOException {
        Path dir = Files.createTempDirectory("st");
        try {
            Random r = new Random(seed);
            DType[] types = {DType.F32, DType.F16, DType.BF16, DType.I64, DType.U8, DType.BOOL, DType.F64, DType.I32};
            Map<String, Tensor> in = new LinkedHashMap<>();
            for (int k = 0; k < n; k++) {
                DType t = types[r.nextInt(types.length)];
                Tensor x = Tensor.allocate(t, Shape.of(r.nextInt(4), 1 + r.nextInt(3)));
                for (long i = 0; i < x.numel(); i++) x.setLong(i, r.nextInt(100) - (t == DType.U8 || t == DType.BOOL ? 0 : 50));
                in.put("t\"" + k, x);
            }
            Path f = dir.resolve("x.safetensors");
            SafeTensors.write(f, in, Map.of("format", "kiln"));
            byte[] raw = Files.readAllBytes(f);
            long headerLen = 0;
            for (int i = 0; i < 8; i++) headerLen |= (raw[i] & 0xFFL) << (8 * i);
            assertEquals(0, headerLen % 8, "data must start 8-byte aligned");
            try (SafeTensors st = SafeTensors.open(f)) {
                assertEquals(in.keySet(), st.tensors().keySet());
                assertEquals("kiln", st.metadata().get("format"));
                for (var e : in.entrySet()) {
                    Tensor got = st.get(e.getKey());
                    assertEquals(e.getValue().dtype(), got.dtype());
                    assertEquals(e.getValue().shape(), got.shape());
                    assertArrayEquals(e.getValue().toDoubleArray(), got.toDoubleArray());
                }
            }
        } finally {
            try (var s = Files.walk(dir)) { s.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete()); }
        }
    }
}
