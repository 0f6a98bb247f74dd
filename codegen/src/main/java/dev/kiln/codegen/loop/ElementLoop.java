package dev.kiln.codegen.loop;

import dev.kiln.ops.fused.FusedElementwiseProgram;
import dev.kiln.ops.fused.FusedElementwiseProgram.Arg;
import dev.kiln.ops.fused.FusedElementwiseProgram.Inst;
import dev.kiln.ops.fused.FusedElementwiseProgram.Op;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Loop IR of one fused elementwise row: {@code for i in [0, len): out[i] = body(in_0[i*s_0], ...)} where each
 * input's row stride {@code s_k} is 1 (contiguous) or 0 (the value is broadcast along the row). The body is
 * straight-line code over registers; a register is <em>invariant</em> when it depends only on broadcast loads and
 * literals, and the backend computes it once before the loop (loop-invariant code motion done here, on the IR,
 * so every backend gets it). Built from a {@link FusedElementwiseProgram} by {@link #lower}.
 *
 * @param inputs        number of row operands
 * @param rowBroadcast  per input: true when its row stride is 0
 * @param body          registers in evaluation order; register {@code r} is {@code body.get(r)}
 * @param result        the register stored to the output
 * @param invariant     per register: computed before the loop
 * @param reduce        null: store {@code result} per element; else accumulate it over the row and store one value
 */
public record ElementLoop(int inputs, boolean[] rowBroadcast, List<Reg> body, int result, boolean[] invariant,
                          FusedElementwiseProgram.Reduction reduce) {

    /** One register definition. */
    public sealed interface Reg {
        /** Loads input {@code input} at the current element (or its one value when broadcast). */
        record Load(int input) implements Reg {}
        record Literal(float value) implements Reg {}
        /** Applies a program op to earlier registers; comparisons yield a mask register. */
        record Apply(Op op, int[] operands) implements Reg {
            @Override public String toString() { return op.text() + Arrays.toString(operands); }
        }
    }

    public ElementLoop {
        rowBroadcast = rowBroadcast.clone();
        body = List.copyOf(body);
        invariant = invariant.clone();
    }

    /** Whether register {@code r} holds a comparison mask rather than a float. */
    public boolean isMask(int r) { return body.get(r) instanceof Reg.Apply a && a.op().isComparison(); }

    /** Ops without a Vector API form make the whole loop scalar (still generated, no interpretation). */
    public boolean vectorizable() {
        for (Reg r : body) if (r instanceof Reg.Apply a && (a.op() == Op.ERF || a.op() == Op.FLOOR || a.op() == Op.CEIL)) return false;
        return true;
    }

    /** The cache key: program text plus the broadcast pattern (different patterns are different loops). */
    public static String key(FusedElementwiseProgram p, boolean[] rowBroadcast) { return key(p, rowBroadcast, null); }

    public static String key(FusedElementwiseProgram p, boolean[] rowBroadcast, FusedElementwiseProgram.Reduction reduce) {
        StringBuilder sb = new StringBuilder(p.canonical()).append("|b");
        for (boolean b : rowBroadcast) sb.append(b ? '1' : '0');
        if (reduce != null) sb.append("|r").append(reduce.text());
        return sb.toString();
    }

    /** Lowers a program for one broadcast pattern: one load per used input, literals deduplicated, LICM flags. */
    public static ElementLoop lower(FusedElementwiseProgram p, boolean[] rowBroadcast) { return lower(p, rowBroadcast, null); }

    /** As {@link #lower(FusedElementwiseProgram, boolean[])}, accumulating the result over the row when {@code reduce} is set. */
    public static ElementLoop lower(FusedElementwiseProgram p, boolean[] rowBroadcast, FusedElementwiseProgram.Reduction reduce) {
        if (rowBroadcast.length != p.inputCount())
            throw new IllegalArgumentException("broadcast pattern has " + rowBroadcast.length + " entries for " + p.inputCount() + " inputs");
        List<Reg> body = new ArrayList<>();
        List<Boolean> inv = new ArrayList<>();
        int[] loadReg = new int[p.inputCount()];
        Arrays.fill(loadReg, -1);
        Map<Integer, Integer> literalReg = new HashMap<>();   // by float bits, so -0.0 and NaN payloads stay distinct
        int[] tmpReg = new int[p.insts().size()];
        for (int i = 0; i < p.insts().size(); i++) {
            Inst inst = p.insts().get(i);
            int[] ops = new int[inst.args().size()];
            boolean allInv = true;
            for (int a = 0; a < ops.length; a++) {
                Arg arg = inst.args().get(a);
                int r = switch (arg) {
                    case Arg.In x -> {
                        if (loadReg[x.index()] < 0) {
                            loadReg[x.index()] = body.size();
                            body.add(new Reg.Load(x.index()));
                            inv.add(rowBroadcast[x.index()]);
                        }
                        yield loadReg[x.index()];
                    }
                    case Arg.Tmp t -> tmpReg[t.index()];
                    case Arg.Const c -> literalReg.computeIfAbsent(Float.floatToRawIntBits(c.value()), bits -> {
                        body.add(new Reg.Literal(c.value()));
                        inv.add(true);
                        return body.size() - 1;
                    });
                };
                ops[a] = r;
                allInv &= inv.get(r);
            }
            tmpReg[i] = body.size();
            body.add(new Reg.Apply(inst.op(), ops));
            inv.add(allInv);
        }
        boolean[] invariant = new boolean[inv.size()];
        for (int r = 0; r < invariant.length; r++) invariant[r] = inv.get(r);
        if (reduce != null) invariant[tmpReg[tmpReg.length - 1]] = false;   // accumulated per element even when constant
        return new ElementLoop(p.inputCount(), rowBroadcast, body, tmpReg[tmpReg.length - 1], invariant, reduce);
    }

    @Override public String toString() {
        StringBuilder sb = new StringBuilder("loop(len) {\n");
        for (int r = 0; r < body.size(); r++)
            sb.append("  r").append(r).append(invariant[r] ? " (hoisted)" : "").append(" = ").append(body.get(r)).append('\n');
        if (reduce != null) return sb.append("  acc = ").append(reduce.text()).append("(acc, r").append(result).append(")\n}\nout = acc").toString();
        return sb.append("  out[i] = r").append(result).append("\n}").toString();
    }
}
