package dev.kiln.runtime.cpu;

import dev.kiln.tensor.DType;
import dev.kiln.tensor.Shape;
import dev.kiln.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * 2-D convolution on f32 NCHW tensors. group 1 runs as GEMM: W (Cout x Cin*kh*kw) times the im2col matrix
 * (Cin*kh*kw x OH*OW), or times X itself for a 1x1, stride-1, unpadded kernel (no copy at all), with the bias as
 * a per-row GEMM epilogue. Depthwise (group = C = Cout) runs direct per-channel loops.
 */
public final class ConvKernels {
    private ConvKernels() {}

    /** Geometry of one Conv2D: pads are {top, left, bottom, right}. */
    public record Conv2d(int kh, int kw, int sh, int sw, int dh, int dw, int padT, int padL, int padB, int padR) {
        int outH(long h) { return (int) ((h + padT + padB - ((long) dh * (kh - 1) + 1)) / sh + 1); }
        int outW(long w) { return (int) ((w + padL + padR - ((long) dw * (kw - 1) + 1)) / sw + 1); }
    }

    /**
     * Y = conv(X, W) + B for X [N, C, H, W], W [Cout, C / group, kh, kw]; group must be 1 or C (= Cout,
     * depthwise). Returns null for other groupings (the caller falls back to the reference).
     */
    public static Tensor conv2d(Tensor x, Tensor w, Tensor bias, int group, Conv2d g, KilnPool pool) {
        if (x.rank() != 4 || w.rank() != 4) return null;
        long n = x.shape().dim(0), c = x.shape().dim(1), h = x.shape().dim(2), wd = x.shape().dim(3);
        long cout = w.shape().dim(0);
        if (w.shape().dim(2) != g.kh || w.shape().dim(3) != g.kw) return null;
        boolean depthwise = group > 1 && group == c && cout == c && w.shape().dim(1) == 1;
        if (!(group == 1 && w.shape().dim(1) == c) && !depthwise) return null;
        if (bias != null && bias.numel() != cout) return null;
        int oh = g.outH(h), ow = g.outW(wd);
        if (oh <= 0 || ow <= 0) return null;
        long k = c * g.kh * g.kw, plane = (long) oh * ow;
        if (k > Integer.MAX_VALUE || plane > Integer.MAX_VALUE || cout > Integer.MAX_VALUE || k * plane > Integer.MAX_VALUE) return null;
        Tensor xc = x.contiguous(), wc = w.contiguous(), bc = bias == null ? null : bias.contiguous();
        Tensor y = Tensor.allocate(DType.F32, Shape.of(n, cout, oh, ow));
        if (y.numel() == 0) return y;
        if (depthwise) {
            depthwise(xc, wc, bc, g, (int) n, (int) c, (int) h, (int) wd, oh, ow, y, pool);
            return y;
        }
        Epilogue ep = bc == null ? Epilogue.NONE : Epilogue.rowBias(bc.segment(), bc.offset(), Activation.NONE);
        boolean direct = g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.padT == 0 && g.padL == 0 && g.padB == 0 && g.padR == 0;
        MemorySegment col = direct ? null : Arena.ofAuto().allocate(4L * k * plane, 64);
        long imgSize = c * h * wd;
        for (long b = 0; b < n; b++) {
            long xOff = xc.offset() + b * imgSize;
            MemorySegment bSeg;
            long bOff;
            if (direct) {
                bSeg = xc.segment();
                bOff = xOff;
            } else {
                im2col(xc.segment(), xOff, (int) c, (int) h, (int) wd, g, oh, ow, col);
                bSeg = col;
                bOff = 0;
            }
            // Y[b] (Cout x OH*OW) = W (Cout x K) x col (K x OH*OW); y is freshly zeroed, so beta 1 accumulates onto 0
            Sgemm.gemm((int) cout, (int) plane, (int) k, 1f, wc.segment(), wc.offset(), k, 1, bSeg, bOff, plane, 1,
                    1f, y.segment(), b * cout * plane, plane, ep, null, pool);
        }
        return y;
    }

    /**
     * Channels-last Conv2D: X [N, H, W, C], W in ONNX layout [Cout, C, kh, kw], Y [N, OH, OW, Cout], group 1.
     * Y (N*OH*OW x Cout) = col (N*OH*OW x kh*kw*C) x W' (kh*kw*C x Cout) with W' repacked once per call and the
     * bias as a per-column epilogue; a 1x1 stride-1 unpadded kernel uses X itself as the left operand.
     */
    public static Tensor conv2dNhwc(Tensor x, Tensor w, Tensor bias, Conv2d g, KilnPool pool) {
        if (x.rank() != 4 || w.rank() != 4) return null;
        // W'[(i*kw + j)*C + ci][co] = W[co][ci][i][j]: a strided view made dense
        return conv2dNhwcPacked(x, w.permute(2, 3, 1, 0).contiguous(), bias, Activation.NONE, g, pool);
    }

    /**
     * {@link #conv2dNhwc} with the weights already repacked as {@code [kh, kw, C, Cout]} (HWIO), so a constant
     * weight is laid out once at optimization time instead of on every call; {@code act} runs in the GEMM epilogue.
     * Null for shapes it does not cover.
     */
    public static Tensor conv2dNhwcPacked(Tensor x, Tensor wt, Tensor bias, Activation act, Conv2d g, KilnPool pool) {
        if (x.rank() != 4 || wt.rank() != 4) return null;
        long n = x.shape().dim(0), h = x.shape().dim(1), wd = x.shape().dim(2), c = x.shape().dim(3);
        long cout = wt.shape().dim(3);
        if (wt.shape().dim(2) != c || wt.shape().dim(0) != g.kh || wt.shape().dim(1) != g.kw) return null;
        wt = wt.contiguous();
        if (bias != null && bias.numel() != cout) return null;
        int oh = g.outH(h), ow = g.outW(wd);
        if (oh <= 0 || ow <= 0) return null;
        long k = c * g.kh * g.kw, rows = n * oh * ow;
        if (k * rows > Integer.MAX_VALUE || k * cout > Integer.MAX_VALUE) return null;
        Tensor xc = x.contiguous(), bc = bias == null ? null : bias.contiguous();
        Tensor y = Tensor.allocate(DType.F32, Shape.of(n, oh, ow, cout));
        if (y.numel() == 0) return y;
        Epilogue ep = bc == null ? Epilogue.of(act) : Epilogue.columnBias(bc.segment(), bc.offset(), act);
        boolean direct = g.kh == 1 && g.kw == 1 && g.sh == 1 && g.sw == 1 && g.padT == 0 && g.padL == 0 && g.padB == 0 && g.padR == 0;
        MemorySegment a;
        long aOff;
        if (direct) {
            a = xc.segment();
            aOff = xc.offset();
        } else {
            a = Arena.ofAuto().allocate(4L * rows * k, 64);
            aOff = 0;
            long r = 0;
            for (long b = 0; b < n; b++)
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++, r++) {
                        long dst = r * k;
                        for (int i = 0; i < g.kh; i++) {
                            int iy = oy * g.sh - g.padT + i * g.dh;
                            for (int j = 0; j < g.kw; j++, dst += c) {
                                int ix = ox * g.sw - g.padL + j * g.dw;
                                if (iy < 0 || iy >= h || ix < 0 || ix >= wd) a.asSlice(dst * 4, c * 4).fill((byte) 0);
                                else MemorySegment.copy(xc.segment(), (xc.offset() + ((b * h + iy) * wd + ix) * c) * 4, a, dst * 4, c * 4);
                            }
                        }
                    }
        }
        Sgemm.gemm((int) rows, (int) cout, (int) k, 1f, a, aOff, k, 1, wt.segment(), wt.offset(), cout, 1,
                1f, y.segment(), 0, cout, ep, null, pool);
        return y;
    }

    /** col[(ci*kh + i)*kw + j][oy*OW + ox] = x[ci, oy*sh - padT + i*dh, ox*sw - padL + j*dw], 0 outside. */
    static void im2col(MemorySegment x, long xOff, int c, int h, int w, Conv2d g, int oh, int ow, MemorySegment col) {
        long row = 0;
        for (int ci = 0; ci < c; ci++)
            for (int i = 0; i < g.kh; i++)
                for (int j = 0; j < g.kw; j++, row++) {
                    long dst = row * oh * ow;
                    for (int oy = 0; oy < oh; oy++) {
                        int iy = oy * g.sh - g.padT + i * g.dh;
                        long d0 = dst + (long) oy * ow;
                        if (iy < 0 || iy >= h) {
                            col.asSlice(d0 * 4, ow * 4L).fill((byte) 0);
                            continue;
                        }
                        long src = xOff + ((long) ci * h + iy) * w;
                        for (int ox = 0; ox < ow; ox++) {
                            int ix = ox * g.sw - g.padL + j * g.dw;
                            Activation.setF(col, d0 + ox, ix < 0 || ix >= w ? 0f : Activation.getF(x, src + ix));
                        }
                    }
                }
    }

    private static void depthwise(Tensor x, Tensor w, Tensor bias, Conv2d g, int n, int c, int h, int wd, int oh, int ow,
                                  Tensor y, KilnPool pool) {
        MemorySegment xs = x.segment(), ws = w.segment(), ys = y.segment();
        long xo = x.offset(), wo = w.offset();
        NnKernels.forRows(pool, (long) n * c, (long) oh * ow * g.kh * g.kw, (p0, p1) -> {
            for (long p = p0; p < p1; p++) {
                int ch = (int) (p % c);
                float b = bias == null ? 0f : bias.getFloat(ch);
                long xb = xo + p * h * wd, yb = p * oh * ow, wb = wo + (long) ch * g.kh * g.kw;
                for (int oy = 0; oy < oh; oy++)
                    for (int ox = 0; ox < ow; ox++) {
                        float s = b;
                        for (int i = 0; i < g.kh; i++) {
                            int iy = oy * g.sh - g.padT + i * g.dh;
                            if (iy < 0 || iy >= h) continue;
                            for (int j = 0; j < g.kw; j++) {
                                int ix = ox * g.sw - g.padL + j * g.dw;
                                if (ix < 0 || ix >= wd) continue;
                                s += Activation.getF(xs, xb + (long) iy * wd + ix) * Activation.getF(ws, wb + (long) i * g.kw + j);
                            }
                        }
                        Activation.setF(ys, yb + (long) oy * ow + ox, s);
                    }
            }
        });
    }
}
