package org.tessera.fiji;

import java.awt.Button;
import java.awt.Choice;
import java.awt.TextField;
import java.awt.event.ActionEvent;
import java.nio.file.Path;
import java.util.Map;

import ij.Executer;
import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.plugin.frame.Recorder;

/**
 * Runs ImageJ with a display (under Xvfb) in its own JVM, for the menu command tests. Every message dialog
 * that appears is noted in the report and closed, so that an error cannot hang the run.
 * <ul>
 * <li>{@code macro <file.ijm>... <report>}: runs the macros one after the other, noting the number of open
 * images after each, then writes the dialogs seen and the Log.</li>
 * <li>{@code record <image> <model> <tile> <outdir> [attention|instances] <report>}: opens the image, runs Tessera
 * Segment from the menu with the macro recorder on, fills in and OKs the real dialog (ticking Show attention maps
 * or Instances when asked), saves the labels as recorded.tif, notes the rows of the objects table and the ROI
 * Manager's count; then replays the recorded line as a macro and saves those labels as replayed.tif; the report
 * holds the line and the titles of the images open at the end. With
 * {@code -Dtessera.dialog.screenshot=<file.png>} the dialog is captured before it is filled in.</li>
 * </ul>
 */
public final class DisplayHarness {

    private static volatile Map<String, String> answers;

    public static void main(String[] args) throws Exception {
        HarnessReport.watchDialogs(DisplayHarness::answer);
        new ImageJ(ImageJ.EMBEDDED);
        Path reportFile;
        try {
            if (args[0].equals("macro")) {
                reportFile = Path.of(args[args.length - 1]);
                for (int i = 1; i < args.length - 1; i++) {
                    note("MACRO\t" + Path.of(args[i]).getFileName());
                    IJ.runMacroFile(args[i]);
                    IJ.wait(300);
                    note("IMAGES\t" + WindowManager.getImageCount());
                }
            } else {
                reportFile = Path.of(args[args.length - 1]);
                record(Path.of(args[1]), args[2], args[3], Path.of(args[4]), args.length > 6 ? args[5] : "");
            }
        } catch (Throwable t) {
            note("HARNESS_ERROR\t" + t);
            reportFile = Path.of(args[args.length - 1]);
        }
        HarnessReport.finish(reportFile);
    }

    private static void record(Path image, String model, String tile, Path outDir, String tick) throws Exception {
        ImagePlus imp = IJ.openImage(image.toString());
        imp.show();
        IJ.wait(500);
        Recorder recorder = new Recorder(false);
        Recorder.record = true;
        answers = Map.of("model", model, "tile", tile, "tiling", "halo", "device", "cpu", "tick", tick);
        new Executer("Tessera Segment", imp);
        String line = null;
        for (int i = 0; i < 600 && line == null; i++) {
            IJ.wait(100);
            line = recorder.getText().lines().filter(l -> l.contains("Tessera Segment")).findFirst().orElse(null);
        }
        note("RECORDED\t" + line);
        if (line == null)
            return;
        ImagePlus recorded = WindowManager.getImage(ImageResults.baseTitle(imp.getTitle()) + "_labels");
        IJ.saveAs(recorded, "Tiff", outDir.resolve("recorded.tif").toString());
        recorded.changes = false;
        recorded.close();
        ij.measure.ResultsTable objects = ij.measure.ResultsTable.getResultsTable(InstanceResults.OBJECTS_TABLE);
        ij.plugin.frame.RoiManager rois = ij.plugin.frame.RoiManager.getInstance();
        note("OBJECTS\t" + (objects == null ? -1 : objects.size()) + "\tROIS\t" + (rois == null ? 0 : rois.getCount()));
        Recorder.record = false;
        WindowManager.setTempCurrentImage(imp);
        IJ.selectWindow(imp.getID());
        note("IMAGES_BEFORE_REPLAY\t" + WindowManager.getImageCount());
        IJ.runMacro(line);
        ImagePlus replayed = WindowManager.getImage(ImageResults.baseTitle(imp.getTitle()) + "_labels");
        IJ.saveAs(replayed, "Tiff", outDir.resolve("replayed.tif").toString());
        for (int id : WindowManager.getIDList())
            note("TITLE\t" + WindowManager.getImage(id).getTitle());
    }

    private static void note(String line) {
        HarnessReport.note(line);
    }

    /** In record mode, captures the Tessera dialog if asked and fills it in. */
    private static boolean answer(GenericDialog gd) throws Exception {
        if (answers == null || !gd.getTitle().equals("Tessera Segment"))
            return false;
        Thread.sleep(300);
        String shot = System.getProperty("tessera.dialog.screenshot");
        if (shot != null) // the dialog as the user first sees it, for docs/fiji.md
            javax.imageio.ImageIO.write(new java.awt.Robot().createScreenCapture(gd.getBounds()), "png",
                    Path.of(shot).toFile());
        fill(gd);
        return true;
    }

    private static void fill(GenericDialog gd) {
        var choices = gd.getChoices();
        ((Choice) choices.get(0)).select(answers.get("model"));
        ((TextField) gd.getStringFields().get(0)).setText(answers.get("tile"));
        ((Choice) choices.get(1)).select(answers.get("tiling"));
        ((Choice) choices.get(2)).select(answers.get("device"));
        ((java.awt.Checkbox) gd.getCheckboxes().get(1)).setState(answers.get("tick").equals("attention"));
        ((java.awt.Checkbox) gd.getCheckboxes().get(2)).setState(answers.get("tick").equals("instances"));
        Button ok = gd.getButtons()[0];
        gd.actionPerformed(new ActionEvent(ok, ActionEvent.ACTION_PERFORMED, ok.getLabel()));
    }
}
