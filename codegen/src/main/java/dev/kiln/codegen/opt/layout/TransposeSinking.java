package dev.kiln.codegen.opt.layout;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Graph;
import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.graph.pass.Pass;
import dev.kiln.graph.pass.PassContext;
import dev.kiln.graph.rewrite.Builder;
import dev.kiln.graph.rewrite.Match;
import dev.kiln.graph.rewrite.RewritePass;
import dev.kiln.graph.rewrite.RewriteRule;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.List;

import static dev.kiln.graph.rewrite.Pattern.any;
import static dev.kiln.graph.rewrite.Pattern.constant;
import static dev.kiln.graph.rewrite.Pattern.op;

/**
 * Moves a Transpose (explicit perm, known rank, read only by the op in question) below elementwise ops, so that
 * the transposes {@link ConvToNhwc} puts around consecutive convolutions meet and cancel (NoOpRemoval's
 * transpose-of-transpose rule):
 * <ul>
 *   <li>{@code U(T(x), extras...) -> T(U(x, extras...))} for unary elementwise ops whose extra inputs are scalars
 *       (Clip's bounds);</li>
 *   <li>{@code B(T(x), c) -> T(B(x, c'))} (either operand order) for a constant {@code c} of rank at most x's:
 *       {@code c'} is c with leading 1s up to x's rank, permuted by the inverse perm — elementwise broadcasting
 *       commutes with a permutation of both operands, so this is exact for every broadcastable c;</li>
 *   <li>{@code B(T(x), T(y)) -> T(B(x, y))} when both perms are equal and x and y have the same rank.</li>
 * </ul>
 * Each move only shifts a transpose one op down, so the pass terminates; it never adds a transpose.
 */
public final class TransposeSinking implements Pass {
    static final List<String> UNARY = List.of("Relu", "LeakyRelu", "Sigmoid", "Tanh", "Exp", "Log", "Neg", "Abs", "Sqrt",
            "Erf", "Elu", "Selu", "HardSigmoid", "Softplus", "Clip", "Reciprocal", "Floor", "Ceil");
    static final List<String> BINARY = List.of("Add", "Sub", "Mul", "Div", "Max", "Min");

    @Override public String name() { return "transpose-sinking"; }

    @Override public boolean run(Graph g, PassContext ctx) {
        List<RewriteRule> rules = new ArrayList<>();
        for (String u : UNARY)
            rules.add(RewriteRule.of("sink-" + u, op(u, op("Transpose", any("x")).bind("t")).moreInputs().bind("n"), TransposeSinking::unary));
        for (String bop : BINARY) {
            rules.add(RewriteRule.of("sink-" + bop + "-pair", op(bop, op("Transpose", any("x")).bind("t"), op("Transpose", any("y")).bind("t2")).bind("n"),
                    TransposeSinking::pair));
            rules.add(RewriteRule.of("sink-" + bop + "-const-right", op(bop, op("Transpose", any("x")).bind("t"), constant("c")).bind("n"),
                    (m, b) -> withConstant(m, b, false)));
            rules.add(RewriteRule.of("sink-" + bop + "-const-left", op(bop, constant("c"), op("Transpose", any("x")).bind("t")).bind("n"),
                    (m, b) -> withConstant(m, b, true)));
        }
        return new RewritePass(name(), rules).run(g, ctx);
    }

    private static Value unary(Match m, Builder b) {
        Node n = m.node("n");
        long[] p = Layouts.perm(m.node("t"), Layouts.rank(m.value("x")));
        if (p == null || n.outputs().size() != 1) return null;
        List<Value> in = new ArrayList<>(n.inputs());
        for (int i = 1; i < in.size(); i++) {
            Value e = in.get(i);
            if (Layouts.absent(e)) continue;
            int r = Layouts.rank(e);
            if (r != 0 && !(e.constant() != null && e.constant().numel() == 1 && e.constant().rank() == 0)) return null;
        }
        in.set(0, m.value("x"));
        return sunk(b, n, in, p);
    }

    private static Value pair(Match m, Builder b) {
        int r = Layouts.rank(m.value("x"));
        long[] p = Layouts.perm(m.node("t"), r), p2 = Layouts.perm(m.node("t2"), Layouts.rank(m.value("y")));
        if (p == null || p2 == null || !java.util.Arrays.equals(p, p2) || m.node("t") == m.node("t2")) return null;
        return sunk(b, m.node("n"), List.of(m.value("x"), m.value("y")), p);
    }

    private static Value withConstant(Match m, Builder b, boolean constantFirst) {
        int r = Layouts.rank(m.value("x"));
        long[] p = Layouts.perm(m.node("t"), r);
        Tensor c = m.value("c").constant();
        if (p == null || c == null || c.rank() > r) return null;
        Value c2;
        if (c.numel() == 1 && c.rank() <= 1) {
            c2 = m.value("c");   // a scalar (or [1]) broadcasts the same in any layout
        } else {
            long[] full = new long[r];
            for (int i = 0; i < r; i++) full[i] = i < r - c.rank() ? 1 : c.shape().dim(i - (r - c.rank()));
            Tensor permuted = c.contiguous().reshape(Shape.of(full)).permute(Layouts.ints(Layouts.inverse(p))).contiguous();
            c2 = b.constant("permuted", permuted);
        }
        List<Value> in = constantFirst ? List.of(c2, m.value("x")) : List.of(m.value("x"), c2);
        return sunk(b, m.node("n"), in, p);
    }

    /** The op on the untransposed inputs, then the transpose: T(op'(in)) with op' typed in the inner layout. */
    private static Value sunk(Builder b, Node n, List<Value> in, long[] p) {
        Value out = n.output(0);
        Value inner = b.op(n.domain(), n.opType(), in, new ArrayList<>(n.attributes().values()), Layouts.permuted(out.type(), Layouts.inverse(p)));
        return b.op("Transpose", List.of(inner), out.type(), Attribute.of("perm", p));
    }
}
