package dev.kiln.formats.onnx;

import dev.kiln.graph.ModelFormatException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static dev.kiln.formats.onnx.Pb.*;
import static org.junit.jupiter.api.Assertions.*;

class ExternalDataTest {
    static final int F = 1;

    static Part externalTensor(String name, long n, String location, Long offset, Long length) {
        return t -> {
            t.int64(1, n);
            t.int64(2, F);
            t.string(8, name);
            t.message(13, kv -> kv.string(1, "location").string(2, location));
            if (offset != null) t.message(13, kv -> kv.string(1, "offset").string(2, offset.toString()));
            if (length != null) t.message(13, kv -> kv.string(1, "length").string(2, length.toString()));
            t.int64(14, 1);
        };
    }

    static byte[] modelWith(Part tensor) {
        return model(13, graph("g", input("x", F, 2), initializer(tensor),
                node("Add", List.of("x", "w"), List.of("y")), output("y", F, 2)));
    }

    static Path write(Path dir, byte[] model) throws IOException {
        Path p = dir.resolve("model.onnx");
        Files.write(p, model);
        return p;
    }

    @Test
    void readsMappedRangesRelativeToTheModelFolder(@TempDir Path dir) throws IOException {
        Files.createDirectories(dir.resolve("weights"));
        byte[] data = new byte[16 + 8];
        System.arraycopy(floatsLE(3.5f, -1f), 0, data, 16, 8);
        Files.write(dir.resolve("weights/w.bin"), data);
        Path m = write(dir, modelWith(externalTensor("w", 2, "weights/w.bin", 16L, 8L)));
        try (OnnxModel om = OnnxModel.load(m)) {
            assertArrayEquals(new float[] {3.5f, -1f}, om.graph().initializers().get(0).constant().toFloatArray());
        }
        // without a length the range runs to the end of the file
        Path m2 = write(dir, modelWith(externalTensor("w", 2, "weights/w.bin", 16L, null)));
        try (OnnxModel om = OnnxModel.load(m2)) {
            assertArrayEquals(new float[] {3.5f, -1f}, om.graph().initializers().get(0).constant().toFloatArray());
        }
    }

    @Test
    void rangeMustFitTheFileAndTheTensor(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("w.bin"), new byte[8]);
        assertThrows(ModelFormatException.class, () -> OnnxModel.load(write(dir, modelWith(externalTensor("w", 2, "w.bin", 4L, 8L)))));
        assertThrows(ModelFormatException.class, () -> OnnxModel.load(write(dir, modelWith(externalTensor("w", 2, "w.bin", 9L, null)))));
        assertThrows(ModelFormatException.class, () -> OnnxModel.load(write(dir, modelWith(externalTensor("w", 3, "w.bin", 0L, 8L)))));
        assertThrows(ModelFormatException.class, () -> OnnxModel.load(write(dir, modelWith(externalTensor("w", 2, "missing.bin", null, null)))));
        assertThrows(ModelFormatException.class, () -> OnnxModel.load(write(dir, modelWith(externalTensor("w", 2, "w.bin", -1L, null)))));
    }

    @Test
    void refusesPathsThatLeaveTheFolder(@TempDir Path root) throws IOException {
        Path dir = Files.createDirectories(root.resolve("model"));
        Path secret = root.resolve("secret.bin");
        Files.write(secret, floatsLE(1, 2));
        for (String loc : List.of("../secret.bin", "sub/../../secret.bin", secret.toString())) {
            var e = assertThrows(ModelFormatException.class, () -> OnnxModel.load(write(dir, modelWith(externalTensor("w", 2, loc, null, null)))), loc);
            assertTrue(e.getMessage().contains("'w'") && e.getMessage().contains("model.onnx"), e.getMessage());
        }
        Path link = dir.resolve("link.bin");
        try {
            Files.createSymbolicLink(link, secret);
        } catch (UnsupportedOperationException | IOException e) {
            return;   // no symlinks on this file system
        }
        var e = assertThrows(ModelFormatException.class, () -> OnnxModel.load(write(dir, modelWith(externalTensor("w", 2, "link.bin", null, null)))));
        assertTrue(e.getMessage().contains("symlink"), e.getMessage());
        // a symlink that stays inside the folder is fine
        Files.write(dir.resolve("real.bin"), floatsLE(4, 5));
        Files.createSymbolicLink(dir.resolve("inside.bin"), dir.resolve("real.bin"));
        try (OnnxModel om = OnnxModel.load(write(dir, modelWith(externalTensor("w", 2, "inside.bin", null, null))))) {
            assertArrayEquals(new float[] {4, 5}, om.graph().initializers().get(0).constant().toFloatArray());
        }
    }

    @Test
    void modelsFromBytesCannotUseExternalData() {
        assertThrows(ModelFormatException.class, () -> OnnxModel.load(modelWith(externalTensor("w", 2, "w.bin", null, null)), "mem"));
    }

    @Test
    void closingTheModelReleasesTheMapping(@TempDir Path dir) throws IOException {
        Path m = write(dir, model(13, graph("g", input("x", F, 2),
                initializer(tensorRaw("w", F, new long[] {2}, floatsLE(1, 2))),
                node("Add", List.of("x", "w"), List.of("y")), output("y", F, 2))));
        OnnxModel om = OnnxModel.load(m);
        var w = om.graph().initializers().get(0).constant();
        assertEquals(2f, w.getFloat(1));
        assertTrue(w.segment().isMapped(), "raw_data should be a view of the mapped file");
        om.close();
        assertThrows(IllegalStateException.class, () -> w.getFloat(1));
        om.close();   // idempotent
    }
}
