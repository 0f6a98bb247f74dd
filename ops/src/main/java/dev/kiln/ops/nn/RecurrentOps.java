package dev.kiln.ops.nn;

import dev.kiln.graph.Dim;
import dev.kiln.graph.InferenceContext;
import dev.kiln.graph.ValueType.TensorType;
import dev.kiln.ops.Infers;
import dev.kiln.ops.KernelContext;
import dev.kiln.ops.OpFamily;
import dev.kiln.ops.OpRegistry;
import dev.kiln.ops.OpSchema;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.util.List;

/**
 * Op family: RNN, GRU, LSTM. One time-stepping driver handles layouts, directions, sequence lengths and initial
 * states; {@link RecurrentCell} holds each cell's gate equations.
 */
public final class RecurrentOps implements OpFamily {
    @Override public void register(OpRegistry r) {
        define(OpSchema.builder("RNN").since(1, 7, 14, 22), RecurrentCell.Type.RNN).register(r);
        define(OpSchema.builder("GRU").since(1, 3, 7, 14, 22), RecurrentCell.Type.GRU)
                .attrInt("linear_before_reset", 0).register(r);
        define(OpSchema.builder("LSTM").since(1, 7, 14, 22), RecurrentCell.Type.LSTM)
                .attrInt("input_forget", 0).register(r);
    }

    private static OpSchema.Builder define(OpSchema.Builder b, RecurrentCell.Type type) {
        return b.attrFloats("activation_alpha", null).attrFloats("activation_beta", null)
                .attr("activations", dev.kiln.graph.Attribute.Kind.STRINGS, null)
                .attrFloat("clip", 0f).attrString("direction", "forward").attrInt("hidden_size", 0)
                .attrInt("layout", 0).attrInt("output_sequence", 0)
                .infer(ctx -> infer(ctx, type))
                .kernel(ctx -> run(ctx, type));
    }

    private static void infer(InferenceContext ctx, RecurrentCell.Type type) {
        DType dt = Infers.dtypeOf(ctx.inputType(0));
        var l = ctx.node().attribute("layout");
        boolean batchFirst = l != null && l.asInt() != 0;
        Dim seq = Dim.UNKNOWN, batch = Dim.UNKNOWN;
        if (ctx.inputType(0) instanceof TensorType t && t.hasRank() && t.rank() == 3) {
            seq = t.dims().get(batchFirst ? 1 : 0);
            batch = t.dims().get(batchFirst ? 0 : 1);
        }
        var dirA = ctx.node().attribute("direction");
        Dim dirs = Dim.of(dirA != null && dirA.asString().equals("bidirectional") ? 2 : 1);
        var hs = ctx.node().attribute("hidden_size");
        Dim hid = hs == null ? Dim.UNKNOWN : Dim.of(hs.asInt());
        ctx.setOutputType(0, new TensorType(dt, batchFirst ? List.of(batch, seq, dirs, hid) : List.of(seq, dirs, batch, hid)));
        for (int o = 1; o < ctx.outputCount(); o++)
            ctx.setOutputType(o, new TensorType(dt, batchFirst ? List.of(batch, dirs, hid) : List.of(dirs, batch, hid)));
    }

    private static Object[] run(KernelContext ctx, RecurrentCell.Type type) {
        Tensor x = ctx.input(0), w = ctx.input(1), rr = ctx.input(2);
        NnTensors.requireRank(ctx, x, 3, type + " input X");
        NnTensors.requireFloat(ctx, x, type + " input X");
        boolean batchFirst = ctx.opsetVersion() >= 14 && ctx.attrInt("layout") != 0;
        String direction = ctx.attrString("direction");
        int dirs = switch (direction) {
            case "forward", "reverse" -> 1;
            case "bidirectional" -> 2;
            default -> throw ctx.fail("unknown direction '" + direction + "'");
        };
        int seq = (int) x.shape().dim(batchFirst ? 1 : 0), batch = (int) x.shape().dim(batchFirst ? 0 : 1);
        int inSz = (int) x.shape().dim(2);
        int gates = type.gates;
        int hid = (int) (ctx.hasAttr("hidden_size") ? ctx.attrInt("hidden_size") : rr.shape().dim(2));
        if (!w.shape().equals(Shape.of(dirs, (long) gates * hid, inSz)))
            throw ctx.fail("W must have shape " + Shape.of(dirs, (long) gates * hid, inSz) + ", got " + w.shape());
        if (!rr.shape().equals(Shape.of(dirs, (long) gates * hid, hid)))
            throw ctx.fail("R must have shape " + Shape.of(dirs, (long) gates * hid, hid) + ", got " + rr.shape());
        Tensor b = ctx.optionalInput(3), lens = ctx.optionalInput(4), h0 = ctx.optionalInput(5);
        Tensor c0 = type == RecurrentCell.Type.LSTM ? ctx.optionalInput(6) : null;
        Tensor p = type == RecurrentCell.Type.LSTM ? ctx.optionalInput(7) : null;
        if (b != null && !b.shape().equals(Shape.of(dirs, 2L * gates * hid)))
            throw ctx.fail("B must have shape " + Shape.of(dirs, 2L * gates * hid) + ", got " + b.shape());
        if (p != null && !p.shape().equals(Shape.of(dirs, 3L * hid)))
            throw ctx.fail("P must have shape " + Shape.of(dirs, 3L * hid) + ", got " + p.shape());
        int[] seqLen = new int[batch];
        for (int i = 0; i < batch; i++) {
            seqLen[i] = lens == null ? seq : (int) lens.getLong(i);
            if (seqLen[i] < 0 || seqLen[i] > seq) throw ctx.fail("sequence_lens[" + i + "] = " + seqLen[i] + " is outside [0, " + seq + "]");
        }
        // Dense copies in time-major order: x[t][b][i]; states as [dir][b][h].
        double[] xv = NnTensors.doubles(batchFirst ? x.permute(1, 0, 2) : x);
        double[] h = stateInit(ctx, h0, dirs, batch, hid, batchFirst, "initial_h");
        double[] c = stateInit(ctx, c0, dirs, batch, hid, batchFirst, "initial_c");
        Activation[] acts = Activation.list(ctx, dirs, type.defaultActivations);
        RecurrentCell cell = new RecurrentCell(type, hid, inSz, ctx.attrFloat("clip"),
                type == RecurrentCell.Type.GRU && ctx.attrInt("linear_before_reset") != 0,
                type == RecurrentCell.Type.LSTM && ctx.attrInt("input_forget") != 0);
        double[] wv = NnTensors.doubles(w), rv = NnTensors.doubles(rr);
        double[] bv = b == null ? null : NnTensors.doubles(b), pv = p == null ? null : NnTensors.doubles(p);
        double[] y = new double[seq * dirs * batch * hid];  // [t][dir][b][h]
        int per = type.defaultActivations.length;
        for (int d = 0; d < dirs; d++) {
            boolean reverse = direction.equals("reverse") || d == 1;
            Activation[] a = java.util.Arrays.copyOfRange(acts, d * per, d * per + per);
            for (int bi = 0; bi < batch; bi++) {
                int so = (d * batch + bi) * hid;
                for (int step = 0; step < seqLen[bi]; step++) {
                    int t = reverse ? seqLen[bi] - 1 - step : step;
                    cell.step(xv, (t * batch + bi) * inSz, wv, rv, bv, pv, d, h, c, so, a);
                    System.arraycopy(h, so, y, ((t * dirs + d) * batch + bi) * hid, hid);
                }
            }
        }
        DType dt = x.dtype();
        Tensor yt = NnTensors.fromDoubles(dt, Shape.of(seq, dirs, batch, hid), y);
        Tensor ht = NnTensors.fromDoubles(dt, Shape.of(dirs, batch, hid), h);
        Tensor ct = NnTensors.fromDoubles(dt, Shape.of(dirs, batch, hid), c);
        if (batchFirst) {
            yt = yt.permute(2, 0, 1, 3).contiguous();
            ht = ht.permute(1, 0, 2).contiguous();
            ct = ct.permute(1, 0, 2).contiguous();
        }
        return type == RecurrentCell.Type.LSTM ? new Object[]{yt, ht, ct} : new Object[]{yt, ht};
    }

    private static double[] stateInit(KernelContext ctx, Tensor s, int dirs, int batch, int hid, boolean batchFirst, String what) {
        if (s == null) return new double[dirs * batch * hid];
        Shape want = batchFirst ? Shape.of(batch, dirs, hid) : Shape.of(dirs, batch, hid);
        if (!s.shape().equals(want)) throw ctx.fail(what + " must have shape " + want + ", got " + s.shape());
        return NnTensors.doubles(batchFirst ? s.permute(1, 0, 2) : s);
    }
}
