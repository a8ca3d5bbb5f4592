package org.tessera.volume.classic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

import org.junit.jupiter.api.Test;
import org.tessera.volume.Volume;
import org.tessera.volume.metrics.Overlap;
import org.tessera.volume.phantom.Phantoms;

/**
 * Every classic method on 2D and 3D phantoms with exact labels. The Dice each must reach comes from the truth
 * itself: the Dice of a segmentation that is off by one voxel along every boundary (the truth eroded or
 * dilated by one voxel, whichever scores lower), or two voxels for the methods that place boundaries on
 * edges or grow from a tolerance.
 */
class ClassicPhantomTest {

    static final Phantoms.Phantom P2 = Phantoms.nuclei2D(256, 224, 18, true, 11);
    static final Phantoms.Phantom P3 = Phantoms.nuclei3D(96, 88, 24, 9, true, 12);

    static ClassicSegmentation.Result run(String id, Volume image, String params) {
        return ClassicSegmentation.configure(id, Parameters.parse(params)).segment(image);
    }

    /** Nucleus (with its nucleolus) against the rest. */
    static boolean[] truthMask(Phantoms.Phantom p) {
        Grid g = Grid.of(p.labels().image(), p.labels().spacing());
        float[] l = g.read(p.labels().image());
        boolean[] m = new boolean[l.length];
        for (int i = 0; i < l.length; i++)
            m[i] = l[i] > 0;
        return m;
    }

    static double dice(boolean[] a, boolean[] b) {
        long both = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i])
                na++;
            if (b[i])
                nb++;
            if (a[i] && b[i])
                both++;
        }
        return 2.0 * both / (na + nb);
    }

    /**
     * The Dice of the truth with every boundary moved by {@code voxels} in-plane voxel lengths (eroded or
     * dilated by that distance in space, so thick z slices are not eroded away), whichever is lower.
     */
    static double boundFromTruth(Phantoms.Phantom p, int voxels) {
        Grid g = Grid.of(p.labels().image(), p.labels().spacing());
        boolean[] truth = truthMask(p), outside = new boolean[truth.length];
        for (int i = 0; i < truth.length; i++)
            outside[i] = !truth[i];
        float[] in = DistanceTransform.of(g, truth), out = DistanceTransform.of(g, outside);
        double r = voxels * g.finestSpacing();
        boolean[] eroded = new boolean[truth.length], dilated = new boolean[truth.length];
        for (int i = 0; i < truth.length; i++) {
            eroded[i] = in[i] > r;
            dilated[i] = truth[i] || out[i] <= r;
        }
        return Math.min(dice(truth, eroded), dice(truth, dilated));
    }

    static boolean[] foreground(ClassicSegmentation.Result r, int label) {
        Grid g = Grid.of(r.labels().image(), r.labels().spacing());
        float[] l = g.read(r.labels().image());
        boolean[] m = new boolean[l.length];
        for (int i = 0; i < l.length; i++)
            m[i] = l[i] == label;
        return m;
    }

    private static void assertSegments(String id, String params, int voxels) {
        for (Phantoms.Phantom p : new Phantoms.Phantom[] { P2, P3 }) {
            ClassicSegmentation.Result r = run(id, p.image(), params);
            assertArrayEquals(p.image().spatialShape(), r.labels().spatialShape());
            assertArrayEquals(p.image().spacing(), r.labels().spacing());
            double dice = dice(truthMask(p), foreground(r, 1));
            double bound = boundFromTruth(p, voxels);
            System.out.printf("%s %s %dD: Dice %.4f, bound (%d voxel) %.4f%n", id, params, p.image().spatialDims(), dice,
                    voxels, bound);
            assertTrue(dice > bound, id + " " + params + " on the " + p.image().spatialDims() + "D phantom: Dice "
                    + dice + " <= " + bound + ", the Dice of the truth off by " + voxels + " voxel(s)");
        }
    }

    @Test
    void otsu() {
        assertSegments("classic:otsu", "", 1);
    }

    @Test
    void kmeans() {
        assertSegments("classic:kmeans", "k=2", 1);
    }

    @Test
    void regionGrowing() {
        assertSegments("classic:region-growing", "", 2);
    }

    @Test
    void watershedOnTheGradient() {
        assertSegments("classic:watershed", "", 1);
    }

    @Test
    void watershedSplittingOtsusMaskByDistance() {
        assertSegments("classic:watershed", "markers=distance", 1);
    }

    @Test
    void edges() {
        assertSegments("classic:edges", "", 2);
    }

    /**
     * Three intensity levels (background, nucleus, nucleolus: 20, 90, 170) painted from a phantom's labels,
     * with Gaussian noise of 2: one class each for three-class methods. (With much more noise, splitting the
     * large background in two gains more between-class variance than setting the few nucleolus voxels apart.)
     */
    static Volume threeLevels(Phantoms.Phantom p) {
        Grid g = Grid.of(p.labels().image(), p.labels().spacing());
        float[] labels = g.read(p.labels().image());
        float[] v = new float[labels.length];
        java.util.Random random = new java.util.Random(5);
        for (int i = 0; i < v.length; i++)
            v[i] = (float) (new double[] { 20, 90, 170 }[(int) labels[i]] + 2 * random.nextGaussian());
        return p.image().withImage(g.floats(v), false);
    }

    @Test
    void multiOtsuAndKmeansFindThreeIntensityClasses() {
        for (String method : new String[] { "classic:multi-otsu thresholds=2", "classic:kmeans k=3" })
            for (Phantoms.Phantom p : new Phantoms.Phantom[] { P2, P3 }) {
                String[] parts = method.split(" ", 2);
                ClassicSegmentation.Result r = run(parts[0], threeLevels(p), parts[1]);
                Overlap o = Overlap.of(r.labels().image(), p.labels().image(), 3);
                for (int c = 0; c < 3; c++)
                    assertTrue(o.dice(c) > 0.99, method + " " + p.image().spatialDims() + "D, class " + c + ": Dice "
                            + o.dice(c));
                assertEquals(java.util.List.of("level-0", "level-1", "level-2"),
                        ClassicSegmentation.configure(parts[0], Parameters.parse(parts[1])).classes());
            }
    }
}
