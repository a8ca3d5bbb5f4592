package org.tessera.fiji;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.Prefs;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;

import org.tessera.service.SegmentationRequest;
import org.tessera.unet.ModelZoo;

/**
 * Plugins > Tessera > Tessera Segment: segments the active image with a model or a classic method and shows the
 * label image ({@code <title>_labels}, label LUT, calibration kept), optionally the probability maps and an
 * Attention U-Net's attention maps ({@code <title>_attention_1}, ... one image per gate), and the voxel counts and
 * volumes per class. Recordable: {@code run("Tessera Segment", "model=<id> tile=auto tiling=gaussian
 * device=auto");} and, for a classic method, {@code run("Tessera Segment", "model=classic:kmeans tile=auto
 * tiling=gaussian device=auto parameters=[k=3 order=bright-to-dark]");}. With {@code instances} (and
 * {@code instance_parameters=[minArea=20]}) it also shows {@code <title>_instances}, the "Tessera objects" table
 * and, for a 2D image with a display, one outline per object in the ROI Manager.
 */
public class SegmentPlugin implements PlugIn {

    static final String TITLE = "Tessera Segment";

    @Override
    public void run(String arg) {
        try {
            ImagePlus imp = WindowManager.getCurrentImage();
            if (imp == null) {
                Reports.report(TITLE, new org.tessera.volume.InvalidInputException(
                        "No image is open. Open a 2D image or a 3D stack, then run " + TITLE + " again."));
                return;
            }
            ModelZoo zoo = Tessera.zoo();
            String[] ids = Tessera.modelIdsForDialog(zoo);
            boolean fromMacro = Macro.getOptions() != null; // a macro's choices are not remembered as defaults
            GenericDialog gd = new GenericDialog(TITLE);
            SegmentDialog.addFields(gd, ids, Prefs.get("tessera.tile", "auto"), Prefs.get("tessera.tiling", "auto"),
                    Prefs.get("tessera.device", "auto"), "Show_attention_maps"); // recorded as "show_attention_maps"
            SegmentDialog.addMethodFields(gd);
            gd.addMessage("Image: " + imp.getTitle() + " (" + imp.getWidth() + " x " + imp.getHeight()
                    + (imp.getNSlices() > 1 ? " x " + imp.getNSlices() : "")
                    + (imp.getNChannels() > 1 ? ", " + imp.getNChannels() + " channels" : "") + ")");
            gd.showDialog();
            if (gd.wasCanceled())
                return;
            SegmentDialog.Choices choices = SegmentDialog.Choices.read(gd);
            SegmentationRequest request = choices.request(gd).build();
            if (!fromMacro) {
                Prefs.set("tessera.model", choices.model());
                Prefs.set("tessera.tile", choices.tile());
                Prefs.set("tessera.tiling", choices.tiling());
                Prefs.set("tessera.device", choices.device());
            }
            ImageJProgress progress = new ImageJProgress(TITLE);
            ImageResults.Segmented s = Tessera.segment(imp, request, progress, line -> IJ.log("Tessera: " + line));
            s.show();
            progress.finish(String.format("%s done, %d tile(s) on %s, %.1f s", request.modelId(), s.result().tiles(),
                    s.result().device(), s.result().totalNanos() / 1e9));
        } catch (RuntimeException e) {
            if (Macro.MACRO_CANCELED.equals(e.getMessage()))
                throw e;
            Reports.report(TITLE, e);
        }
    }
}
