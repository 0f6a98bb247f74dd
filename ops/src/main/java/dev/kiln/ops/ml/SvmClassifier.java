package dev.kiln.ops.ml;

import dev.kiln.ops.KernelContext;
import dev.kiln.ops.shape.Args;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

/**
 * SVMClassifier (ai.onnx.ml 1), following the ONNX reference (libsvm conventions): with support vectors,
 * one-vs-one decision values and votes, optionally turned into probabilities with Platt scaling (prob_a/prob_b)
 * and libsvm's pairwise coupling; without support vectors, one linear score per class.
 */
final class SvmClassifier {
    private SvmClassifier() {}

    static Object[] run(KernelContext ctx) {
        Tensor x = ctx.input(0);
        if (x.rank() == 1) x = x.reshape(1, x.numel());
        if (x.rank() != 2) throw ctx.fail("X must be [N, F], got " + x.shape());
        long rows = x.shape().dim(0), nf = x.shape().dim(1);
        long[] intLabels = ctx.attrInts("classlabels_ints");
        String[] strLabels = ctx.attrStrings("classlabels_strings");
        int nLabels = intLabels != null ? intLabels.length : strLabels != null ? strLabels.length : 0;
        int classes = Math.max(nLabels, 1);
        float[] coef = ctx.attrFloats("coefficients"), sv = ctx.attrFloats("support_vectors"), rho = ctx.attrFloats("rho");
        float[] kp = ctx.attrFloats("kernel_params"), probA = ctx.attrFloats("prob_a"), probB = ctx.attrFloats("prob_b");
        long[] perClass = ctx.attrInts("vectors_per_class");
        if (coef == null || coef.length == 0 || rho == null || rho.length == 0) throw ctx.fail("coefficients and rho are required");
        double gamma = kp != null && kp.length > 0 ? kp[0] : 0, coef0 = kp != null && kp.length > 1 ? kp[1] : 0;
        int degree = kp != null && kp.length > 2 ? (int) kp[2] : 0;
        int vectors = 0;
        int[] start = new int[perClass == null ? 0 : perClass.length];
        for (int i = 0; i < start.length; i++) { start[i] = vectors; vectors += (int) perClass[i]; }
        boolean svc = vectors > 0;
        String type = svc ? ctx.attrString("kernel_type") : "LINEAR";
        int pairs = classes * (classes - 1) / 2;
        if (svc) {
            if (start.length != classes) throw ctx.fail("vectors_per_class must have one entry per class");
            if (sv == null || sv.length != (long) vectors * nf) throw ctx.fail("support_vectors must hold " + vectors + " x " + nf + " values");
            if (coef.length != (long) (classes - 1) * vectors) throw ctx.fail("coefficients must hold (classes-1) x " + vectors + " values");
            if (rho.length < pairs) throw ctx.fail("rho must hold one value per class pair (" + pairs + ")");
        } else if (coef.length != (long) classes * nf) {
            throw ctx.fail("a linear SVM needs classes x features coefficients");
        }
        boolean allPositive = true;
        for (float c : coef) if (c < 0) allPositive = false;
        boolean proba = svc && probA != null && probA.length > 0;
        if (proba && (probA.length < pairs || probB == null || probB.length < pairs)) throw ctx.fail("prob_a and prob_b need one value per class pair");
        PostTransform post = PostTransform.parse(ctx, ctx.attrString("post_transform"));

        double[][] outRows = new double[(int) rows][];
        long[] labelIdx = new long[(int) rows];
        boolean labelIsIndex = true;
        double[] kernels = new double[vectors];
        for (int r = 0; r < rows; r++) {
            double[] scores;
            double[] votes = null;
            try {
                if (svc) {
                    for (int j = 0; j < vectors; j++) kernels[j] = SvmOps.kernel(type, gamma, coef0, degree, x, r * nf, sv, (int) (j * nf), nf);
                    votes = new double[classes];
                    scores = new double[pairs];
                    int e = 0;
                    for (int i = 0; i < classes; i++)
                        for (int j = i + 1; j < classes; j++, e++) {
                            double s = rho[e];
                            for (int k = 0; k < perClass[i]; k++) s += coef[(j - 1) * vectors + start[i] + k] * kernels[start[i] + k];
                            for (int k = 0; k < perClass[j]; k++) s += coef[i * vectors + start[j] + k] * kernels[start[j] + k];
                            scores[e] = s;
                            votes[s > 0 ? i : j]++;
                        }
                } else {
                    scores = new double[classes];
                    for (int j = 0; j < classes; j++) scores[j] = rho[0] + SvmOps.kernel("LINEAR", 0, 0, 0, x, r * nf, coef, (int) (j * nf), nf);
                }
            } catch (IllegalArgumentException ex) {
                throw ctx.fail(ex.getMessage());
            }
            if (proba) scores = probabilities(scores, classes, probA, probB);
            double[] pick = votes != null ? votes : scores;
            int best = 0;
            for (int c = 1; c < pick.length; c++) if (pick[c] > pick[best]) best = c;
            double maxWeight = pick.length == 0 ? 0 : pick[best];
            int extra = -1;
            if (rho.length == 1) {
                if (nLabels == 2) {
                    extra = 2;
                    labelIdx[r] = !proba && allPositive && maxWeight >= 0.5 ? 1 : best;
                } else {
                    labelIdx[r] = maxWeight > 0 ? 1 : 0;   // literal positive / negative class
                    labelIsIndex = false;
                }
            } else {
                labelIdx[r] = best;
            }
            outRows[r] = finalScores(scores, post, extra);
        }
        int width = rows == 0 ? (classes >= 2 ? pairs : 1) : outRows[0].length;
        Tensor scoresT = Tensor.allocate(DType.F32, Args.shape(ctx, new long[]{rows, width}));
        for (int r = 0; r < rows; r++) for (int c = 0; c < width; c++) scoresT.setDouble((long) r * width + c, outRows[r][c]);
        Tensor labels = Tensor.allocate(strLabels != null ? DType.STRING : DType.I64, Shape.of(rows));
        for (int r = 0; r < rows; r++) {
            long l = labelIdx[r];
            if (strLabels != null) labels.setString(r, l >= 0 && l < strLabels.length ? strLabels[(int) l] : "");
            else labels.setLong(r, labelIsIndex && intLabels != null && l < intLabels.length ? intLabels[(int) l] : l);
        }
        return new Object[]{labels, scoresT};
    }

    /** Scores as written to the output: post-transformed, and a single score expanded to two columns when asked. */
    private static double[] finalScores(double[] s, PostTransform post, int extra) {
        if (s.length >= 2) { post.apply(s, 0, s.length); return s; }
        if (s.length == 0) return s;
        double v = s[0];
        if (post == PostTransform.PROBIT) { double[] o = {v}; post.apply(o, 0, 1); return o; }
        if (extra == 0 || extra == 1) return new double[]{1 - v, v};
        if (extra == 2 || extra == 3) {
            double[] o = {-v, v};
            post.apply(o, 0, 2);
            return o;
        }
        return new double[]{v};
    }

    /** Platt-scaled pairwise probabilities coupled into class probabilities (libsvm's multiclass_probability). */
    private static double[] probabilities(double[] dec, int k, float[] a, float[] b) {
        double[][] r = new double[k][k];
        int e = 0;
        for (int i = 0; i < k; i++)
            for (int j = i + 1; j < k; j++, e++) {
                double val = dec[e] * a[e] + b[e];
                double logistic = val < 0 ? 1 - 1 / (1 + Math.exp(val)) : 1 / (1 + Math.exp(-val));
                double p = Math.min(Math.max(1 - logistic, 1e-7), 1 - 1e-7);
                r[i][j] = p;
                r[j][i] = 1 - p;
            }
        double[][] q = new double[k][k];
        double[] p = new double[k], qp = new double[k];
        for (int t = 0; t < k; t++) {
            p[t] = 1.0 / k;
            for (int j = 0; j < t; j++) { q[t][t] += r[j][t] * r[j][t]; q[t][j] = q[j][t]; }
            for (int j = t + 1; j < k; j++) { q[t][t] += r[j][t] * r[j][t]; q[t][j] = -r[j][t] * r[t][j]; }
        }
        double eps = 0.005 / k;
        for (int iter = 0, max = Math.max(100, k); iter < max; iter++) {
            double pqp = 0;
            for (int t = 0; t < k; t++) {
                qp[t] = 0;
                for (int j = 0; j < k; j++) qp[t] += q[t][j] * p[j];
                pqp += p[t] * qp[t];
            }
            double maxErr = 0;
            for (int t = 0; t < k; t++) maxErr = Math.max(maxErr, Math.abs(qp[t] - pqp));
            if (maxErr < eps) break;
            for (int t = 0; t < k; t++) {
                double diff = (-qp[t] + pqp) / q[t][t];
                p[t] += diff;
                pqp = (pqp + diff * (diff * q[t][t] + 2 * qp[t])) / ((1 + diff) * (1 + diff));
                for (int j = 0; j < k; j++) {
                    qp[j] = (qp[j] + diff * q[t][j]) / (1 + diff);
                    p[j] /= 1 + diff;
                }
            }
        }
        return p;
    }
}
