package dev.kiln.codegen.loop;

import dev.kiln.ops.fused.FusedElementwiseProgram;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** Lowering a program to the loop IR: one load per input, shared literals, hoisting, vectorizability. */
class ElementLoopTest {
    static ElementLoop lower(String program, boolean... broadcast) {
        return ElementLoop.lower(FusedElementwiseProgram.parse(program), broadcast);
    }

    @Test
    void inputsLoadOnceAndEqualLiteralsShareARegister() {
        ElementLoop l = lower("x1|mul(x0,x0);add(t0,c1.0);sub(t1,c1.0)", false);
        long loads = l.body().stream().filter(r -> r instanceof ElementLoop.Reg.Load).count();
        long literals = l.body().stream().filter(r -> r instanceof ElementLoop.Reg.Literal).count();
        assertEquals(1, loads);
        assertEquals(1, literals);
        assertEquals(l.body().size() - 1, l.result());
    }

    @Test
    void negativeZeroAndZeroAreDifferentLiterals() {
        ElementLoop l = lower("x1|add(x0,c0.0);add(t0,c-0.0)", false);
        assertEquals(2, l.body().stream().filter(r -> r instanceof ElementLoop.Reg.Literal).count());
    }

    @Test
    void onlyWorkOnBroadcastOperandsIsHoisted() {
        ElementLoop l = lower("x2|exp(x1);mul(x0,t0);add(t1,t0)", false, true);
        for (int r = 0; r < l.body().size(); r++) {
            boolean dependsOnX0 = l.body().get(r) instanceof ElementLoop.Reg.Load ld ? ld.input() == 0
                    : l.body().get(r) instanceof ElementLoop.Reg.Apply a && (a.op() != FusedElementwiseProgram.Op.EXP);
            assertEquals(!dependsOnX0, l.invariant()[r], l.toString());
        }
        ElementLoop all = lower("x2|exp(x1);mul(x0,t0)", true, true);
        assertTrue(all.invariant()[all.result()], "every operand broadcast: the whole row is one value");
    }

    @Test
    void opsWithoutVectorFormsMakeTheLoopScalar() {
        assertTrue(lower("x1|tanh(x0);sigmoid(t0)", false).vectorizable());
        assertFalse(lower("x1|erf(x0)", false).vectorizable());
        assertFalse(lower("x1|floor(x0)", false).vectorizable());
    }

    @Test
    void keyDistinguishesBroadcastPatterns() {
        FusedElementwiseProgram p = FusedElementwiseProgram.parse("x2|add(x0,x1)");
        assertNotEquals(ElementLoop.key(p, new boolean[] {false, true}), ElementLoop.key(p, new boolean[] {true, false}));
        assertThrows(IllegalArgumentException.class, () -> ElementLoop.lower(p, new boolean[] {false}));
    }
}
