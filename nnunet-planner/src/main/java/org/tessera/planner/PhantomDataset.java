package org.tessera.planner;

import com.fasterxml.jackson.databind.node.ObjectNode;
import net.imglib2.Cursor;
import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.Img;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Volume;
import org.tessera.volume.io.VolumeIO;
import org.tessera.volume.phantom.Phantoms;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;

/**
 * Writes a small nnU-Net v2 raw data set of fluorescence-nucleus phantoms ({@link Phantoms}) with exact
 * labels: {@code dataset.json}, {@code imagesTr/phantom_000_0000.nii.gz}, {@code labelsTr/phantom_000.nii.gz},
 * ... Deterministic for a seed.
 * <p>
 * Cases differ in size and number of nuclei, and each phantom sits in a zero-valued margin of a different
 * width, so that cropping to the nonzero region removes a different fraction per case. Labels: 0 background,
 * 1 nucleus, 2 nucleolus (only when asked for nucleoli); one channel named "fluorescence" (z-score normalization). 3D cases are anisotropic
 * (0.5 x 0.5 x 2.0 um).
 */
public final class PhantomDataset {

    public static final String FILE_ENDING = ".nii.gz";
    public static final String CHANNEL_NAME = "fluorescence";

    private PhantomDataset() {
    }

    /** The identifier of case {@code i}: phantom_000, phantom_001, ... */
    public static String caseId(int i) {
        return String.format("phantom_%03d", i);
    }

    /** Writes {@code cases} training cases into {@code folder} (created if needed). */
    public static void write(Path folder, int cases, long seed, boolean threeD) {
        write(folder, cases, 0, seed, threeD);
    }

    /**
     * Writes {@code cases} cases into {@code folder} (created if needed); the last {@code heldOut} of them go to
     * {@code imagesTs/} and {@code labelsTs/}, out of the fingerprint, the plan and training.
     */
    public static void write(Path folder, int cases, int heldOut, long seed, boolean threeD) {
        write(folder, cases, heldOut, seed, threeD, true);
    }

    /** As above; without {@code nucleoli} the labels are background and nucleus only. */
    public static void write(Path folder, int cases, int heldOut, long seed, boolean threeD, boolean nucleoli) {
        if (cases < 1 || heldOut < 0 || heldOut >= cases) {
            throw new InvalidInputException("A phantom data set needs at least 1 training case: " + cases
                    + " cases with " + heldOut + " held out leaves " + (cases - heldOut) + ".");
        }
        try {
            for (String sub : new String[] { "imagesTr", "labelsTr", "imagesTs", "labelsTs" })
                if (heldOut > 0 || sub.endsWith("Tr"))
                    Files.createDirectories(folder.resolve(sub));
        } catch (IOException e) {
            throw new InvalidInputException("Cannot create " + folder + ": " + e.getMessage(), e);
        }
        Random random = new Random(seed);
        for (int i = 0; i < cases; i++) {
            int w = 40 + 8 * random.nextInt(4);
            int h = 40 + 8 * random.nextInt(4);
            int nuclei = 3 + random.nextInt(4);
            long caseSeed = random.nextLong();
            Phantoms.Phantom p = threeD
                    ? Phantoms.nuclei3D(w, h, 10 + 2 * random.nextInt(3), nuclei, nucleoli, caseSeed)
                    : Phantoms.nuclei2D(w, h, nuclei, nucleoli, caseSeed);
            int margin = 1 + random.nextInt(6);
            String id = caseId(i);
            boolean training = i < cases - heldOut;
            Path images = folder.resolve(training ? "imagesTr" : "imagesTs");
            Path labels = folder.resolve(training ? "labelsTr" : "labelsTs");
            VolumeIO.write(padded(p.image(), margin), images.resolve(id + "_0000" + FILE_ENDING));
            VolumeIO.write(padded(p.labels(), margin), labels.resolve(id + FILE_ENDING));
        }
        ObjectNode json = JsonFields.MAPPER.createObjectNode();
        json.putObject("channel_names").put("0", CHANNEL_NAME);
        ObjectNode l = json.putObject("labels");
        for (int c = 0; c < (nucleoli ? Phantoms.CLASSES.size() : 2); c++) {
            l.put(Phantoms.CLASSES.get(c), c);
        }
        json.put("numTraining", cases - heldOut);
        json.put("file_ending", FILE_ENDING);
        json.put("name", "Phantom nuclei " + (threeD ? "3D" : "2D"));
        JsonFields.write(folder.resolve("dataset.json"), json);
    }

    /**
     * The volume inside a zero border of {@code margin} voxels in x and y (and {@code margin / 2}, at least 1,
     * in z), same spacing and unit.
     */
    private static Volume padded(Volume v, int margin) {
        RandomAccessibleInterval<? extends RealType<?>> src = v.image();
        int n = src.numDimensions();
        long[] dims = new long[n];
        long[] offset = new long[n];
        for (int d = 0; d < n; d++) {
            offset[d] = d < 2 ? margin : Math.max(1, margin / 2);
            dims[d] = src.dimension(d) + 2 * offset[d];
        }
        Img<? extends RealType<?>> out = Views.flatIterable(src).firstElement().getMaxValue() > 255
                ? ArrayImgs.unsignedShorts(dims) : ArrayImgs.unsignedBytes(dims);
        copy(src, out, offset);
        return Volume.of(out, v.spacing()).withUnit(v.unit());
    }

    private static void copy(RandomAccessibleInterval<? extends RealType<?>> src, Img<? extends RealType<?>> dst, long[] offset) {
        Cursor<? extends RealType<?>> c = Views.flatIterable(src).localizingCursor();
        RandomAccess<? extends RealType<?>> ra = dst.randomAccess();
        long[] pos = new long[offset.length];
        while (c.hasNext()) {
            double value = c.next().getRealDouble();
            c.localize(pos);
            for (int d = 0; d < pos.length; d++) {
                pos[d] += offset[d];
            }
            ra.setPosition(pos);
            ra.get().setReal(value);
        }
    }
}
