package org.tessera.fiji;

import java.awt.Frame;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import ij.IJ;
import ij.ImageJ;
import ij.ImagePlus;
import ij.WindowManager;

/**
 * Runs the malformed-file corpus through ImageJ with a display (under Xvfb), in its own JVM:
 * {@code <list> <input folder> <output folder> <report>}. Each file of the list (one path a line) goes through a
 * macro of the Tessera functions ({@code Ext.tesseraOpen}, then {@code Ext.tesseraSegment} with Otsu); then the
 * input folder goes through the Tessera Segment Folder menu command. The report holds, per file, the dialogs
 * closed, whether the macro went on, whether the Log names the file and any stack trace in the Log; then the
 * dialogs of the folder run and the windows left open. Dialogs are noted and closed as in {@link DisplayHarness}.
 */
public final class CorpusHarness {

    public static void main(String[] args) throws Exception {
        HarnessReport.watchDialogs(dialog -> false);
        new ImageJ(ImageJ.EMBEDDED);
        Path report = Path.of(args[3]);
        try {
            List<String> files = Files.readAllLines(Path.of(args[0]));
            for (int i = 0; i < files.size(); i++)
                runOne(i, Path.of(files.get(i)));
            int dialogs = HarnessReport.dialogsClosed();
            String log = log();
            System.out.println("corpus folder: " + args[1]);
            IJ.runMacro("run(\"Tessera Segment Folder\", \"input=[" + args[1] + "] output=[" + args[2]
                    + "] model=classic:otsu tile=auto tiling=gaussian device=cpu\");");
            IJ.wait(500);
            String folderLog = log().substring(log.length());
            HarnessReport.note("FOLDER\t" + (HarnessReport.dialogsClosed() - dialogs) + "\t" + stackTrace(folderLog));
            HarnessReport.note("FOLDER_LOG\t" + folderLog.replace('\n', '\u0001'));
            for (Frame f : Frame.getFrames())
                if (f.isShowing() && !(f instanceof ImageJ))
                    HarnessReport.note("WINDOW\t" + f.getTitle());
        } catch (Throwable t) {
            HarnessReport.note("HARNESS_ERROR\t" + t);
        }
        HarnessReport.finish(report);
    }

    private static void runOne(int index, Path file) {
        System.out.println("corpus file " + index + ": " + file); // where it stopped, should it hang
        int dialogs = HarnessReport.dialogsClosed();
        String before = log();
        long start = System.nanoTime();
        IJ.runMacro(String.join("\n",
                "call(\"org.tessera.fiji.TesseraMacro.install\");",
                "Ext.tesseraOpen(" + FijiTestSupport.q(file) + ");",
                "if (nImages > 0) Ext.tesseraSegment(\"classic:otsu\", \"\");",
                "print(\"WENT_ON\");"));
        long millis = (System.nanoTime() - start) / 1_000_000;
        String delta = log().substring(before.length());
        int[] ids = WindowManager.getIDList();
        if (ids != null)
            for (int id : ids) {
                ImagePlus imp = WindowManager.getImage(id);
                imp.changes = false;
                imp.close();
            }
        HarnessReport.note("FILE\t" + index + "\t" + (HarnessReport.dialogsClosed() - dialogs) + "\t"
                + delta.contains("WENT_ON") + "\t" + delta.contains(file.getFileName().toString()) + "\t"
                + stackTrace(delta) + "\t" + millis);
    }

    private static boolean stackTrace(String text) {
        return text.matches("(?s).*(\\n\\s+at [\\w.$]+\\(|Caused by|Exception in thread).*");
    }

    private static String log() {
        String log = IJ.getLog();
        return log == null ? "" : log;
    }
}
