package org.tessera.service;

import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * A source of models made elsewhere (a bioimage.io package, a trained nnU-Net folder): it turns one into a
 * Tessera model folder (card.json, model.onnx and the files the card names), which {@link ModelImports} then
 * checks and installs with {@link org.tessera.unet.ModelZoo#importModel}. Implementations register with
 * {@link java.util.ServiceLoader} in {@code META-INF/services/org.tessera.service.ModelImporter}, so that a
 * module adds a source without the faces knowing it.
 */
public interface ModelImporter {

    /** The name users type ({@code tessera import NAME ...}), lower case. */
    String name();

    /** One line for help texts: what this source reads. */
    String description();

    /** Whether {@code source} looks like something this importer reads (the Fiji command picks by this). */
    boolean recognizes(Path source);

    /**
     * Converts {@code source} into a model folder written under {@code staging} (an empty folder that the
     * caller deletes afterwards, whatever happens). The source is never changed.
     *
     * @return the model folder (staging itself or a folder inside it)
     * @throws org.tessera.volume.InvalidInputException naming the file or option and what would work
     */
    Path convert(Path source, ImportRequest request, Path staging, Consumer<String> log);
}
