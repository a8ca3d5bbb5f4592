package org.tessera.fiji;

import java.nio.file.Path;
import java.util.Arrays;

import ij.IJ;
import ij.Macro;
import ij.Prefs;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;

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
            String last = Prefs.get("tessera.model", ids[0]);
            gd.addChoice("Model", ids, Arrays.asList(ids).contains(last) ? last : ids[0]);
            gd.addStringField("Tile size (x,y[,z] or auto)", "auto", 12);
            gd.addChoice("Tiling", Tessera.TILINGS, "gaussian");
            gd.addChoice("Device", Tessera.DEVICES, "auto");
            gd.addCheckbox("Probabilities (one channel per class)", false);
            // underscore: shown as a space, recorded as the key "attention_maps"
            gd.addCheckbox("Attention_maps (one file per gate)", false);
            gd.addCheckbox("Overlay PNG per image", false);
            gd.addCheckbox("Overwrite finished outputs", false);
            gd.addStringField("Parameters (classic methods, key=value ...)", "", 30);
            gd.showDialog();
            if (gd.wasCanceled())
                return;
            String input = gd.getNextString().strip();
            String output = gd.getNextString().strip();
            String model = gd.getNextChoice(), tile = gd.getNextString(), tiling = gd.getNextChoice(),
                    device = gd.getNextChoice();
            boolean probabilities = gd.getNextBoolean();
            boolean attention = gd.getNextBoolean();
            boolean overlay = gd.getNextBoolean();
            boolean overwrite = gd.getNextBoolean();
            Tessera.Request request = Tessera.Request.parse(model, tile, tiling, device, probabilities, attention,
                    gd.getNextString());
            if (!fromMacro) {
                Prefs.set("tessera.folder.input", input);
                Prefs.set("tessera.folder.output", output);
            }
            if (input.isEmpty() || output.isEmpty())
                throw new org.tessera.volume.InvalidInputException("Choose both an input folder and an output folder");
            ImageJProgress progress = new ImageJProgress(TITLE);
            IJ.log(TITLE + ": " + input + " -> " + output + " with " + request.modelId());
            Tessera.FolderSummary summary = Tessera.segmentFolder(Path.of(input), Path.of(output), request, overlay,
                    overwrite, progress, line -> IJ.log("  " + line));
            IJ.log(TITLE + ": " + summary);
            progress.finish(summary.toString());
            if (summary.failed() > 0)
                IJ.error(TITLE, summary.failed() + " of the images failed (" + summary.failures().get(0)
                        + (summary.failed() > 1 ? "; more" : "") + "). The Log window lists them.");
        } catch (RuntimeException e) {
            if (Macro.MACRO_CANCELED.equals(e.getMessage()))
                throw e;
            Tessera.report(TITLE, e);
        }
    }
}
