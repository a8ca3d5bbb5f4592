package org.tessera.cli;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Locale;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.converter.Converters;
import net.imglib2.type.numeric.RealType;
import net.imglib2.type.numeric.integer.UnsignedByteType;
import net.imglib2.view.Views;

import org.tessera.volume.Volume;
import org.tessera.volume.io.VolumeIO;
import org.tessera.volume.metrics.Overlap;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "evaluate", mixinStandardHelpOptions = true, description = { "Dice and IoU per class between a predicted and a true label image.",
        "Binary masks stored as 0/255 count as labels 0/1. The last line is 'mean dice: <value>' (foreground classes)." })
final class EvaluateCommand extends Subcommand {

    @Option(names = { "-p", "--prediction" }, required = true, paramLabel = "PRED", description = "Predicted labels.")
    Path prediction;

    @Option(names = { "-t", "--truth" }, required = true, paramLabel = "TRUTH", description = "True labels.")
    Path truth;

    @Option(names = "--classes", defaultValue = "0", paramLabel = "N",
            description = "Number of classes, background included (0: the largest label + 1).")
    int classes;

    @Override
    public Integer call() {
        PrintWriter out = out();
        Overlap o = Overlap.of(labels(VolumeIO.read(prediction)), labels(VolumeIO.read(truth)), classes);
        out.println("class  dice    iou     predicted  true");
        for (int c = 1; c < o.numClasses(); c++)
            out.printf(Locale.ROOT, "%-6d %-7s %-7s %-10d %d%n", c, fmt(o.dice(c)), fmt(o.iou(c)), o.predictedCount(c),
                    o.truthCount(c));
        out.printf(Locale.ROOT, "mean iou: %s%n", fmt(o.meanForegroundIou()));
        out.printf(Locale.ROOT, "mean dice: %s%n", fmt(o.meanForegroundDice()));
        return ExitCodes.OK;
    }

    /** Label values; a 0/255 mask becomes 0/1. */
    static RandomAccessibleInterval<? extends RealType<?>> labels(Volume v) {
        RandomAccessibleInterval<? extends RealType<?>> img = v.channel(0);
        boolean mask = true, any255 = false;
        for (RealType<?> t : Views.flatIterable(img)) {
            double d = t.getRealDouble();
            if (d != 0 && d != 255) {
                mask = false;
                break;
            }
            any255 |= d == 255;
        }
        if (!mask || !any255)
            return img;
        return Converters.convert2(img, (in, o) -> o.set(in.getRealDouble() > 0 ? 1 : 0), UnsignedByteType::new);
    }

    private static String fmt(double d) {
        return Double.isNaN(d) ? "n/a" : String.format(Locale.ROOT, "%.4f", d);
    }
}
