package org.tessera.planner.predict;

import java.util.Map;
import java.util.function.Consumer;

import org.tessera.unet.ClassicSegmenter;
import org.tessera.unet.Engine;
import org.tessera.unet.Model;
import org.tessera.unet.ModelZoo;
import org.tessera.unet.OrtEngine;
import org.tessera.unet.Segmenter;
import org.tessera.unet.VolumeSegmenter;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.classic.ClassicMethods;

/**
 * Picks the pipeline an id needs: a classic method ({@code classic:<name>}), {@link PlanPredictor} for nnU-Net
 * bundles, else the plain {@link Segmenter}. The faces (command line, Fiji) open every segmenter here.
 */
public final class Segmenters {

    private Segmenters() {
    }

    /** A segmenter and the engine it runs on (null for a classic method); closing it closes the engine. */
    public record Opened(VolumeSegmenter segmenter, OrtEngine engine) implements AutoCloseable {

        /** Why a network runs on the CPU although another device was asked for; null when it does not. */
        public String fallbackReason() {
            return engine == null ? null : engine.fallbackReason();
        }

        @Override
        public void close() {
            if (engine != null)
                engine.close();
        }
    }

    /**
     * Opens what an id names: a classic method with its parameters, or a model of the zoo on ONNX Runtime.
     * Everything that can be checked without an image is checked first (parameters, bundle files).
     *
     * @param parameters the classic methods' key=value parameters; a network takes none
     * @param mirroring  bundles only: nnU-Net's mirroring test-time augmentation (nnU-Net's default is on)
     * @param log        receives notable events; may be null
     * @throws InvalidInputException for an unknown id or a bad parameter
     */
    public static Opened open(String id, ModelZoo zoo, OrtEngine.Options engineOptions, boolean mirroring,
            Map<String, String> parameters, Consumer<String> log) {
        if (ClassicMethods.isClassic(id))
            return new Opened(new ClassicSegmenter(id, parameters), null);
        Model model = model(id, zoo);
        if (!parameters.isEmpty())
            throw new InvalidInputException("Parameters (" + String.join(", ", parameters.keySet()) + ") are for the "
                    + "classic methods (" + String.join(", ", ClassicMethods.ids()) + "); model '" + id + "' takes none");
        check(model);
        OrtEngine engine = model.open(engineOptions);
        try {
            return new Opened(create(model, engine, mirroring, log), engine);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    /** A model of the zoo; an unknown id's message also lists the classic methods. */
    public static Model model(String id, ModelZoo zoo) {
        try {
            return zoo.get(id);
        } catch (InvalidInputException e) {
            if (e.getMessage().startsWith("Unknown model"))
                throw new InvalidInputException(e.getMessage() + ". Classic methods: "
                        + String.join(", ", ClassicMethods.ids()), e);
            throw e;
        }
    }

    /**
     * @param engine    the model's engine (the caller closes it)
     * @param mirroring bundles only: nnU-Net's mirroring test-time augmentation (nnU-Net's default is on)
     * @param log       receives notable events; may be null
     */
    public static VolumeSegmenter create(Model model, Engine engine, boolean mirroring, Consumer<String> log) {
        if (Bundle.isBundle(model))
            return new PlanPredictor(Bundle.read(model), engine, mirroring, log);
        return new Segmenter(model, engine, log);
    }

    /** Checks a bundle's files before an engine is opened; nothing to check for plain models. */
    public static void check(Model model) {
        if (Bundle.isBundle(model))
            Bundle.read(model);
    }
}
