package org.tessera.fiji;

import ij.IJ;
import ij.ImagePlus;
import ij.Macro;
import ij.WindowManager;
import ij.gui.GenericDialog;
import ij.measure.ResultsTable;
import ij.plugin.PlugIn;

/** Plugins > Tessera > Tessera Evaluate: Dice and IoU per class between two open label images. */
public class EvaluatePlugin implements PlugIn {

    static final String TITLE = "Tessera Evaluate";

    @Override
    public void run(String arg) {
        try {
            String[] titles = WindowManager.getImageTitles();
            if (titles.length < 2) {
                Reports.report(TITLE, new org.tessera.volume.InvalidInputException("Open two label images of the "
                        + "same size (a prediction and the truth), then run " + TITLE + " again."));
                return;
            }
            GenericDialog gd = new GenericDialog(TITLE);
            gd.addChoice("Prediction", titles, titles[titles.length - 1]);
            gd.addChoice("Truth", titles, titles[0]);
            gd.showDialog();
            if (gd.wasCanceled())
                return;
            ImagePlus prediction = WindowManager.getImage(gd.getNextChoice());
            ImagePlus truth = WindowManager.getImage(gd.getNextChoice());
            ResultsTable table = ImageResults.evaluate(prediction, truth);
            table.show(ImageResults.EVALUATION_TABLE);
            IJ.showStatus(String.format("%s: mean foreground Dice %.4f", TITLE, ImageResults.meanDice(table)));
        } catch (RuntimeException e) {
            if (Macro.MACRO_CANCELED.equals(e.getMessage()))
                throw e;
            Reports.report(TITLE, e);
        }
    }
}
