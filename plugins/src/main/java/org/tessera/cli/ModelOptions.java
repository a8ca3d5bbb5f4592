package org.tessera.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.tessera.service.SegmentationRequest;
import org.tessera.volume.InvalidInputException;
import org.tessera.service.SegmentationService;
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

    /** @throws InvalidInputException when a folder given with --models is missing (a typo would go unnoticed) */
    ModelZoo zoo() {
        for (Path dir : modelDirs)
            if (!Files.isDirectory(dir))
                throw new InvalidInputException("--models " + dir + (Files.exists(dir) ? " is a file" : " does not exist")
                        + "; give a folder holding one subfolder per model (card.json and model.onnx)");
        return ModelZoo.standard(modelDirs);
    }

    SegmentationService service() {
        return new SegmentationService(zoo());
    }

    Model model(String id) {
        return service().model(id);
    }

    /** Puts the device and threads into a request. */
    SegmentationRequest.Builder apply(SegmentationRequest.Builder request) {
        return request.device(OrtEngine.Device.parse(device)).threads(threads);
    }

    /** The engine settings of a request with these options (for commands that run an engine directly). */
    OrtEngine.Options engineOptions() {
        return OrtEngine.Options.of(OrtEngine.Device.parse(device), threads);
    }
}
