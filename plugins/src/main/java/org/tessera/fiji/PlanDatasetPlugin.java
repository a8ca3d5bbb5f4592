package org.tessera.fiji;

import java.awt.Frame;
import java.awt.GraphicsEnvironment;
import java.nio.file.Path;
import java.util.List;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.Prefs;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.plugin.PlugIn;
import ij.text.TextWindow;

import org.tessera.fiji.plan.DatasetPlanning;
import org.tessera.fiji.plan.PlanDrawing;
import org.tessera.fiji.plan.PlanReport;
import org.tessera.planner.Plans;

/**
 * Plugins > Tessera > Tessera Plan Dataset: plans nnU-Net v2 configurations for a data set (a raw data set
 * folder, whose fingerprint is computed, or a dataset_fingerprint.json with dataset.json beside it) and shows
 * the plan: the text window {@value #REPORT_TITLE} and an image {@code <data set> plan} with one slice per
 * configuration. Optionally writes plans.json. Recordable:
 * {@code run("Tessera Plan Dataset", "dataset=[/data/Dataset001_X] gpu=8 plans=[/data/nnUNetPlans.json]");}
 */
public class PlanDatasetPlugin implements PlugIn {

    static final String TITLE = "Tessera Plan Dataset";
    public static final String REPORT_TITLE = "Tessera plan report";

    @Override
    public void run(String arg) {
        try {
            boolean macro = Macro.getOptions() != null;
            GenericDialog gd = new GenericDialog(TITLE);
            gd.addFileField("Dataset (folder, dataset.json or dataset_fingerprint.json)",
                    macro ? "" : Prefs.get("tessera.plan.dataset", ""), 40);
            gd.addNumericField("GPU memory", macro ? 8 : Prefs.get("tessera.plan.gpu", 8), 1, 6, "GB");
            gd.addFileField("Plans output (optional .json file)", "", 40);
            gd.addMessage("A raw data set folder holds dataset.json, imagesTr/<case>_0000<ending> and labelsTr/<case><ending>;\n"
                    + "its fingerprint is computed (every case is read). A dataset_fingerprint.json needs dataset.json beside it.");
            gd.showDialog();
            if (gd.wasCanceled())
                return;
            String datasetText = gd.getNextString();
            double gpu = gd.getNextNumber();
            String plansText = gd.getNextString();
            DatasetPlanning.Input input = DatasetPlanning.resolve(datasetText);
            if (Double.isNaN(gpu))
                throw new org.tessera.volume.InvalidInputException("GPU memory is not a number; give the memory of the "
                        + "training GPU in GB, e.g. 8.");
            Path plansFile = DatasetPlanning.plansTarget(plansText);
            if (!macro) {
                Prefs.set("tessera.plan.dataset", datasetText.strip());
                Prefs.set("tessera.plan.gpu", gpu);
            }
            ImageJProgress progress = new ImageJProgress(TITLE);
            DatasetPlanning.Result r = DatasetPlanning.run(input, gpu, plansFile, progress, line -> IJ.log(TITLE + ": " + line));
            show(r);
            progress.finish(String.format("%s planned (%s) in %.1f s", r.plans().datasetName(),
                    String.join(", ", r.plans().configurations().keySet()), r.seconds()));
        } catch (RuntimeException e) {
            if (Macro.MACRO_CANCELED.equals(e.getMessage()))
                throw e;
            Reports.report(TITLE, e);
        }
    }

    private static void show(DatasetPlanning.Result r) {
        Plans plans = r.plans();
        List<PlanReport.Row> rows = PlanReport.rows(plans, r.fingerprint(), r.dataset(), r.gpuMemoryGb());
        for (String name : plans.configurations().keySet()) {
            Plans.Configuration c = plans.resolved(name);
            IJ.log(TITLE + ": " + name + " patch " + join(c.patchSize()) + ", batch " + c.batchSize() + ", "
                    + c.architecture().nStages() + " stages");
        }
        if (GraphicsEnvironment.isHeadless()) {
            IJ.log(PlanReport.text(rows));
        } else {
            String text = PlanReport.tabSeparated(rows);
            Frame old = WindowManager.getFrame(REPORT_TITLE);
            if (old instanceof TextWindow tw) {
                tw.getTextPanel().clear();
                tw.getTextPanel().setColumnHeadings("Item\tValue");
                tw.getTextPanel().append(text);
                tw.getTextPanel().scrollToTop();
                tw.toFront();
            } else {
                new TextWindow(REPORT_TITLE, "Item\tValue", text, 720, 760).getTextPanel().scrollToTop();
            }
        }
        ImagePlus drawing = PlanDrawing.draw(plans);
        int fullres = List.copyOf(plans.configurations().keySet()).indexOf("3d_fullres");
        drawing.show();
        if (fullres >= 0)
            drawing.setSlice(fullres + 1);
    }

    private static String join(int[] v) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length; i++)
            b.append(i > 0 ? "x" : "").append(v[i]);
        return b.toString();
    }
}
