package dev.kiln.formats.onnx;

import dev.kiln.formats.onnx.Msg.TensorMsg;
import dev.kiln.graph.ModelFormatException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * Resolves {@code data_location = EXTERNAL} tensors: {@code location} is a path relative to the model's folder,
 * {@code offset}/{@code length} select a byte range. Each data file is memory-mapped once into the model's arena and
 * tensors are slices of it. A model is untrusted input, so a location must stay inside the model's folder: absolute
 * paths, {@code ..} components and symlinks that lead out of the folder are refused.
 */
final class ExternalData {
    private final Path folder;
    private final Path realFolder;
    private final Arena arena;
    private final Map<Path, MemorySegment> mapped = new HashMap<>();

    ExternalData(Path folder, Arena arena) {
        this.folder = folder.toAbsolutePath().normalize();
        Path real;
        try {
            real = this.folder.toRealPath();
        } catch (IOException e) {
            real = this.folder;
        }
        this.realFolder = real;
        this.arena = arena;
    }

    MemorySegment resolve(TensorMsg t) {
        String location = t.externalData.get("location");
        if (location == null || location.isEmpty()) throw TensorDecoder.err(t, "external data has no 'location'");
        long offset = number(t, "offset", 0);
        Path file = safePath(t, location);
        MemorySegment whole = map(t, file);
        long size = whole.byteSize();
        long length = number(t, "length", -1);
        if (offset > size) throw TensorDecoder.err(t, "external data offset " + offset + " is past the end of " + location + " (" + size + " bytes)");
        if (length < 0) length = size - offset;
        if (length > size - offset)
            throw TensorDecoder.err(t, "external data range [" + offset + ", +" + length + ") exceeds " + location + " (" + size + " bytes)");
        return whole.asSlice(offset, length);
    }

    private static long number(TensorMsg t, String key, long dflt) {
        String s = t.externalData.get(key);
        if (s == null || s.isEmpty()) return dflt;
        try {
            long v = Long.parseLong(s.trim());
            if (v < 0) throw TensorDecoder.err(t, "external data " + key + " " + v + " is negative");
            return v;
        } catch (NumberFormatException e) {
            throw TensorDecoder.err(t, "external data " + key + " '" + s + "' is not a number");
        }
    }

    private Path safePath(TensorMsg t, String location) {
        Path rel;
        try {
            rel = Path.of(location);
        } catch (RuntimeException e) {
            throw TensorDecoder.err(t, "external data location '" + location + "' is not a valid path");
        }
        if (rel.isAbsolute() || location.startsWith("/") || location.startsWith("\\"))
            throw TensorDecoder.err(t, "external data location '" + location + "' is absolute; it must be relative to the model's folder");
        for (Path part : rel)
            if (part.toString().equals(".."))
                throw TensorDecoder.err(t, "external data location '" + location + "' contains '..'; it must stay inside the model's folder");
        Path p = folder.resolve(rel).normalize();
        if (!p.startsWith(folder)) throw TensorDecoder.err(t, "external data location '" + location + "' leaves the model's folder");
        if (!Files.exists(p)) throw TensorDecoder.err(t, "external data file '" + location + "' not found next to the model (" + p + ")");
        Path real;
        try {
            real = p.toRealPath();
        } catch (IOException e) {
            throw TensorDecoder.err(t, "external data file '" + location + "' cannot be resolved: " + e.getMessage());
        }
        if (!real.startsWith(realFolder))
            throw TensorDecoder.err(t, "external data location '" + location + "' resolves (through a symlink) to " + real + ", outside the model's folder");
        if (!Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS))
            throw TensorDecoder.err(t, "external data location '" + location + "' is not a regular file");
        return real;
    }

    private MemorySegment map(TensorMsg t, Path file) {
        MemorySegment seg = mapped.get(file);
        if (seg != null) return seg;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            seg = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size(), arena);
        } catch (IOException e) {
            throw TensorDecoder.err(t, "cannot map external data file " + file + ": " + e.getMessage());
        }
        mapped.put(file, seg);
        return seg;
    }
}
