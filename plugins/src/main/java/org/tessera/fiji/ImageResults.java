package org.tessera.fiji;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.measure.ResultsTable;

import org.tessera.unet.AttentionMap;
import org.tessera.unet.SegmentResult;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Volume;
import org.tessera.volume.ij.ImagePlusVolumes;
import org.tessera.volume.metrics.Overlap;

/** A segmentation's results as ImageJ images and tables, calibrated like the image they came from. */
public final class ImageResults {

    public static final String CLASSES_TABLE = "Tessera classes";
    public static final String EVALUATION_TABLE = "Tessera evaluation";

    private ImageResults() {}

    /**
     * The images a segmentation made (not shown yet), its per-class table and the core's result;
     * {@code attention} holds one image per attention gate ({@code <title>_attention_1}, ...) when asked for;
     * {@code instances} and {@code objects} (one row per object) are null without instances.
     */
    public record Segmented(ImagePlus labels, ImagePlus probabilities, ImagePlus instances, List<ImagePlus> attention,
            ResultsTable classes, ResultsTable objects, SegmentResult result) {

        /** Shows the images and the tables (and the objects' outlines); the label image ends up the active image. */
        public void show() {
            if (probabilities != null)
                probabilities.show();
            attention.forEach(ImagePlus::show);
            if (instances != null)
                instances.show();
            labels.show();
            classes.show(CLASSES_TABLE);
            if (objects != null)
                InstanceResults.show(objects, instances);
        }
    }

    /** The result's images titled after {@code imp} ({@code <title>_labels}, ...) with its calibration. */
    static Segmented of(ImagePlus imp, SegmentResult result, List<String> classes) {
        String base = baseTitle(imp.getTitle());
        ImagePlus labels = image(result.labels(), base + "_labels", imp);
        LabelLut.apply(labels);
        ImagePlus probabilities = null;
        if (result.probabilities() != null) {
            probabilities = image(result.probabilities(), base + "_probabilities", imp);
            probabilities.setDisplayRange(0, 1);
        }
        ImagePlus instances = null;
        if (result.instances() != null) {
            instances = image(result.instances(), base + "_instances", imp);
            InstanceResults.colour(instances, result.objects().rows().size());
        }
        List<ImagePlus> attention = new ArrayList<>();
        for (AttentionMap map : result.attention()) {
            ImagePlus image = image(map.map(), base + "_" + map.name(), imp);
            image.setDisplayRange(0, 1);
            attention.add(image);
        }
        return new Segmented(labels, probabilities, instances, List.copyOf(attention), classTable(labels, classes),
                result.objects() == null ? null : InstanceResults.table(result.objects()), result);
    }

    private static ImagePlus image(Volume volume, String title, ImagePlus calibratedLike) {
        ImagePlus image = ImagePlusVolumes.toImagePlus(volume, title);
        Calibration cal = calibratedLike.getCalibration().copy();
        cal.disableDensityCalibration();
        image.setCalibration(cal);
        return image;
    }

    /** Attention maps as one image, a channel per gate (for faces that return a single image); null for none. */
    public static ImagePlus attentionChannels(List<ImagePlus> maps, String title) {
        if (maps.isEmpty())
            return null;
        ImagePlus first = maps.get(0);
        int planes = first.getStackSize();
        ImageStack stack = new ImageStack(first.getWidth(), first.getHeight());
        for (int z = 1; z <= planes; z++)
            for (ImagePlus map : maps)
                stack.addSlice(map.getTitle(), map.getStack().getProcessor(z));
        ImagePlus channels = new ImagePlus(title, stack);
        channels.setDimensions(maps.size(), planes, 1);
        channels.setOpenAsHyperStack(maps.size() > 1);
        channels.setCalibration(first.getCalibration().copy());
        channels.setDisplayRange(0, 1);
        return channels;
    }

    /** The title without an image file extension: "cells.tif" -> "cells". */
    public static String baseTitle(String title) {
        String lower = title.toLowerCase(Locale.ROOT);
        for (String ext : List.of(".nii.gz", ".tiff", ".tif", ".png", ".nii", ".jpg", ".jpeg"))
            if (lower.endsWith(ext) && lower.length() > ext.length())
                return title.substring(0, title.length() - ext.length());
        return title;
    }

    /** Voxels per class and their physical volume (area for 2D) from the label image's calibration. */
    public static ResultsTable classTable(ImagePlus labels, List<String> names) {
        long[] counts = new long[Math.max(names.size(), 1)];
        ImageStack stack = labels.getStack();
        for (int s = 1; s <= stack.getSize(); s++) {
            var ip = stack.getProcessor(s);
            for (int i = 0, n = ip.getPixelCount(); i < n; i++) {
                int v = ip.get(i);
                if (v >= counts.length)
                    counts = java.util.Arrays.copyOf(counts, v + 1);
                counts[v]++;
            }
        }
        Calibration cal = labels.getCalibration();
        boolean is3d = labels.getNSlices() > 1;
        double voxel = cal.pixelWidth * cal.pixelHeight * (is3d ? cal.pixelDepth : 1);
        String unit = cal.getUnit();
        String column = is3d ? "Volume (" + unit + "^3)" : "Area (" + unit + "^2)";
        ResultsTable table = new ResultsTable();
        for (int c = 0; c < counts.length; c++) {
            table.incrementCounter();
            table.addValue("Class", c);
            table.addValue("Name", c < names.size() ? names.get(c) : "class " + c);
            table.addValue("Voxels", counts[c]);
            table.addValue(column, counts[c] * voxel);
        }
        return table;
    }

    /** Dice and IoU per class between a predicted and a true label image of the same size. */
    public static ResultsTable evaluate(ImagePlus prediction, ImagePlus truth) {
        if (prediction == null || truth == null)
            throw new InvalidInputException("Evaluation needs two open label images: a prediction and the truth");
        Overlap overlap = Overlap.of(ImagePlusVolumes.wrap(prediction).image(), ImagePlusVolumes.wrap(truth).image(), 0);
        ResultsTable table = new ResultsTable();
        for (int c = 0; c < overlap.numClasses(); c++) {
            table.incrementCounter();
            table.addValue("Class", c);
            table.addValue("Dice", overlap.dice(c));
            table.addValue("IoU", overlap.iou(c));
            table.addValue("Predicted voxels", overlap.predictedCount(c));
            table.addValue("True voxels", overlap.truthCount(c));
        }
        table.incrementCounter();
        table.addValue("Class", "mean (foreground)");
        table.addValue("Dice", overlap.meanForegroundDice());
        table.addValue("IoU", overlap.meanForegroundIou());
        return table;
    }

    /** Mean foreground Dice from a table made by {@link #evaluate}. */
    public static double meanDice(ResultsTable evaluation) {
        return evaluation.getValue("Dice", evaluation.size() - 1);
    }

}
