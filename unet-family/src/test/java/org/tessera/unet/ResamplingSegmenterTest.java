package org.tessera.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;

import net.imglib2.RandomAccess;
import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

import org.junit.jupiter.api.Test;
import org.tessera.volume.Progress;
import org.tessera.volume.Volume;
import org.tessera.volume.phantom.Phantoms;
import org.tessera.volume.resample.Resize;

/** Networks run at their training spacing: resampled there and back, or straight through when already there. */
class ResamplingSegmenterTest {

    private static final Model MODEL = ModelZoo.standard(List.of()).shipped("nuclei-3d-unet");
    private static final double[] TRAINED = MODEL.card().trainingSpacing();

    /** A phantom at the training spacing, and the same scene with twice the voxels in x and y. */
    private static Volume atTraining() {
        return Phantoms.nuclei3D(64, 60, 20, 6, false, 3).image().withSpacing(TRAINED).withUnit(MODEL.card().spacingUnit());
    }

    private static Volume finer(Volume coarse) {
        long[] s = coarse.spatialShape();
        return Volume.of(Resize.image(coarse.channel(0), new long[] { 2 * s[0], 2 * s[1], s[2] }, 1),
                TRAINED[0] / 2, TRAINED[1] / 2, TRAINED[2]).withUnit(coarse.unit());
    }

    @Test
    void anImageAtAnotherSpacingIsSegmentedAtTheTrainingSpacingAndComesBackOnItsOwnGrid() {
        Volume coarse = atTraining();
        Volume fine = finer(coarse);
        List<String> notes = new ArrayList<>();
        try (OrtEngine engine = MODEL.open(OrtEngine.Options.cpu(2))) {
            Segmenter network = new Segmenter(MODEL, engine, null);
            VolumeSegmenter resampling = ResamplingSegmenter.around(network, notes::add);
            SegmentOptions options = SegmentOptions.defaults();
            SegmentResult direct = network.segment(coarse, options, Progress.NONE);
            SegmentResult viaResampling = resampling.segment(fine, options.withProbabilities(true), Progress.NONE);

            assertArrayEquals(fine.spatialShape(), viaResampling.labels().spatialShape());
            assertArrayEquals(fine.spacing(), viaResampling.labels().spacing(), 1e-12);
            assertEquals(2, viaResampling.probabilities().channels());
            assertArrayEquals(fine.spatialShape(), viaResampling.probabilities().spatialShape());
            // the network saw the coarse grid: the same tiles as the direct run, not the fine grid's
            assertEquals(direct.tiles(), viaResampling.tiles());
            assertTrue(notes.stream().anyMatch(n -> n.contains("resampling")), notes.toString());
            // and the labels agree with the direct run's, seen on the fine grid
            double agree = agreement(direct.labels().channel(0), viaResampling.labels().channel(0));
            assertTrue(agree > 0.97, "agreement " + agree);
            // labels alone come back plane by plane, without whole probability volumes: the same labels
            SegmentResult labelsOnly = resampling.segment(fine, options, Progress.NONE);
            assertNull(labelsOnly.probabilities());
            assertEquals(1.0, agreement(viaResampling.labels().channel(0), labelsOnly.labels().channel(0)));
        }
    }

    @Test
    void anImageAtTheTrainingSpacingOrInAnotherUnitGoesStraightToTheNetwork() {
        Volume coarse = atTraining();
        try (OrtEngine engine = MODEL.open(OrtEngine.Options.cpu(2))) {
            Segmenter network = new Segmenter(MODEL, engine, null);
            ResamplingSegmenter resampling = (ResamplingSegmenter) ResamplingSegmenter.around(network, null);
            assertNull(resampling.trainingShape(coarse));
            assertNull(resampling.trainingShape(finer(coarse).withUnit("mm")));
            assertArrayEquals(new long[] { 64, 60, 20 }, resampling.trainingShape(finer(coarse)));
            SegmentResult a = network.segment(coarse, SegmentOptions.defaults(), Progress.NONE);
            SegmentResult b = resampling.segment(coarse, SegmentOptions.defaults(), Progress.NONE);
            assertEquals(1.0, agreement(a.labels().channel(0), b.labels().channel(0)));
            assertNull(b.probabilities());
        }
    }

    @Test
    void aModelWithoutTrainingSpacingIsNotWrapped() {
        Model tiny = Model.fromFolder(Fixtures.folder(Fixtures.TINY_3D), Model.Source.USER);
        try (OrtEngine engine = tiny.open(OrtEngine.Options.cpu(1))) {
            Segmenter network = new Segmenter(tiny, engine, null);
            assertEquals(network, ResamplingSegmenter.around(network, null));
        }
    }

    /** Fraction of {@code fine}'s voxels whose label equals the coarse label at the same place. */
    private static double agreement(RandomAccessibleInterval<? extends RealType<?>> coarse,
            RandomAccessibleInterval<? extends RealType<?>> fine) {
        RandomAccess<? extends RealType<?>> c = coarse.randomAccess();
        long same = 0, all = 0;
        var cursor = Views.flatIterable(fine).localizingCursor();
        while (cursor.hasNext()) {
            double v = cursor.next().getRealDouble();
            for (int d = 0; d < 3; d++)
                c.setPosition(cursor.getLongPosition(d) * coarse.dimension(d) / fine.dimension(d), d);
            same += c.get().getRealDouble() == v ? 1 : 0;
            all++;
        }
        return (double) same / all;
    }
}
