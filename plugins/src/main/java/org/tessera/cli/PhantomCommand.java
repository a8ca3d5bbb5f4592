package org.tessera.cli;

import java.nio.file.Path;

import org.tessera.planner.PhantomDataset;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.io.VolumeIO;
import org.tessera.volume.phantom.Phantoms;

import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "phantom", mixinStandardHelpOptions = true, sortOptions = false, description = {
        "Generate a fluorescence-nuclei phantom with its exact labels (deterministic for a seed): writes <OUT> and "
                + "<OUT name>_truth with the same extension (.tif, .nii.gz, .nii or .png).",
        "With --dataset DIR instead: write a small nnU-Net v2 raw data set of phantoms (dataset.json, imagesTr/, "
                + "labelsTr/) for planning and training tests." })
final class PhantomCommand extends Subcommand {

    @Option(names = "--size", split = ",", paramLabel = "X,Y[,Z]", description = "Size in voxels (2D or 3D).")
    int[] size;

    @Option(names = "--nuclei", defaultValue = "20", paramLabel = "N",
            description = "Nuclei to place (with --size; default ${DEFAULT-VALUE}).")
    int nuclei;

    @Option(names = "--nucleoli", description = "Add nucleoli as class 2 inside some nuclei (also in a --dataset).")
    boolean nucleoli;

    @Option(names = "--seed", defaultValue = "1", paramLabel = "S",
            description = "Random seed: the same seed gives the same phantom (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = { "-o", "--output" }, paramLabel = "OUT", description = "Image file to write.")
    Path output;

    @Option(names = "--dataset", paramLabel = "DIR",
            description = "Write an nnU-Net v2 raw data set of phantom cases into DIR (instead of --size/-o).")
    Path dataset;

    @Option(names = "--cases", defaultValue = "6", paramLabel = "N", description = "Cases in the --dataset (default 6).")
    int cases;

    @Option(names = "--held-out", defaultValue = "0", paramLabel = "N",
            description = "With --dataset: put the last N cases into imagesTs/ and labelsTs/ for evaluation (default 0).")
    int heldOut;

    @Option(names = "--3d", description = "With --dataset: 3D cases (default 2D).")
    boolean threeD;

    @Override
    public Integer call() {
        if (dataset != null) {
            if (size != null || output != null) {
                throw new InvalidInputException("--dataset cannot be combined with --size or -o.");
            }
            PhantomDataset.write(dataset, cases, heldOut, seed, threeD, nucleoli);
            out().println("wrote " + cases + (threeD ? " 3D" : " 2D") + " phantom cases ("
                    + heldOut + " held out) and dataset.json into " + dataset);
            return ExitCodes.OK;
        }
        if (size == null || output == null) {
            throw new InvalidInputException("phantom needs --size and -o (or --dataset DIR).");
        }
        Phantoms.Phantom p = switch (size.length) {
            case 2 -> Phantoms.nuclei2D(size[0], size[1], nuclei, nucleoli, seed);
            case 3 -> Phantoms.nuclei3D(size[0], size[1], size[2], nuclei, nucleoli, seed);
            default -> throw new InvalidInputException("--size needs 2 or 3 values, e.g. 256,256 or 128,128,32");
        };
        Path truth = output.resolveSibling(VolumeIO.stem(output) + "_truth" + VolumeIO.extension(output));
        VolumeIO.write(p.image(), output);
        VolumeIO.write(p.labels(), truth);
        out().println("wrote " + output + " and " + truth + " (classes: " + String.join(", ", p.classes()) + ")");
        return ExitCodes.OK;
    }
}
