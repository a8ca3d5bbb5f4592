package org.tessera.unet;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

import org.tessera.volume.InvalidInputException;

/**
 * A model of the zoo: its card and its files (model.onnx, golden-input.bin, golden-output.bin), either in a
 * folder or shipped inside the jar.
 */
public final class Model {

    public enum Source { SHIPPED, USER }

    public static final String CARD = "card.json";
    public static final String ONNX = "model.onnx";
    public static final String GOLDEN_INPUT = "golden-input.bin";
    public static final String GOLDEN_OUTPUT = "golden-output.bin";

    private final ModelCard card;
    private final Source source;
    private final Path folder;
    private final ClassLoader loader;
    private final String resourcePrefix;

    private Model(ModelCard card, Source source, Path folder, ClassLoader loader, String resourcePrefix) {
        this.card = card;
        this.source = source;
        this.folder = folder;
        this.loader = loader;
        this.resourcePrefix = resourcePrefix;
    }

    /** A model folder holding card.json and model.onnx; the card is read and validated. */
    public static Model fromFolder(Path folder, Source source) {
        if (!Files.isDirectory(folder))
            throw new InvalidInputException("Model folder " + folder + " does not exist or is not a folder");
        if (!Files.isRegularFile(folder.resolve(ONNX)))
            throw new InvalidInputException("Model folder " + folder + " has no " + ONNX
                    + "; a model folder holds card.json, model.onnx and its golden pair (see docs/model-card.md)");
        return new Model(ModelCard.read(folder.resolve(CARD)), source, folder, null, null);
    }

    /** A model shipped in the jar under {@code resourcePrefix} (ending in '/'). */
    static Model shipped(ClassLoader loader, String resourcePrefix) {
        byte[] json = readResource(loader, resourcePrefix + CARD);
        if (json == null)
            throw new InvalidInputException("Shipped model " + resourcePrefix + " has no " + CARD);
        if (loader.getResource(resourcePrefix + ONNX) == null)
            throw new InvalidInputException("Shipped model " + resourcePrefix + " has no " + ONNX);
        return new Model(ModelCard.parse(json, resourcePrefix + CARD), Source.SHIPPED, null, loader, resourcePrefix);
    }

    public String id() {
        return card.id();
    }

    public ModelCard card() {
        return card;
    }

    public Source source() {
        return source;
    }

    /** Where the model lives: its folder, or its location in the jar. */
    public String location() {
        return folder != null ? folder.toString() : "classpath:" + resourcePrefix;
    }

    /** The model's folder; empty for a model inside the jar. */
    public Optional<Path> folder() {
        return Optional.ofNullable(folder);
    }

    /** model.onnx as a file; empty for a model inside the jar (use {@link #onnxBytes()}). */
    public Optional<Path> onnxPath() {
        return folder == null ? Optional.empty() : Optional.of(folder.resolve(ONNX));
    }

    public byte[] onnxBytes() {
        return readFile(ONNX);
    }

    public boolean hasFile(String name) {
        checkPlainName(name);
        return folder != null ? Files.isRegularFile(folder.resolve(name))
                : loader.getResource(resourcePrefix + name) != null;
    }

    /** One of the model's files, e.g. {@link #GOLDEN_INPUT}. */
    public byte[] readFile(String name) {
        checkPlainName(name);
        byte[] bytes;
        if (folder != null) {
            try {
                bytes = Files.readAllBytes(folder.resolve(name));
            } catch (IOException e) {
                throw new InvalidInputException("Model '" + id() + "': cannot read " + folder.resolve(name) + ": "
                        + e.getMessage(), e);
            }
        } else {
            bytes = readResource(loader, resourcePrefix + name);
            if (bytes == null)
                throw new InvalidInputException("Model '" + id() + "' has no " + name + " in " + location());
        }
        return bytes;
    }

    /** A card names files of its own folder only: "../x" or "/etc/x" would read outside it. */
    private void checkPlainName(String name) {
        if (name == null || name.isEmpty() || name.equals(".") || name.equals("..") || name.contains("/")
                || name.contains("\\") || name.indexOf('\0') >= 0)
            throw new InvalidInputException("Model '" + id() + "' in " + location() + ": the card names the file \""
                    + name + "\"; a card may name only files inside its own folder, by plain name (e.g. plans.json)");
    }

    /** Opens the model on ONNX Runtime, checking its graph against its card. */
    public OrtEngine open(OrtEngine.Options options) {
        return OrtEngine.open(this, options);
    }

    private static byte[] readResource(ClassLoader loader, String name) {
        try (InputStream in = loader.getResourceAsStream(name)) {
            return in == null ? null : in.readAllBytes();
        } catch (IOException e) {
            throw new InvalidInputException("Cannot read " + name + " from the Tessera jar: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return id() + " (" + source.name().toLowerCase() + ", " + location() + ")";
    }
}
