package dev.kiln.runtime.embed;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import static org.junit.jupiter.api.Assertions.*;

/** A jar whose model bytes do not match the pinned sha256 must be refused, and nothing left in the cache. */
class ModelStoreTest {
    @TempDir Path dir;
    private final String oldCache = System.getProperty("kiln.cache");
    private final String oldRepo = System.getProperty("maven.repo.local");

    @AfterEach
    void restore() {
        if (oldCache == null) System.clearProperty("kiln.cache"); else System.setProperty("kiln.cache", oldCache);
        if (oldRepo == null) System.clearProperty("maven.repo.local"); else System.setProperty("maven.repo.local", oldRepo);
    }

    @Test
    void tamperedModelIsRefused() throws Exception {
        Path repo = dir.resolve("repo");
        String[] gav = ModelStore.ARTIFACT.split(":");
        Path jar = repo.resolve(gav[0].replace('.', '/')).resolve(gav[1]).resolve(gav[2]).resolve(gav[1] + "-" + gav[2] + ".jar");
        Files.createDirectories(jar.getParent());
        try (ZipOutputStream z = new ZipOutputStream(Files.newOutputStream(jar))) {
            for (String name : new String[] {ModelStore.MODEL_FILE, ModelStore.TOKENIZER_FILE}) {
                z.putNextEntry(new ZipEntry(name));
                z.write("not the real model".getBytes());
                z.closeEntry();
            }
        }
        System.setProperty("kiln.cache", dir.resolve("cache").toString());
        System.setProperty("maven.repo.local", repo.toString());
        ModelStore.UnavailableException e = assertThrows(ModelStore.UnavailableException.class,
                () -> ModelStore.miniLm(new PrintStream(OutputStream.nullOutputStream())));
        assertTrue(e.getMessage().contains("sha256"), e.getMessage());
        assertFalse(Files.exists(dir.resolve("cache/models/all-minilm-l6-v2").resolve(ModelStore.MODEL_FILE)));
    }
}
