package dev.kiln.ops.fused;

import dev.kiln.ops.math.SpecialFunctions;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The expression of a {@code dev.kiln.FusedElementwise} node: a straight-line program over f32 inputs. Each
 * instruction applies one elementwise op to inputs ({@code x0..}), earlier instructions ({@code t0..}) or float
 * literals; the last instruction is the result. A program, not a tree, so a DAG with shared intermediates is
 * stored once. Its text form ({@link #canonical()}) is the node attribute and the code-generation cache key:
 * {@code "x2|mul(x0,x1);add(t0,c1.5);max(t1,x2)"} (input count, then instructions).
 *
 * <p>Semantics match the unfused graph exactly: every op computes in double from f32 operands and rounds its
 * result to f32, as each ONNX op's reference kernel stores an f32 tensor.
 */
public record FusedElementwiseProgram(int inputCount, List<Inst> insts) {

    /**
     * An optional reduction of the program's values over the last axis (kept as size 1), accumulated in double
     * by the reference like ReduceSum / ReduceMean / ReduceMax; an empty row sums to 0 and has max -inf.
     */
    public enum Reduction {
        SUM, MEAN, MAX;

        public String text() { return name().toLowerCase(Locale.ROOT); }

        /** Null for "" (no reduction). */
        public static Reduction parse(String s) {
            if (s == null || s.isEmpty()) return null;
            try {
                return valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("reduce must be '', 'sum', 'mean' or 'max', got '" + s + "'");
            }
        }
    }

    /** The ops a program can hold. Comparisons produce a boolean that only {@link #WHERE} may consume. */
    public enum Op {
        ADD(2), SUB(2), MUL(2), DIV(2), POW(2), MAX(2), MIN(2),
        NEG(1), ABS(1), SQRT(1), EXP(1), LOG(1), TANH(1), SIN(1), COS(1), RECIP(1), RELU(1), SIGMOID(1), ERF(1),
        FLOOR(1), CEIL(1),
        LT(2), LE(2), GT(2), GE(2), EQ(2),
        WHERE(3);

        public final int arity;
        Op(int arity) { this.arity = arity; }

        public boolean isComparison() { return this == LT || this == LE || this == GT || this == GE || this == EQ; }
        public String text() { return name().toLowerCase(Locale.ROOT); }
    }

    /** An operand: an input, an earlier instruction's result, or a literal. */
    public sealed interface Arg {
        record In(int index) implements Arg { @Override public String toString() { return "x" + index; } }
        record Tmp(int index) implements Arg { @Override public String toString() { return "t" + index; } }
        record Const(float value) implements Arg { @Override public String toString() { return "c" + value; } }
    }

    public record Inst(Op op, List<Arg> args) {
        public Inst {
            args = List.copyOf(args);
            if (args.size() != op.arity) throw new IllegalArgumentException(op.text() + " takes " + op.arity + " operands, got " + args.size());
        }
        @Override public String toString() {
            StringBuilder sb = new StringBuilder(op.text()).append('(');
            for (int i = 0; i < args.size(); i++) sb.append(i > 0 ? "," : "").append(args.get(i));
            return sb.append(')').toString();
        }
    }

    public FusedElementwiseProgram {
        insts = List.copyOf(insts);
        if (inputCount < 0) throw new IllegalArgumentException("negative input count");
        if (insts.isEmpty()) throw new IllegalArgumentException("empty program");
        for (int i = 0; i < insts.size(); i++) {
            Inst in = insts.get(i);
            for (int a = 0; a < in.args().size(); a++) {
                Arg arg = in.args().get(a);
                if (arg instanceof Arg.In x && (x.index() < 0 || x.index() >= inputCount))
                    throw new IllegalArgumentException("instruction " + i + " reads x" + x.index() + " of " + inputCount + " inputs");
                if (arg instanceof Arg.Tmp t) {
                    if (t.index() < 0 || t.index() >= i)
                        throw new IllegalArgumentException("instruction " + i + " reads t" + t.index() + ", not computed before it");
                    boolean mask = insts.get(t.index()).op().isComparison();
                    boolean wantMask = in.op() == Op.WHERE && a == 0;
                    if (mask != wantMask)
                        throw new IllegalArgumentException("instruction " + i + ": " + (wantMask ? "condition must be a comparison" : "a comparison result may only be a where condition"));
                } else if (in.op() == Op.WHERE && a == 0) {
                    throw new IllegalArgumentException("instruction " + i + ": where condition must be a comparison");
                }
            }
        }
        if (insts.getLast().op().isComparison()) throw new IllegalArgumentException("a program must produce a float, not a comparison");
    }

    /** The attribute text; equal programs have equal text. */
    public String canonical() {
        StringBuilder sb = new StringBuilder("x").append(inputCount).append('|');
        for (int i = 0; i < insts.size(); i++) sb.append(i > 0 ? ";" : "").append(insts.get(i));
        return sb.toString();
    }

    @Override public String toString() { return canonical(); }

    /** Parses {@link #canonical()} text; throws IllegalArgumentException naming the bad part. */
    public static FusedElementwiseProgram parse(String text) {
        int bar = text.indexOf('|');
        if (!text.startsWith("x") || bar < 0) throw new IllegalArgumentException("program must start with 'x<inputs>|': " + text);
        int inputs;
        try {
            inputs = Integer.parseInt(text.substring(1, bar));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad input count in program: " + text);
        }
        List<Inst> insts = new ArrayList<>();
        for (String s : text.substring(bar + 1).split(";")) {
            int open = s.indexOf('('), close = s.lastIndexOf(')');
            if (open < 0 || close != s.length() - 1) throw new IllegalArgumentException("bad instruction '" + s + "'");
            Op op;
            try {
                op = Op.valueOf(s.substring(0, open).toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown op in instruction '" + s + "'");
            }
            List<Arg> args = new ArrayList<>();
            String body = s.substring(open + 1, close);
            if (!body.isEmpty()) for (String a : body.split(",")) args.add(parseArg(a, s));
            insts.add(new Inst(op, args));
        }
        return new FusedElementwiseProgram(inputs, insts);
    }

    private static Arg parseArg(String a, String inst) {
        if (a.length() < 2) throw new IllegalArgumentException("bad operand '" + a + "' in '" + inst + "'");
        String rest = a.substring(1);
        try {
            return switch (a.charAt(0)) {
                case 'x' -> new Arg.In(Integer.parseInt(rest));
                case 't' -> new Arg.Tmp(Integer.parseInt(rest));
                case 'c' -> new Arg.Const(Float.parseFloat(rest));
                default -> throw new IllegalArgumentException("bad operand '" + a + "' in '" + inst + "'");
            };
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("bad operand '" + a + "' in '" + inst + "'");
        }
    }

    /** Evaluates the program for one element; {@code temps} is scratch of at least {@code insts().size()}. */
    public float eval(float[] in, double[] temps) {
        for (int i = 0; i < insts.size(); i++) {
            Inst inst = insts.get(i);
            List<Arg> args = inst.args();
            double a = value(args.get(0), in, temps);
            double b = args.size() > 1 ? value(args.get(1), in, temps) : 0;
            temps[i] = switch (inst.op()) {
                case WHERE -> a != 0 ? b : value(args.get(2), in, temps);
                case LT -> a < b ? 1 : 0;
                case LE -> a <= b ? 1 : 0;
                case GT -> a > b ? 1 : 0;
                case GE -> a >= b ? 1 : 0;
                case EQ -> a == b ? 1 : 0;
                default -> (float) apply(inst.op(), a, b);
            };
        }
        return (float) temps[insts.size() - 1];
    }

    private static double value(Arg a, float[] in, double[] temps) {
        return switch (a) {
            case Arg.In x -> in[x.index()];
            case Arg.Tmp t -> temps[t.index()];
            case Arg.Const c -> c.value();
        };
    }

    /** The op's reference result in double (callers round to f32), exactly as the ONNX op's reference kernel. */
    public static double apply(Op op, double a, double b) {
        return switch (op) {
            case ADD -> a + b;
            case SUB -> a - b;
            case MUL -> a * b;
            case DIV -> a / b;
            case POW -> Math.pow(a, b);
            case MAX -> Math.max(a, b);
            case MIN -> Math.min(a, b);
            case NEG -> -a;
            case ABS -> Math.abs(a);
            case SQRT -> Math.sqrt(a);
            case EXP -> Math.exp(a);
            case LOG -> Math.log(a);
            case TANH -> Math.tanh(a);
            case SIN -> Math.sin(a);
            case COS -> Math.cos(a);
            case RECIP -> 1.0 / a;
            case RELU -> a < 0 ? 0 : a;
            case SIGMOID -> a >= 0 ? 1 / (1 + Math.exp(-a)) : Math.exp(a) / (1 + Math.exp(a));
            case ERF -> SpecialFunctions.erf(a);
            case FLOOR -> Math.floor(a);
            case CEIL -> Math.ceil(a);
            case LT, LE, GT, GE, EQ, WHERE -> throw new IllegalArgumentException(op + " is not a float op");
        };
    }
}
