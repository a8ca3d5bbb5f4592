package org.tessera.fiji;

import java.nio.file.Path;

import ij.IJ;
import ij.Macro;
import ij.Prefs;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;

import org.tessera.service.RunSummary;
import org.tessera.service.SegmentationRequest;
import org.tessera.unet.ModelZoo;

/**
 * Plugins > Tessera > Tessera Segment Folder: every image of a folder into {@code <name>_labels.<ext>} in an
 * output folder. Finished outputs are skipped, so running it again after Esc or a crash continues the job.
 */
public class SegmentFolderPlugin implements PlugIn {

    static final String TITLE = "Tessera Segment Folder";

    @Override
    public void run(String arg) {
        try {
            ModelZoo zoo = Tessera.zoo();
            String[] ids = Tessera.modelIdsForDialog(zoo);
            boolean fromMacro = Macro.getOptions() != null; // a macro's choices are not remembered as defaults
            GenericDialog gd = new GenericDialog(TITLE);
            gd.addDirectoryField("Input folder", Prefs.get("tessera.folder.input", ""), 30);
            gd.addDirectoryField("Output folder", Prefs.get("tessera.folder.output", ""), 30);
            SegmentDialog.addFields(gd, ids, "auto", "auto", "auto",
                    "Attention_maps (one file per gate)"); // recorded as "attention_maps"
            gd.addCheckbox("Overlay PNG per image", false);
            gd.addCheckbox("Overwrite finished outputs", false);
            SegmentDialog.addMethodFields(gd);
            gd.showDialog();
            if (gd.wasCanceled())
                return;
            String input = gd.getNextString().strip();
            String output = gd.getNextString().strip();
            SegmentDialog.Choices choices = SegmentDialog.Choices.read(gd);
            boolean overlay = gd.getNextBoolean();
            boolean overwrite = gd.getNextBoolean();
            SegmentationRequest request = choices.request(gd).overlay(overlay).overwrite(overwrite)
                    .build();
            if (!fromMacro) {
                Prefs.set("tessera.folder.input", input);
                Prefs.set("tessera.folder.output", output);
            }
            if (input.isEmpty() || output.isEmpty())
                throw new org.tessera.volume.InvalidInputException("Choose both an input folder and an output folder");
            ImageJProgress progress = new ImageJProgress(TITLE);
            IJ.log(TITLE + ": " + input + " -> " + output + " with " + request.modelId());
            RunSummary summary = Tessera.segmentFolder(Path.of(input), Path.of(output), request, progress,
                    line -> IJ.log("  " + line));
            IJ.log(TITLE + ": " + summary);
            progress.finish(summary.toString());
            if (summary.failed() > 0)
                IJ.error(TITLE, summary.failed() + " of the images failed (" + summary.failures().get(0)
                        + (summary.failed() > 1 ? "; more" : "") + "). The Log window lists them.");
        } catch (RuntimeException e) {
            if (Macro.MACRO_CANCELED.equals(e.getMessage()))
                throw e;
            Reports.report(TITLE, e);
        }
    }
}
