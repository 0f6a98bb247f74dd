package dev.kiln.ops.nn;

/**
 * The gate equations of one RNN/GRU/LSTM time step for one batch row and direction, updating the hidden (and
 * cell) state in place. Weight layouts are ONNX's: W [dir][gate*hidden][input], R [dir][gate*hidden][hidden],
 * B [dir][Wb gates | Rb gates], P [dir][i|o|f]. Gate orders: GRU z,r,h; LSTM i,o,f,c.
 */
final class RecurrentCell {
    enum Type {
        RNN(1, "Tanh"), GRU(3, "Sigmoid", "Tanh"), LSTM(4, "Sigmoid", "Tanh", "Tanh");

        final int gates;
        final String[] defaultActivations;

        Type(int gates, String... defaultActivations) {
            this.gates = gates;
            this.defaultActivations = defaultActivations;
        }
    }

    private final Type type;
    private final int hid, in;
    private final double clip;
    private final boolean linearBeforeReset, inputForget;
    private final double[] xw, hr, hPrev, zr;  // gate pre-activations from X and from H, H(t-1), GRU z/r gates

    RecurrentCell(Type type, int hid, int in, double clip, boolean linearBeforeReset, boolean inputForget) {
        this.type = type;
        this.hid = hid;
        this.in = in;
        this.clip = clip;
        this.linearBeforeReset = linearBeforeReset;
        this.inputForget = inputForget;
        this.xw = new double[type.gates * hid];
        this.hr = new double[type.gates * hid];
        this.hPrev = new double[hid];
        this.zr = new double[2 * hid];
    }

    private double clip(double v) { return clip > 0 ? Math.max(-clip, Math.min(clip, v)) : v; }

    void step(double[] x, int xo, double[] w, double[] r, double[] b, double[] p, int dir,
              double[] h, double[] c, int so, Activation[] act) {
        int g = type.gates, rows = g * hid;
        System.arraycopy(h, so, hPrev, 0, hid);
        for (int row = 0; row < rows; row++) {
            double sx = b == null ? 0 : b[dir * 2 * rows + row];
            int wo = (dir * rows + row) * in;
            for (int i = 0; i < in; i++) sx += x[xo + i] * w[wo + i];
            double sh = b == null ? 0 : b[dir * 2 * rows + rows + row];
            int ro = (dir * rows + row) * hid;
            for (int i = 0; i < hid; i++) sh += hPrev[i] * r[ro + i];
            xw[row] = sx;
            hr[row] = sh;
        }
        switch (type) {
            case RNN -> {
                for (int j = 0; j < hid; j++) h[so + j] = act[0].apply(clip(xw[j] + hr[j]));
            }
            case GRU -> {
                for (int j = 0; j < hid; j++) {
                    zr[j] = act[0].apply(clip(xw[j] + hr[j]));
                    zr[hid + j] = act[0].apply(clip(xw[hid + j] + hr[hid + j]));
                }
                for (int j = 0; j < hid; j++) {
                    double rg = zr[hid + j], pre;
                    if (linearBeforeReset) {
                        pre = xw[2 * hid + j] + rg * hr[2 * hid + j];
                    } else {
                        // Default GRU resets H before the recurrent product: (r . H(t-1)) R_h^T + Rb_h.
                        int row = 2 * hid + j;
                        double acc = b == null ? 0 : b[dir * 2 * rows + rows + row];
                        int ro = (dir * rows + row) * hid;
                        for (int i = 0; i < hid; i++) acc += zr[hid + i] * hPrev[i] * r[ro + i];
                        pre = xw[row] + acc;
                    }
                    double cand = act[1].apply(clip(pre));
                    double z = zr[j];
                    h[so + j] = (1 - z) * cand + z * hPrev[j];
                }
            }
            case LSTM -> {
                int pb = dir * 3 * hid;
                for (int j = 0; j < hid; j++) {
                    double cp = c[so + j];
                    double iv = xw[j] + hr[j] + (p == null ? 0 : p[pb + j] * cp);
                    double fv = xw[2 * hid + j] + hr[2 * hid + j] + (p == null ? 0 : p[pb + 2 * hid + j] * cp);
                    double ig = act[0].apply(clip(iv));
                    double fg = inputForget ? 1 - ig : act[0].apply(clip(fv));
                    double cg = act[1].apply(clip(xw[3 * hid + j] + hr[3 * hid + j]));
                    double cn = fg * cp + ig * cg;
                    double ov = xw[hid + j] + hr[hid + j] + (p == null ? 0 : p[pb + hid + j] * cn);
                    double og = act[0].apply(clip(ov));
                    c[so + j] = cn;
                    h[so + j] = og * act[2].apply(cn);
                }
            }
        }
    }

}
