package org.tessera.cli;

import java.nio.file.Path;
import java.util.List;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.io.VolumeIO;

import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

@Command(name = "info", mixinStandardHelpOptions = true, description = "Print dimensions, channels, spacing and data type of image files.")
final class InfoCommand extends Subcommand {

    @Parameters(paramLabel = "FILE", arity = "1..*", description = "NIfTI (.nii, .nii.gz), TIFF or PNG files.")
    List<Path> files;

    /** Describes every file it can; one that it cannot gets its message and does not stop the others. */
    @Override
    public Integer call() {
        int failed = 0;
        for (Path f : files) {
            try {
                out().println(VolumeIO.describe(f));
            } catch (InvalidInputException e) {
                failed++;
                err().println("tessera: " + e.getMessage());
            }
        }
        if (failed == 0)
            return ExitCodes.OK;
        return failed == files.size() ? ExitCodes.INVALID_INPUT : ExitCodes.SOME_FAILED;
    }
}
