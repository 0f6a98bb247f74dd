package dev.kiln.graph.rewrite;

import dev.kiln.graph.Node;
import dev.kiln.graph.Value;

import java.util.List;
import java.util.function.Predicate;

/**
 * A value pattern for declarative rewrites (tinygrad's UPat, in Java): {@code any("x")} matches any value and binds
 * it; {@code constant("c")} matches a value with constant data; {@code op("Add", p1, p2)} matches a value produced
 * (as output 0) by an Add whose inputs match p1 and p2. A name bound twice must bind the same value, which is how
 * a pattern says "the same x". Patterns are immutable; the combinators return new ones.
 */
public final class Pattern {
    enum Kind { ANY, CONSTANT, OP }

    final Kind kind;
    final String name;          // binding for the value (ANY/CONSTANT) or the node (OP); may be null
    final String opType;
    final String domain;
    final List<Pattern> inputs;
    final boolean commutative;
    final boolean extraInputsAllowed;
    final Predicate<Value> valueTest;
    final Predicate<Node> nodeTest;

    private Pattern(Kind kind, String name, String opType, String domain, List<Pattern> inputs, boolean commutative,
                    boolean extraInputsAllowed, Predicate<Value> valueTest, Predicate<Node> nodeTest) {
        this.kind = kind;
        this.name = name;
        this.opType = opType;
        this.domain = domain;
        this.inputs = inputs;
        this.commutative = commutative;
        this.extraInputsAllowed = extraInputsAllowed;
        this.valueTest = valueTest;
        this.nodeTest = nodeTest;
    }

    public static Pattern any(String name) {
        return new Pattern(Kind.ANY, name, null, null, List.of(), false, false, v -> true, n -> true);
    }

    public static Pattern constant(String name) {
        return new Pattern(Kind.CONSTANT, name, null, null, List.of(), false, false, v -> v.constant() != null, n -> true);
    }

    /** A node of the default domain with exactly these inputs (absent optional inputs must be absent). */
    public static Pattern op(String opType, Pattern... inputs) {
        return new Pattern(Kind.OP, null, opType, "", List.of(inputs), false, false, v -> true, n -> true);
    }

    /** Binds the matched node (OP) or value (ANY/CONSTANT) under {@code name}. */
    public Pattern bind(String name) {
        return new Pattern(kind, name, opType, domain, inputs, commutative, extraInputsAllowed, valueTest, nodeTest);
    }

    public Pattern inDomain(String domain) {
        return new Pattern(kind, name, opType, domain, inputs, commutative, extraInputsAllowed, valueTest, nodeTest);
    }

    /** For two-input ops: also try the inputs swapped (Add, Mul, ...). */
    public Pattern commutative() {
        return new Pattern(kind, name, opType, domain, inputs, true, extraInputsAllowed, valueTest, nodeTest);
    }

    /** The node may have more inputs than patterns given (trailing ones are unconstrained). */
    public Pattern moreInputs() {
        return new Pattern(kind, name, opType, domain, inputs, commutative, true, valueTest, nodeTest);
    }

    public Pattern where(Predicate<Value> test) {
        return new Pattern(kind, name, opType, domain, inputs, commutative, extraInputsAllowed, valueTest.and(test), nodeTest);
    }

    public Pattern whereNode(Predicate<Node> test) {
        return new Pattern(kind, name, opType, domain, inputs, commutative, extraInputsAllowed, valueTest, nodeTest.and(test));
    }

    /** Attempts to match {@code v}; returns null when it does not. */
    public Match match(Value v) {
        Match m = new Match();
        return matchInto(v, m) ? m : null;
    }

    boolean matchInto(Value v, Match m) {
        if (v == null || !valueTest.test(v)) return false;
        switch (kind) {
            case ANY, CONSTANT -> {
                return name == null || m.bindValue(name, v);
            }
            default -> {
                Node n = v.producer();
                if (n == null || !n.opType().equals(opType) || !n.domain().equals(domain) || n.outputs().indexOf(v) != 0) return false;
                if (!nodeTest.test(n)) return false;
                int given = n.inputs().size();
                while (given > 0 && (n.inputs().get(given - 1) == null || n.inputs().get(given - 1).name().isEmpty())) given--;
                if (extraInputsAllowed ? given < inputs.size() : given != inputs.size()) return false;
                Match snapshot = m.copy();
                if (matchInputs(n, m, false)) return bindNode(n, m);
                if (!commutative || inputs.size() != 2) return false;
                m.restore(snapshot);
                return matchInputs(n, m, true) && bindNode(n, m);
            }
        }
    }

    private boolean matchInputs(Node n, Match m, boolean swapped) {
        for (int i = 0; i < inputs.size(); i++) {
            int src = swapped ? 1 - i : i;
            if (!inputs.get(i).matchInto(n.inputs().get(src), m)) return false;
        }
        return true;
    }

    private boolean bindNode(Node n, Match m) {
        m.addNode(n);
        return name == null || m.bindNode(name, n);
    }
}
