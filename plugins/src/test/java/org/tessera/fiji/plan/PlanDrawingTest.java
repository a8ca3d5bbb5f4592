package org.tessera.fiji.plan;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Rectangle;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import ij.ImagePlus;
import ij.process.ImageProcessor;

import org.junit.jupiter.api.Test;
import org.tessera.planner.DatasetJson;
import org.tessera.planner.ExperimentPlanner;
import org.tessera.planner.Fingerprint;
import org.tessera.planner.IntensityProperties;
import org.tessera.planner.Plans;

/** The drawing and the report of the MSD Lung plan (the spec's public reference case), headless. */
class PlanDrawingTest {

    static final int WHITE = 0xFFFFFF;

    static Plans lung() {
        Fingerprint fp = Fingerprint.builder()
                .addCases(63, new double[] { 1.244979977607727, 0.78515625, 0.78515625 }, new int[] { 252, 512, 512 })
                .channel(0, new IntensityProperties(2671.0, -273.46, -162.0, -1024.0, -1024.0, 311.0, 346.95)).build();
        return new ExperimentPlanner(fp, lungJson(), "Dataset006_Lung").plan();
    }

    static DatasetJson lungJson() {
        Map<String, Integer> labels = new LinkedHashMap<>();
        labels.put("background", 0);
        labels.put("cancer", 1);
        return DatasetJson.of(Map.of("0", "CT"), labels, 63, ".nii.gz");
    }

    @Test
    void oneSliceOfTheExpectedSizePerConfiguration() {
        ImagePlus imp = PlanDrawing.draw(lung());
        assertEquals(PlanDrawing.WIDTH, imp.getWidth());
        assertEquals(PlanDrawing.HEIGHT, imp.getHeight());
        assertEquals(ImagePlus.COLOR_RGB, imp.getType());
        List<String> labels = new java.util.ArrayList<>();
        for (int i = 1; i <= imp.getStackSize(); i++)
            labels.add(imp.getStack().getSliceLabel(i));
        assertEquals(List.of("2d", "3d_lowres", "3d_fullres", "3d_cascade_fullres"), labels);
    }

    @Test
    void everyStageBoxIsDrawnWhereTheLayoutPutsIt() {
        Plans plans = lung();
        for (String name : plans.configurations().keySet()) {
            Plans.Configuration c = plans.resolved(name);
            PlanDrawing.Layout l = PlanDrawing.layout(c);
            int stages = c.architecture().nStages();
            assertEquals(stages, l.encoder().size(), name);
            assertEquals(stages - 1, l.decoder().size(), name);
            ImageProcessor ip = PlanDrawing.draw(plans, name);
            for (int s = 0; s < stages; s++) {
                assertBoxDrawn(ip, l.encoder().get(s), name + " encoder stage " + s);
                if (s < stages - 1)
                    assertBoxDrawn(ip, l.decoder().get(s), name + " decoder stage " + s);
            }
            // boxes stay apart: encoder and decoder of a stage do not touch, and every box is inside the U panel
            for (int s = 0; s < stages - 1; s++)
                assertTrue(l.encoder().get(s).x + l.encoder().get(s).width < l.decoder().get(s).x, name + " stage " + s);
            for (Rectangle r : l.encoder())
                assertTrue(r.x >= 150 && r.x + r.width <= 630 && r.y >= PlanDrawing.U_TOP && r.y + r.height <= PlanDrawing.U_BOTTOM,
                        name + " " + r);
        }
    }

    @Test
    void boxesWidenWithFeaturesAndShrinkWithTheFeatureMap() {
        Plans.Configuration c = lung().resolved("3d_fullres");
        // features 32, 64, 128, 256, 320, 320; feature maps 80x192x160 down to 5x6x5
        PlanDrawing.Layout l = PlanDrawing.layout(c);
        for (int s = 1; s < 5; s++) {
            assertTrue(l.encoder().get(s).width > l.encoder().get(s - 1).width, "width at stage " + s);
            assertTrue(l.encoder().get(s).height < l.encoder().get(s - 1).height, "height at stage " + s);
        }
        assertEquals(l.encoder().get(4).width, l.encoder().get(5).width, "320 features at stages 4 and 5");
    }

    @Test
    void theSideOfTheImageAwayFromTheDrawingStaysEmpty() {
        ImageProcessor ip = PlanDrawing.draw(lung(), "3d_fullres");
        int bg = 0;
        for (int y = PlanDrawing.HEIGHT - 12; y < PlanDrawing.HEIGHT; y++)
            for (int x = 0; x < PlanDrawing.WIDTH; x++)
                if ((ip.get(x, y) & 0xFFFFFF) == WHITE)
                    bg++;
        assertEquals(12 * PlanDrawing.WIDTH, bg, "the bottom margin is background");
        // the in-plane view shows the median image (light grey) at its top-left corner
        assertEquals(PlanDrawing.VOLUME.getRGB() & 0xFFFFFF, ip.get(PlanDrawing.VIEW_LEFT + 200, PlanDrawing.U_TOP + 30) & 0xFFFFFF);
    }

    @Test
    void tileStartsFollowNnUNet() {
        assertArrayEquals(new int[] { 0, 23, 46 }, PlanViews.tileStarts(110, 64));
        assertArrayEquals(new int[] { 0, 16, 33 }, PlanViews.tileStarts(97, 64));
        assertArrayEquals(new int[] { 0, 34, 69, 103, 138, 172 }, PlanViews.tileStarts(252, 80));
        assertArrayEquals(new int[] { 0, 80, 160, 240, 320 }, PlanViews.tileStarts(512, 192));
        assertArrayEquals(new int[] { 0, 70, 141, 211, 282, 352 }, PlanViews.tileStarts(512, 160));
        assertArrayEquals(new int[] { 0 }, PlanViews.tileStarts(40, 64));
    }

    @Test
    void reportNamesTheLungNumbers() {
        Plans plans = lung();
        Fingerprint fp = Fingerprint.builder()
                .addCases(63, new double[] { 1.244979977607727, 0.78515625, 0.78515625 }, new int[] { 252, 512, 512 })
                .channel(0, new IntensityProperties(2671.0, -273.46, -162.0, -1024.0, -1024.0, 311.0, 346.95)).build();
        List<PlanReport.Row> rows = PlanReport.rows(plans, fp, lungJson(), 8);
        String text = PlanReport.text(rows);
        assertTrue(text.contains("== 3d_fullres"), text);
        assertEquals("80x192x160", value(rows, "3d_fullres", "patch size"));
        assertEquals("2", value(rows, "3d_fullres", "batch size"));
        assertEquals("[32, 64, 128, 256, 320, 320]", value(rows, "3d_fullres", "features per stage"));
        assertEquals("1x1x1, 2x2x2, 2x2x2, 2x2x2, 2x2x2, 1x2x2", value(rows, "3d_fullres", "strides"));
        assertEquals("512x512", value(rows, "2d", "patch size"));
        assertEquals("12", value(rows, "2d", "batch size"));
        assertEquals("80x192x160", value(rows, "3d_cascade_fullres", "patch size"), "the cascade shows what it inherits");
        assertEquals("true", value(rows, "3d_fullres", "batch_dice"));
        assertEquals("false", value(rows, "3d_lowres", "batch_dice"));
        assertEquals("CTNormalization", value(rows, "3d_fullres", "normalization"));
        assertTrue(value(rows, "3d_fullres", "feature maps per sample").startsWith("528,211,200"), text);
        assertTrue(value(rows, "data set Dataset006_Lung", "median spacing").startsWith("1.245 x 0.7852"), text);
    }

    private static String value(List<PlanReport.Row> rows, String section, String itemStart) {
        boolean in = false;
        for (PlanReport.Row r : rows) {
            if (r.isHeading())
                in = r.item().equals("== " + section);
            else if (in && r.item().startsWith(itemStart))
                return r.value();
        }
        throw new AssertionError("no " + itemStart + " in " + section + ":\n" + PlanReport.text(rows));
    }

    /** Mostly the box colour inside (labels and arrows may cross it), never plain background. */
    private static void assertBoxDrawn(ImageProcessor ip, Rectangle r, String what) {
        int inside = 0, background = 0;
        for (int y = r.y + 1; y < r.y + r.height; y++)
            for (int x = r.x + 1; x < r.x + r.width; x++) {
                inside++;
                if ((ip.get(x, y) & 0xFFFFFF) == WHITE)
                    background++;
            }
        assertTrue(inside > 0, what + ": empty box " + r);
        assertEquals(0, background, what + ": background pixels inside " + r);
        assertTrue((ip.get(r.x, r.y) & 0xFFFFFF) != WHITE, what + ": no outline at " + r);
    }
}
