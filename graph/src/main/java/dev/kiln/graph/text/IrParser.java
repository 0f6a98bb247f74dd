package dev.kiln.graph.text;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Dim;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.ValueType;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the text {@link IrPrinter} writes back into a {@link Graph}, so pass tests can be written as Before /
 * Expected IR text (TVM style) and dumps can be reloaded. The grammar is exactly the printer's:
 *
 * <pre>
 * graph NAME [opset(ai.onnx=17, dom=1)] {
 *   input %x:float32[N,4]
 *   input+init %d:float32[1]
 *   init %w:float32[2]{1.0, 2.0}
 *   %y:float32[N,4], _ = dom.Op[attr=1, f=0.5, s="a", t=float32[2]{1.0, 2.0}](%x, _, %w)  # node name
 *     body:
 *       graph NAME { ... }
 *   return %y:float32[N,4]
 * }
 * </pre>
 *
 * Where the printed text is ambiguous the parser picks the common reading and says so here: an empty list
 * attribute ({@code []}) reads as INTS; a tensor-typed attribute without values reads as a TENSOR when it has more
 * elements than the printer inlines, else as a TYPE; a graph attribute printed once reads as GRAPH, repeated as
 * GRAPHS. Tensors the printer showed only by type (large initializers, input+init defaults) have no data in the
 * text: they parse as zeros only with {@link Options#zeroFillElided()}, else the parser reports them.
 */
public final class IrParser {
    /** Tensors with at most this many elements are printed with their values (mirrors the printer). */
    static final int INLINE_ELEMENTS = 8;
    /** Zero-filled stand-ins larger than this are refused: the text must not make us allocate without bound. */
    static final long MAX_ZERO_FILL_BYTES = 1L << 30;

    /** @param zeroFillElided let tensors printed only by type parse as zero-filled tensors of that type */
    public record Options(boolean zeroFillElided) {
        public static final Options STRICT = new Options(false);
        public static final Options ZERO_FILL = new Options(true);
    }

    private final List<String> lines;
    private final Options options;
    private int next;   // index of the next unread line

    private IrParser(String text, Options options) {
        this.lines = List.of(text.split("\r?\n", -1));
        this.options = options;
    }

    public static Graph parse(String text) { return parse(text, Options.STRICT); }

    public static Graph parse(String text, Options options) {
        IrParser p = new IrParser(text, options);
        IrCursor header = p.nextLine();
        if (header == null) throw new IrParseException(1, 1, "empty IR text: expected 'graph NAME {'", null);
        Graph g = p.graph(header, null, new LinkedHashMap<>());
        IrCursor extra = p.nextLine();
        if (extra != null) throw extra.error("text after the end of the top-level graph");
        return g;
    }

    /** Name -> value of one graph, chained to the enclosing graph's for outer-scope reads. */
    private record Scope(Scope parent, Map<String, Value> names) {
        Value lookup(String n) {
            for (Scope s = this; s != null; s = s.parent) {
                Value v = s.names.get(n);
                if (v != null) return v;
            }
            return null;
        }
    }

    /** The next non-blank, non-comment line, positioned after its indentation; null at the end. */
    private IrCursor nextLine() {
        while (next < lines.size()) {
            String l = lines.get(next++);
            String t = l.strip();
            if (t.isEmpty() || t.startsWith("#")) continue;
            IrCursor c = new IrCursor(l, next, 0);
            c.skipSpaces();
            return c;
        }
        return null;
    }

    private IrCursor peekLine() {
        int save = next;
        IrCursor c = nextLine();
        next = save;
        return c;
    }

    // ------------------------------------------------------------------ graphs

    private Graph graph(IrCursor c, Scope outer, Map<String, Integer> inheritedOpsets) {
        c.expect("graph ");
        String rest = c.line.substring(c.pos).stripTrailing();
        if (!rest.endsWith("{")) { c.pos = c.line.stripTrailing().length(); throw c.error("expected '{' at the end of the graph header"); }
        rest = rest.substring(0, rest.length() - 1).stripTrailing();
        Map<String, Integer> opsets = new LinkedHashMap<>(inheritedOpsets);
        int op = rest.lastIndexOf(" opset(");
        if (op >= 0 && rest.endsWith(")")) {
            if (outer != null) throw c.error("only the top-level graph declares opsets");
            opsets.clear();
            IrCursor oc = new IrCursor(c.line, c.lineNo, c.pos + op + " opset(".length());
            opsets(oc, opsets);
            rest = rest.substring(0, op);
        }
        String name = rest.equals("<unnamed>") ? "" : rest;
        Graph g = new Graph(name);
        g.opsetImports().putAll(opsets);
        Scope scope = new Scope(outer, new HashMap<>());
        while (true) {
            IrCursor l = nextLine();
            if (l == null) throw new IrParseException(lines.size(), 1, "graph '" + rest + "' (line " + c.lineNo + ") is not closed: expected 'return' and '}'", null);
            if (l.startsWith("input+init ")) { l.pos += "input+init ".length(); input(l, g, scope, true); }
            else if (l.startsWith("input ")) { l.pos += "input ".length(); input(l, g, scope, false); }
            else if (l.startsWith("init ")) { l.pos += "init ".length(); initializer(l, g, scope); }
            else if (l.startsWith("return")) { l.pos += "return".length(); returns(l, g, scope); break; }
            else if (l.startsWith("}")) throw l.error("graph ends without a 'return' line");
            else node(l, g, scope);
        }
        IrCursor close = nextLine();
        if (close == null || !close.line.strip().equals("}"))
            throw close == null ? new IrParseException(lines.size(), 1, "expected '}' after 'return'", null) : close.error("expected '}' after 'return'");
        return g;
    }

    private static void opsets(IrCursor c, Map<String, Integer> out) {
        while (true) {
            c.skipSpaces();
            String dom = c.word();
            c.expect('=');
            int at = c.pos;
            long v = c.parseLong(c.number(), at);
            out.put(dom.equals("ai.onnx") ? "" : dom, (int) v);
            if (c.accept(")")) return;
            c.expect(',');
        }
    }

    private void input(IrCursor c, Graph g, Scope scope, boolean alsoInit) {
        Value v = define(c, scope);
        g.inputs().add(v);
        if (alsoInit) {
            // The printer shows an input's default only by type.
            v.setConstant(elided(c, v.type(), "input+init %" + v.name()));
            g.initializers().add(v);
        }
        endOfLine(c);
    }

    private void initializer(IrCursor c, Graph g, Scope scope) {
        Value v = define(c, scope);
        c.skipSpaces();
        if (c.accept("=")) {
            c.skipSpaces();
            int at = c.pos;
            ValueType t = type(c);
            Tensor data = tensorBody(c, t, at, "init %" + v.name());
            v.setConstant(data);
        }
        g.initializers().add(v);
        endOfLine(c);
    }

    private static void returns(IrCursor c, Graph g, Scope scope) {
        c.skipSpaces();
        if (c.atEnd()) return;
        while (true) {
            c.expect('%');
            int at = c.pos;
            String[] nt = splitNameType(c, c.name());
            Value v = scope.lookup(nt[0]);
            if (v == null) { c.pos = at; throw c.error("graph output %" + nt[0] + " is never defined"); }
            typeAfterKeyword(c, nt[1], at);
            g.outputs().add(v);
            c.skipSpaces();
            if (c.atEnd()) return;
            c.expect(',');
            c.skipSpaces();
        }
    }

    // ------------------------------------------------------------------ nodes

    private void node(IrCursor c, Graph g, Scope scope) {
        List<Value> outs = new ArrayList<>();
        List<Integer> outCols = new ArrayList<>();
        if (c.peek() == '%' || (c.peek() == '_' && outputListFollows(c))) {
            while (true) {
                outCols.add(c.pos);
                if (c.accept("_")) outs.add(null);
                else outs.add(undefinedValue(c));
                c.skipSpaces();
                if (c.accept("=")) break;
                c.expect(',');
                c.skipSpaces();
            }
            c.skipSpaces();
        }
        int opAt = c.pos;
        String op = c.word();
        int dot = op.lastIndexOf('.');
        String domain = dot < 0 ? "" : op.substring(0, dot);
        String opType = dot < 0 ? op : op.substring(dot + 1);
        if (opType.isEmpty()) { c.pos = opAt; throw c.error("expected an op type"); }
        Map<String, Attribute> attrs = new LinkedHashMap<>();
        if (c.accept("[")) attributes(c, attrs);
        List<Value> ins = new ArrayList<>();
        c.expect('(');
        c.skipSpaces();
        if (!c.accept(")")) {
            while (true) {
                c.skipSpaces();
                if (c.accept("_")) ins.add(null);
                else {
                    c.expect('%');
                    int at = c.pos;
                    String n = c.name();
                    Value v = scope.lookup(n);
                    if (v == null) { c.pos = at; throw c.error("%" + n + " is read before it is defined"); }
                    ins.add(v);
                }
                c.skipSpaces();
                if (c.accept(")")) break;
                c.expect(',');
            }
        }
        String nodeName = "";
        c.skipSpaces();
        if (c.accept("#")) nodeName = c.line.substring(c.pos).strip();
        else endOfLine(c);
        // Outputs become visible only after the node (a node cannot read its own outputs).
        for (int i = 0; i < outs.size(); i++) {
            Value v = outs.get(i);
            if (v == null) continue;
            if (scope.names.containsKey(v.name())) {
                IrCursor at = new IrCursor(c.line, c.lineNo, outCols.get(i));
                throw at.error("%" + v.name() + " is defined twice");
            }
            scope.names.put(v.name(), v);
        }
        Node n = new Node(nodeName, domain, opType, ins, outs, attrs);
        g.addNode(n);
        subgraphs(n, g, scope);
    }

    /** A leading '_' is an absent output only when ',' or '=' follows; otherwise it starts an op name. */
    private static boolean outputListFollows(IrCursor c) {
        int p = c.pos + 1;
        while (p < c.line.length() && c.line.charAt(p) == ' ') p++;
        return p < c.line.length() && (c.line.charAt(p) == ',' || c.line.charAt(p) == '=');
    }

    /** {@code attr:} lines, each followed by a nested graph, attach GRAPH (or repeated: GRAPHS) attributes. */
    private void subgraphs(Node n, Graph g, Scope scope) {
        Map<String, List<Graph>> found = new LinkedHashMap<>();
        while (true) {
            IrCursor l = peekLine();
            if (l == null) break;
            String t = l.line.strip();
            if (!t.endsWith(":") || !t.substring(0, t.length() - 1).matches("[A-Za-z_][A-Za-z0-9_]*")) break;
            nextLine();
            IrCursor header = nextLine();
            if (header == null || !header.startsWith("graph ")) {
                IrCursor at = header == null ? l : header;
                throw at.error("expected a nested 'graph NAME {' after '" + t + "'");
            }
            found.computeIfAbsent(t.substring(0, t.length() - 1), k -> new ArrayList<>())
                    .add(graph(header, scope, g.opsetImports()));
        }
        for (Map.Entry<String, List<Graph>> e : found.entrySet()) {
            List<Graph> gs = e.getValue();
            n.setAttribute(gs.size() == 1 ? Attribute.of(e.getKey(), gs.get(0))
                    : new Attribute(e.getKey(), Attribute.Kind.GRAPHS, gs.toArray(new Graph[0])));
        }
    }

    private void attributes(IrCursor c, Map<String, Attribute> out) {
        while (true) {
            c.skipSpaces();
            int at = c.pos;
            int eq = c.line.indexOf('=', c.pos);
            if (eq < 0) throw c.error("expected name=value");
            String name = c.line.substring(c.pos, eq).strip();
            if (name.isEmpty()) throw c.error("attribute without a name");
            c.pos = eq + 1;
            Attribute a = attributeValue(c, name);
            if (out.put(name, a) != null) { c.pos = at; throw c.error("attribute '" + name + "' appears twice"); }
            c.skipSpaces();
            if (c.accept("]")) return;
            c.expect(',');
        }
    }

    private Attribute attributeValue(IrCursor c, String name) {
        char ch = c.peek();
        if (ch == '"') return Attribute.of(name, c.quoted());
        if (ch == '[') return listAttribute(c, name);
        if (looksNumeric(c)) {
            int at = c.pos;
            String s = c.number();
            return IrCursor.isFloatText(s) ? Attribute.of(name, (float) c.parseDouble(s, at)) : Attribute.of(name, c.parseLong(s, at));
        }
        int at = c.pos;
        ValueType t = type(c);
        if (c.peek() == '{' || isElidedTensor(t)) return Attribute.of(name, tensorBody(c, t, at, "attribute '" + name + "'"));
        return new Attribute(name, Attribute.Kind.TYPE, t);
    }

    private static boolean looksNumeric(IrCursor c) {
        char ch = c.peek();
        return Character.isDigit(ch) || ch == '-' || ch == '+' || c.startsWith("NaN") || (c.startsWith("Infinity"));
    }

    /** A fully static tensor type larger than what the printer inlines: a tensor printed without values. */
    private static boolean isElidedTensor(ValueType t) {
        if (!(t instanceof ValueType.TensorType tt) || tt.dtype() == null) return false;
        Shape s = tt.shapeOrNull();
        return s != null && s.numel() > INLINE_ELEMENTS;
    }

    private Attribute listAttribute(IrCursor c, String name) {
        c.expect('[');
        c.skipSpaces();
        if (c.accept("]")) return Attribute.of(name, new long[0]);
        if (c.peek() == '"') {
            List<String> out = new ArrayList<>();
            do { c.skipSpaces(); out.add(c.quoted()); c.skipSpaces(); } while (c.accept(","));
            c.expect(']');
            return Attribute.of(name, out.toArray(new String[0]));
        }
        if (!looksNumeric(c)) {
            List<Tensor> out = new ArrayList<>();
            do {
                c.skipSpaces();
                int at = c.pos;
                ValueType t = type(c);
                out.add(tensorBody(c, t, at, "attribute '" + name + "'"));
                c.skipSpaces();
            } while (c.accept(","));
            c.expect(']');
            return new Attribute(name, Attribute.Kind.TENSORS, out.toArray(new Tensor[0]));
        }
        List<String> items = new ArrayList<>();
        List<Integer> cols = new ArrayList<>();
        boolean floats = false;
        do {
            c.skipSpaces();
            cols.add(c.pos);
            String s = c.number();
            floats |= IrCursor.isFloatText(s);
            items.add(s);
            c.skipSpaces();
        } while (c.accept(","));
        c.expect(']');
        if (floats) {
            float[] f = new float[items.size()];
            for (int i = 0; i < f.length; i++) f[i] = (float) c.parseDouble(items.get(i), cols.get(i));
            return Attribute.of(name, f);
        }
        long[] l = new long[items.size()];
        for (int i = 0; i < l.length; i++) l[i] = c.parseLong(items.get(i), cols.get(i));
        return Attribute.of(name, l);
    }

    // ------------------------------------------------------------------ values, types, tensors

    /** {@code %name:type} defining a new value in {@code scope}. */
    private static Value define(IrCursor c, Scope scope) {
        int at = c.pos;
        Value v = undefinedValue(c);
        if (scope.names.containsKey(v.name())) { c.pos = at; throw c.error("%" + v.name() + " is defined twice"); }
        scope.names.put(v.name(), v);
        return v;
    }

    private static Value undefinedValue(IrCursor c) {
        c.expect('%');
        int at = c.pos;
        String[] nt = splitNameType(c, c.name());
        return new Value(nt[0], typeAfterKeyword(c, nt[1], at));
    }

    /** Splits {@code name:keyword} at its last ':' (names may contain ':', type keywords never do). */
    private static String[] splitNameType(IrCursor c, String token) {
        int colon = token.lastIndexOf(':');
        if (colon <= 0) throw c.error("expected %name:type, found '%" + token + "'");
        return new String[] {token.substring(0, colon), token.substring(colon + 1)};
    }

    /** A full type: {@code float32[2,N]}, {@code ?[*]}, {@code ?}, {@code seq(...)}, {@code optional(...)}, {@code map(k,v)}. */
    private static ValueType type(IrCursor c) {
        int at = c.pos;
        return typeAfterKeyword(c, c.word(), at);
    }

    private static ValueType typeAfterKeyword(IrCursor c, String kw, int at) {
        switch (kw) {
            case "seq" -> { c.expect('('); ValueType e = type(c); c.expect(')'); return new ValueType.SequenceType(e); }
            case "optional" -> { c.expect('('); ValueType e = type(c); c.expect(')'); return new ValueType.OptionalType(e); }
            case "map" -> {
                c.expect('(');
                int kat = c.pos;
                DType key = dtype(c, c.word(), kat);
                c.expect(',');
                ValueType v = type(c);
                c.expect(')');
                return new ValueType.MapType(key, v);
            }
            case "?" -> {
                if (c.peek() != '[') return ValueType.UNKNOWN;
                return new ValueType.TensorType(null, dims(c));
            }
            case "" -> throw c.error("expected a type");
            default -> {
                DType d = dtype(c, kw, at);
                if (c.peek() != '[') throw c.error("expected '[' after element type " + kw);
                return new ValueType.TensorType(d, dims(c));
            }
        }
    }

    private static DType dtype(IrCursor c, String name, int at) {
        try {
            return DType.parse(name);
        } catch (IllegalArgumentException e) {
            c.pos = at;
            throw c.error("unknown element type '" + name + "'");
        }
    }

    /** {@code [2,N,?]} or {@code [*]} (unknown rank, returned as null). */
    private static List<Dim> dims(IrCursor c) {
        c.expect('[');
        if (c.accept("*]")) return null;
        List<Dim> out = new ArrayList<>();
        if (c.accept("]")) return out;
        while (true) {
            int start = c.pos;
            while (!c.atEnd() && c.peek() != ',' && c.peek() != ']') c.pos++;
            if (c.atEnd()) { c.pos = start; throw c.error("unterminated dimension list"); }
            String d = c.line.substring(start, c.pos).strip();
            if (d.isEmpty()) { c.pos = start; throw c.error("empty dimension"); }
            if (d.equals("?")) out.add(Dim.UNKNOWN);
            else if (d.chars().allMatch(Character::isDigit)) out.add(Dim.of(c.parseLong(d, start)));
            else out.add(Dim.sym(d));
            if (c.accept("]")) return out;
            c.expect(',');
        }
    }

    /** After a tensor's type: {@code {v, ...}} values, or nothing (elided: zeros only when the options allow). */
    private Tensor tensorBody(IrCursor c, ValueType t, int at, String what) {
        if (!(t instanceof ValueType.TensorType tt) || tt.dtype() == null || tt.shapeOrNull() == null) {
            c.pos = at;
            throw c.error(what + ": a tensor needs an element type and static dims, found " + t);
        }
        Shape shape = tt.shapeOrNull();
        DType dtype = tt.dtype();
        if (c.peek() != '{') {
            int save = c.pos;
            c.pos = at;
            Tensor z = elided(c, t, what);
            c.pos = save;
            return z;
        }
        c.expect('{');
        List<String> items = new ArrayList<>();
        List<Integer> cols = new ArrayList<>();
        c.skipSpaces();
        if (!c.accept("}")) {
            do {
                c.skipSpaces();
                cols.add(c.pos);
                items.add(dtype == DType.STRING ? c.quoted() : c.number());
                if (items.size() > shape.numel()) throw c.error(what + ": more than " + shape.numel() + " values for " + t);
                c.skipSpaces();
            } while (c.accept(","));
            c.expect('}');
        }
        if (items.size() != shape.numel()) { c.pos = at; throw c.error(what + ": " + t + " needs " + shape.numel() + " values, found " + items.size()); }
        if (dtype == DType.STRING) return Tensor.ofStrings(items.toArray(new String[0]), shape.dims());
        Tensor out = Tensor.allocate(dtype, shape);
        for (int i = 0; i < items.size(); i++) {
            String s = items.get(i);
            if (dtype.isFloatingPoint()) out.setDouble(i, c.parseDouble(s, cols.get(i)));
            else if (IrCursor.isFloatText(s)) { c.pos = cols.get(i); throw c.error(what + ": " + dtype + " value '" + s + "' is not an integer"); }
            else out.setLong(i, c.parseLong(s, cols.get(i)));
        }
        return out;
    }

    private Tensor elided(IrCursor c, ValueType t, String what) {
        if (!options.zeroFillElided())
            throw c.error(what + ": tensor " + t + " is printed without its values; parse with IrParser.Options.ZERO_FILL to read it as zeros");
        Shape s = t instanceof ValueType.TensorType tt && tt.dtype() != null ? tt.shapeOrNull() : null;
        if (s == null) throw c.error(what + ": cannot zero-fill " + t + ": it needs an element type and static dims");
        DType d = ((ValueType.TensorType) t).dtype();
        if ((double) s.numel() * Math.max(1, d.byteSize()) > MAX_ZERO_FILL_BYTES)
            throw c.error(what + ": refusing to zero-fill " + t + " (more than " + MAX_ZERO_FILL_BYTES + " bytes)");
        return Tensor.allocate(d, s);
    }

    private static void endOfLine(IrCursor c) {
        c.skipSpaces();
        if (!c.atEnd()) throw c.error("unexpected " + c.found());
    }
}
