package org.tessera.fiji.scijava;

import java.io.File;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.tessera.fiji.ImageJProgress;
import org.tessera.fiji.Tessera;
import org.tessera.service.RunSummary;

/** Segments every image of a folder into an output folder, skipping finished ones: the SciJava face of Tessera Segment Folder. */
@Plugin(type = Command.class, menuPath = "Plugins>Tessera>SciJava>Segment Folder")
public class SegmentFolderCommand extends SegmentationCommand {

    @Parameter(label = "Input folder", style = "directory", persist = false)
    private File input;

    @Parameter(label = "Output folder", style = "directory", persist = false)
    private File output;

    @Parameter(label = "Overlay PNG per image", persist = false, required = false)
    private boolean overlay;

    @Parameter(label = "Overwrite finished outputs", persist = false, required = false)
    private boolean overwrite;

    @Parameter(type = ItemIO.OUTPUT)
    private String summary;

    @Override
    protected void execute() {
        RunSummary s = Tessera.segmentFolder(input == null ? null : input.toPath(),
                output == null ? null : output.toPath(), request().overlay(overlay).overwrite(overwrite).build(),
                new ImageJProgress("Tessera"), line -> log.info(line));
        summary = s.toString();
        if (s.failed() > 0)
            summary += "\n" + String.join("\n", s.failures());
    }
}
