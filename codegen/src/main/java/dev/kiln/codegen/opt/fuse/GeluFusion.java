package dev.kiln.codegen.opt.fuse;

import dev.kiln.graph.Attribute;
import dev.kiln.graph.Value;
import dev.kiln.graph.rewrite.Builder;
import dev.kiln.graph.rewrite.Match;
import dev.kiln.graph.rewrite.Pattern;
import dev.kiln.graph.rewrite.RewriteRule;

import java.util.ArrayList;
import java.util.List;

import static dev.kiln.graph.rewrite.Pattern.any;
import static dev.kiln.graph.rewrite.Pattern.op;

/**
 * Folds GELU written out elementwise into {@code dev.kiln.Gelu}:
 * <ul>
 *   <li>erf form {@code x * 0.5 * (1 + Erf(x / sqrt 2))}, the inner scaling as Div by sqrt 2 or Mul by 1/sqrt 2;</li>
 *   <li>tanh form {@code x * 0.5 * (1 + Tanh(sqrt(2/pi) * (x + 0.044715 x^3)))}, x^3 as Pow(x, 3) or x*x*x;</li>
 * </ul>
 * each with the three groupings exporters produce: {@code (x * h) * 0.5}, {@code (x * 0.5) * h} and
 * {@code x * (h * 0.5)} where h is the {@code 1 + ...} factor (every Mul/Add commutative).
 */
public final class GeluFusion extends FusionPass {
    static final double SQRT2 = Math.sqrt(2.0);
    static final double SQRT_2_OVER_PI = Math.sqrt(2.0 / Math.PI);

    public GeluFusion() { super("fuse-gelu", g -> rules()); }

    static List<RewriteRule> rules() {
        List<RewriteRule> out = new ArrayList<>();
        List<Pattern> erfInner = List.of(
                op("Div", any("x"), FuseUtil.scalarNear("c", SQRT2)),
                op("Mul", any("x"), FuseUtil.scalarNear("c", 1 / SQRT2)).commutative());
        List<Pattern> cubes = List.of(
                op("Pow", any("x"), FuseUtil.scalarNear("three", 3.0)),
                op("Mul", op("Mul", any("x"), any("x")), any("x")).commutative());
        for (int i = 0; i < erfInner.size(); i++) {
            Pattern h = op("Add", op("Erf", erfInner.get(i)), FuseUtil.scalarNear("one", 1.0)).commutative();
            addGroupings(out, "gelu-erf" + (i == 0 ? "(div)" : "(mul)"), h, "none");
        }
        for (int i = 0; i < cubes.size(); i++) {
            Pattern inner = op("Add", any("x"), op("Mul", cubes.get(i), FuseUtil.scalarNear("k", 0.044715)).commutative()).commutative();
            Pattern t = op("Tanh", op("Mul", inner, FuseUtil.scalarNear("s", SQRT_2_OVER_PI)).commutative());
            Pattern h = op("Add", t, FuseUtil.scalarNear("one", 1.0)).commutative();
            addGroupings(out, "gelu-tanh" + (i == 0 ? "(pow)" : "(mul)"), h, "tanh");
        }
        return out;
    }

    private static void addGroupings(List<RewriteRule> out, String name, Pattern h, String approximate) {
        Pattern half = FuseUtil.scalarNear("half", 0.5);
        List<Pattern> roots = List.of(
                op("Mul", op("Mul", any("x"), h).commutative(), half).commutative(),
                op("Mul", op("Mul", any("x"), half).commutative(), h).commutative(),
                op("Mul", any("x"), op("Mul", h, half).commutative()).commutative());
        for (int i = 0; i < roots.size(); i++)
            out.add(RewriteRule.of(name + "#" + (i + 1), roots.get(i).bind("root"), (m, b) -> rewrite(m, b, approximate)));
    }

    private static Value rewrite(Match m, Builder b, String approximate) {
        Value x = m.value("x");
        if (!FuseUtil.isF32(x)) return null;
        return b.op(FuseUtil.DOMAIN, "Gelu", List.of(x), List.of(Attribute.of("approximate", approximate)),
                FuseUtil.typeOf(m.node("root").output(0)));
    }
}
