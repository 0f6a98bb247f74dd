package dev.kiln.tests;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the real {@code kiln} script against fake JDKs: shell scripts named {@code java} that print a version
 * banner on {@code -version} and otherwise echo who they are and their arguments. The search roots are pointed at
 * temp dirs with {@code KILN_JDK_SEARCH_PATH}, and {@code KILN_SKIP_BUILD=1} keeps the script from starting Maven
 * (this test itself runs inside Maven).
 */
class LauncherTest {
    static final Path ROOT = Path.of(System.getProperty("kiln.root", "..")).toAbsolutePath().normalize();
    static final Path SCRIPT = ROOT.resolve("kiln");

    @TempDir Path tmp;
    Path emptyRootA, emptyRootB;

    record Result(int exit, String out, String err) {}

    @BeforeEach
    void setUp() throws IOException {
        assumeTrue(Files.isExecutable(Path.of("/bin/bash")), "needs bash");
        assertTrue(Files.isRegularFile(SCRIPT), "launcher missing at " + SCRIPT);
        emptyRootA = Files.createDirectories(tmp.resolve("roots/a"));
        emptyRootB = Files.createDirectories(tmp.resolve("roots/b"));
    }

    /** A fake JDK home {@code dir} whose bin/java reports {@code version} and prints "FAKE:<tag> args...". */
    private Path fakeJdk(Path home, String version, String tag) throws IOException {
        Path bin = Files.createDirectories(home.resolve("bin"));
        Path java = bin.resolve("java");
        Files.writeString(java, """
                #!/bin/sh
                if [ "$1" = "-version" ]; then
                  echo 'openjdk version "%s" 2025-01-01' >&2
                  echo 'OpenJDK Runtime Environment (build %s)' >&2
                  exit 0
                fi
                echo "FAKE:%s $*"
                """.formatted(version, version, tag), StandardCharsets.UTF_8);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        return home;
    }

    private Result run(Map<String, String> env, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/bin/bash", SCRIPT.toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
        Map<String, String> e = pb.environment();
        e.clear();
        e.put("HOME", tmp.toString());
        e.put("KILN_SKIP_BUILD", "1");
        e.put("KILN_JDK_SEARCH_PATH", emptyRootA + ":" + emptyRootB);
        e.put("PATH", "/usr/bin:/bin");
        e.putAll(env);
        e.values().removeIf(v -> v == null);
        Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail("launcher did not finish in 60 s");
        }
        return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    }

    private static String read(java.io.InputStream in) {
        try { return new String(in.readAllBytes(), StandardCharsets.UTF_8); } catch (IOException e) { return e.toString(); }
    }

    private Map<String, String> env(String javaHome, Path pathBin) {
        Map<String, String> m = new HashMap<>();
        if (javaHome != null) m.put("JAVA_HOME", javaHome);
        m.put("PATH", (pathBin == null ? "" : pathBin + ":") + "/usr/bin:/bin");
        return m;
    }

    @Test
    void noJdk25ExitsTwoAndNamesEveryCandidate() throws Exception {
        Path home17 = fakeJdk(tmp.resolve("jdk17"), "17.0.2", "17-home");
        Path path17 = fakeJdk(tmp.resolve("path17"), "17.0.9", "17-path");
        fakeJdk(emptyRootB.resolve("jdk-21"), "21.0.4", "21-root");
        Result r = run(env(home17.toString(), path17.resolve("bin")), "--version");
        assertEquals(2, r.exit(), r.toString());
        assertEquals("", r.out(), "nothing may run when no JDK qualifies");
        assertTrue(r.err().contains("JDK 25 or newer"), r.err());
        assertTrue(r.err().contains("JAVA_HOME=" + home17) && r.err().contains("17.0.2"), r.err());
        assertTrue(r.err().contains(path17.resolve("bin/java").toString()) && r.err().contains("17.0.9"), r.err());
        assertTrue(r.err().contains("21.0.4"), r.err());
        assertTrue(r.err().contains(emptyRootA + ": no JDKs"), r.err());
        assertTrue(r.err().contains("export JAVA_HOME="), "must say how to fix it: " + r.err());
    }

    @Test
    void missingJavaHomeDirectoryIsReportedNotFatal() throws Exception {
        Path path25 = fakeJdk(tmp.resolve("path25"), "25.0.1", "25-path");
        Result r = run(env(tmp.resolve("nope").toString(), path25.resolve("bin")), "--version");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("FAKE:25-path "), r.out());
    }

    @Test
    void javaHomeWinsWhenItIsNewEnough() throws Exception {
        Path home25 = fakeJdk(tmp.resolve("home25"), "25", "25-home");
        Path path26 = fakeJdk(tmp.resolve("path26"), "26.0.1", "26-path");
        fakeJdk(emptyRootA.resolve("jdk-27"), "27.0.0", "27-root");
        Result r = run(env(home25.toString(), path26.resolve("bin")), "--version", "x y");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("FAKE:25-home "), r.out());
        // The CLI command line: JVM flags, the runtime classpath, the main class, then the user's args.
        assertTrue(r.out().contains("--add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED"), r.out());
        assertTrue(r.out().trim().endsWith("dev.kiln.runtime.cli.Main --version x y"), r.out());
    }

    @Test
    void pathIsNextWhenJavaHomeIsTooOld() throws Exception {
        Path home17 = fakeJdk(tmp.resolve("home17"), "17.0.2", "17-home");
        Path path25 = fakeJdk(tmp.resolve("path25"), "25.0.2", "25-path");
        fakeJdk(emptyRootA.resolve("jdk-27"), "27.0.0", "27-root");
        Result r = run(env(home17.toString(), path25.resolve("bin")), "--help");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("FAKE:25-path "), r.out());
    }

    @Test
    void searchRootsGiveTheNewest() throws Exception {
        Path path17 = fakeJdk(tmp.resolve("path17"), "17.0.2", "17-path");
        fakeJdk(emptyRootA.resolve("jdk-25.0.1"), "25.0.1", "25.0.1");
        fakeJdk(emptyRootA.resolve("jdk-26"), "26", "26");
        fakeJdk(emptyRootA.resolve("jdk-11"), "11.0.20", "11");
        fakeJdk(emptyRootB.resolve("jdk-25.0.9"), "25.0.9", "25.0.9");
        fakeJdk(emptyRootB.resolve("old-1.8"), "1.8.0_402", "8");
        Result r = run(env(null, path17.resolve("bin")), "--version");
        assertEquals(0, r.exit(), r.toString());
        assertTrue(r.out().startsWith("FAKE:26 "), r.out());
    }

    @Test
    void incubatorWarningIsFilteredButOtherStderrAndExitCodeSurvive() throws Exception {
        Path home = Files.createDirectories(tmp.resolve("noisy/bin"));
        Path java = home.resolve("java");
        Files.writeString(java, """
                #!/bin/sh
                if [ "$1" = "-version" ]; then echo 'openjdk version "25.0.1" 2025-10-21' >&2; exit 0; fi
                echo "WARNING: Using incubator modules: jdk.incubator.vector" >&2
                echo "out line"
                echo "kiln run: real problem" >&2
                exit 3
                """);
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Result r = run(env(home.getParent().toString(), null), "run", "m.onnx");
        assertEquals(3, r.exit(), r.toString());
        assertEquals("out line\n", r.out());
        assertEquals("kiln run: real problem\n", r.err());
    }

    /** The real thing, when the runtime jars exist (they do under `mvn verify`): help lists the commands, no warning. */
    @Test
    void realCliHelpWithTheRealJdk() throws Exception {
        assumeTrue(Files.isDirectory(ROOT.resolve("runtime/target")) && hasJar(), "runtime jars not built (run mvn package)");
        String home = System.getProperty("java.home");
        Result r = run(env(home, null), "--help");
        assertEquals(0, r.exit(), r.toString());
        for (String c : List.of("demo", "embed", "inspect", "run", "conformance", "bench", "tune", "compile", "test"))
            assertTrue(r.out().contains("\n  " + c + " "), "help lacks " + c + ": " + r.out());
        assertFalse(r.err().contains("incubator"), r.err());
        Result v = run(env(home, null), "--version");
        assertEquals(0, v.exit(), v.toString());
        assertTrue(v.out().startsWith("kiln "), v.out());
        assertEquals("", v.err());
    }

    private static boolean hasJar() throws IOException {
        try (var s = Files.list(ROOT.resolve("runtime/target"))) {
            return s.anyMatch(p -> p.getFileName().toString().matches("kiln-runtime-.*\\.jar"));
        }
    }
}
