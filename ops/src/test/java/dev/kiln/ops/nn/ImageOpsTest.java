package dev.kiln.ops.nn;

import dev.kiln.graph.Attribute;
import dev.kiln.ops.OpFailure;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static dev.kiln.ops.nn.AttentionOpRunner.assertClose;
import static dev.kiln.ops.nn.AttentionOpRunner.random;
import static dev.kiln.ops.nn.AttentionOpRunner.run1;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Semantics of Resize, Upsample, GridSample, AffineGrid, RoiAlign and NonMaxSuppression. */
class ImageOpsTest {
    private static final String[] MODES = {"nearest", "linear", "cubic"};
    private static final String[] CTMS = {"half_pixel", "half_pixel_symmetric", "pytorch_half_pixel", "align_corners", "asymmetric"};

    /** Scale 1 on every axis is the identity for every mode and coordinate mode, on odd sizes and views too. */
    @Property(tries = 40)
    void resizeWithScaleOneIsIdentity(@ForAll @IntRange(min = 0, max = 2) int mode, @ForAll @IntRange(min = 0, max = 4) int ctm,
                                      @ForAll @IntRange(min = 1, max = 5) int h, @ForAll @IntRange(min = 1, max = 6) int w,
                                      @ForAll boolean transposed, @ForAll long seed) {
        Random rnd = new Random(seed);
        Tensor x = random(rnd, 2, 1, w, h);
        if (transposed) x = x.permute(0, 1, 3, 2);     // a strided view
        else x = x.reshape(2, 1, h, w);
        Tensor y = run1("Resize", 19, List.of(Attribute.of("mode", MODES[mode]), Attribute.of("coordinate_transformation_mode", CTMS[ctm])),
                x, null, Tensor.of(new float[]{1, 1, 1, 1}, 4));
        assertClose(x.contiguous(), y, 1e-6, 1e-7);
    }

    /** Integer-factor nearest upsampling with asymmetric coordinates repeats every element. */
    @Property(tries = 30)
    void nearestIntegerUpsampleRepeats(@ForAll @IntRange(min = 1, max = 4) int fh, @ForAll @IntRange(min = 1, max = 4) int fw,
                                       @ForAll long seed) {
        Random rnd = new Random(seed);
        Tensor x = random(rnd, 1, 2, 3, 4);
        Tensor y = run1("Resize", 19, List.of(Attribute.of("coordinate_transformation_mode", "asymmetric"), Attribute.of("nearest_mode", "floor")),
                x, null, Tensor.of(new float[]{1, 1, fh, fw}, 4));
        Tensor up = run1("Upsample", 9, List.of(), x, Tensor.of(new float[]{1, 1, fh, fw}, 4));
        assertClose(y, up, 0, 0);
        for (int c = 0; c < 2; c++) for (int i = 0; i < 3 * fh; i++) for (int j = 0; j < 4 * fw; j++)
            assertEquals(x.getDouble(new long[]{0, c, i / fh, j / fw}), y.getDouble(new long[]{0, c, i, j}));
    }

    /** The pre-11 paths (Upsample-7's scales attribute, Resize-10's scales input) agree with Upsample-9. */
    @Test
    void legacyOpsetsAgree() {
        Tensor x = random(new Random(4), 1, 1, 3, 4);
        Tensor s = Tensor.of(new float[]{1, 1, 2, 1.5f}, 4);
        for (String mode : new String[]{"nearest", "linear"}) {
            Tensor up9 = run1("Upsample", 9, List.of(Attribute.of("mode", mode)), x, s);
            Tensor up7 = run1("Upsample", 7, List.of(Attribute.of("mode", mode), Attribute.of("scales", new float[]{1, 1, 2, 1.5f})), x);
            Tensor rs10 = run1("Resize", 10, List.of(Attribute.of("mode", mode)), x, s);
            assertEquals(dev.kiln.tensor.Shape.of(1, 1, 6, 6), up9.shape());
            assertClose(up9, up7, 0, 0);
            assertClose(up9, rs10, 0, 0);
        }
        // Upsample's nearest takes the floor of the asymmetric source coordinate: rows 0,0,1,1,2,2.
        Tensor up = run1("Upsample", 9, List.of(), x, s);
        assertEquals(x.getDouble(new long[]{0, 0, 1, 0}), up.getDouble(new long[]{0, 0, 3, 0}));
    }

    /** Linear interpolation with align_corners reproduces a linear ramp exactly at any output size. */
    @Property(tries = 30)
    void linearAlignCornersKeepsRamps(@ForAll @IntRange(min = 2, max = 7) int in, @ForAll @IntRange(min = 2, max = 11) int out) {
        double[] v = new double[in];
        for (int i = 0; i < in; i++) v[i] = 3 * i - 1;
        Tensor x = Tensor.fromDoubles(DType.F32, v, 1, in);
        Tensor y = run1("Resize", 19, List.of(Attribute.of("mode", "linear"), Attribute.of("coordinate_transformation_mode", "align_corners")),
                x, null, null, Tensor.ofLongs(new long[]{1, out}, 2));
        for (int o = 0; o < out; o++) assertEquals(-1 + 3.0 * o * (in - 1) / (out - 1), y.getDouble(o), 1e-5);
    }

    /** axes restricts resizing to the listed axes; keep_aspect_ratio_policy scales both by the same factor. */
    @Test
    void axesAndAspectRatio() {
        Tensor x = random(new Random(2), 1, 1, 4, 6);
        Tensor y = run1("Resize", 19, List.of(Attribute.of("axes", new long[]{3}), Attribute.of("mode", "linear")),
                x, null, null, Tensor.ofLongs(new long[]{3}, 1));
        assertEquals(dev.kiln.tensor.Shape.of(1, 1, 4, 3), y.shape());
        Tensor z = run1("Resize", 19, List.of(Attribute.of("keep_aspect_ratio_policy", "not_larger"), Attribute.of("axes", new long[]{2, 3})),
                x, null, null, Tensor.ofLongs(new long[]{8, 8}, 2));
        // min(8/4, 8/6) = 4/3 scales 4x6 to round(5.33) x 8. (Without axes the N and C ratios of 1 would take part.)
        assertEquals(dev.kiln.tensor.Shape.of(1, 1, 5, 8), z.shape());
    }

    /** Cubic overshoot on uint8 saturates at 0 and 255 instead of wrapping. */
    @Test
    void uint8CubicResizeSaturates() {
        Tensor x = Tensor.fromLongs(DType.U8, new long[]{0, 255, 0, 255, 0, 255}, 1, 6);
        Tensor y = run1("Resize", 19, List.of(Attribute.of("mode", "cubic")), x, null, Tensor.of(new float[]{1, 3}, 2));
        assertEquals(DType.U8, y.dtype());
        boolean hitTop = false, hitBottom = false;
        for (long i = 0; i < y.numel(); i++) {
            long v = y.getLong(i);
            assertTrue(v >= 0 && v <= 255);
            hitTop |= v == 255;
            hitBottom |= v == 0;
        }
        assertTrue(hitTop && hitBottom, "cubic overshoot should saturate at both ends: " + y);
    }

    @Test
    void resizeRejectsBadArguments() {
        Tensor x = random(new Random(1), 1, 1, 2, 2);
        assertThrows(OpFailure.class, () -> run1("Resize", 19, List.of(), x, null, Tensor.of(new float[]{1, 1, -2, 2}, 4)));
        assertThrows(OpFailure.class, () -> run1("Resize", 19, List.of(), x, null, Tensor.of(new float[]{2, 2}, 2)));
        assertThrows(OpFailure.class, () -> run1("Resize", 19, List.of(Attribute.of("mode", "area")), x, null, Tensor.of(new float[]{1, 1, 2, 2}, 4)));
        assertThrows(OpFailure.class, () -> run1("Resize", 19, List.of(Attribute.of("antialias", 1L)), x, null, Tensor.of(new float[]{1, 1, 2, 2}, 4)));
    }

    /** Sampling the identity affine grid returns the input (linear and nearest, with and without align_corners). */
    @Property(tries = 30)
    void gridSampleOfIdentityGridIsIdentity(@ForAll boolean align, @ForAll boolean nearest, @ForAll boolean volumetric,
                                            @ForAll @IntRange(min = 1, max = 5) int h, @ForAll @IntRange(min = 2, max = 5) int w,
                                            @ForAll long seed) {
        Random rnd = new Random(seed);
        Tensor x = volumetric ? random(rnd, 2, 3, 2, h, w) : random(rnd, 2, 3, h, w);
        Tensor theta = volumetric
                ? Tensor.of(new float[]{1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 1, 0, 0, 0, 0, 1, 0}, 2, 3, 4)
                : Tensor.of(new float[]{1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0}, 2, 2, 3);
        long[] size = x.shape().dims();
        List<Attribute> a = List.of(Attribute.of("align_corners", align ? 1L : 0L));
        Tensor grid = run1("AffineGrid", 20, a, theta, Tensor.ofLongs(size, size.length));
        Tensor y = run1("GridSample", 20, List.of(Attribute.of("align_corners", align ? 1L : 0L),
                Attribute.of("mode", nearest ? "nearest" : "linear")), x, grid);
        assertClose(x, y, 1e-5, 1e-5);
    }

    @Test
    void gridSamplePaddingModes() {
        Tensor x = Tensor.of(new float[]{1, 2, 3, 4}, 1, 1, 1, 4);
        Tensor grid = Tensor.of(new float[]{-3, 0, 3, 0}, 1, 1, 2, 2);   // far left and far right
        Tensor zeros = run1("GridSample", 16, List.of(Attribute.of("mode", "bilinear")), x, grid);
        Tensor border = run1("GridSample", 16, List.of(Attribute.of("padding_mode", "border")), x, grid);
        assertEquals(0.0, zeros.getDouble(0));
        assertEquals(1.0, border.getDouble(0));
        assertEquals(4.0, border.getDouble(1));
        Tensor refl = run1("GridSample", 20, List.of(Attribute.of("padding_mode", "reflection"), Attribute.of("align_corners", 1L)), x, grid);
        assertTrue(refl.getDouble(0) >= 1 && refl.getDouble(0) <= 4);
        assertThrows(OpFailure.class, () -> run1("GridSample", 16, List.of(), random(new Random(1), 1, 1, 2, 2, 2), Tensor.of(new float[3], 1, 1, 1, 1, 3)));
    }

    /** A constant feature map pools to the same constant in both modes. */
    @Property(tries = 20)
    void roiAlignOfConstantIsConstant(@ForAll boolean max, @ForAll @IntRange(min = 0, max = 3) int sampling, @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] ones = new float[2 * 3 * 6 * 7];
        java.util.Arrays.fill(ones, 2.5f);
        Tensor x = Tensor.of(ones, 2, 3, 6, 7);
        float x0 = rnd.nextFloat() * 3, y0 = rnd.nextFloat() * 3;
        Tensor rois = Tensor.of(new float[]{x0, y0, x0 + 2.5f, y0 + 2f}, 1, 4);
        Tensor y = run1("RoiAlign", 16, List.of(Attribute.of("mode", max ? "max" : "avg"), Attribute.of("output_height", 2L),
                Attribute.of("output_width", 3L), Attribute.of("sampling_ratio", (long) sampling)), x, rois, Tensor.ofLongs(new long[]{1}, 1));
        assertEquals(dev.kiln.tensor.Shape.of(1, 3, 2, 3), y.shape());
        // avg averages bilinear samples whose weights sum to one; max keeps the largest weighted corner, at most 2.5.
        for (long i = 0; i < y.numel(); i++) {
            if (max) assertTrue(y.getDouble(i) > 0 && y.getDouble(i) <= 2.5 + 1e-6);
            else assertEquals(2.5, y.getDouble(i), 1e-5);
        }
    }

    /** NMS keeps at most max boxes per class, in descending score order, with pairwise IoU at most the threshold. */
    @Property(tries = 50)
    void nmsSelectionInvariants(@ForAll @IntRange(min = 1, max = 12) int n, @ForAll @IntRange(min = 0, max = 5) int maxOut,
                                @ForAll @IntRange(min = 0, max = 10) int iouTenths, @ForAll long seed) {
        Random rnd = new Random(seed);
        float[] boxes = new float[n * 4], scores = new float[2 * n];
        for (int i = 0; i < n; i++) {
            float y = rnd.nextFloat() * 4, x = rnd.nextFloat() * 4;
            boxes[i * 4] = y; boxes[i * 4 + 1] = x; boxes[i * 4 + 2] = y + 0.5f + rnd.nextFloat() * 2; boxes[i * 4 + 3] = x + 0.5f + rnd.nextFloat() * 2;
        }
        for (int i = 0; i < 2 * n; i++) scores[i] = rnd.nextFloat();
        float thr = iouTenths / 10f;
        Tensor sel = run1("NonMaxSuppression", 11, List.of(), Tensor.of(boxes, 1, n, 4), Tensor.of(scores, 1, 2, n),
                Tensor.ofLongs(new long[]{maxOut}, 1), Tensor.of(new float[]{thr}, 1), Tensor.of(new float[]{0.2f}, 1));
        assertEquals(DType.I64, sel.dtype());
        int rows = (int) sel.shape().dim(0);
        int[] perClass = new int[2];
        for (int r = 0; r < rows; r++) {
            int cls = (int) sel.getLong(r * 3 + 1), i = (int) sel.getLong(r * 3 + 2);
            perClass[cls]++;
            assertTrue(scores[cls * n + i] > 0.2f);
            for (int q = 0; q < r; q++) {
                if (sel.getLong(q * 3 + 1) != cls) continue;
                int j = (int) sel.getLong(q * 3 + 2);
                assertTrue(scores[cls * n + j] >= scores[cls * n + i]);
                assertTrue(iou(boxes, i, j) <= thr + 1e-6);
            }
        }
        assertTrue(perClass[0] <= maxOut && perClass[1] <= maxOut);
    }

    private static double iou(float[] b, int i, int j) {
        double ih = Math.min(b[i * 4 + 2], b[j * 4 + 2]) - Math.max(b[i * 4], b[j * 4]);
        double iw = Math.min(b[i * 4 + 3], b[j * 4 + 3]) - Math.max(b[i * 4 + 1], b[j * 4 + 1]);
        if (ih <= 0 || iw <= 0) return 0;
        double ai = (b[i * 4 + 2] - b[i * 4]) * (b[i * 4 + 3] - b[i * 4 + 1]), aj = (b[j * 4 + 2] - b[j * 4]) * (b[j * 4 + 3] - b[j * 4 + 1]);
        return ih * iw / (ai + aj - ih * iw);
    }

    private static Tensor bytes(byte[] b) {
        long[] v = new long[b.length];
        for (int i = 0; i < b.length; i++) v[i] = b[i] & 255;
        return Tensor.fromLongs(DType.U8, v, b.length);
    }

    /** A PNG written by the JDK decodes back to the same pixels in RGB, BGR and grayscale. */
    @Property(tries = 10)
    void imageDecoderRoundTripsPng(@ForAll @IntRange(min = 1, max = 9) int w, @ForAll @IntRange(min = 1, max = 9) int h,
                                   @ForAll long seed) throws Exception {
        Random rnd = new Random(seed);
        var im = new java.awt.image.BufferedImage(w, h, java.awt.image.BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) im.setRGB(x, y, rnd.nextInt(1 << 24));
        var bos = new java.io.ByteArrayOutputStream();
        javax.imageio.ImageIO.write(im, "png", bos);
        Tensor data = bytes(bos.toByteArray());
        Tensor rgb = run1("ImageDecoder", 20, List.of(), data);
        Tensor bgr = run1("ImageDecoder", 20, List.of(Attribute.of("pixel_format", "BGR")), data);
        Tensor gray = run1("ImageDecoder", 20, List.of(Attribute.of("pixel_format", "Grayscale")), data);
        assertEquals(dev.kiln.tensor.Shape.of(h, w, 3), rgb.shape());
        assertEquals(dev.kiln.tensor.Shape.of(h, w, 1), gray.shape());
        for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
            int v = im.getRGB(x, y), r = (v >> 16) & 255, g = (v >> 8) & 255, b = v & 255;
            int i = y * w + x;
            assertEquals(r, rgb.getLong(3L * i)); assertEquals(g, rgb.getLong(3L * i + 1)); assertEquals(b, rgb.getLong(3L * i + 2));
            assertEquals(b, bgr.getLong(3L * i)); assertEquals(r, bgr.getLong(3L * i + 2));
            assertTrue(Math.abs(gray.getLong(i) - (0.299 * r + 0.587 * g + 0.114 * b)) <= 1);
        }
    }

    @Test
    void imageDecoderReadsPnmAndRejectsGarbage() {
        byte[] p6 = "P6\n# comment\n2 1\n255\n".getBytes();
        byte[] pix = {10, 20, 30, (byte) 200, (byte) 210, (byte) 220};
        byte[] all = new byte[p6.length + pix.length];
        System.arraycopy(p6, 0, all, 0, p6.length);
        System.arraycopy(pix, 0, all, p6.length, pix.length);
        Tensor y = run1("ImageDecoder", 20, List.of(), bytes(all));
        assertEquals(dev.kiln.tensor.Shape.of(1, 2, 3), y.shape());
        for (int i = 0; i < 6; i++) assertEquals(pix[i] & 255, y.getLong(i));
        Tensor ascii = run1("ImageDecoder", 20, List.of(Attribute.of("pixel_format", "Grayscale")), bytes("P2 2 1 15 0 15".getBytes()));
        assertEquals(0, ascii.getLong(0));
        assertEquals(255, ascii.getLong(1));
        assertThrows(OpFailure.class, () -> run1("ImageDecoder", 20, List.of(), bytes(new byte[]{1, 2, 3, 4})));
        assertThrows(OpFailure.class, () -> run1("ImageDecoder", 20, List.of(), bytes("P6 99999 99999 255 ".getBytes())));
        assertThrows(OpFailure.class, () -> run1("ImageDecoder", 20, List.of(), bytes("P6 4 4 255 abc".getBytes())));
    }
}
