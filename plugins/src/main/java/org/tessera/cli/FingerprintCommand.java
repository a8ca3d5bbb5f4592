package org.tessera.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.tessera.planner.DatasetFolder;
import org.tessera.planner.Fingerprint;
import org.tessera.planner.FingerprintExtractor;
import org.tessera.planner.IntensityProperties;
import org.tessera.planner.PyMath;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "fingerprint", mixinStandardHelpOptions = true, sortOptions = false, description = {
        "Extract nnU-Net v2's dataset fingerprint from a raw data set folder (dataset.json, imagesTr, labelsTr): "
                + "spacings and shapes after cropping to the nonzero region, foreground intensity statistics per channel.",
        "The folder is checked first; a problem names the case and file. Intensity statistics use every foreground voxel "
                + "up to nnU-Net's quota per case (a deterministic sample beyond it), not numpy's random draw." })
final class FingerprintCommand extends Subcommand {

    @Parameters(index = "0", paramLabel = "DATASET_DIR", description = "nnU-Net raw data set folder.")
    Path dataset;

    @Option(names = { "-o", "--output" }, required = true, paramLabel = "FILE",
            description = "Fingerprint to write (dataset_fingerprint.json), written atomically.")
    Path output;

    @Option(names = "--single-thread", description = "Analyse one case at a time (less memory).")
    boolean singleThread;

    @Override
    public Integer call() {
        PrintWriter out = out();
        PrintWriter err = err();
        DatasetFolder folder = DatasetFolder.open(dataset);
        Fingerprint fp = new FingerprintExtractor(folder).parallel(!singleThread)
                .onWarning(w -> err.println("tessera: warning: " + w)).extract();
        fp.write(output);
        out.println(summary(fp, folder.datasetJson().channelNames()));
        out.println("wrote " + output);
        return ExitCodes.OK;
    }

    static String summary(Fingerprint fp, Map<String, String> channelNames) {
        List<int[]> shapes = fp.shapesAfterCrop();
        double[][] shapeRows = shapes.stream().map(s -> new double[] { s[0], s[1], s[2] }).toArray(double[][]::new);
        double[][] spacingRows = fp.spacings().toArray(new double[0][]);
        StringBuilder b = new StringBuilder();
        b.append(String.format(Locale.ROOT, "%d cases; median shape after crop %s, median spacing %s (z, y, x); "
                + "median size kept by the crop %.3f%n", fp.numCases(), Arrays.toString(PyMath.columnMedian(shapeRows)),
                Arrays.toString(PyMath.columnMedian(spacingRows)), fp.medianRelativeSizeAfterCropping()));
        for (Map.Entry<String, IntensityProperties> e : fp.foregroundIntensityPropertiesPerChannel().entrySet()) {
            IntensityProperties p = e.getValue();
            b.append(String.format(Locale.ROOT, "channel %s (%s): foreground mean %.4g, std %.4g, median %.4g, "
                    + "0.5-99.5%% [%.4g, %.4g], range [%.4g, %.4g]%n", e.getKey(), channelNames.getOrDefault(e.getKey(), "?"),
                    p.mean(), p.std(), p.median(), p.percentile00_5(), p.percentile99_5(), p.min(), p.max()));
        }
        return b.toString().stripTrailing();
    }
}
