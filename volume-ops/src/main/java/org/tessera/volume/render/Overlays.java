package org.tessera.volume.render;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import javax.imageio.ImageIO;

import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

import org.tessera.volume.intensity.Normalization;
import org.tessera.volume.io.AtomicFiles;

/** Label overlays for a quick look: a grey image with coloured, outlined labels. */
public final class Overlays {

    /** Distinct colours for labels 1, 2, ... (label 0 stays transparent). */
    private static final int[] PALETTE = { 0xFF3030, 0x30D040, 0x3080FF, 0xFFD020, 0xE040E0, 0x20E0E0,
            0xFF8020, 0x8040FF, 0xA0FF40, 0xFF4090 };

    private Overlays() {}

    public static int colour(int label) {
        return PALETTE[(label - 1) % PALETTE.length];
    }

    /**
     * Overlay of one 2D plane: {@code image} and {@code labels} are 2D (x, y) or 3D (x, y, z); for 3D the
     * plane {@code z} is drawn (pass -1 for the plane with the most labelled voxels).
     */
    public static BufferedImage render(RandomAccessibleInterval<? extends RealType<?>> image,
            RandomAccessibleInterval<? extends RealType<?>> labels, int z) {
        if (!Arrays.equals(image.dimensionsAsLongArray(), labels.dimensionsAsLongArray()))
            throw new IllegalArgumentException("Image and labels differ in size");
        RandomAccessibleInterval<? extends RealType<?>> plane = image, labelPlane = labels;
        if (image.numDimensions() == 3) {
            int slice = z >= 0 ? z : busiestPlane(labels);
            plane = Views.hyperSlice(image, 2, slice);
            labelPlane = Views.hyperSlice(labels, 2, slice);
        }
        int w = (int) plane.dimension(0), h = (int) plane.dimension(1);
        double[] of = Normalization.percentile(1, 99.8).offsetAndFactor(plane);
        int[] lab = new int[w * h];
        RandomAccess<? extends RealType<?>> la = labelPlane.randomAccess();
        RandomAccess<? extends RealType<?>> ia = plane.randomAccess();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                la.setPosition(new long[] { plane.min(0) + x, plane.min(1) + y });
                lab[y * w + x] = (int) la.get().getRealDouble();
            }
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                ia.setPosition(new long[] { plane.min(0) + x, plane.min(1) + y });
                int g = (int) Math.round(255 * Math.min(1, Math.max(0, (ia.get().getRealDouble() - of[0]) * of[1])));
                int l = lab[y * w + x];
                int rgb = g << 16 | g << 8 | g;
                if (l > 0) {
                    boolean edge = x == 0 || y == 0 || x == w - 1 || y == h - 1 || lab[y * w + x - 1] != l
                            || lab[y * w + x + 1] != l || lab[(y - 1) * w + x] != l || lab[(y + 1) * w + x] != l;
                    rgb = edge ? colour(l) : blend(rgb, colour(l), 0.35);
                }
                out.setRGB(x, y, rgb);
            }
        return out;
    }

    /** Writes a PNG atomically (temporary file in the same folder, then rename). */
    public static void writePng(BufferedImage picture, Path target) {
        try {
            Files.createDirectories(target.toAbsolutePath().getParent());
            AtomicFiles.replace(target, temporary -> {
                if (!ImageIO.write(picture, "png", temporary.toFile()))
                    throw new IOException("no PNG writer available");
            });
        } catch (IOException e) {
            throw new UncheckedIOException("Could not write " + target + ": " + e.getMessage(), e);
        }
    }

    private static int busiestPlane(RandomAccessibleInterval<? extends RealType<?>> labels) {
        int best = 0;
        long bestCount = -1;
        for (int s = 0; s < labels.dimension(2); s++) {
            long count = 0;
            for (RealType<?> v : Views.hyperSlice(labels, 2, labels.min(2) + s))
                if (v.getRealDouble() != 0)
                    count++;
            if (count > bestCount) {
                bestCount = count;
                best = s;
            }
        }
        return (int) labels.min(2) + best;
    }

    private static int blend(int rgb, int colour, double alpha) {
        int r = (int) ((1 - alpha) * (rgb >> 16 & 255) + alpha * (colour >> 16 & 255));
        int g = (int) ((1 - alpha) * (rgb >> 8 & 255) + alpha * (colour >> 8 & 255));
        int b = (int) ((1 - alpha) * (rgb & 255) + alpha * (colour & 255));
        return r << 16 | g << 8 | b;
    }
}
