package dev.kiln.formats.npy;

import dev.kiln.graph.ModelFormatException;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Fixtures in src/test/resources/npy were written by numpy 2.4 with the value rule of {@link #expected}. */
class NpyTest {

    static Tensor fixture(String name) throws IOException {
        try (InputStream in = NpyTest.class.getResourceAsStream("/npy/" + name)) {
            assertNotNull(in, name);
            return Npy.read(in.readAllBytes(), name);
        }
    }

    /** Element k in C order is (7k - 11), cast to the dtype; floats are (7k - 11) / 4; bools are (7k - 11) % 3 == 0. */
    static Tensor expected(DType t, long... dims) {
        Shape s = Shape.of(dims);
        Tensor e = Tensor.allocate(t, s);
        for (long k = 0; k < s.numel(); k++) {
            long v = 7 * k - 11;
            if (t == DType.BOOL) e.setLong(k, Math.floorMod(v, 3) == 0 ? 1 : 0);
            else if (t.isFloatingPoint()) e.setDouble(k, v / 4.0);
            else e.setLong(k, v);
        }
        return e;
    }

    static void assertSameTensor(Tensor want, Tensor got, String what) {
        assertEquals(want.dtype(), got.dtype(), what);
        assertEquals(want.shape(), got.shape(), what);
        for (long i = 0; i < want.numel(); i++) {
            if (want.dtype().isFloatingPoint()) assertEquals(want.getDouble(i), got.getDouble(i), what + " @" + i);
            else assertEquals(want.getLong(i), got.getLong(i), what + " @" + i);
        }
    }

    @Test
    void readsEveryDTypeInBothByteOrders() throws IOException {
        Object[][] cases = {
                {"c_b1.npy", DType.BOOL}, {"c_i1.npy", DType.I8}, {"c_u1.npy", DType.U8},
                {"c_le_i2.npy", DType.I16}, {"c_le_u2.npy", DType.U16}, {"c_le_i4.npy", DType.I32},
                {"c_le_u4.npy", DType.U32}, {"c_le_i8.npy", DType.I64}, {"c_le_u8.npy", DType.U64},
                {"c_le_f2.npy", DType.F16}, {"c_le_f4.npy", DType.F32}, {"c_le_f8.npy", DType.F64},
                {"c_be_i4.npy", DType.I32}, {"c_be_f8.npy", DType.F64}, {"c_be_u2.npy", DType.U16}, {"c_be_f2.npy", DType.F16},
        };
        for (Object[] c : cases) assertSameTensor(expected((DType) c[1], 2, 3, 4), fixture((String) c[0]), (String) c[0]);
    }

    @Test
    void fortranOrderScalarsEmptyAndVersions() throws IOException {
        assertSameTensor(expected(DType.F32, 3, 5), fixture("fortran_f4.npy"), "fortran 2d");
        assertSameTensor(expected(DType.I64, 2, 3, 4), fixture("fortran_be_i8_3d.npy"), "fortran big-endian 3d");
        Tensor s = fixture("scalar_f8.npy");
        assertEquals(0, s.rank());
        assertEquals(-11 / 4.0, s.getDouble(0));
        assertEquals(Shape.of(0, 3), fixture("empty_f4.npy").shape());
        assertSameTensor(expected(DType.I32, 5), fixture("vec_i4.npy"), "vector");
        assertSameTensor(expected(DType.F32, 2, 3), fixture("v2_f4.npy"), "version 2.0");
        assertSameTensor(expected(DType.F32, 2, 3), fixture("v3_f4.npy"), "version 3.0");
    }

    @Test
    void readsTheSharedReferenceFiles() {
        Path ref = Path.of(System.getProperty("kiln.shared", "/work/shared"), "reference");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isDirectory(ref));
        Tensor ids = Npy.read(ref.resolve("minilm_b1_s16.input_ids.npy"));
        assertEquals(DType.I64, ids.dtype());
        assertEquals(Shape.of(1, 16), ids.shape());
        // README: LCG with seed 42, id = 1000 + ((s >>> 33) % 19000)
        long st = 42;
        for (int i = 0; i < 16; i++) {
            st = st * 6364136223846793005L + 1442695040888963407L;
            assertEquals(1000 + Long.remainderUnsigned(st >>> 33, 19000), ids.getLong(i), "id " + i);
        }
        Tensor h = Npy.read(ref.resolve("minilm_b1_s16.last_hidden_state.npy"));
        assertEquals(DType.F32, h.dtype());
        assertEquals(Shape.of(1, 16, 384), h.shape());
    }

    @Provide
    Arbitrary<DType> npyTypes() {
        return Arbitraries.of(DType.BOOL, DType.I8, DType.U8, DType.I16, DType.U16, DType.I32, DType.U32, DType.I64,
                DType.U64, DType.F16, DType.F32, DType.F64);
    }

    @Property(tries = 300)
    void writeThenReadRoundTrips(@ForAll("npyTypes") DType t, @ForAll @Size(max = 4) List<@IntRange(max = 5) Integer> dims,
                                 @ForAll long seed) {
        long[] d = dims.stream().mapToLong(Integer::longValue).toArray();
        Tensor x = Tensor.allocate(t, Shape.of(d));
        Random r = new Random(seed);
        for (long i = 0; i < x.numel(); i++) {
            if (t.isFloatingPoint()) x.setDouble(i, r.nextGaussian() * 100);
            else x.setLong(i, r.nextLong());
        }
        byte[] b = Npy.toBytes(x);
        int headerEnd = 10 + ((b[8] & 0xFF) | (b[9] & 0xFF) << 8);
        assertEquals(0, headerEnd % 64, "numpy aligns data to 64 bytes");
        assertSameTensor(x, Npy.read(b, "rt"), "round trip " + t + Arrays.toString(d));
    }

    @Test
    void writesTransposedViewsInLogicalOrder() {
        Tensor x = Tensor.of(new float[] {1, 2, 3, 4, 5, 6}, 2, 3).permute(1, 0);
        Tensor y = Npy.read(Npy.toBytes(x), "t");
        assertArrayEquals(new float[] {1, 4, 2, 5, 3, 6}, y.toFloatArray());
        assertEquals(Shape.of(3, 2), y.shape());
    }

    static byte[] npy(String dict, int dataBytes) {
        byte[] h = (dict + "\n").getBytes(StandardCharsets.ISO_8859_1);
        byte[] b = new byte[10 + h.length + dataBytes];
        b[0] = (byte) 0x93; b[1] = 'N'; b[2] = 'U'; b[3] = 'M'; b[4] = 'P'; b[5] = 'Y'; b[6] = 1;
        b[8] = (byte) h.length; b[9] = (byte) (h.length >>> 8);
        System.arraycopy(h, 0, b, 10, h.length);
        return b;
    }

    @Test
    void rejectsMalformedFilesWithTypedErrors() {
        assertNotNull(Npy.read(npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8), "ok"));
        String[] badHeaders = {
                "{'descr': '<f4', 'fortran_order': False, 'shape': (3,), }",          // data too short
                "{'descr': '<f4', 'fortran_order': False, 'shape': (-2,), }",         // negative dim
                "{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296), }",  // overflow
                "{'descr': '<c8', 'fortran_order': False, 'shape': (1,), }",          // complex
                "{'descr': '<U3', 'fortran_order': False, 'shape': (1,), }",          // unicode
                "{'descr': '<f4', 'shape': (2,), }",                                   // missing key
                "{'descr': '<f4', 'fortran_order': Maybe, 'shape': (2,), }",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (2,) ",
                "not a dict",
                "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999,), }",
        };
        for (String h : badHeaders)
            assertThrows(ModelFormatException.class, () -> Npy.read(npy(h, 8), "bad.npy"), h);
        assertThrows(ModelFormatException.class, () -> Npy.read(new byte[] {1, 2, 3}, "tiny"));
        byte[] wrongMagic = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8);
        wrongMagic[1] = 'X';
        assertThrows(ModelFormatException.class, () -> Npy.read(wrongMagic, "magic"));
        byte[] longHeader = npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8);
        longHeader[8] = (byte) 0xFF; longHeader[9] = (byte) 0xFF;   // header length beyond the file
        assertThrows(ModelFormatException.class, () -> Npy.read(longHeader, "len"));
        byte[] v2 = new byte[16];
        System.arraycopy(wrongMagic, 0, v2, 0, 8);
        v2[1] = 'N'; v2[6] = 2; v2[11] = 0x7F;                          // v2 header of ~2 GiB
        assertThrows(ModelFormatException.class, () -> Npy.read(v2, "v2"));
        byte[] v9 = npy("{}", 0);
        v9[6] = 9;
        assertThrows(ModelFormatException.class, () -> Npy.read(v9, "v9"));
    }

    @Property(tries = 500)
    void garbledFilesNeverFailUntyped(@ForAll @IntRange(max = 22) int which, @ForAll long seed) throws IOException {
        String[] names = {"c_b1.npy", "c_i1.npy", "c_u1.npy", "c_le_i2.npy", "c_le_u2.npy", "c_le_i4.npy", "c_le_u4.npy",
                "c_le_i8.npy", "c_le_u8.npy", "c_le_f2.npy", "c_le_f4.npy", "c_le_f8.npy", "c_be_i4.npy", "c_be_f8.npy",
                "c_be_u2.npy", "c_be_f2.npy", "fortran_f4.npy", "fortran_be_i8_3d.npy", "scalar_f8.npy", "empty_f4.npy",
                "vec_i4.npy", "v2_f4.npy", "v3_f4.npy"};
        byte[] b;
        try (InputStream in = NpyTest.class.getResourceAsStream("/npy/" + names[which])) { b = in.readAllBytes(); }
        Random r = new Random(seed);
        int edits = 1 + r.nextInt(4);
        for (int i = 0; i < edits; i++) b[r.nextInt(Math.min(b.length, 140))] = (byte) r.nextInt(256);
        if (r.nextBoolean()) b = Arrays.copyOf(b, r.nextInt(b.length + 1));
        try {
            Npy.read(b, "garbled");
        } catch (ModelFormatException expected) {
            // fine: typed error
        }
    }
}
