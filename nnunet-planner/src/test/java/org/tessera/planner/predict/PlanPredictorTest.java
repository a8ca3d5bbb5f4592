package org.tessera.planner.predict;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import net.imglib2.Cursor;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.unet.Engine;
import org.tessera.unet.Model;
import org.tessera.unet.OrtEngine;
import org.tessera.unet.SegmentOptions;
import org.tessera.unet.SegmentResult;
import org.tessera.unet.VolumeSegmenter;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Orientation;
import org.tessera.volume.Progress;
import org.tessera.volume.Volume;
import org.tessera.volume.io.VolumeIO;
import org.tessera.volume.phantom.Phantoms;

class PlanPredictorTest {

    @TempDir
    Path dir;

    static final double[] AFFINE = {-0.6, 0, 0, 10, 0, 0.45, 0, -4, 0, 0, 2.5, 7.5, 0, 0, 0, 1};

    /** Fake network: class 1 where the preprocessed input exceeds 0 (its mean after z-scoring), else class 0. */
    static final class Threshold implements Engine {
        int calls;

        @Override
        public Result run(FloatBuffer input, long[] shape) {
            calls++;
            int voxels = (int) (Engine.product(shape) / shape[0] / shape[1]);
            float[] out = new float[(int) shape[0] * 3 * voxels];
            for (int n = 0; n < shape[0]; n++)
                for (int i = 0; i < voxels; i++) {
                    float v = input.get(input.position() + n * voxels + i);
                    out[(n * 3 + 1) * voxels + i] = v;
                    out[(n * 3 + 2) * voxels + i] = -100;
                }
            long[] outShape = shape.clone();
            outShape[1] = 3;
            return new Result(out, outShape);
        }

        @Override
        public String device() { return "fake"; }

        @Override
        public void close() { }
    }

    /** Integer intensities 1..200 inside, a zero margin of 2 voxels around (cropped away), shape x, y, z. */
    static ArrayImg<FloatType, FloatArray> image(int w, int h, int d, long seed) {
        ArrayImg<FloatType, FloatArray> img = ArrayImgs.floats(w, h, d);
        SplittableRandom r = new SplittableRandom(seed);
        Cursor<FloatType> c = img.localizingCursor();
        while (c.hasNext()) {
            c.fwd();
            boolean inside = c.getLongPosition(0) >= 2 && c.getLongPosition(0) < w - 3 && c.getLongPosition(1) >= 2
                    && c.getLongPosition(1) < h - 2 && c.getLongPosition(2) >= 1 && c.getLongPosition(2) < d - 1;
            // smooth blobs plus noise, so the threshold is a shape, not salt and pepper
            double x = c.getLongPosition(0), y = c.getLongPosition(1), z = c.getLongPosition(2);
            double v = 100 + 60 * Math.sin(x / 4.0) * Math.cos(y / 5.0) + 20 * Math.sin(z / 2.0) + r.nextInt(5);
            c.get().set(inside ? (float) Math.rint(v) : 0);
        }
        return img;
    }

    /** Expected labels: 1 where the value exceeds the mean of the nonzero voxels. */
    static int[] thresholded(RandomAccessibleInterval<? extends RealType<?>> img) {
        double sum = 0;
        long n = 0;
        for (RealType<?> v : Views.flatIterable(img))
            if (v.getRealDouble() != 0) {
                sum += v.getRealDouble();
                n++;
            }
        double mean = sum / n;
        int[] out = new int[(int) Views.flatIterable(img).size()];
        int i = 0;
        for (RealType<?> v : Views.flatIterable(img)) {
            assertTrue(v.getRealDouble() == 0 || Math.abs(v.getRealDouble() - mean) > 1e-3, "a value sits on the mean");
            out[i++] = v.getRealDouble() != 0 && v.getRealDouble() > mean ? 1 : 0;
        }
        return out;
    }

    static int[] labels(Volume v) {
        int[] out = new int[(int) Views.flatIterable(v.image()).size()];
        int i = 0;
        for (RealType<?> t : Views.flatIterable(v.image()))
            out[i++] = (int) t.getRealDouble();
        return out;
    }

    private PlanPredictor fake(Path bundle, Engine engine, boolean mirroring) {
        return new PlanPredictor(Bundle.read(Model.fromFolder(bundle, Model.Source.USER)), engine, mirroring, null);
    }

    @Test
    void transposedPlanWithoutResamplingGivesTheThresholdedInputBackExactly() {
        // transpose_forward [1, 2, 0]: nnU-Net (z, y, x) -> (y, x, z); spacing equal to the image's, so no resampling
        Path bundle = TestBundles.copy(dir, null, plans -> {
            plans.putArray("transpose_forward").add(1).add(2).add(0);
            plans.putArray("transpose_backward").add(2).add(0).add(1);
            // image spacing x, y, z = 0.5, 0.7, 2 -> (z, y, x) (2, 0.7, 0.5) -> transposed (0.7, 0.5, 2)
            TestBundles.configuration(plans).putArray("spacing").add(0.7).add(0.5).add(2.0);
            TestBundles.configuration(plans).putArray("patch_size").add(16).add(24).add(8);
        }, null);
        ArrayImg<FloatType, FloatArray> img = image(37, 29, 9, 1);
        Volume in = Volume.of(img, 0.5, 0.7, 2.0).withUnit("um").withOrientation(new Orientation(1, AFFINE, 2, AFFINE));
        Threshold engine = new Threshold();
        SegmentResult r = fake(bundle, engine, true).segment(in, SegmentOptions.defaults(), Progress.NONE);
        assertArrayEquals(in.spatialShape(), r.labels().spatialShape());
        assertArrayEquals(in.spacing(), r.labels().spacing());
        assertEquals(in.orientation(), r.labels().orientation());
        assertEquals("um", r.labels().unit());
        assertArrayEquals(thresholded(img), labels(r.labels()));
        // 8 passes per batch: the identity and 7 mirrored
        assertEquals(0, engine.calls % 8);
        // the patch (16, 24, 8) is in transposed (y, x, z) order; the result reports it in the image's x, y, z
        assertArrayEquals(new int[]{24, 16, 8}, r.tile());
    }

    @Test
    void resampledPredictionMatchesTheThresholdedInputUpToBoundaries() {
        // plan spacing (z, y, x) (2, 0.5, 0.5); image 0.6 x 0.45 x 2.5: every axis resampled, separate z both ways
        Path bundle = TestBundles.copy(dir, null, null, null);
        ArrayImg<FloatType, FloatArray> img = image(41, 35, 11, 2);
        Volume in = Volume.of(img, 0.6, 0.45, 2.5).withOrientation(new Orientation(1, AFFINE, 2, AFFINE));
        SegmentResult r = fake(bundle, new Threshold(), false).segment(in, SegmentOptions.defaults().withProbabilities(true),
                Progress.NONE);
        assertArrayEquals(in.spatialShape(), r.labels().spatialShape());
        assertEquals(in.orientation(), r.labels().orientation());
        int[] expected = thresholded(img);
        int[] got = labels(r.labels());
        int both = 0, sum = 0;
        for (int i = 0; i < got.length; i++) {
            both += expected[i] == 1 && got[i] == 1 ? 1 : 0;
            sum += expected[i] + got[i];
        }
        double dice = 2.0 * both / sum;
        assertTrue(dice > 0.93, "Dice " + dice);
        // probabilities: one channel per class, background 1 outside the crop
        assertEquals(3, r.probabilities().channels());
        assertEquals(1.0, Views.flatIterable(Views.hyperSlice(r.probabilities().image(), 3, 0)).firstElement().getRealDouble());
    }

    @Test
    void realNetworkOnAnAnisotropicNiftiKeepsGeometry() throws Exception {
        Volume phantom = Phantoms.nuclei3D(45, 37, 11, 4, false, 2).image();
        Path file = dir.resolve("stack.nii.gz");
        VolumeIO.write(Volume.of(phantom.image(), 0.6, 0.45, 2.5).withUnit("um")
                .withOrientation(new Orientation(1, AFFINE, 2, AFFINE)), file);
        Volume in = VolumeIO.read(file);
        Model model = Model.fromFolder(TestBundles.fixture(), Model.Source.USER);
        try (OrtEngine engine = model.open(OrtEngine.Options.cpu(2))) {
            VolumeSegmenter s = new PlanPredictor(Bundle.read(model), engine, false, null);
            SegmentResult r = s.segment(in, SegmentOptions.defaults(), Progress.NONE);
            assertArrayEquals(in.spatialShape(), r.labels().spatialShape());
            assertArrayEquals(in.spacing(), r.labels().spacing(), 1e-6);
            assertEquals(in.orientation(), r.labels().orientation());
            int max = 0;
            for (int v : labels(r.labels()))
                max = Math.max(max, v);
            assertTrue(max <= 2, "labels 0..2, found " + max);
            assertTrue(r.tiles() >= 1);
            Path out = dir.resolve("labels.nii.gz");
            VolumeIO.write(r.labels(), out);
            assertEquals(in.orientation(), VolumeIO.read(out).orientation());
        }
        // a plain model still gets the plain pipeline
        assertTrue(Files.exists(TestBundles.fixture().resolve("plans.json")));
    }

    @Test
    void badBundlesAreExplained() throws Exception {
        Path noPlans = TestBundles.copy(dir.resolve("a"), null, null, null);
        Files.delete(noPlans.resolve("plans.json"));
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> Bundle.read(Model.fromFolder(noPlans, Model.Source.USER)));
        assertTrue(e.getMessage().contains("plans.json") && e.getMessage().contains("no such file"), e.getMessage());

        Path outside = TestBundles.copy(dir.resolve("e"), card -> ((com.fasterxml.jackson.databind.node.ObjectNode) card.get("nnunet"))
                .put("plans", "../a/plans.json"), null, null);
        e = assertThrows(InvalidInputException.class, () -> Bundle.read(Model.fromFolder(outside, Model.Source.USER)));
        assertTrue(e.getMessage().contains("../a/plans.json") && e.getMessage().contains("inside its own folder"),
                e.getMessage());

        Path lowres = TestBundles.copy(dir.resolve("b"), card -> ((com.fasterxml.jackson.databind.node.ObjectNode) card.get("nnunet"))
                .put("configuration", "3d_lowres"), null, null);
        e = assertThrows(InvalidInputException.class, () -> Bundle.read(Model.fromFolder(lowres, Model.Source.USER)));
        assertTrue(e.getMessage().contains("\"3d_lowres\"") && e.getMessage().contains("3d_fullres"), e.getMessage());

        Path twoChannels = TestBundles.copy(dir.resolve("c"), null, null,
                ds -> ((com.fasterxml.jackson.databind.node.ObjectNode) ds.get("channel_names")).put("1", "dapi"));
        e = assertThrows(InvalidInputException.class, () -> Bundle.read(Model.fromFolder(twoChannels, Model.Source.USER)));
        assertTrue(e.getMessage().contains("channel counts disagree") && e.getMessage().contains("dataset.json"), e.getMessage());

        Path fine = TestBundles.copy(dir.resolve("d"), null, null, null);
        PlanPredictor p = fake(fine, new Threshold(), false);
        Volume twoChannelImage = Volume.withChannels(ArrayImgs.floats(20, 20, 6, 2), 0.5, 0.5, 2);
        e = assertThrows(InvalidInputException.class, () -> p.segment(twoChannelImage, SegmentOptions.defaults(), Progress.NONE));
        assertTrue(e.getMessage().contains("2 channels") && e.getMessage().contains("normalizes 1"), e.getMessage());
        Volume flat = Volume.of(ArrayImgs.floats(20, 20), 0.5, 0.5);
        e = assertThrows(InvalidInputException.class, () -> p.segment(flat, SegmentOptions.defaults(), Progress.NONE));
        assertTrue(e.getMessage().contains("2D"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> p.segment(Volume.of(ArrayImgs.floats(20, 20, 6), 1, 1, 1),
                SegmentOptions.defaults().withTile(new int[]{16, 16, 8}), Progress.NONE));
        assertTrue(e.getMessage().contains("patch size"), e.getMessage());
        e = assertThrows(InvalidInputException.class, () -> p.segment(Volume.of(ArrayImgs.floats(20, 20, 6), 1, 1, 1),
                SegmentOptions.defaults().withAttentionMaps(true), Progress.NONE));
        assertTrue(e.getMessage().contains("nnU-Net bundle: it has no attention maps"), e.getMessage());
        assertNotEquals(null, p.bundle());
    }
}
