package org.tessera.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.converter.Converters;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.view.Views;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Volume;
import org.tessera.volume.io.VolumeIO;
import org.tessera.volume.metrics.InstanceMatching;
import org.tessera.volume.metrics.InstanceMatching.Scores;
import org.tessera.volume.metrics.Overlap;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "evaluate", mixinStandardHelpOptions = true, description = { "Dice and IoU per class between a predicted and a true label image.",
        "Binary masks stored as 0/255 count as labels 0/1. The last line is 'mean dice: <value>' (foreground classes).",
        "With --instances: object matching as StarDist's (IoU >= t, one to one) at t = 0.5, 0.55, ..., 0.95; per image "
                + "AP@0.5, DSB score and F1@0.5, then a row per threshold over all images' objects pooled, the DSB score "
                + "and last 'mean AP@0.5: <value>'. -p and -t may then be folders: truth <name>[_truth].<ext>, "
                + "prediction <name>_instances.<ext> or <name>.<ext>." })
final class EvaluateCommand extends Subcommand {

    @Option(names = { "-p", "--prediction" }, required = true, paramLabel = "PRED",
            description = "Predicted labels (with --instances: a file or a folder).")
    Path prediction;

    @Option(names = { "-t", "--truth" }, required = true, paramLabel = "TRUTH",
            description = "True labels (with --instances: a file or a folder).")
    Path truth;

    @Option(names = "--instances", description = "Score objects (instance labels: each value one object) instead of "
            + "classes; a 0/255 mask becomes its connected components (8-connected in 2D, 26 in 3D).")
    boolean instances;

    @Option(names = "--classes", defaultValue = "0", paramLabel = "N",
            description = "Number of classes, background included (0: the largest label + 1).")
    int classes;

    @Override
    public Integer call() {
        PrintWriter out = out();
        if (classes < 0)
            throw new InvalidInputException("--classes " + classes + " is negative; give the number of classes, "
                    + "background included (e.g. 2), or 0 for the largest label + 1");
        if (instances)
            return evaluateInstances(out);
        Overlap o = Overlap.of(labels(VolumeIO.read(prediction)), labels(VolumeIO.read(truth)), classes);
        out.println("class  dice    iou     predicted  true");
        for (int c = 1; c < o.numClasses(); c++)
            out.printf(Locale.ROOT, "%-6d %-7s %-7s %-10d %d%n", c, fmt(o.dice(c)), fmt(o.iou(c)), o.predictedCount(c),
                    o.truthCount(c));
        out.printf(Locale.ROOT, "mean iou: %s%n", fmt(o.meanForegroundIou()));
        out.printf(Locale.ROOT, "mean dice: %s%n", fmt(o.meanForegroundDice()));
        return ExitCodes.OK;
    }

    private int evaluateInstances(PrintWriter out) {
        List<EvaluationPairs.Pair> pairs = EvaluationPairs.of(prediction, truth);
        int width = pairs.stream().mapToInt(p -> p.name().length()).max().orElse(0);
        String row = "%-" + Math.max(width, "image".length()) + "s  %-7s %-7s %s%n";
        out.printf(Locale.ROOT, row, "image", "AP@0.5", "DSB", "F1@0.5");
        List<List<Scores>> perImage = new ArrayList<>();
        InstanceMatching.Foreground foreground = new InstanceMatching.Foreground(0, 0, 0);
        for (EvaluationPairs.Pair pair : pairs) {
            InstanceMatching matching = match(pair);
            List<Scores> s = matching.atDsbThresholds();
            perImage.add(s);
            foreground = foreground.plus(matching.foreground());
            out.printf(Locale.ROOT, row, pair.name(), fmt(s.get(0).averagePrecision()),
                    fmt(InstanceMatching.dsbScore(s)), fmt(s.get(0).f1()));
        }
        List<Scores> total = InstanceMatching.total(perImage);
        out.println("threshold  TP       FP       FN       precision  recall  F1      AP      mean IoU  PQ");
        for (Scores s : total)
            out.printf(Locale.ROOT, "%-10.2f %-8d %-8d %-8d %-10s %-7s %-7s %-7s %-9s %s%n", s.threshold(),
                    s.truePositives(), s.falsePositives(), s.falseNegatives(), fmt(s.precision()), fmt(s.recall()),
                    fmt(s.f1()), fmt(s.averagePrecision()), fmt(s.meanMatchedIou()), fmt(s.panopticQuality()));
        out.printf(Locale.ROOT, "foreground dice: %s%n", fmt(foreground.dice()));
        out.printf(Locale.ROOT, "DSB score: %s%n", fmt(InstanceMatching.dsbScore(total)));
        out.printf(Locale.ROOT, "mean AP@0.5: %s%n", fmt(total.get(0).averagePrecision()));
        return ExitCodes.OK;
    }

    private InstanceMatching match(EvaluationPairs.Pair pair) {
        var predicted = instances(pair.prediction());
        var trueObjects = instances(pair.truth());
        try {
            return InstanceMatching.of(predicted, trueObjects);
        } catch (InvalidInputException e) {
            throw new InvalidInputException("Comparing " + pair.prediction() + " with " + pair.truth() + ": "
                    + e.getMessage(), e);
        }
    }

    /** Instance labels of a file; a 0/255 mask, which holds no objects of its own, becomes its components. */
    private RandomAccessibleInterval<? extends RealType<?>> instances(Path file) {
        RandomAccessibleInterval<? extends RealType<?>> img = VolumeIO.read(file).channel(0);
        if (!isBinaryMask(img))
            return img;
        err().println("tessera: warning: " + file + " is a 0/255 mask; its connected components (8-connected in 2D, "
                + "26 in 3D) count as the objects");
        return InstanceMatching.components(img);
    }

    /** Label values; a 0/255 mask becomes 0/1. */
    static RandomAccessibleInterval<? extends RealType<?>> labels(Volume v) {
        RandomAccessibleInterval<? extends RealType<?>> img = v.channel(0);
        if (!isBinaryMask(img))
            return img;
        return Converters.convert2(img, (in, o) -> o.set(in.getRealDouble() > 0 ? 1 : 0), UnsignedByteType::new);
    }

    /** Only 0 and 255, and some 255: a binary mask as image programs save one. */
    private static boolean isBinaryMask(RandomAccessibleInterval<? extends RealType<?>> img) {
        boolean any255 = false;
        for (RealType<?> t : Views.flatIterable(img)) {
            double d = t.getRealDouble();
            if (d != 0 && d != 255)
                return false;
            any255 |= d == 255;
        }
        return any255;
    }

    private static String fmt(double d) {
        return Double.isNaN(d) ? "n/a" : String.format(Locale.ROOT, "%.4f", d);
    }
}
