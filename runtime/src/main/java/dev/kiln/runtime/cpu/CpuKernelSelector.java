package dev.kiln.runtime.cpu;

import dev.kiln.graph.Node;
import dev.kiln.graph.Value;
import dev.kiln.ops.Kernel;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.KernelSelector;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Answers Vector API kernels for the ONNX ops this package covers, null for the rest (the interpreter then uses
 * the schema's reference kernel). A selected kernel still checks its inputs at run time (f32, supported
 * layout) and hands anything else to the reference kernel, so selection never changes results beyond float
 * rounding.
 */
public final class CpuKernelSelector implements KernelSelector {
    /** Op types (default ONNX domain) that may get a fast kernel. */
    public static final Set<String> OPS = Set.of("MatMul", "Gemm", "Softmax", "LogSoftmax", "LayerNormalization",
            "Add", "Sub", "Mul", "Div", "Max", "Min", "Pow",
            "Relu", "Sigmoid", "Tanh", "Erf", "Exp", "Neg", "Abs", "Sqrt", "Reciprocal", "Gelu",
            "ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin", "ReduceProd", "ReduceL1", "ReduceL2",
            "ReduceSumSquare", "ReduceLogSum", "ReduceLogSumExp", "Transpose", "Conv",
            "MaxPool", "AveragePool", "GlobalMaxPool", "GlobalAveragePool", "Gather");

    private static final Map<Integer, KilnPool> POOLS = new ConcurrentHashMap<>();

    private final KilnPool pool;

    /** Uses the shared pool ({@code -Dkiln.threads} or all processors). */
    public CpuKernelSelector() { this.pool = KilnPool.shared(); }

    /** Uses a process-wide pool of {@code threads} threads (one pool per distinct count, created on demand). */
    public CpuKernelSelector(int threads) {
        if (threads < 1) throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        this.pool = POOLS.computeIfAbsent(threads, KilnPool::new);
    }

    public KilnPool pool() { return pool; }

    @Override public Kernel select(Node node, OpSchema schema) {
        Kernel generated = dev.kiln.codegen.jvm.GeneratedKernels.INSTANCE.select(node, schema);   // opt-codegen
        if (generated != null) return generated;
        if (node.domain().equals("dev.kiln")) return dev.kiln.runtime.cpu.fused.FusedCpuKernels.select(node, schema, pool);
        if (!node.domain().isEmpty() || !OPS.contains(node.opType())) return null;
        Kernel ref = schema.kernel();
        Kernel fast = switch (node.opType()) {
            case "MatMul" -> matmul(node);
            case "Gemm" -> gemm(node);
            case "Softmax" -> ctx -> one(NnKernels.softmax(ctx.input(0), (int) ctx.attrInt("axis"), ctx.opsetVersion() < 13, false, pool));
            case "LogSoftmax" -> ctx -> one(NnKernels.softmax(ctx.input(0), (int) ctx.attrInt("axis"), ctx.opsetVersion() < 13, true, pool));
            case "LayerNormalization" -> ctx -> {
                if (ctx.outputRequested(1) || ctx.outputRequested(2)) return null;
                Tensor y = NnKernels.layerNorm(ctx.input(0), ctx.input(1), ctx.optionalInput(2), (int) ctx.attrInt("axis"), ctx.attrFloat("epsilon"), pool);
                return y == null ? null : one(y);
            };
            case "Add" -> binary(BinaryLoops.Op.ADD);
            case "Sub" -> binary(BinaryLoops.Op.SUB);
            case "Mul" -> binary(BinaryLoops.Op.MUL);
            case "Div" -> binary(BinaryLoops.Op.DIV);
            case "Max" -> node.inputs().size() == 2 ? binary(BinaryLoops.Op.MAX) : null;
            case "Min" -> node.inputs().size() == 2 ? binary(BinaryLoops.Op.MIN) : null;
            case "Pow" -> pow(node);
            case "Relu" -> unary(Activation.RELU);
            case "Sigmoid" -> unary(Activation.SIGMOID);
            case "Tanh" -> unary(Activation.TANH);
            case "Erf" -> unary(Activation.ERF);
            case "Exp" -> unary(Activation.EXP);
            case "Neg" -> unary(Activation.NEG);
            case "Abs" -> unary(Activation.ABS);
            case "Sqrt" -> unary(Activation.SQRT);
            case "Reciprocal" -> unary(Activation.RECIPROCAL);
            case "Conv" -> this::conv;
            case "Gather" -> ctx -> one(GatherKernel.gather(ctx.input(0), ctx.input(1), (int) ctx.attrInt("axis")));
            case "MaxPool", "AveragePool" -> this::pool;
            case "GlobalMaxPool" -> ctx -> { Tensor y = PoolKernels.global(ctx.input(0), true, pool); return y == null ? null : one(y); };
            case "GlobalAveragePool" -> ctx -> { Tensor y = PoolKernels.global(ctx.input(0), false, pool); return y == null ? null : one(y); };
            case "Transpose" -> ctx -> {
                Tensor x = ctx.input(0);
                long[] p = ctx.attrInts("perm");
                int[] perm = new int[x.rank()];
                for (int i = 0; i < perm.length; i++) perm[i] = p == null ? perm.length - 1 - i : (int) p[i];
                if (p != null && p.length != x.rank()) return null;
                return one(TransposeKernel.transpose(x, perm));
            };
            case "Gelu" -> ctx -> one(Elementwise.unary("tanh".equals(ctx.attrString("approximate")) ? Activation.GELU_TANH : Activation.GELU_ERF, ctx.input(0), pool));
            default -> reduce(node.opType());
        };
        if (fast == null) return null;
        return ctx -> {
            if (!allF32(ctx)) return ref.execute(ctx);
            Object[] out;
            try {
                out = fast.execute(ctx);
            } catch (IllegalArgumentException unsupported) {
                // shapes the fast path rejects: the reference kernel reports them with node context
                return ref.execute(ctx);
            }
            return out != null ? out : ref.execute(ctx);
        };
    }

    private static boolean allF32(KernelContext ctx) {
        for (int i = 0; i < ctx.inputCount(); i++) {
            Object v = ctx.inputValue(i);
            if (v == null) continue;
            if (!(v instanceof Tensor t) || t.dtype() != DType.F32) {
                // integer axes (Reduce*) and indices (Gather) are allowed where the op takes them
                if (i == 1 && v instanceof Tensor t2 && (t2.dtype() == DType.I64 || t2.dtype() == DType.I32) && integerInput1(ctx)) continue;
                return false;
            }
        }
        return true;
    }

    private static boolean integerInput1(KernelContext ctx) {
        String op = ctx.node().opType();
        return op.startsWith("Reduce") || op.equals("Gather");
    }

    private static Object[] one(Tensor t) { return new Object[] {t}; }

    private Kernel binary(BinaryLoops.Op op) {
        return ctx -> one(Elementwise.binary(op, ctx.input(0), ctx.input(1), pool));
    }

    private Kernel unary(Activation act) {
        return ctx -> one(Elementwise.unary(act, ctx.input(0), pool));
    }

    private Kernel pow(Node node) {
        return ctx -> {
            Tensor e = ctx.input(1);
            if (e.numel() != 1) return null;
            float p = e.getFloat(0);
            Tensor x = ctx.input(0);
            if (e.rank() > x.rank()) return null;
            if (p == 2f) return one(Elementwise.binary(BinaryLoops.Op.MUL, x, x, pool));
            return null;
        };
    }

    /** Packs a constant B once, on first use; reused only while the node still receives that same tensor. */
    private static final class PackedConstant {
        private final Tensor constant;
        private final boolean transposed;
        private volatile PackedB packed;

        PackedConstant(Tensor constant, boolean transposed) { this.constant = constant; this.transposed = transposed; }

        PackedB get(Tensor b) {
            if (b != constant || constant.rank() != 2 || constant.dtype() != DType.F32) return null;
            PackedB p = packed;
            if (p == null) {
                long[] s = b.strides();
                int k = (int) b.shape().dim(transposed ? 1 : 0), n = (int) b.shape().dim(transposed ? 0 : 1);
                long rs = transposed ? s[1] : s[0], cs = transposed ? s[0] : s[1];
                packed = p = Sgemm.packB(k, n, b.segment(), b.offset(), rs, cs);
            }
            return p;
        }
    }

    private static PackedConstant constantB(Node node, boolean transposed) {
        Value v = node.input(1);
        Tensor c = v == null ? null : v.constant();
        return c == null ? null : new PackedConstant(c, transposed);
    }

    private Kernel matmul(Node node) {
        PackedConstant pc = constantB(node, false);
        return ctx -> {
            Tensor b = ctx.input(1);
            PackedB packed = pc == null ? null : pc.get(b);
            return one(MatMulKernels.matmul(ctx.input(0), b, packed, Epilogue.NONE, pool));
        };
    }

    private Kernel gemm(Node node) {
        var tb = node.attribute("transB");
        PackedConstant pc = constantB(node, tb != null && tb.asInt() != 0);
        return ctx -> {
            Tensor b = ctx.input(1);
            PackedB packed = pc == null ? null : pc.get(b);
            return one(MatMulKernels.gemm(ctx.input(0), b, ctx.optionalInput(2), ctx.attrFloat("alpha"), ctx.attrFloat("beta"),
                    ctx.attrInt("transA") != 0, ctx.attrInt("transB") != 0, packed, pool));
        };
    }

    /** MaxPool (without Indices) / AveragePool on 4-D NCHW f32, floor mode, explicit or VALID padding. */
    private Object[] pool(KernelContext ctx) {
        boolean max = ctx.node().opType().equals("MaxPool");
        Tensor x = ctx.input(0);
        if (x.rank() != 4 || (max && ctx.outputRequested(1))) return null;
        if (ctx.attr("ceil_mode") != null && ctx.attrInt("ceil_mode") != 0) return null;
        String auto = ctx.attr("auto_pad") == null ? "NOTSET" : ctx.attrString("auto_pad");
        if (!auto.equals("NOTSET") && !auto.equals("VALID")) return null;
        if (max && ctx.attr("storage_order") != null && ctx.attrInt("storage_order") != 0) return null;
        long[] ks = ctx.attrInts("kernel_shape"), st = ctx.attrInts("strides"), dl = ctx.attrInts("dilations"), pd = ctx.attrInts("pads");
        if (ks == null || ks.length != 2 || (st != null && st.length != 2) || (dl != null && dl.length != 2) || (pd != null && pd.length != 4)) return null;
        int[] p = new int[4];
        if (pd != null && auto.equals("NOTSET")) for (int i = 0; i < 4; i++) p[i] = (int) pd[i];
        ConvKernels.Conv2d g = new ConvKernels.Conv2d((int) ks[0], (int) ks[1], st == null ? 1 : (int) st[0], st == null ? 1 : (int) st[1],
                dl == null ? 1 : (int) dl[0], dl == null ? 1 : (int) dl[1], p[0], p[1], p[2], p[3]);
        if (g.kh() < 1 || g.kw() < 1 || g.sh() < 1 || g.sw() < 1 || g.dh() < 1 || g.dw() < 1) return null;
        for (int v : p) if (v < 0 || v >= Math.max(g.kh(), g.kw()) * Math.max(g.dh(), g.dw())) return null;
        boolean includePad = !max && ctx.attr("count_include_pad") != null && ctx.attrInt("count_include_pad") != 0;
        Tensor y = PoolKernels.pool2d(x, max, includePad, g, pool);
        return y == null ? null : one(y);
    }

    /** Conv on 4-D NCHW f32 (group 1 or depthwise); anything else goes to the reference kernel. */
    private Object[] conv(KernelContext ctx) {
        Tensor x = ctx.input(0), w = ctx.input(1);
        if (x.rank() != 4 || w.rank() != 4) return null;
        long[] ks = ctx.attrInts("kernel_shape"), st = ctx.attrInts("strides"), dl = ctx.attrInts("dilations"), pd = ctx.attrInts("pads");
        int kh = (int) w.shape().dim(2), kw = (int) w.shape().dim(3);
        if (ks != null && (ks.length != 2 || ks[0] != kh || ks[1] != kw)) return null;
        int sh = st == null ? 1 : (int) st[0], sw = st == null ? 1 : (int) st[1];
        int dh = dl == null ? 1 : (int) dl[0], dw = dl == null ? 1 : (int) dl[1];
        if ((st != null && st.length != 2) || (dl != null && dl.length != 2) || (pd != null && pd.length != 4)) return null;
        if (sh < 1 || sw < 1 || dh < 1 || dw < 1) return null;
        String auto = ctx.attr("auto_pad") == null ? "NOTSET" : ctx.attrString("auto_pad");
        int[] pads = new int[4];
        if (auto.equals("SAME_UPPER") || auto.equals("SAME_LOWER")) {
            long[] in = {x.shape().dim(2), x.shape().dim(3)};
            int[] k = {kh, kw}, s = {sh, sw}, d = {dh, dw};
            for (int a = 0; a < 2; a++) {
                long out = (in[a] + s[a] - 1) / s[a];
                long total = Math.max(0, (out - 1) * s[a] + (long) (k[a] - 1) * d[a] + 1 - in[a]);
                long small = total / 2, big = total - small;
                pads[a] = (int) (auto.equals("SAME_UPPER") ? small : big);
                pads[a + 2] = (int) (auto.equals("SAME_UPPER") ? big : small);
            }
        } else if (auto.equals("NOTSET")) {
            if (pd != null) for (int i = 0; i < 4; i++) pads[i] = (int) pd[i];
        } else if (!auto.equals("VALID")) {
            return null;
        }
        for (int p : pads) if (p < 0) return null;
        int group = (int) ctx.attrInt("group");
        Tensor y = ConvKernels.conv2d(x, w, ctx.optionalInput(2), group,
                new ConvKernels.Conv2d(kh, kw, sh, sw, dh, dw, pads[0], pads[1], pads[2], pads[3]), pool);
        return y == null ? null : one(y);
    }

    private Kernel reduce(String op) {
        Reductions.Kind kind = switch (op) {
            case "ReduceSum" -> Reductions.Kind.SUM;
            case "ReduceMean" -> Reductions.Kind.MEAN;
            case "ReduceMax" -> Reductions.Kind.MAX;
            case "ReduceMin" -> Reductions.Kind.MIN;
            case "ReduceProd" -> Reductions.Kind.PROD;
            case "ReduceL1" -> Reductions.Kind.L1;
            case "ReduceL2" -> Reductions.Kind.L2;
            case "ReduceSumSquare" -> Reductions.Kind.SUM_SQUARE;
            case "ReduceLogSum" -> Reductions.Kind.LOG_SUM;
            case "ReduceLogSumExp" -> Reductions.Kind.LOG_SUM_EXP;
            default -> null;
        };
        if (kind == null) return null;
        return ctx -> {
            Tensor x = ctx.input(0);
            long[] axes;
            if (ctx.inputCount() > 1 && ctx.hasInput(1)) axes = ctx.input(1).toLongArray();
            else axes = ctx.attrInts("axes");
            boolean noop = ctx.attr("noop_with_empty_axes") != null && ctx.attrInt("noop_with_empty_axes") != 0;
            if ((axes == null || axes.length == 0) && noop) return null;
            if (x.numel() == 0) return null;
            boolean keep = ctx.attr("keepdims") == null || ctx.attrInt("keepdims") != 0;
            return one(Reductions.reduce(kind, x, axes, keep, pool));
        };
    }
}
