package dev.kiln.ops.nn;

import dev.kiln.ops.KernelContext;
import dev.kiln.tensor.Tensor;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reference kernels of the detection-style image ops: AffineGrid, RoiAlign and NonMaxSuppression. */
final class DetectionKernels {
    private DetectionKernels() {}

    /**
     * AffineGrid (20): theta (N, 2, 3) or (N, 3, 4) applied to the base grid of size (N, C, H, W) or (N, C, D, H, W).
     * Base coordinates run over [-1, 1] at pixel corners (align_corners) or pixel centres.
     */
    static Object[] affineGrid(KernelContext ctx) {
        Tensor theta = ctx.input(0), sizeT = ctx.input(1);
        AttnIo.requireFloat(ctx, theta, "theta");
        long[] size = sizeT.toLongArray();
        int k = size.length - 2;
        if (k != 2 && k != 3) throw ctx.fail("size must have 4 or 5 entries, got " + size.length);
        int n = (int) size[0];
        if (theta.rank() != 3 || theta.shape().dim(0) != n || theta.shape().dim(1) != k || theta.shape().dim(2) != k + 1)
            throw ctx.fail("theta shape " + theta.shape() + " must be (" + n + ", " + k + ", " + (k + 1) + ")");
        boolean align = ctx.attrInt("align_corners") != 0;
        long[] spatial = Arrays.copyOfRange(size, 2, size.length);   // D?, H, W
        long[] outDims = new long[k + 2];
        outDims[0] = n;
        for (int i = 0; i < k; i++) outDims[i + 1] = spatial[i];
        outDims[k + 1] = k;
        int points = AttnIo.checkedSize(ctx, spatial);
        AttnIo.checkedSize(ctx, outDims);
        double[][] base = new double[k][];
        for (int i = 0; i < k; i++) base[i] = linspace((int) spatial[i], align);
        double[] th = AttnIo.doubles(theta), out = new double[n * points * k];
        double[] p = new double[k + 1];
        int[] pos = new int[k];
        for (int b = 0; b < n; b++) {
            Arrays.fill(pos, 0);
            for (int q = 0; q < points; q++) {
                // Homogeneous point (x, y[, z], 1): x follows the last spatial axis.
                for (int i = 0; i < k; i++) p[i] = base[k - 1 - i][pos[k - 1 - i]];
                p[k] = 1;
                for (int r = 0; r < k; r++) {
                    double s = 0;
                    for (int cc = 0; cc <= k; cc++) s += th[(b * k + r) * (k + 1) + cc] * p[cc];
                    out[(b * points + q) * k + r] = s;
                }
                for (int i = k - 1; i >= 0; i--) { if (++pos[i] < spatial[i]) break; pos[i] = 0; }
            }
        }
        return new Object[]{AttnIo.tensor(theta.dtype(), outDims, out)};
    }

    private static double[] linspace(int len, boolean align) {
        double[] v = new double[len];
        for (int i = 0; i < len; i++) {
            if (align) v[i] = len == 1 ? -1 : -1 + 2.0 * i / (len - 1);
            else v[i] = (2.0 * i + 1) / len - 1;
        }
        return v;
    }

    /**
     * RoiAlign (10, 16, 22): average or max of bilinear samples on a regular grid inside each bin. Opset 10 has no
     * coordinate_transformation_mode and behaves as output_half_pixel. Max mode takes the max over samples of the
     * largest weighted corner, exactly as the ONNX reference does.
     */
    static Object[] roiAlign(KernelContext ctx) {
        Tensor xT = ctx.input(0), roisT = ctx.input(1), batchT = ctx.input(2);
        AttnIo.requireFloat(ctx, xT, "X");
        if (xT.rank() != 4) throw ctx.fail("X must be (N, C, H, W), got " + xT.shape());
        if (roisT.rank() != 2 || roisT.shape().dim(1) != 4) throw ctx.fail("rois must be (num_rois, 4), got " + roisT.shape());
        int numRois = (int) roisT.shape().dim(0);
        if (batchT.numel() != numRois) throw ctx.fail("batch_indices must have " + numRois + " entries, got " + batchT.shape());
        boolean halfPixel = ctx.opsetVersion() >= 16 && ctx.attrString("coordinate_transformation_mode").equals("half_pixel");
        boolean max = ctx.attrString("mode").equals("max");
        if (!max && !ctx.attrString("mode").equals("avg")) throw ctx.fail("unknown mode '" + ctx.attrString("mode") + "'");
        int ph = (int) ctx.attrInt("output_height"), pw = (int) ctx.attrInt("output_width");
        int sampling = (int) ctx.attrInt("sampling_ratio");
        double scale = ctx.attrFloat("spatial_scale");
        if (ph <= 0 || pw <= 0) throw ctx.fail("output_height and output_width must be positive");
        int n = (int) xT.shape().dim(0), c = (int) xT.shape().dim(1), h = (int) xT.shape().dim(2), w = (int) xT.shape().dim(3);
        double[] x = AttnIo.doubles(xT), rois = AttnIo.doubles(roisT);
        long[] batch = batchT.toLongArray();
        double[] y = new double[AttnIo.checkedSize(ctx, numRois, c, ph, pw)];
        for (int r = 0; r < numRois; r++) {
            if (batch[r] < 0 || batch[r] >= n) throw ctx.fail("batch index " + batch[r] + " out of range [0, " + n + ")");
            double off = halfPixel ? 0.5 : 0;
            double x0 = rois[r * 4] * scale - off, y0 = rois[r * 4 + 1] * scale - off;
            double x1 = rois[r * 4 + 2] * scale - off, y1 = rois[r * 4 + 3] * scale - off;
            double rw = x1 - x0, rh = y1 - y0;
            if (!halfPixel) { rw = Math.max(rw, 1); rh = Math.max(rh, 1); }
            double bh = rh / ph, bw = rw / pw;
            int gh = sampling > 0 ? sampling : (int) Math.ceil(rh / ph);
            int gw = sampling > 0 ? sampling : (int) Math.ceil(rw / pw);
            int count = Math.max(gh * gw, 1);
            // Sample positions and weights are shared by every channel. The grid follows the ROI's size, so a huge
            // ROI must not turn into a huge allocation.
            int samples = AttnIo.checkedSize(ctx, ph, pw, gh, gw, 4) / 4;
            int[] pos = new int[samples * 4];
            double[] wt = new double[samples * 4];
            int s = 0;
            for (int i = 0; i < ph; i++) for (int j = 0; j < pw; j++) for (int iy = 0; iy < gh; iy++) {
                double yy = y0 + i * bh + (iy + 0.5) * bh / gh;
                for (int ix = 0; ix < gw; ix++, s++) {
                    double xx = x0 + j * bw + (ix + 0.5) * bw / gw;
                    if (yy < -1.0 || yy > h || xx < -1.0 || xx > w) continue;   // weights stay 0
                    double yv = Math.max(yy, 0), xv = Math.max(xx, 0);
                    int yl = (int) yv, xl = (int) xv, yh, xh;
                    if (yl >= h - 1) { yh = yl = h - 1; yv = yl; } else yh = yl + 1;
                    if (xl >= w - 1) { xh = xl = w - 1; xv = xl; } else xh = xl + 1;
                    double ly = yv - yl, lx = xv - xl, hy = 1 - ly, hx = 1 - lx;
                    pos[s * 4] = yl * w + xl; pos[s * 4 + 1] = yl * w + xh; pos[s * 4 + 2] = yh * w + xl; pos[s * 4 + 3] = yh * w + xh;
                    wt[s * 4] = hy * hx; wt[s * 4 + 1] = hy * lx; wt[s * 4 + 2] = ly * hx; wt[s * 4 + 3] = ly * lx;
                }
            }
            for (int ch = 0; ch < c; ch++) {
                int xb = (int) ((batch[r] * c + ch) * h * w);
                int si = 0;
                for (int i = 0; i < ph; i++) for (int j = 0; j < pw; j++) {
                    double acc = 0;
                    boolean first = true;
                    for (int q = 0; q < gh * gw; q++, si++) {
                        if (max) {
                            double v = Double.NEGATIVE_INFINITY;
                            for (int t = 0; t < 4; t++) v = Math.max(v, wt[si * 4 + t] * x[xb + pos[si * 4 + t]]);
                            acc = first ? v : Math.max(acc, v);
                            first = false;
                        } else {
                            for (int t = 0; t < 4; t++) acc += wt[si * 4 + t] * x[xb + pos[si * 4 + t]];
                        }
                    }
                    y[((r * c + ch) * ph + i) * pw + j] = max ? acc : acc / count;
                }
            }
        }
        return new Object[]{AttnIo.tensor(xT.dtype(), new long[]{numRois, c, ph, pw}, y)};
    }

    /**
     * NonMaxSuppression (10, 11): per batch and class, greedily keeps the highest-scoring boxes (ties by lower
     * index) whose IoU with every kept box is at most iou_threshold, after dropping scores not above
     * score_threshold; at most max_output_boxes_per_class per class. Output rows are [batch, class, box].
     */
    static Object[] nms(KernelContext ctx) {
        Tensor boxesT = ctx.input(0), scoresT = ctx.input(1);
        Tensor maxT = ctx.optionalInput(2), iouT = ctx.optionalInput(3), scoreT = ctx.optionalInput(4);
        if (boxesT.rank() != 3 || boxesT.shape().dim(2) != 4) throw ctx.fail("boxes must be (batch, boxes, 4), got " + boxesT.shape());
        if (scoresT.rank() != 3 || scoresT.shape().dim(0) != boxesT.shape().dim(0) || scoresT.shape().dim(2) != boxesT.shape().dim(1))
            throw ctx.fail("scores shape " + scoresT.shape() + " does not match boxes " + boxesT.shape());
        int nb = (int) boxesT.shape().dim(0), nbox = (int) boxesT.shape().dim(1), ncls = (int) scoresT.shape().dim(1);
        long maxOut = maxT == null || maxT.numel() == 0 ? 0 : maxT.getLong(0);
        double iouThr = iouT == null || iouT.numel() == 0 ? 0 : iouT.getDouble(0);
        boolean hasScoreThr = scoreT != null && scoreT.numel() > 0;
        double scoreThr = hasScoreThr ? scoreT.getDouble(0) : 0;
        boolean center = ctx.attrInt("center_point_box") != 0;
        double[] boxes = AttnIo.doubles(boxesT), scores = AttnIo.doubles(scoresT);
        // Normalise every box to (ymin, xmin, ymax, xmax).
        double[] nbx = new double[boxes.length];
        for (int i = 0; i < boxes.length; i += 4) {
            if (center) {
                double xc = boxes[i], yc = boxes[i + 1], bw = boxes[i + 2], bh = boxes[i + 3];
                nbx[i] = yc - bh / 2; nbx[i + 1] = xc - bw / 2; nbx[i + 2] = yc + bh / 2; nbx[i + 3] = xc + bw / 2;
            } else {
                nbx[i] = Math.min(boxes[i], boxes[i + 2]); nbx[i + 2] = Math.max(boxes[i], boxes[i + 2]);
                nbx[i + 1] = Math.min(boxes[i + 1], boxes[i + 3]); nbx[i + 3] = Math.max(boxes[i + 1], boxes[i + 3]);
            }
        }
        List<long[]> selected = new ArrayList<>();
        Integer[] order = new Integer[nbox];
        int[] kept = new int[nbox];
        for (int b = 0; b < nb; b++) {
            for (int cl = 0; cl < ncls; cl++) {
                if (maxOut <= 0) continue;
                int sBase = (b * ncls + cl) * nbox;
                int m = 0;
                for (int i = 0; i < nbox; i++) if (!hasScoreThr || scores[sBase + i] > scoreThr) order[m++] = i;
                Arrays.sort(order, 0, m, (p, q) -> {
                    int cmp = Double.compare(scores[sBase + q], scores[sBase + p]);
                    return cmp != 0 ? cmp : Integer.compare(p, q);
                });
                int nk = 0;
                for (int t = 0; t < m && nk < maxOut; t++) {
                    int i = order[t];
                    boolean keep = true;
                    for (int q = 0; q < nk && keep; q++) if (iou(nbx, (b * nbox + i) * 4, (b * nbox + kept[q]) * 4) > iouThr) keep = false;
                    if (keep) { kept[nk++] = i; selected.add(new long[]{b, cl, i}); }
                }
            }
        }
        long[] out = new long[selected.size() * 3];
        for (int i = 0; i < selected.size(); i++) System.arraycopy(selected.get(i), 0, out, i * 3, 3);
        return new Object[]{Tensor.ofLongs(out, selected.size(), 3)};
    }

    private static double iou(double[] bx, int a, int b) {
        double ih = Math.min(bx[a + 2], bx[b + 2]) - Math.max(bx[a], bx[b]);
        double iw = Math.min(bx[a + 3], bx[b + 3]) - Math.max(bx[a + 1], bx[b + 1]);
        if (ih <= 0 || iw <= 0) return 0;
        double inter = ih * iw;
        double areaA = (bx[a + 2] - bx[a]) * (bx[a + 3] - bx[a + 1]);
        double areaB = (bx[b + 2] - bx[b]) * (bx[b + 3] - bx[b + 1]);
        double union = areaA + areaB - inter;
        return union <= 0 ? 0 : inter / union;
    }
}
