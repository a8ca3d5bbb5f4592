package org.tessera.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.tessera.bioimageio.BioimageioExporter;
import org.tessera.unet.Model;
import org.tessera.volume.InvalidInputException;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "export", mixinStandardHelpOptions = true,
        description = { "Write a Tessera model in another format, for other software to run it.",
                "FORMAT bioimageio: a bioimage.io model package (format 0.5) as one .zip: rdf.yaml with axes, "
                        + "preprocessing that reproduces the card's normalization, postprocessing for its output kind, "
                        + "test tensors computed by Tessera, a cover image, README and model.onnx with its sha256.",
                "Licence and citation come from the card; give --license and --cite-url where the card has none "
                        + "usable. The file appears complete or not at all." })
final class ExportCommand extends Subcommand {

    @Parameters(index = "0", paramLabel = "FORMAT", description = "bioimageio.")
    String format;

    @Option(names = { "-m", "--model" }, required = true, paramLabel = "ID", description = "The model to export.")
    String id;

    @Option(names = { "-o", "--output" }, required = true, paramLabel = "FILE.zip", description = "The package to write.")
    Path output;

    @Option(names = "--license", paramLabel = "SPDX", description = "Licence id (e.g. CC-BY-4.0) when the card's is not an SPDX id.")
    String license;

    @Option(names = "--author", paramLabel = "NAME", description = "An author of the model (repeatable; default: Tessera contributors).")
    List<String> authors = new ArrayList<>();

    @Option(names = "--cite-url", paramLabel = "URL", description = "Web address to cite when the card's training data names none.")
    String citeUrl;

    @Mixin
    ModelOptions options;

    @Override
    public Integer call() {
        if (!format.equalsIgnoreCase("bioimageio"))
            throw new InvalidInputException("Unknown export format '" + format + "'; Tessera exports bioimageio");
        Model model = options.model(id);
        BioimageioExporter.export(model, output, new BioimageioExporter.Options(license, authors, citeUrl));
        out().println("Wrote " + output + " (bioimage.io model package of " + model.id() + ")");
        return ExitCodes.OK;
    }
}
