package org.tessera.volume.classic;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import net.imglib2.img.array.ArrayImgs;

import org.junit.jupiter.api.Test;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Volume;
import org.tessera.volume.phantom.Phantoms;

/** Parameters: the class mapping, names, instances, and a clear message for every mistake. */
class ClassicParametersTest {

    static final Volume IMAGE = Phantoms.nuclei2D(96, 80, 6, true, 4).image();

    private static float[] labels(ClassicSegmentation.Result r) {
        return Grid.of(r.labels().image(), r.labels().spacing()).read(r.labels().image());
    }

    private static ClassicSegmentation.Result run(String id, String params) {
        return ClassicSegmentation.configure(id, Parameters.parse(params)).segment(IMAGE);
    }

    @Test
    void orderMapsTheIntensityClassesOntoLabels() {
        float[] plain = labels(run("classic:otsu", "")), reversed = labels(run("classic:otsu", "order=bright-to-dark"));
        float[] listed = labels(run("classic:otsu", "order=1,0"));
        long ones = 0;
        for (int i = 0; i < plain.length; i++) {
            assertEquals(1 - plain[i], reversed[i]);
            assertEquals(reversed[i], listed[i]);
            ones += (long) plain[i];
        }
        assertTrue(ones > 0 && ones < plain.length, "both classes present");

        // three classes, the middle one alone labelled 1: two classes share label 0
        float[] three = labels(run("classic:multi-otsu", "thresholds=2"));
        float[] merged = labels(run("classic:multi-otsu", "thresholds=2 order=0,1,0"));
        for (int i = 0; i < three.length; i++)
            assertEquals(three[i] == 1 ? 1 : 0, merged[i]);
        assertEquals(List.of("level-0+level-2", "level-1"),
                ClassicSegmentation.configure("classic:multi-otsu", Parameters.parse("order=0,1,0")).classes());
        assertEquals(List.of("dark", "bright"), ClassicSegmentation.configure("classic:otsu", Parameters.parse("")).classes());
        assertEquals(List.of("bright", "dark"),
                ClassicSegmentation.configure("classic:kmeans", Parameters.parse("order=bright-to-dark")).classes());
        assertEquals(List.of("background", "nucleus"),
                ClassicSegmentation.configure("classic:watershed", Parameters.parse("names=background,nucleus")).classes());
    }

    @Test
    void watershedReturnsInstancesThatSplitTouchingObjects() {
        // two overlapping discs: one component, two instances when split at the neck by the distance map
        int w = 80, h = 50;
        float[] v = new float[w * h];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++) {
                boolean in = Math.hypot(x - 25, y - 25) < 15 || Math.hypot(x - 52, y - 25) < 15;
                v[y * w + x] = in ? 200 : 10;
            }
        Volume discs = Volume.of(ArrayImgs.floats(v, w, h), 1, 1);
        ClassicSegmentation.Result r = ClassicSegmentation.configure("classic:watershed",
                Parameters.parse("markers=distance h=2 sigma=0 instances=true")).segment(discs);
        assertNotNull(r.instances());
        float[] instances = Grid.of(r.instances().image(), r.instances().spacing()).read(r.instances().image());
        float max = 0;
        for (float i : instances)
            max = Math.max(max, i);
        assertEquals(2, max, "two instances");
        assertTrue(instances[25 * w + 20] > 0 && instances[25 * w + 57] > 0
                && instances[25 * w + 20] != instances[25 * w + 57], "the discs are separate instances");
        assertEquals(0, instances[0]);
        assertNull(run("classic:watershed", "").instances(), "instances only when asked");
        assertNull(run("classic:otsu", "").instances(), "only the watershed separates instances");
    }

    @Test
    void regionGrowingFromAGivenSeedKeepsToItsObject() {
        // the brightest voxel's nucleus only: other nuclei are not connected to it
        Grid g = Grid.of(IMAGE.image(), IMAGE.spacing());
        float[] v = g.read(IMAGE.image());
        int brightest = 0;
        for (int i = 1; i < v.length; i++)
            if (v[i] > v[brightest])
                brightest = i;
        int[] pos = g.position(brightest, new int[2]);
        float[] grown = labels(run("classic:region-growing", "seeds=" + pos[0] + "," + pos[1]));
        float[] otsu = labels(run("classic:otsu", ""));
        long inGrown = 0, inOtsu = 0;
        for (int i = 0; i < v.length; i++) {
            inGrown += (long) grown[i];
            inOtsu += (long) otsu[i];
        }
        assertEquals(1, grown[brightest]);
        assertTrue(inGrown > 20 && inGrown < inOtsu / 2, "one nucleus of several: " + inGrown + " of " + inOtsu);
    }

    private static void assertRefused(String id, String params, String... expected) {
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ClassicSegmentation.configure(id, Parameters.parse(params)).segment(IMAGE), id + " " + params);
        for (String text : expected)
            assertTrue(e.getMessage().contains(text), "'" + e.getMessage() + "' should say '" + text + "'");
    }

    @Test
    void mistakesNameTheParameterAndWhatWorks() {
        assertRefused("classic:otsuu", "", "Unknown classic method 'classic:otsuu'", "classic:otsu", "classic:edges");
        assertRefused("classic:kmeans", "kk=3", "classic:kmeans has no parameter 'kk'", "k, sigma, order, names");
        assertRefused("classic:kmeans", "k=three", "k=three", "not a whole number", "2 to 16");
        assertRefused("classic:kmeans", "k=40", "k=40", "out of range", "2 to 16");
        assertRefused("classic:kmeans", "k3", "'k3' is not of the form key=value");
        assertRefused("classic:kmeans", "k=3 k=4", "'k' is given twice");
        assertRefused("classic:otsu", "order=2,1,0", "order=2,1,0", "has 3 labels but the method makes 2 classes",
                "dark-to-bright, bright-to-dark");
        assertRefused("classic:otsu", "order=upside-down", "order=upside-down", "is not understood");
        assertRefused("classic:otsu", "names=a,b,c", "names=a,b,c", "gives 3 names but there are 2 labels");
        assertRefused("classic:otsu", "sigma=-1", "sigma=-1", "a length >= 0");
        assertRefused("classic:watershed", "markers=peaks", "markers=peaks", "use extrema or distance");
        assertRefused("classic:edges", "low=10 high=5", "low=10", "give low <= high");
        assertRefused("classic:region-growing", "seeds=10,10,3", "has 3 coordinates but the image is 2D");
        assertRefused("classic:region-growing", "seeds=500,10", "lies outside the image [96, 80]");
        assertRefused("classic:region-growing", "seeds=a,b", "seeds=a,b", "voxel coordinates x,y");
        assertRefused("classic:multi-otsu", "thresholds=0", "thresholds=0", "1 to 8");
        Volume twoChannels = Volume.withChannels(ArrayImgs.floats(8, 8, 2), 1, 1);
        InvalidInputException e = assertThrows(InvalidInputException.class,
                () -> ClassicSegmentation.configure("classic:otsu", Parameters.parse("")).segment(twoChannels));
        assertTrue(e.getMessage().contains("segments one channel; the image has 2"), e.getMessage());
    }

    @Test
    void parametersAreCheckedBeforeAnyImageIsSeen() {
        assertThrows(InvalidInputException.class, () -> ClassicSegmentation.configure("classic:kmeans",
                Parameters.parse("k=1")));
        assertArrayEquals(new long[] { 96, 80 }, run("classic:edges", "close=0").labels().spatialShape());
    }
}
