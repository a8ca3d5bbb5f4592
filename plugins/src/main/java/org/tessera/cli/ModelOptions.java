package org.tessera.cli;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.tessera.unet.Model;
import org.tessera.unet.ModelZoo;
import org.tessera.unet.OrtEngine;

import picocli.CommandLine.Option;

/** Options shared by the commands that run a model: where models are, which device, how many threads. */
final class ModelOptions {

    @Option(names = "--models", paramLabel = "DIR",
            description = "Folder of user models (one subfolder per model, with card.json and model.onnx); "
                    + "repeatable. Default: $TESSERA_MODELS, else ~/.tessera/models.")
    List<Path> modelDirs = new ArrayList<>();

    @Option(names = "--device", paramLabel = "auto|cpu|cuda", defaultValue = "auto",
            description = "Where the network runs: auto (CUDA when usable, else CPU), cpu or cuda. Default: ${DEFAULT-VALUE}.")
    String device;

    @Option(names = "--threads", paramLabel = "N", defaultValue = "0",
            description = "CPU threads for the network (0: all cores).")
    int threads;

    ModelZoo zoo() {
        return ModelZoo.standard(modelDirs);
    }

    Model model(String id) {
        return org.tessera.planner.predict.Segmenters.model(id, zoo());
    }

    OrtEngine.Options engineOptions() {
        int n = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
        return new OrtEngine.Options(OrtEngine.Device.parse(device), n);
    }
}
