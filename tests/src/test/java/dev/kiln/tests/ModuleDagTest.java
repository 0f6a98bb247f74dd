package dev.kiln.tests;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Guards the module DAG {@code tensor <- graph <- ops <- {formats, codegen} <- runtime <- {kernels-cuda, kernels-hip}},
 * with {@code tests} and {@code bench} on top, and the rule that runtime jars carry no third-party dependencies.
 * The checker reads the poms as declared (not Maven's resolved model), because a declared edge is the mistake
 * we want to catch before it spreads; the unit tests below prove it rejects bad poms.
 */
class ModuleDagTest {
    /** Direct allowed dependencies per module; a module may depend on anything reachable from here. */
    static final Map<String, Set<String>> ALLOWED = new LinkedHashMap<>();
    static {
        ALLOWED.put("tensor", Set.of());
        ALLOWED.put("graph", Set.of("tensor"));
        ALLOWED.put("ops", Set.of("graph"));
        ALLOWED.put("formats", Set.of("ops"));
        ALLOWED.put("codegen", Set.of("ops"));
        ALLOWED.put("runtime", Set.of("formats", "codegen"));
        ALLOWED.put("kernels-cuda", Set.of("runtime"));
        ALLOWED.put("kernels-hip", Set.of("runtime"));
        ALLOWED.put("tests", Set.of("runtime", "kernels-cuda", "kernels-hip"));
        ALLOWED.put("bench", Set.of("runtime", "kernels-cuda", "kernels-hip"));
    }
    /** Modules whose jars ship; they may not declare non-test third-party dependencies. */
    static final Set<String> TOP_LEVEL = Set.of("tests", "bench");

    record Dep(String groupId, String artifactId, String scope) {}
    record Pom(String artifactId, List<String> modules, List<Dep> dependencies, Map<String, String> managedScopes) {}

    // ------------------------------------------------------------------ the real repository

    @Test
    void repositoryPomsRespectTheDag() throws Exception {
        Path root = Path.of(System.getProperty("kiln.root", ".."));
        Path rootPom = root.resolve("pom.xml");
        assertTrue(Files.isRegularFile(rootPom), "kiln.root does not point at the repository: " + root.toAbsolutePath());
        Map<String, String> poms = new LinkedHashMap<>();
        poms.put("", Files.readString(rootPom));
        for (String m : parse(poms.get("")).modules()) poms.put(m, Files.readString(root.resolve(m).resolve("pom.xml")));
        assertEquals(ALLOWED.keySet(), new LinkedHashSet<>(parse(poms.get("")).modules()),
                "root pom modules differ from the DAG this test knows; place new modules in ALLOWED first");
        List<String> violations = check(poms);
        assertTrue(violations.isEmpty(), "module DAG violations:\n  " + String.join("\n  ", violations));
    }

    // ------------------------------------------------------------------ the checker can fail

    @Test
    void runtimeDependingOnAKernelModuleIsRejected() {
        Map<String, String> poms = minimalRepo();
        poms.put("runtime", pom("kiln-runtime", dep("dev.kiln", "kiln-formats", null), dep("dev.kiln", "kiln-kernels-cuda", null)));
        List<String> v = check(poms);
        assertEquals(1, v.size(), v.toString());
        assertTrue(v.get(0).contains("runtime -> kernels-cuda"), v.get(0));
    }

    @Test
    void siblingAndUpwardEdgesAreRejected() {
        Map<String, String> poms = minimalRepo();
        poms.put("formats", pom("kiln-formats", dep("dev.kiln", "kiln-codegen", null)));
        poms.put("tensor", pom("kiln-tensor", dep("dev.kiln", "kiln-graph", null)));
        poms.put("kernels-hip", pom("kiln-kernels-hip", dep("dev.kiln", "kiln-kernels-cuda", null)));
        poms.put("tests", pom("kiln-tests", dep("dev.kiln", "kiln-bench", "test")));
        List<String> v = check(poms);
        assertEquals(4, v.size(), v.toString());
        assertTrue(v.stream().anyMatch(s -> s.contains("formats -> codegen")), v.toString());
        assertTrue(v.stream().anyMatch(s -> s.contains("tensor -> graph")), v.toString());
        assertTrue(v.stream().anyMatch(s -> s.contains("kernels-hip -> kernels-cuda")), v.toString());
        assertTrue(v.stream().anyMatch(s -> s.contains("tests -> bench")), v.toString());
    }

    @Test
    void transitiveShortcutsAreAllowed() {
        Map<String, String> poms = minimalRepo();
        poms.put("runtime", pom("kiln-runtime", dep("dev.kiln", "kiln-formats", null), dep("dev.kiln", "kiln-tensor", null)));
        assertEquals(List.of(), check(poms));
    }

    @Test
    void unknownKilnModuleIsRejected() {
        Map<String, String> poms = minimalRepo();
        poms.put("ops", pom("kiln-ops", dep("dev.kiln", "kiln-graph", null), dep("dev.kiln", "kiln-magic", null)));
        List<String> v = check(poms);
        assertEquals(1, v.size(), v.toString());
        assertTrue(v.get(0).contains("kiln-magic"), v.get(0));
    }

    @Test
    void thirdPartyDependenciesOnlyInTestScopeOrOnTop() {
        Map<String, String> poms = minimalRepo();
        poms.put("tensor", pom("kiln-tensor", dep("com.google.guava", "guava", null), dep("org.example", "fine", "test")));
        poms.put("graph", pom("kiln-graph", dep("dev.kiln", "kiln-tensor", null), dep("org.example", "prov", "provided")));
        poms.put("bench", pom("kiln-bench", dep("dev.kiln", "kiln-runtime", null), dep("org.openjdk.jmh", "jmh-core", null)));
        List<String> v = check(poms);
        assertEquals(2, v.size(), v.toString());
        assertTrue(v.stream().anyMatch(s -> s.contains("tensor") && s.contains("com.google.guava:guava")), v.toString());
        assertTrue(v.stream().anyMatch(s -> s.contains("graph") && s.contains("org.example:prov")), v.toString());
    }

    @Test
    void scopeInheritedFromDependencyManagementCounts() {
        Map<String, String> poms = minimalRepo();
        // Root manages junit as test scope: declaring it without a scope in ops is still test-only.
        poms.put("", rootPom("<dependencyManagement><dependencies>"
                + "<dependency><groupId>org.junit</groupId><artifactId>junit</artifactId><scope>test</scope></dependency>"
                + "</dependencies></dependencyManagement>"
                + "<dependencies><dependency><groupId>org.leak</groupId><artifactId>leak</artifactId></dependency></dependencies>"));
        poms.put("ops", pom("kiln-ops", dep("dev.kiln", "kiln-graph", null), dep("org.junit", "junit", null)));
        List<String> v = check(poms);
        // The root's own compile-scope dependency is inherited by every module, so it is reported once, at the root.
        assertEquals(1, v.size(), v.toString());
        assertTrue(v.get(0).contains("org.leak:leak"), v.get(0));
    }

    // ------------------------------------------------------------------ checker

    /** Violations over {@code poms}: module name -> pom text; "" is the root (parent) pom. */
    static List<String> check(Map<String, String> poms) {
        List<String> out = new ArrayList<>();
        Pom root = parse(poms.get(""));
        Map<String, String> artifactToModule = new HashMap<>();
        for (String m : ALLOWED.keySet()) artifactToModule.put("kiln-" + m, m);
        for (Dep d : root.dependencies()) {
            String scope = effectiveScope(d, root.managedScopes());
            if (!d.groupId().equals("dev.kiln") && !scope.equals("test"))
                out.add("root pom: " + d.groupId() + ":" + d.artifactId() + " in scope " + scope
                        + " is inherited by every runtime module (third-party dependencies must be test-scoped)");
        }
        for (var e : poms.entrySet()) {
            String module = e.getKey();
            if (module.isEmpty()) continue;
            if (!ALLOWED.containsKey(module)) { out.add(module + ": module is not part of the DAG"); continue; }
            Set<String> reachable = reachable(module);
            Pom pom = parse(e.getValue());
            for (Dep d : pom.dependencies()) {
                String scope = effectiveScope(d, mergedScopes(root, pom));
                if (d.groupId().equals("dev.kiln")) {
                    String target = artifactToModule.get(d.artifactId());
                    if (target == null) out.add(module + ": depends on unknown Kiln artifact " + d.artifactId());
                    else if (!reachable.contains(target))
                        out.add(module + " -> " + target + ": not allowed by the DAG (" + module + " may use " + sorted(reachable) + ")");
                } else if (!TOP_LEVEL.contains(module) && !scope.equals("test")) {
                    out.add(module + ": third-party dependency " + d.groupId() + ":" + d.artifactId() + " in scope " + scope
                            + " (runtime jars must have zero third-party dependencies)");
                }
            }
        }
        return out;
    }

    private static Set<String> reachable(String module) {
        Set<String> seen = new LinkedHashSet<>();
        ArrayDeque<String> work = new ArrayDeque<>(ALLOWED.get(module));
        while (!work.isEmpty()) {
            String m = work.pop();
            if (seen.add(m)) work.addAll(ALLOWED.get(m));
        }
        return seen;
    }

    private static List<String> sorted(Set<String> s) { return s.stream().sorted().toList(); }

    private static Map<String, String> mergedScopes(Pom root, Pom pom) {
        Map<String, String> m = new HashMap<>(root.managedScopes());
        m.putAll(pom.managedScopes());
        return m;
    }

    private static String effectiveScope(Dep d, Map<String, String> managed) {
        if (d.scope() != null) return d.scope();
        return managed.getOrDefault(d.groupId() + ":" + d.artifactId(), "compile");
    }

    static Pom parse(String xml) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/disallow-doctype-decl", true);
            Document doc = f.newDocumentBuilder().parse(new ByteArrayInputStream(xml.getBytes(StandardCharsets.UTF_8)));
            Element project = doc.getDocumentElement();
            String artifactId = text(child(project, "artifactId"));
            List<String> modules = new ArrayList<>();
            Element mods = child(project, "modules");
            if (mods != null) for (Element m : children(mods, "module")) modules.add(text(m));
            List<Dep> deps = deps(child(project, "dependencies"));
            Map<String, String> managed = new HashMap<>();
            Element dm = child(project, "dependencyManagement");
            if (dm != null) for (Dep d : deps(child(dm, "dependencies"))) if (d.scope() != null) managed.put(d.groupId() + ":" + d.artifactId(), d.scope());
            return new Pom(artifactId, modules, deps, managed);
        } catch (Exception e) {
            throw new IllegalArgumentException("unreadable pom: " + e.getMessage(), e);
        }
    }

    private static List<Dep> deps(Element dependencies) {
        List<Dep> out = new ArrayList<>();
        if (dependencies == null) return out;
        for (Element d : children(dependencies, "dependency"))
            out.add(new Dep(text(child(d, "groupId")), text(child(d, "artifactId")), text(child(d, "scope"))));
        return out;
    }

    private static Element child(Element parent, String name) {
        List<Element> c = children(parent, name);
        return c.isEmpty() ? null : c.get(0);
    }

    private static List<Element> children(Element parent, String name) {
        List<Element> out = new ArrayList<>();
        for (Node n = parent.getFirstChild(); n != null; n = n.getNextSibling())
            if (n instanceof Element e && (name.equals(e.getLocalName()) || name.equals(e.getTagName()))) out.add(e);
        return out;
    }

    private static String text(Element e) { return e == null ? null : e.getTextContent().trim(); }

    // ------------------------------------------------------------------ fixtures

    private static String dep(String g, String a, String scope) {
        return "<dependency><groupId>" + g + "</groupId><artifactId>" + a + "</artifactId>"
                + (scope == null ? "" : "<scope>" + scope + "</scope>") + "</dependency>";
    }

    private static String pom(String artifactId, String... deps) {
        return "<project><artifactId>" + artifactId + "</artifactId><dependencies>" + String.join("", deps) + "</dependencies></project>";
    }

    private static String rootPom(String extra) {
        StringBuilder sb = new StringBuilder("<project><artifactId>kiln-parent</artifactId><modules>");
        for (String m : ALLOWED.keySet()) sb.append("<module>").append(m).append("</module>");
        return sb.append("</modules>").append(extra).append("</project>").toString();
    }

    /** A repository that satisfies every rule; tests break one pom at a time. */
    private static Map<String, String> minimalRepo() {
        Map<String, String> poms = new LinkedHashMap<>();
        poms.put("", rootPom("<dependencies>" + dep("org.junit.jupiter", "junit-jupiter", "test") + "</dependencies>"));
        for (var e : ALLOWED.entrySet()) {
            String[] deps = e.getValue().stream().map(t -> dep("dev.kiln", "kiln-" + t, null)).toArray(String[]::new);
            poms.put(e.getKey(), pom("kiln-" + e.getKey(), deps));
        }
        return poms;
    }
}
