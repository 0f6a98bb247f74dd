package dev.kiln.codegen.jvm;

import dev.kiln.codegen.loop.ElementLoop;
import dev.kiln.codegen.loop.ElementLoop.Reg;
import dev.kiln.ops.fused.FusedElementwiseProgram;
import dev.kiln.ops.fused.FusedElementwiseProgram.Op;

import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;

import static java.lang.constant.ConstantDescs.CD_float;
import static java.lang.constant.ConstantDescs.CD_int;
import static java.lang.constant.ConstantDescs.CD_long;
import static java.lang.constant.ConstantDescs.CD_void;

/**
 * Lowers an {@link ElementLoop} to the bytecode of a class implementing {@link RowKernel}. Shape of the code:
 * prologue (segments, offsets, hoisted invariant registers as scalars and vectors), a vector main loop over
 * {@code len & -LANES} elements with {@code FloatVector} ops, and a scalar tail that computes the remaining
 * elements exactly as the reference does. A reducing loop accumulates into a vector (sum or max), folds its lanes
 * after the main loop, continues in the scalar tail and stores one value per row. The species is read with {@code getstatic FloatVector.SPECIES_n} at each
 * use: a constant to C2, which is what lets it intrinsify the vector ops (a non-constant species is ~50x slower).
 */
final class KernelEmitter {
    private KernelEmitter() {}

    private static final ClassDesc CD_SEGMENT = ClassDesc.of("java.lang.foreign.MemorySegment");
    private static final ClassDesc CD_OF_FLOAT = ClassDesc.of("java.lang.foreign.ValueLayout$OfFloat");
    private static final ClassDesc CD_BYTE_ORDER = ClassDesc.of("java.nio.ByteOrder");
    private static final ClassDesc CD_FV = ClassDesc.of("jdk.incubator.vector.FloatVector");
    private static final ClassDesc CD_VECTOR = ClassDesc.of("jdk.incubator.vector.Vector");
    private static final ClassDesc CD_MASK = ClassDesc.of("jdk.incubator.vector.VectorMask");
    private static final ClassDesc CD_SPECIES = ClassDesc.of("jdk.incubator.vector.VectorSpecies");
    private static final ClassDesc CD_OPS = ClassDesc.of("jdk.incubator.vector.VectorOperators");
    private static final ClassDesc CD_UNARY = ClassDesc.of("jdk.incubator.vector.VectorOperators$Unary");
    private static final ClassDesc CD_BINARY = ClassDesc.of("jdk.incubator.vector.VectorOperators$Binary");
    private static final ClassDesc CD_COMPARISON = ClassDesc.of("jdk.incubator.vector.VectorOperators$Comparison");
    private static final ClassDesc CD_ASSOCIATIVE = ClassDesc.of("jdk.incubator.vector.VectorOperators$Associative");
    private static final ClassDesc CD_SUPPORT = ClassDesc.of(Support.class.getName());
    private static final ClassDesc CD_ROW = ClassDesc.of(RowKernel.class.getName());

    static final MethodTypeDesc ROW_TYPE = MethodTypeDesc.of(CD_void, CD_SEGMENT.arrayType(), CD_long.arrayType(), CD_SEGMENT, CD_long, CD_long);
    private static final MethodTypeDesc FV_FV = MethodTypeDesc.of(CD_FV, CD_VECTOR);
    private static final MethodTypeDesc FV_NONE = MethodTypeDesc.of(CD_FV);

    // fixed argument slots of row(...)
    private static final int INS = 1, STARTS = 2, OUT = 3, OUT_START = 4, LEN = 6;

    /**
     * @param className binary name of the class to emit (must be in this package: it is defined as a hidden class
     *                  of {@link KernelCompiler}'s lookup)
     * @param bits      vector width (128, 256, 512), or 0 for a scalar-only loop
     */
    static byte[] emit(String className, ElementLoop loop, int bits) {
        ClassDesc self = ClassDesc.of(className);
        boolean vector = bits != 0 && loop.vectorizable();
        String species = "SPECIES_" + bits;
        int lanes = bits / 32;
        return ClassFile.of().build(self, cb -> {
            cb.withFlags(ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC);
            cb.withInterfaceSymbols(CD_ROW);
            cb.withMethodBody(ConstantDescs.INIT_NAME, ConstantDescs.MTD_void, ClassFile.ACC_PUBLIC, code -> code
                    .aload(0).invokespecial(ConstantDescs.CD_Object, ConstantDescs.INIT_NAME, ConstantDescs.MTD_void).return_());
            cb.withMethodBody("row", ROW_TYPE, ClassFile.ACC_PUBLIC | ClassFile.ACC_FINAL,
                    code -> new Body(code, loop, vector, species, lanes).emit());
        });
    }

    /** Emission state of one row method: local slots per input and per register. */
    private static final class Body {
        final CodeBuilder c;
        final ElementLoop loop;
        final boolean vector;
        final String species;
        final int lanes;
        final int[] seg, off, scalar, vec;
        int next = 8;   // first free local slot after this, ins, starts, out, outStart(2), len(2)
        final int outOff, i, bound, accVec, accScalar;
        final FusedElementwiseProgram.Reduction reduce;

        Body(CodeBuilder c, ElementLoop loop, boolean vector, String species, int lanes) {
            this.c = c;
            this.loop = loop;
            this.vector = vector;
            this.species = species;
            this.lanes = lanes;
            int n = loop.inputs(), regs = loop.body().size();
            seg = new int[n];
            off = new int[n];
            for (int k = 0; k < n; k++) { seg[k] = next++; off[k] = next; next += 2; }
            outOff = next; next += 2;
            i = next; next += 2;
            bound = next; next += 2;
            accVec = next++;
            accScalar = next++;
            reduce = loop.reduce();
            scalar = new int[regs];
            vec = new int[regs];
            for (int r = 0; r < regs; r++) { scalar[r] = next++; vec[r] = next++; }
        }

        void emit() {
            // prologue: segments and byte offsets
            for (int k = 0; k < loop.inputs(); k++) {
                c.aload(INS).loadConstant(k).aaload().astore(seg[k]);
                c.aload(STARTS).loadConstant(k).laload().iconst_2().lshl().lstore(off[k]);
            }
            c.lload(OUT_START).iconst_2().lshl().lstore(outOff);
            c.lconst_0().lstore(i);
            // hoisted registers: scalar form (for the tail) and vector form (for the main loop)
            for (int r = 0; r < loop.body().size(); r++) {
                if (!loop.invariant()[r]) continue;
                scalarReg(r, true);
                if (vector) vectorReg(r, true);
            }
            if (reduce != null) {
                float identity = reduce == FusedElementwiseProgram.Reduction.MAX ? Float.NEGATIVE_INFINITY : 0f;
                c.loadConstant(identity).fstore(accScalar);
                if (vector) { broadcastConst(identity); c.astore(accVec); }
            }
            if (vector) {
                Label top = c.newLabel(), done = c.newLabel();
                c.lload(LEN).loadConstant((long) -lanes).land().lstore(bound);
                c.labelBinding(top);
                c.lload(i).lload(bound).lcmp().ifge(done);
                for (int r = 0; r < loop.body().size(); r++) if (!loop.invariant()[r]) vectorReg(r, false);
                if (reduce != null) {
                    c.aload(accVec).aload(vec[loop.result()]);
                    c.invokevirtual(CD_FV, reduce == FusedElementwiseProgram.Reduction.MAX ? "max" : "add", FV_FV);
                    c.astore(accVec);
                } else {
                    c.aload(vec[loop.result()]).aload(OUT).lload(outOff).lload(i).iconst_2().lshl().ladd();
                    littleEndian();
                    c.invokevirtual(CD_FV, "intoMemorySegment", MethodTypeDesc.of(CD_void, CD_SEGMENT, CD_long, CD_BYTE_ORDER));
                }
                c.lload(i).loadConstant((long) lanes).ladd().lstore(i);
                c.goto_(top);
                c.labelBinding(done);
                if (reduce != null) {   // fold the lanes into the scalar accumulator before the tail
                    c.aload(accVec).getstatic(CD_OPS, reduce == FusedElementwiseProgram.Reduction.MAX ? "MAX" : "ADD", CD_ASSOCIATIVE);
                    c.invokevirtual(CD_FV, "reduceLanes", MethodTypeDesc.of(CD_float, CD_ASSOCIATIVE));
                    c.fstore(accScalar);
                }
            }
            Label tail = c.newLabel(), end = c.newLabel();
            c.labelBinding(tail);
            c.lload(i).lload(LEN).lcmp().ifge(end);
            for (int r = 0; r < loop.body().size(); r++) if (!loop.invariant()[r]) scalarReg(r, false);
            if (reduce != null) {
                c.fload(accScalar).fload(scalar[loop.result()]);
                if (reduce == FusedElementwiseProgram.Reduction.MAX) c.invokestatic(CD_SUPPORT, "max", MethodTypeDesc.of(CD_float, CD_float, CD_float));
                else c.fadd();
                c.fstore(accScalar);
            } else {
                c.aload(OUT).getstatic(CD_SUPPORT, "F32", CD_OF_FLOAT).lload(outOff).lload(i).iconst_2().lshl().ladd();
                c.fload(scalar[loop.result()]);
                c.invokeinterface(CD_SEGMENT, "set", MethodTypeDesc.of(CD_void, CD_OF_FLOAT, CD_long, CD_float));
            }
            c.lload(i).lconst_1().ladd().lstore(i);
            c.goto_(tail);
            c.labelBinding(end);
            if (reduce != null) {   // one value per row, at outStart
                c.aload(OUT).getstatic(CD_SUPPORT, "F32", CD_OF_FLOAT).lload(outOff);
                c.fload(accScalar);
                if (reduce == FusedElementwiseProgram.Reduction.MEAN) c.lload(LEN).l2f().fdiv();
                c.invokeinterface(CD_SEGMENT, "set", MethodTypeDesc.of(CD_void, CD_OF_FLOAT, CD_long, CD_float));
            }
            c.return_();
        }

        private void littleEndian() { c.getstatic(CD_BYTE_ORDER, "LITTLE_ENDIAN", CD_BYTE_ORDER); }
        private void speciesConst() { c.getstatic(CD_FV, species, CD_SPECIES); }

        /** Address (bytes) of input k's current element: off_k, plus i*4 unless broadcast along the row. */
        private void address(int k, boolean hoisted) {
            c.lload(off[k]);
            if (!hoisted && !loop.rowBroadcast()[k]) c.lload(i).iconst_2().lshl().ladd();
        }

        private void scalarReg(int r, boolean hoisted) {
            Reg reg = loop.body().get(r);
            switch (reg) {
                case Reg.Load l -> {
                    c.aload(seg[l.input()]).getstatic(CD_SUPPORT, "F32", CD_OF_FLOAT);
                    address(l.input(), hoisted);
                    c.invokeinterface(CD_SEGMENT, "get", MethodTypeDesc.of(CD_float, CD_OF_FLOAT, CD_long));
                    c.fstore(scalar[r]);
                }
                case Reg.Literal lit -> c.loadConstant(lit.value()).fstore(scalar[r]);
                case Reg.Apply a -> {
                    int[] o = a.operands();
                    for (int k = 0; k < o.length; k++) {
                        if (loop.isMask(o[k])) c.iload(scalar[o[k]]);
                        else c.fload(scalar[o[k]]);
                    }
                    switch (a.op()) {
                        case ADD -> c.fadd();
                        case SUB -> c.fsub();
                        case MUL -> c.fmul();
                        case DIV -> c.fdiv();
                        case NEG -> c.fneg();
                        case WHERE -> c.invokestatic(CD_SUPPORT, "where", MethodTypeDesc.of(CD_float, CD_int, CD_float, CD_float));
                        default -> {
                            boolean cmp = a.op().isComparison();
                            MethodTypeDesc t = o.length == 1 ? MethodTypeDesc.of(CD_float, CD_float)
                                    : MethodTypeDesc.of(cmp ? CD_int : CD_float, CD_float, CD_float);
                            c.invokestatic(CD_SUPPORT, a.op().text(), t);
                        }
                    }
                    if (loop.isMask(r)) c.istore(scalar[r]);
                    else c.fstore(scalar[r]);
                }
            }
        }

        private void vectorReg(int r, boolean hoisted) {
            Reg reg = loop.body().get(r);
            switch (reg) {
                case Reg.Load l -> {
                    if (loop.rowBroadcast()[l.input()]) {   // one value for the whole row: broadcast the scalar
                        speciesConst();
                        c.fload(scalar[r]);
                        c.invokestatic(CD_FV, "broadcast", MethodTypeDesc.of(CD_FV, CD_SPECIES, CD_float));
                    } else {
                        speciesConst();
                        c.aload(seg[l.input()]);
                        address(l.input(), hoisted);
                        littleEndian();
                        c.invokestatic(CD_FV, "fromMemorySegment", MethodTypeDesc.of(CD_FV, CD_SPECIES, CD_SEGMENT, CD_long, CD_BYTE_ORDER));
                    }
                    c.astore(vec[r]);
                }
                case Reg.Literal lit -> {
                    speciesConst();
                    c.loadConstant(lit.value());
                    c.invokestatic(CD_FV, "broadcast", MethodTypeDesc.of(CD_FV, CD_SPECIES, CD_float));
                    c.astore(vec[r]);
                }
                case Reg.Apply a -> {
                    applyVector(a.op(), a.operands());
                    c.astore(vec[r]);
                }
            }
        }

        private void applyVector(Op op, int[] o) {
            switch (op) {
                case ADD, SUB, MUL, DIV, MAX, MIN -> {
                    c.aload(vec[o[0]]).aload(vec[o[1]]);
                    c.invokevirtual(CD_FV, op.text(), FV_FV);
                }
                case POW -> {
                    c.aload(vec[o[0]]).getstatic(CD_OPS, "POW", CD_BINARY).aload(vec[o[1]]);
                    c.invokevirtual(CD_FV, "lanewise", MethodTypeDesc.of(CD_FV, CD_BINARY, CD_VECTOR));
                }
                case NEG, ABS, SQRT -> c.aload(vec[o[0]]).invokevirtual(CD_FV, op.text(), FV_NONE);
                case EXP, LOG, TANH, SIN, COS -> {
                    c.aload(vec[o[0]]).getstatic(CD_OPS, op.name(), CD_UNARY);
                    c.invokevirtual(CD_FV, "lanewise", MethodTypeDesc.of(CD_FV, CD_UNARY));
                }
                case RECIP -> {   // 1 / x, correctly rounded like the reference
                    broadcastConst(1f);
                    c.aload(vec[o[0]]).invokevirtual(CD_FV, "div", FV_FV);
                }
                case RELU -> {    // x < 0 ? 0 : x, keeping -0.0 and NaN as the reference does
                    c.aload(vec[o[0]]);
                    broadcastConst(0f);
                    c.aload(vec[o[0]]).getstatic(CD_OPS, "LT", CD_COMPARISON);
                    broadcastConst(0f);
                    c.invokevirtual(CD_FV, "compare", MethodTypeDesc.of(CD_MASK, CD_COMPARISON, CD_VECTOR));
                    c.invokevirtual(CD_FV, "blend", MethodTypeDesc.of(CD_FV, CD_VECTOR, CD_MASK));
                }
                case SIGMOID -> { // 1 / (1 + exp(-x))
                    broadcastConst(1f);
                    broadcastConst(1f);
                    c.aload(vec[o[0]]).invokevirtual(CD_FV, "neg", FV_NONE);
                    c.getstatic(CD_OPS, "EXP", CD_UNARY).invokevirtual(CD_FV, "lanewise", MethodTypeDesc.of(CD_FV, CD_UNARY));
                    c.invokevirtual(CD_FV, "add", FV_FV);
                    c.invokevirtual(CD_FV, "div", FV_FV);
                }
                case LT, LE, GT, GE, EQ -> {
                    c.aload(vec[o[0]]).getstatic(CD_OPS, op.name(), CD_COMPARISON).aload(vec[o[1]]);
                    c.invokevirtual(CD_FV, "compare", MethodTypeDesc.of(CD_MASK, CD_COMPARISON, CD_VECTOR));
                }
                case WHERE -> {   // b.blend(a, cond): lanes of a where the condition holds
                    c.aload(vec[o[2]]).aload(vec[o[1]]).aload(vec[o[0]]);
                    c.invokevirtual(CD_FV, "blend", MethodTypeDesc.of(CD_FV, CD_VECTOR, CD_MASK));
                }
                case ERF, FLOOR, CEIL -> throw new IllegalStateException(op + " has no vector form; the loop should be scalar");
            }
        }

        private void broadcastConst(float v) {
            speciesConst();
            c.loadConstant(v);
            c.invokestatic(CD_FV, "broadcast", MethodTypeDesc.of(CD_FV, CD_SPECIES, CD_float));
        }
    }
}
