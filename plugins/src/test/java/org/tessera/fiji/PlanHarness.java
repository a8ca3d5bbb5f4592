package org.tessera.fiji;

import java.awt.Frame;
import java.awt.Rectangle;
import java.awt.Robot;
import java.awt.TextField;
import java.awt.event.ActionEvent;
import java.awt.image.BufferedImage;
import java.nio.file.Path;

import javax.imageio.ImageIO;

import ij.Executer;
import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.gui.ImageWindow;
import ij.plugin.frame.Recorder;
import ij.process.ColorProcessor;
import ij.process.ImageProcessor;
import ij.process.MedianCut;
import ij.text.TextWindow;

/**
 * ImageJ with a display (under Xvfb), in its own JVM, for the Tessera Plan Dataset tests. Arguments: the report
 * file, then actions done in order:
 * <ul>
 * <li>{@code macro=<file.ijm>}: runs the macro, then notes the report window's lines and the open images;</li>
 * <li>{@code record=<dataset>|<plans file>}: runs the command from the menu with the recorder on, fills in and
 * OKs the real dialog, and notes the recorded line;</li>
 * <li>{@code shot=<file.png>}: puts the report window and the drawing side by side and saves a screenshot.</li>
 * </ul>
 * Every other dialog that appears (error messages) is noted with its title and closed, so that nothing hangs.
 */
public final class PlanHarness {

    private static volatile String[] answers;

    public static void main(String[] args) throws Exception {
        Path reportFile = Path.of(args[0]);
        HarnessReport.watchDialogs(PlanHarness::answer);
        new ImageJ(ImageJ.EMBEDDED);
        try {
            for (int i = 1; i < args.length; i++) {
                String a = args[i];
                String value = a.substring(a.indexOf('=') + 1);
                if (a.startsWith("macro=")) {
                    note("MACRO\t" + Path.of(value).getFileName());
                    IJ.runMacroFile(value);
                    IJ.wait(300);
                    state();
                } else if (a.startsWith("record=")) {
                    record(value.split("\\|", -1));
                    state();
                } else if (a.startsWith("shot=")) {
                    shot(Path.of(value));
                }
            }
        } catch (Throwable t) {
            note("HARNESS_ERROR\t" + t);
        }
        HarnessReport.finish(reportFile);
    }

    /** The report window's lines and the open images (title, width, height, slices). */
    private static void state() {
        Frame f = WindowManager.getFrame(PlanDatasetPlugin.REPORT_TITLE);
        if (f instanceof TextWindow tw) {
            note("REPORT_WINDOW\t" + tw.getTextPanel().getLineCount());
            tw.getTextPanel().getText().lines().forEach(l -> note("REPORT_LINE\t" + l));
        } else {
            note("REPORT_WINDOW\tnone");
        }
        note("IMAGES\t" + WindowManager.getImageCount());
        int[] ids = WindowManager.getIDList();
        if (ids != null)
            for (int id : ids) {
                ImagePlus imp = WindowManager.getImage(id);
                note("IMAGE\t" + imp.getTitle() + "\t" + imp.getWidth() + "\t" + imp.getHeight() + "\t" + imp.getStackSize()
                        + "\t" + imp.getStack().getSliceLabel(imp.getCurrentSlice()));
            }
    }

    private static void record(String[] values) throws Exception {
        Recorder recorder = new Recorder(false);
        Recorder.record = true;
        answers = values;
        new Executer(PlanDatasetPlugin.TITLE, null);
        String line = null;
        for (int i = 0; i < 1200 && line == null; i++) {
            IJ.wait(100);
            line = recorder.getText().lines().filter(l -> l.contains(PlanDatasetPlugin.TITLE)).findFirst().orElse(null);
        }
        // the recorder writes the line when the command ends
        for (int i = 0; i < 100 && WindowManager.getImageCount() == 0; i++)
            IJ.wait(100);
        Recorder.record = false;
        note("RECORDED\t" + line);
        answers = null;
    }

    /** The report window left, the drawing (at 75 %) right, captured with java.awt.Robot. */
    private static void shot(Path png) throws Exception {
        Frame f = WindowManager.getFrame(PlanDatasetPlugin.REPORT_TITLE);
        ImagePlus imp = WindowManager.getCurrentImage();
        if (!(f instanceof TextWindow) || imp == null) {
            note("SHOT_ERROR\tno report window or no drawing");
            return;
        }
        Frame bar = IJ.getInstance();
        if (bar != null)
            bar.setVisible(false);
        f.setBounds(0, 0, 600, 620);
        ((TextWindow) f).getTextPanel().scrollToTop();
        ImageWindow win = imp.getWindow();
        win.setLocation(604, 0);
        win.getCanvas().setMagnification(0.7);
        win.getCanvas().setSize((int) (imp.getWidth() * 0.7), (int) (imp.getHeight() * 0.7));
        win.pack();
        f.toFront();
        win.toFront();
        IJ.wait(1500);
        Rectangle wb = win.getBounds();
        Rectangle area = new Rectangle(0, 0, Math.max(wb.x + wb.width, 600), Math.max(wb.y + wb.height, 620));
        BufferedImage image = new Robot().createScreenCapture(area);
        // 256 colours keep the file small; the screen has few colours anyway
        ImageProcessor indexed = new MedianCut(new ColorProcessor(image)).convertToByte(256);
        ImageIO.write(indexed.getBufferedImage(), "png", png.toFile());
        note("SHOT\t" + png.getFileName() + "\t" + image.getWidth() + "\t" + image.getHeight());
    }

    private static void note(String line) {
        HarnessReport.note(line);
    }

    /** When recording, fills in and OKs the plan dialog. */
    private static boolean answer(GenericDialog gd) throws Exception {
        String[] a = answers;
        if (a == null || !gd.getTitle().equals(PlanDatasetPlugin.TITLE))
            return false;
        Thread.sleep(300);
        ((TextField) gd.getStringFields().get(0)).setText(a[0]);
        ((TextField) gd.getNumericFields().get(0)).setText("12");
        ((TextField) gd.getStringFields().get(1)).setText(a[1]);
        var ok = gd.getButtons()[0];
        gd.actionPerformed(new ActionEvent(ok, ActionEvent.ACTION_PERFORMED, ok.getLabel()));
        return true;
    }
}
