package org.tessera.fiji;

import java.util.Arrays;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.Prefs;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;

import org.tessera.unet.ModelZoo;

/**
 * Plugins > Tessera > Tessera Segment: segments the active image with a model or a classic method and shows the
 * label image ({@code <title>_labels}, label LUT, calibration kept), optionally the probability maps and an
 * Attention U-Net's attention maps ({@code <title>_attention_1}, ... one image per gate), and the voxel counts and
 * volumes per class. Recordable: {@code run("Tessera Segment", "model=<id> tile=auto tiling=gaussian
 * device=auto");} and, for a classic method, {@code run("Tessera Segment", "model=classic:kmeans tile=auto
 * tiling=gaussian device=auto parameters=[k=3 order=bright-to-dark]");}
 */
public class SegmentPlugin implements PlugIn {

    static final String TITLE = "Tessera Segment";

    @Override
    public void run(String arg) {
        try {
            ImagePlus imp = WindowManager.getCurrentImage();
            if (imp == null) {
                Tessera.report(TITLE, new org.tessera.volume.InvalidInputException(
                        "No image is open. Open a 2D image or a 3D stack, then run " + TITLE + " again."));
                return;
            }
            ModelZoo zoo = Tessera.zoo();
            String[] ids = Tessera.modelIdsForDialog(zoo);
            boolean fromMacro = Macro.getOptions() != null; // a macro's choices are not remembered as defaults
            GenericDialog gd = new GenericDialog(TITLE);
            String last = Prefs.get("tessera.model", ids[0]);
            gd.addChoice("Model", ids, Arrays.asList(ids).contains(last) ? last : ids[0]);
            gd.addStringField("Tile size (x,y[,z] or auto)", Prefs.get("tessera.tile", "auto"), 12);
            gd.addChoice("Tiling", Tessera.TILINGS, Prefs.get("tessera.tiling", "gaussian"));
            gd.addChoice("Device", Tessera.DEVICES, Prefs.get("tessera.device", "auto"));
            gd.addCheckbox("Probabilities (one channel per class)", false);
            // underscores: shown as spaces, recorded as the key "show_attention_maps"
            gd.addCheckbox("Show_attention_maps", false);
            gd.addStringField("Parameters (classic methods, key=value ...)", "", 30);
            gd.addMessage("Image: " + imp.getTitle() + " (" + imp.getWidth() + " x " + imp.getHeight()
                    + (imp.getNSlices() > 1 ? " x " + imp.getNSlices() : "")
                    + (imp.getNChannels() > 1 ? ", " + imp.getNChannels() + " channels" : "") + ")");
            gd.showDialog();
            if (gd.wasCanceled())
                return;
            String model = gd.getNextChoice();
            String tile = gd.getNextString();
            String tiling = gd.getNextChoice();
            String device = gd.getNextChoice();
            boolean probabilities = gd.getNextBoolean();
            boolean attention = gd.getNextBoolean();
            String parameters = gd.getNextString();
            Tessera.Request request = Tessera.Request.parse(model, tile, tiling, device, probabilities, attention,
                    parameters);
            if (!fromMacro) {
                Prefs.set("tessera.model", model);
                Prefs.set("tessera.tile", tile);
                Prefs.set("tessera.tiling", tiling);
                Prefs.set("tessera.device", device);
            }
            ImageJProgress progress = new ImageJProgress(TITLE);
            Tessera.Segmented s = Tessera.segment(imp, request, progress, line -> IJ.log("Tessera: " + line));
            s.show();
            progress.finish(String.format("%s done, %d tile(s) on %s, %.1f s", model, s.result().tiles(),
                    s.result().device(), s.result().totalNanos() / 1e9));
        } catch (RuntimeException e) {
            if (Macro.MACRO_CANCELED.equals(e.getMessage()))
                throw e;
            Tessera.report(TITLE, e);
        }
    }
}
