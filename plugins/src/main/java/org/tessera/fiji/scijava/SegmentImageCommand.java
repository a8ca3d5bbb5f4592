package org.tessera.fiji.scijava;

import ij.ImagePlus;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.tessera.fiji.ImageJProgress;
import org.tessera.fiji.Tessera;

/** Segments an image with a model: the SciJava face of Tessera Segment. */
@Plugin(type = Command.class, menuPath = "Plugins>Tessera>SciJava>Segment Image")
public class SegmentImageCommand extends TesseraCommand {

    @Parameter(label = "Image", persist = false)
    private ImagePlus image;

    @Parameter(label = "Model id (or classic method, e.g. classic:otsu)", persist = false)
    private String model;

    @Parameter(label = "Parameters (classic methods, key=value ...)", persist = false, required = false)
    private String parameters = "";

    @Parameter(label = "Tile size (x,y[,z] or auto)", persist = false, required = false)
    private String tile = "auto";

    @Parameter(label = "Tiling", choices = { "gaussian", "halo" }, persist = false, required = false)
    private String tiling = "gaussian";

    @Parameter(label = "Device", choices = { "auto", "cpu", "cuda" }, persist = false, required = false)
    private String device = "auto";

    @Parameter(label = "Probability maps", persist = false, required = false)
    private boolean probabilities;

    @Parameter(label = "Attention maps (Attention U-Nets)", persist = false, required = false)
    private boolean attention;

    @Parameter(type = ItemIO.OUTPUT)
    private ImagePlus labels;

    @Parameter(type = ItemIO.OUTPUT, required = false)
    private ImagePlus probabilityMaps;

    /** One channel per attention gate, named after it; null unless asked for. */
    @Parameter(type = ItemIO.OUTPUT, required = false)
    private ImagePlus attentionMaps;

    @Parameter(type = ItemIO.OUTPUT, label = "Voxels per class")
    private String classes;

    @Override
    protected void execute() {
        Tessera.Request request = Tessera.Request.parse(model, tile, tiling, device, probabilities, attention,
                parameters);
        Tessera.Segmented s = Tessera.segment(image, request, new ImageJProgress("Tessera"), line -> log.info(line));
        labels = s.labels();
        probabilityMaps = s.probabilities();
        attentionMaps = Tessera.attentionChannels(s.attention(), Tessera.baseTitle(image.getTitle()) + "_attention");
        classes = TableText.of(s.classes());
    }
}
