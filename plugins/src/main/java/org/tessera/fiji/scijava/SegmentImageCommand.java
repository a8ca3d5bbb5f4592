package org.tessera.fiji.scijava;

import ij.ImagePlus;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.tessera.fiji.ImageJProgress;
import org.tessera.fiji.ImageResults;
import org.tessera.fiji.Tessera;

/** Segments an image with a model: the SciJava face of Tessera Segment. */
@Plugin(type = Command.class, menuPath = "Plugins>Tessera>SciJava>Segment Image")
public class SegmentImageCommand extends SegmentationCommand {

    @Parameter(label = "Image", persist = false)
    private ImagePlus image;

    @Parameter(type = ItemIO.OUTPUT)
    private ImagePlus labels;

    @Parameter(type = ItemIO.OUTPUT, required = false)
    private ImagePlus probabilityMaps;

    /** One channel per attention gate, named after it; null unless asked for. */
    @Parameter(type = ItemIO.OUTPUT, required = false)
    private ImagePlus attentionMaps;

    @Parameter(type = ItemIO.OUTPUT, label = "Voxels per class")
    private String classes;

    /** {@code <title>_instances} and a row per object; null unless instances were asked for. */
    @Parameter(type = ItemIO.OUTPUT, required = false)
    private ImagePlus instanceLabels;

    @Parameter(type = ItemIO.OUTPUT, required = false, label = "Objects")
    private String objects;

    @Override
    protected void execute() {
        ImageResults.Segmented s = Tessera.segment(image, request().build(), new ImageJProgress("Tessera"),
                line -> log.info(line));
        labels = s.labels();
        probabilityMaps = s.probabilities();
        attentionMaps = ImageResults.attentionChannels(s.attention(), ImageResults.baseTitle(image.getTitle())
                + "_attention");
        classes = TableText.of(s.classes());
        instanceLabels = s.instances();
        objects = s.objects() == null ? null : TableText.of(s.objects());
    }
}
