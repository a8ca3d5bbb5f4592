package org.tessera.fiji.scijava;

import ij.ImagePlus;
import ij.measure.ResultsTable;

import org.scijava.ItemIO;
import org.scijava.command.Command;
import org.scijava.plugin.Parameter;
import org.scijava.plugin.Plugin;
import org.tessera.fiji.ImageResults;
import org.tessera.fiji.Tessera;

/** Dice and IoU per class between two label images: the SciJava face of Tessera Evaluate. */
@Plugin(type = Command.class, menuPath = "Plugins>Tessera>SciJava>Evaluate")
public class EvaluateCommand extends TesseraCommand {

    @Parameter(label = "Prediction", persist = false)
    private ImagePlus prediction;

    @Parameter(label = "Truth", persist = false)
    private ImagePlus truth;

    @Parameter(type = ItemIO.OUTPUT, label = "Per class")
    private String table;

    @Parameter(type = ItemIO.OUTPUT, label = "Mean foreground Dice")
    private double meanDice;

    @Override
    protected void execute() {
        ResultsTable t = ImageResults.evaluate(prediction, truth);
        table = TableText.of(t);
        meanDice = ImageResults.meanDice(t);
    }
}
