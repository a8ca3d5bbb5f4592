package org.tessera.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

import org.tessera.service.ImportRequest;
import org.tessera.service.ModelImporter;
import org.tessera.service.ModelImports;
import org.tessera.unet.Model;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "import", mixinStandardHelpOptions = true,
        description = { "Install a model made elsewhere into the user model folder, so that every face runs it with -m ID.",
                "SOURCE says what PATH is: bioimageio (a bioimage.io package: folder, rdf.yaml/bioimageio.yaml or .zip) "
                        + "or nnunet (a trained nnU-Net v2 results folder); auto guesses from PATH.",
                "The model is checked (its graph against its card, and the package's own test where it has one) "
                        + "before anything is installed." })
final class ImportCommand extends Subcommand {

    @Parameters(index = "0", paramLabel = "SOURCE", description = "bioimageio, nnunet or auto.")
    String source;

    @Parameters(index = "1", paramLabel = "PATH", description = "The package or folder to import.")
    Path path;

    @Option(names = "--id", paramLabel = "ID", description = "Install under this id (default: from the source).")
    String id;

    @Option(names = "--replace", description = "Replace an installed user model with the same id.")
    boolean replace;

    @Option(names = "--folds", paramLabel = "0,1,...", description = "nnunet: the folds to ensemble (default: every fold_* folder).")
    String folds;

    @Option(names = "--checkpoint", paramLabel = "FILE", description = "nnunet: checkpoint file name in each fold (default: checkpoint_final.pth).")
    String checkpoint;

    @Option(names = "--configuration", paramLabel = "NAME", description = "nnunet: the configuration (default: the folder name's last part, <trainer>__<plans>__<configuration>).")
    String configuration;

    @Mixin
    ModelOptions options;

    @Override
    public Integer call() {
        Map<String, String> extra = new LinkedHashMap<>();
        if (folds != null)
            extra.put("folds", folds);
        if (checkpoint != null)
            extra.put("checkpoint", checkpoint);
        if (configuration != null)
            extra.put("configuration", configuration);
        ImportRequest request = new ImportRequest(id, extra, replace);
        ModelImporter importer = source.equalsIgnoreCase("auto") ? ModelImports.detect(path) : ModelImports.importer(source);
        Model model = ModelImports.run(importer, path, request, options.zoo(), line -> err().println("tessera: " + line));
        out().println("Installed " + model.id() + " at " + model.location() + "; run it with -m " + model.id());
        return ExitCodes.OK;
    }
}
