package dev.kiln.formats;

import dev.kiln.graph.ModelFormatException;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Maps a whole file read-only into a new shared arena for a format reader that parses in place (safetensors,
 * GGUF). The arena belongs to what {@code parse} returns; if reading or parsing fails it is closed here, so a
 * bad file never leaks a mapping.
 */
public final class MappedFile {
    private MappedFile() {}

    /** Parses the mapped bytes; an empty file is {@link MemorySegment#NULL}. */
    @FunctionalInterface
    public interface Parser<T> {
        T parse(MemorySegment bytes, Arena arena);
    }

    public static <T> T map(Path path, Parser<T> parse) {
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            MemorySegment seg = size == 0 ? MemorySegment.NULL : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return parse.parse(seg, arena);
        } catch (IOException e) {
            arena.close();
            throw new ModelFormatException(path + ": cannot read: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            arena.close();
            throw e;
        }
    }
}
