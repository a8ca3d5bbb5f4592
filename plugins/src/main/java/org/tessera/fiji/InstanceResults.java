package org.tessera.fiji;

import java.awt.GraphicsEnvironment;

import ij.ImagePlus;
import ij.gui.Roi;
import ij.macro.Interpreter;
import ij.measure.ResultsTable;
import ij.plugin.filter.Analyzer;
import ij.plugin.filter.ThresholdToSelection;
import ij.plugin.frame.RoiManager;
import ij.process.ByteProcessor;
import ij.process.ImageProcessor;

import org.tessera.volume.instances.ObjectTable;

/** A segmentation's objects in ImageJ: the instance image's colours, the objects table and their outlines. */
final class InstanceResults {

    static final String OBJECTS_TABLE = "Tessera objects";

    private InstanceResults() {}

    /** Distinct colours per id, 0 black; beyond 255 objects the LUT spreads over all ids and neighbours may share one. */
    static void colour(ImagePlus instances, int objects) {
        LabelLut.apply(instances);
        if (objects > 255)
            instances.setDisplayRange(0, objects);
    }

    static ResultsTable table(ObjectTable objects) {
        ResultsTable table = new ResultsTable();
        for (double[] row : objects.rows()) {
            table.incrementCounter();
            for (int c = 0; c < row.length; c++)
                table.addValue(objects.columns().get(c), row[c]);
        }
        return table;
    }

    /**
     * Shows the objects table; without a display, where no table window can exist, it becomes the Results table
     * (a macro reads it with nResults and getResult). With a display and outside batch mode, a 2D image's objects
     * also go to the ROI Manager, one outline each; a 3D stack's are left out (one ROI per object and plane would
     * bury the ROI Manager).
     */
    static void show(ResultsTable table, ImagePlus instances) {
        if (GraphicsEnvironment.isHeadless()) {
            Analyzer.setResultsTable(table);
            return;
        }
        table.show(OBJECTS_TABLE);
        if (!Interpreter.isBatchMode() && instances.getStackSize() == 1)
            outline(table, instances);
    }

    private static void outline(ResultsTable table, ImagePlus instances) {
        RoiManager manager = RoiManager.getRoiManager();
        ImageProcessor ip = instances.getProcessor();
        for (int row = 0; row < table.size(); row++) {
            int id = (int) table.getValue("id", row);
            int x0 = (int) table.getValue("min_x", row), y0 = (int) table.getValue("min_y", row);
            int w = (int) table.getValue("max_x", row) - x0 + 1, h = (int) table.getValue("max_y", row) - y0 + 1;
            ByteProcessor mask = new ByteProcessor(w, h);
            for (int y = 0; y < h; y++)
                for (int x = 0; x < w; x++)
                    if (ip.get(x0 + x, y0 + y) == id)
                        mask.set(x, y, 255);
            mask.setThreshold(255, 255, ImageProcessor.NO_LUT_UPDATE);
            Roi roi = new ThresholdToSelection().convert(mask);
            roi.setLocation(x0 + roi.getXBase(), y0 + roi.getYBase());
            roi.setName("object-" + id);
            manager.add(instances, roi, id);
        }
    }
}
