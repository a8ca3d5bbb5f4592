package org.tessera.fiji.scijava;

import java.io.File;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.tessera.fiji.ImageJProgress;
import org.tessera.fiji.Tessera;

/** Segments every image of a folder into an output folder, skipping finished ones: the SciJava face of Tessera Segment Folder. */
@Plugin(type = Command.class, menuPath = "Plugins>Tessera>SciJava>Segment Folder")
public class SegmentFolderCommand extends TesseraCommand {

    @Parameter(label = "Input folder", style = "directory", persist = false)
    private File input;

    @Parameter(label = "Output folder", style = "directory", persist = false)
    private File output;

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

    @Parameter(label = "Attention maps (one file per gate; Attention U-Nets)", persist = false, required = false)
    private boolean attention;

    @Parameter(label = "Overlay PNG per image", persist = false, required = false)
    private boolean overlay;

    @Parameter(label = "Overwrite finished outputs", persist = false, required = false)
    private boolean overwrite;

    @Parameter(type = ItemIO.OUTPUT)
    private String summary;

    @Override
    protected void execute() {
        Tessera.Request request = Tessera.Request.parse(model, tile, tiling, device, probabilities, attention,
                parameters);
        Tessera.FolderSummary s = Tessera.segmentFolder(input == null ? null : input.toPath(),
                output == null ? null : output.toPath(), request, overlay, overwrite, new ImageJProgress("Tessera"),
                line -> log.info(line));
        summary = s.toString();
        if (s.failed() > 0)
            summary += "\n" + String.join("\n", s.failures());
    }
}
