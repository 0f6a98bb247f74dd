package dev.kiln.ops.nn;

import dev.kiln.ops.KernelContext;
import dev.kiln.tensor.DType;
import dev.kiln.tensor.Tensor;

import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.Iterator;

/**
 * ImageDecoder (20): decodes an encoded image held in a 1-D uint8 tensor into (H, W, 3) RGB or BGR, or (H, W, 1)
 * grayscale. BMP, GIF, JPEG, PNG and TIFF go through the JDK's javax.imageio (part of every full JDK, so no
 * third-party code); binary and ASCII PNM (P2, P3, P5, P6) is parsed here. Grayscale uses the ITU-R 601 luma
 * weights in 16-bit fixed point, which is what the reference (Pillow's "L" conversion) computes. JPEG 2000 and
 * WebP are not supported and fail with a clear message. Image dimensions are checked before pixels are decoded,
 * so a small file cannot claim a huge allocation.
 */
final class ImageDecodeKernel {
    private ImageDecodeKernel() {}

    /** Largest decoded image accepted, in pixels (a 16k x 16k picture). */
    private static final long MAX_PIXELS = 1L << 28;

    static Object[] run(KernelContext ctx) {
        Tensor data = ctx.input(0);
        if (data.dtype() != DType.U8 || data.rank() != 1) throw ctx.fail("data must be a 1-D uint8 tensor, got " + data.dtype() + data.shape());
        String format = ctx.attrString("pixel_format");
        int channels = switch (format) {
            case "RGB", "BGR" -> 3;
            case "Grayscale" -> 1;
            default -> throw ctx.fail("pixel_format must be RGB, BGR or Grayscale, got '" + format + "'");
        };
        byte[] bytes = new byte[(int) data.numel()];
        for (int i = 0; i < bytes.length; i++) bytes[i] = (byte) data.getLong(i);
        int[] rgb;   // 3 values per pixel, row-major
        int w, h;
        if (bytes.length >= 2 && bytes[0] == 'P' && bytes[1] >= '2' && bytes[1] <= '6' && bytes[1] != '4') {
            Pnm p = Pnm.parse(ctx, bytes);
            w = p.w; h = p.h; rgb = p.rgb;
        } else {
            BufferedImage im = decodeWithImageIo(ctx, bytes);
            w = im.getWidth(); h = im.getHeight();
            rgb = new int[3 * w * h];
            for (int y = 0; y < h; y++) for (int x = 0; x < w; x++) {
                int v = im.getRGB(x, y), o = 3 * (y * w + x);
                rgb[o] = (v >> 16) & 255; rgb[o + 1] = (v >> 8) & 255; rgb[o + 2] = v & 255;
            }
        }
        Tensor out = Tensor.allocate(DType.U8, dev.kiln.tensor.Shape.of(h, w, channels));
        boolean bgr = format.equals("BGR");
        for (int i = 0; i < w * h; i++) {
            int r = rgb[3 * i], g = rgb[3 * i + 1], b = rgb[3 * i + 2];
            if (channels == 1) {
                out.setLong(i, (r * 19595L + g * 38470L + b * 7471L + 0x8000) >> 16);
            } else {
                out.setLong(3L * i, bgr ? b : r); out.setLong(3L * i + 1, g); out.setLong(3L * i + 2, bgr ? r : b);
            }
        }
        return new Object[]{out};
    }

    private static BufferedImage decodeWithImageIo(KernelContext ctx, byte[] bytes) {
        try (ImageInputStream in = ImageIO.createImageInputStream(new ByteArrayInputStream(bytes))) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(in);
            if (!readers.hasNext())
                throw ctx.fail("unsupported or unrecognised image format (Kiln decodes BMP, GIF, JPEG, PNG, PNM and TIFF)");
            ImageReader reader = readers.next();
            try {
                reader.setInput(in, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels <= 0 || pixels > MAX_PIXELS)
                    throw ctx.fail("image of " + reader.getWidth(0) + "x" + reader.getHeight(0) + " pixels is empty or too large");
                return reader.read(0);
            } finally {
                reader.dispose();
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof dev.kiln.ops.OpFailure f) throw f;
            throw ctx.fail("cannot decode image: " + e.getMessage());
        } catch (LinkageError e) {
            throw ctx.fail("ImageDecoder needs the JDK's java.desktop module, which this runtime lacks");
        }
    }

    /** Netpbm graymap/pixmap (P2, P3 ASCII; P5, P6 binary), maxval up to 65535 scaled to 8 bits. */
    private record Pnm(int w, int h, int[] rgb) {
        static Pnm parse(KernelContext ctx, byte[] b) {
            int[] pos = {2};
            char kind = (char) b[1];
            long w = number(ctx, b, pos), h = number(ctx, b, pos), max = number(ctx, b, pos);
            if (w <= 0 || h <= 0 || w * h > MAX_PIXELS || max <= 0 || max > 65535)
                throw ctx.fail("invalid PNM header: " + w + "x" + h + ", maxval " + max);
            boolean color = kind == '3' || kind == '6', binary = kind == '5' || kind == '6';
            int comps = color ? 3 : 1, n = (int) (w * h);
            int[] rgb = new int[3 * n];
            if (binary) pos[0]++;   // exactly one whitespace byte separates the header from the raster
            int bytesPer = max > 255 ? 2 : 1;
            for (int i = 0; i < n; i++) {
                for (int c = 0; c < comps; c++) {
                    long v;
                    if (binary) {
                        if (pos[0] + bytesPer > b.length) throw ctx.fail("PNM raster is truncated");
                        v = bytesPer == 1 ? b[pos[0]] & 255 : ((b[pos[0]] & 255) << 8) | (b[pos[0] + 1] & 255);
                        pos[0] += bytesPer;
                    } else {
                        v = number(ctx, b, pos);
                    }
                    rgb[3 * i + c] = (int) ((v * 255 + max / 2) / max);
                }
                if (!color) { rgb[3 * i + 1] = rgb[3 * i]; rgb[3 * i + 2] = rgb[3 * i]; }
            }
            return new Pnm((int) w, (int) h, rgb);
        }

        /** Next decimal number, skipping whitespace and # comments. */
        private static long number(KernelContext ctx, byte[] b, int[] pos) {
            int i = pos[0];
            while (i < b.length) {
                if (b[i] == '#') { while (i < b.length && b[i] != '\n') i++; }
                else if (Character.isWhitespace(b[i])) i++;
                else break;
            }
            long v = 0;
            int start = i;
            while (i < b.length && b[i] >= '0' && b[i] <= '9' && i - start < 10) v = v * 10 + (b[i++] - '0');
            if (i == start) throw ctx.fail("malformed PNM: expected a number at byte " + start);
            pos[0] = i;
            return v;
        }
    }
}
