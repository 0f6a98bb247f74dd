package dev.kiln.formats.onnx;

import dev.kiln.formats.onnx.Msg.AttrMsg;
import dev.kiln.formats.onnx.Msg.FunctionMsg;
import dev.kiln.formats.onnx.Msg.GraphMsg;
import dev.kiln.formats.onnx.Msg.NodeMsg;
import dev.kiln.formats.onnx.Msg.TensorMsg;
import dev.kiln.formats.onnx.Msg.ValueInfoMsg;
import dev.kiln.graph.ModelFormatException;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Inlines model-local functions (ModelProto.functions) into the calling graphs before the IR is built, so the rest
 * of Kiln only ever sees primitive ops. A call's body is copied with every internal name made unique, formal
 * inputs/outputs bound to the call's actual names, and {@code ref_attr_name} attributes replaced by the caller's
 * attribute (or the function's default, or dropped when neither exists, as the ONNX spec says).
 */
final class FunctionInliner {
    /** Bound on nested calls: a function that (indirectly) calls itself would otherwise expand forever. */
    private static final int MAX_DEPTH = 64;
    /** Bound on nodes created by inlining: functions calling each other twice per level grow exponentially. */
    static final int MAX_INLINED_NODES = 2_000_000;

    private final Map<String, FunctionMsg> functions = new HashMap<>();
    private final String source;
    /** A marker no name in the model contains, so generated names cannot collide with the file's names. */
    private final String base;
    private int counter;
    private long created;

    FunctionInliner(List<FunctionMsg> fns, String source, Set<String> usedNames) {
        this.source = source;
        String b = "_kiln";
        while (containsAny(usedNames, b)) b += "_";
        this.base = b;
        for (FunctionMsg f : fns) {
            String k = key(f.domain, f.name, f.overload);
            if (functions.putIfAbsent(k, f) != null)
                throw new ModelFormatException(source + ": function " + describe(f) + " is defined twice");
        }
    }

    private static String key(String domain, String name, String overload) {
        return (domain.equals("ai.onnx") ? "" : domain) + "\u0000" + name + "\u0000" + overload;
    }

    private static String describe(FunctionMsg f) {
        return (f.domain.isEmpty() ? "" : f.domain + ".") + f.name + (f.overload.isEmpty() ? "" : ":" + f.overload);
    }

    boolean isEmpty() { return functions.isEmpty(); }

    /** Inlines every call in {@code g} and its subgraphs, in place. */
    void inline(GraphMsg g) {
        // Size the expansion first, so recursion and exponential blow-up fail fast instead of after the work.
        long total = expandedSize(g.nodes, new HashMap<>(), new java.util.HashSet<>());
        if (total > MAX_INLINED_NODES)
            throw new ModelFormatException(source + ": inlining model-local functions would create " + total
                    + " nodes (limit " + MAX_INLINED_NODES + ")");
        inline(g, 0);
    }

    /** Primitive nodes after inlining, saturating at Long.MAX_VALUE; fails on recursive functions. */
    private long expandedSize(List<NodeMsg> nodes, Map<FunctionMsg, Long> memo, Set<FunctionMsg> visiting) {
        long n = 0;
        for (NodeMsg node : nodes) {
            for (AttrMsg a : node.attributes) {
                if (a.g != null) n = sat(n, expandedSize(a.g.nodes, memo, visiting));
                for (GraphMsg sub : a.graphs) n = sat(n, expandedSize(sub.nodes, memo, visiting));
            }
            FunctionMsg f = functions.get(key(node.domain, node.opType, node.overload));
            if (f == null) { n = sat(n, 1); continue; }
            Long known = memo.get(f);
            if (known == null) {
                if (!visiting.add(f))
                    throw new ModelFormatException(source + ": function " + describe(f) + " calls itself (at node '" + node.name + "')");
                if (visiting.size() > MAX_DEPTH)
                    throw new ModelFormatException(source + ": function calls nest deeper than " + MAX_DEPTH);
                known = expandedSize(f.nodes, memo, visiting);
                visiting.remove(f);
                memo.put(f, known);
            }
            n = sat(n, known);
        }
        return n;
    }

    private static long sat(long a, long b) {
        long r = a + b;
        return r < 0 ? Long.MAX_VALUE : r;
    }

    private void inline(GraphMsg g, int depth) {
        List<NodeMsg> out = new ArrayList<>(g.nodes.size());
        for (NodeMsg n : g.nodes) expand(n, out, depth);
        g.nodes.clear();
        g.nodes.addAll(out);
    }

    private void expand(NodeMsg n, List<NodeMsg> out, int depth) {
        for (AttrMsg a : n.attributes) {
            if (a.g != null) inline(a.g, depth);
            for (GraphMsg sub : a.graphs) inline(sub, depth);
        }
        FunctionMsg f = functions.get(key(n.domain, n.opType, n.overload));
        if (f == null) { out.add(n); return; }
        if (depth >= MAX_DEPTH)
            throw new ModelFormatException(source + ": function " + describe(f) + " calls itself (nesting deeper than " + MAX_DEPTH + ") at node '" + n.name + "'");
        if (n.inputs.size() > f.inputs.size() || n.outputs.size() > f.outputs.size())
            throw new ModelFormatException(source + ": node '" + n.name + "' calls function " + describe(f) + " with "
                    + n.inputs.size() + " inputs/" + n.outputs.size() + " outputs, the function declares "
                    + f.inputs.size() + "/" + f.outputs.size());
        String prefix = uniquePrefix(f.name);
        Map<String, String> bind = new HashMap<>();
        for (int i = 0; i < f.inputs.size(); i++) bind.put(f.inputs.get(i), i < n.inputs.size() ? n.inputs.get(i) : "");
        for (int i = 0; i < f.outputs.size(); i++) {
            String actual = i < n.outputs.size() ? n.outputs.get(i) : "";
            // An output the caller does not want may still feed other body nodes: keep it under an internal name.
            bind.put(f.outputs.get(i), actual.isEmpty() ? prefix + f.outputs.get(i) : actual);
        }
        UnaryOperator<String> rename = name -> name.isEmpty() ? "" : bind.getOrDefault(name, prefix + name);
        Map<String, AttrMsg> callAttrs = new HashMap<>();
        for (AttrMsg a : f.attributeDefaults) callAttrs.put(a.name, a);
        for (AttrMsg a : n.attributes) callAttrs.put(a.name, a);
        List<NodeMsg> body = new ArrayList<>();
        created += f.nodes.size();
        if (created > MAX_INLINED_NODES)
            throw new ModelFormatException(source + ": inlining function " + describe(f) + " at node '" + n.name
                    + "' would create more than " + MAX_INLINED_NODES + " nodes");
        for (NodeMsg b : f.nodes) body.add(copyNode(b, rename, callAttrs, prefix));
        for (NodeMsg b : body) expand(b, out, depth + 1);
    }

    private static boolean containsAny(Set<String> names, String marker) {
        for (String u : names) if (u.contains(marker)) return true;
        return false;
    }

    private String uniquePrefix(String fn) {
        return fn + base + (counter++) + "__";
    }

    private NodeMsg copyNode(NodeMsg b, UnaryOperator<String> rename, Map<String, AttrMsg> callAttrs, String prefix) {
        NodeMsg c = new NodeMsg();
        c.name = prefix + b.name;
        c.opType = b.opType;
        c.domain = b.domain;
        c.overload = b.overload;
        for (String s : b.inputs) c.inputs.add(rename.apply(s));
        for (String s : b.outputs) c.outputs.add(rename.apply(s));
        for (AttrMsg a : b.attributes) {
            AttrMsg r = copyAttr(a, rename, callAttrs, prefix);
            if (r != null) c.attributes.add(r);
        }
        return c;
    }

    private AttrMsg copyAttr(AttrMsg a, UnaryOperator<String> rename, Map<String, AttrMsg> callAttrs, String prefix) {
        if (!a.refAttrName.isEmpty()) {
            AttrMsg v = callAttrs.get(a.refAttrName);
            return v == null ? null : v.copyNamed(a.name);
        }
        if (a.g == null && a.graphs.isEmpty()) return a;
        AttrMsg c = a.copyNamed(a.name);
        if (a.g != null) c.g = copyGraph(a.g, rename, callAttrs, prefix);
        c.graphs = new ArrayList<>();
        for (GraphMsg sub : a.graphs) c.graphs.add(copyGraph(sub, rename, callAttrs, prefix));
        return c;
    }

    /** Function bodies are closed, so every name inside a nested graph can be renamed with the same rule. */
    private GraphMsg copyGraph(GraphMsg g, UnaryOperator<String> rename, Map<String, AttrMsg> callAttrs, String prefix) {
        GraphMsg c = new GraphMsg();
        c.name = g.name;
        c.sparseInitializers = g.sparseInitializers;
        for (NodeMsg n : g.nodes) c.nodes.add(copyNode(n, rename, callAttrs, prefix));
        for (TensorMsg t : g.initializers) c.initializers.add(t.renamed(rename.apply(t.name)));
        copyInfos(g.inputs, c.inputs, rename);
        copyInfos(g.outputs, c.outputs, rename);
        copyInfos(g.valueInfo, c.valueInfo, rename);
        return c;
    }

    private static void copyInfos(List<ValueInfoMsg> from, List<ValueInfoMsg> to, UnaryOperator<String> rename) {
        for (ValueInfoMsg v : from) {
            ValueInfoMsg c = new ValueInfoMsg();
            c.name = rename.apply(v.name);
            c.type = v.type;
            c.hasType = v.hasType;
            to.add(c);
        }
    }
}
