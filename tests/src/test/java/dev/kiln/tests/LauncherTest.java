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

    // ------------------------------------------------------------------ build logic, with a fake Maven

    static final List<String> MODULES = List.of("tensor", "graph", "ops", "formats", "codegen", "runtime", "kernels-cuda", "kernels-hip");

    /**
     * A throwaway copy of the launcher in a fake repository (poms and src/main per module) with a fake {@code mvn}
     * that logs its arguments and JAVA_HOME and "builds" by creating the module jars, or fails when FAKE_MVN_FAIL
     * is set. Returns the fake repository root.
     */
    private Path fakeRepo() throws IOException {
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Files.copy(SCRIPT, repo.resolve("kiln"));
        Files.writeString(repo.resolve("pom.xml"), "<project/>");
        for (String m : MODULES) {
            Path src = Files.createDirectories(repo.resolve(m + "/src/main/java/x"));
            Files.writeString(src.resolve("A.java"), "class A {}");
            Files.writeString(repo.resolve(m + "/pom.xml"), "<project/>");
        }
        Path bin = Files.createDirectories(tmp.resolve("mvnbin"));
        Path mvn = bin.resolve("mvn");
        Files.writeString(mvn, """
                #!/bin/sh
                echo "mvn JAVA_HOME=$JAVA_HOME args=$*" >> "$FAKE_MVN_LOG"
                if [ -n "$FAKE_MVN_FAIL" ]; then echo "[ERROR] COMPILATION ERROR in A.java"; exit 1; fi
                for m in %s; do mkdir -p "$m/target"; : > "$m/target/kiln-$m-0.1.jar"; done
                """.formatted(String.join(" ", MODULES)));
        Files.setPosixFilePermissions(mvn, PosixFilePermissions.fromString("rwxr-xr-x"));
        return repo;
    }

    private Result runRepo(Path repo, Map<String, String> extra, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("/bin/bash", repo.resolve("kiln").toString()));
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(tmp.toFile());
        Map<String, String> e = pb.environment();
        e.clear();
        e.put("HOME", tmp.toString());
        e.put("KILN_JDK_SEARCH_PATH", emptyRootA.toString());
        e.put("PATH", tmp.resolve("mvnbin") + ":/usr/bin:/bin");
        e.put("FAKE_MVN_LOG", tmp.resolve("mvn.log").toString());
        e.putAll(extra);
        Process p = pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        if (!p.waitFor(60, TimeUnit.SECONDS)) { p.destroyForcibly(); fail("launcher did not finish in 60 s"); }
        return new Result(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    }

    private List<String> mvnCalls() throws IOException {
        Path log = tmp.resolve("mvn.log");
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    @Test
    void buildsOnceThenOnlyWhenSourcesChange() throws Exception {
        Path repo = fakeRepo();
        Path jdk = fakeJdk(tmp.resolve("jdk25"), "25.0.1", "25");
        Map<String, String> env = Map.of("JAVA_HOME", jdk.toString());

        Result first = runRepo(repo, env, "--version");
        assertEquals(0, first.exit(), first.toString());
        assertTrue(first.err().contains("kiln: building (first run"), first.err());
        assertTrue(first.out().startsWith("FAKE:25 "), first.out());
        for (String m : MODULES) assertTrue(first.out().contains("/" + m + "/target/kiln-" + m + "-0.1.jar"), "classpath lacks " + m + ": " + first.out());
        assertEquals(1, mvnCalls().size(), mvnCalls().toString());
        assertTrue(mvnCalls().get(0).contains("JAVA_HOME=" + jdk), "Maven must run on the JDK found: " + mvnCalls());
        assertTrue(mvnCalls().get(0).contains("package"), mvnCalls().toString());

        Result second = runRepo(repo, env, "--version");
        assertEquals(0, second.exit(), second.toString());
        assertEquals("", second.err(), "an up-to-date tree builds nothing and says nothing");
        assertEquals(1, mvnCalls().size(), "no second build: " + mvnCalls());

        // A source newer than the stamp triggers exactly one rebuild.
        Path src = repo.resolve("ops/src/main/java/x/A.java");
        Files.setLastModifiedTime(src, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() + 5000));
        Result third = runRepo(repo, env, "--version");
        assertEquals(0, third.exit(), third.toString());
        assertTrue(third.err().contains("kiln: rebuilding"), third.err());
        assertEquals(2, mvnCalls().size(), mvnCalls().toString());

        // A missing jar also does.
        Files.delete(repo.resolve("kernels-hip/target/kiln-kernels-hip-0.1.jar"));
        Files.setLastModifiedTime(src, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 60_000));
        assertEquals(0, runRepo(repo, env, "--version").exit());
        assertEquals(3, mvnCalls().size(), mvnCalls().toString());
    }

    @Test
    void failedBuildShowsTheLogAndKeepsIt() throws Exception {
        Path repo = fakeRepo();
        Path jdk = fakeJdk(tmp.resolve("jdk25"), "25.0.1", "25");
        Result r = runRepo(repo, Map.of("JAVA_HOME", jdk.toString(), "FAKE_MVN_FAIL", "1"), "demo");
        assertNotEquals(0, r.exit(), r.toString());
        assertEquals("", r.out(), "the CLI must not start after a failed build");
        assertTrue(r.err().contains("COMPILATION ERROR in A.java"), "full log on failure: " + r.err());
        assertTrue(r.err().contains(".kiln-build.log"), r.err());
        assertTrue(Files.readString(repo.resolve(".kiln-build.log")).contains("COMPILATION ERROR"));
        // Nothing was stamped, so the next run tries again.
        assertEquals(0, runRepo(repo, Map.of("JAVA_HOME", jdk.toString()), "demo").exit());
        assertEquals(2, mvnCalls().size(), mvnCalls().toString());
    }

    @Test
    void testSubcommandRunsMavenVerifyWithExtraArgs() throws Exception {
        Path repo = fakeRepo();
        Path jdk = fakeJdk(tmp.resolve("jdk25"), "25.0.1", "25");
        Result r = runRepo(repo, Map.of("JAVA_HOME", jdk.toString()), "test", "-pl", "tensor", "-Dtest=X");
        assertEquals(0, r.exit(), r.toString());
        assertEquals(1, mvnCalls().size(), mvnCalls().toString());
        assertTrue(mvnCalls().get(0).endsWith("args=-B verify -pl tensor -Dtest=X"), mvnCalls().toString());
        assertTrue(mvnCalls().get(0).contains("JAVA_HOME=" + jdk), mvnCalls().toString());
        assertFalse(r.out().contains("FAKE:"), "kiln test must not start the CLI");
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
