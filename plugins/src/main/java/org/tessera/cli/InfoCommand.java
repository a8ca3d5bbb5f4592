package org.tessera.cli;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;

import org.tessera.volume.io.VolumeIO;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "info", description = "Print dimensions, channels, spacing and data type of image files.")
final class InfoCommand implements Callable<Integer> {

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "NIfTI (.nii, .nii.gz), TIFF or PNG files.")
    List<Path> files;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        for (Path f : files)
            spec.commandLine().getOut().println(VolumeIO.describe(f));
        return ExitCodes.OK;
    }
}
