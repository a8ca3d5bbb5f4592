package org.tessera.service;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.ServiceLoader;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.tessera.unet.Model;
import org.tessera.unet.ModelZoo;
import org.tessera.volume.InvalidInputException;

/** Runs an import: finds the importer, converts into a scratch folder, installs, and leaves nothing behind on failure. */
public final class ModelImports {

    private ModelImports() {}

    /** The importers on the class path, in name order. */
    public static List<ModelImporter> importers() {
        List<ModelImporter> all = new ArrayList<>();
        ServiceLoader.load(ModelImporter.class, ModelImporter.class.getClassLoader()).forEach(all::add);
        all.sort(Comparator.comparing(ModelImporter::name));
        return all;
    }

    /** @throws InvalidInputException naming the importers there are */
    public static ModelImporter importer(String name) {
        List<ModelImporter> all = importers();
        for (ModelImporter i : all)
            if (i.name().equalsIgnoreCase(name))
                return i;
        throw new InvalidInputException("Unknown model source '" + name + "'; known: "
                + String.join(", ", all.stream().map(ModelImporter::name).toList()));
    }

    /** The importer that recognizes {@code source}. @throws InvalidInputException when none or several do */
    public static ModelImporter detect(Path source) {
        List<ModelImporter> matching = importers().stream().filter(i -> i.recognizes(source)).toList();
        if (matching.size() == 1)
            return matching.get(0);
        if (matching.isEmpty())
            throw new InvalidInputException(source + " is not a model Tessera can import; give "
                    + String.join(" or ", importers().stream().map(ModelImporter::description).toList()));
        throw new InvalidInputException(source + " could be read as " + String.join(" or ",
                matching.stream().map(ModelImporter::name).toList()) + "; say which");
    }

    /**
     * Converts {@code source} with {@code importer} and installs the result into the zoo's first user folder.
     *
     * @throws InvalidInputException when the source, the request or the converted model is not usable;
     *                               nothing is installed then
     */
    public static Model run(ModelImporter importer, Path source, ImportRequest request, ModelZoo zoo, Consumer<String> log) {
        if (!Files.exists(source))
            throw new InvalidInputException(source + " does not exist; give " + importer.description());
        Path staging = null;
        try {
            staging = Files.createTempDirectory("tessera-import-");
            Path folder = importer.convert(source, request, staging, log);
            return zoo.importModel(folder, request.replace());
        } catch (IOException e) {
            throw new UncheckedIOException("Cannot make a scratch folder for the import", e);
        } finally {
            if (staging != null)
                deleteTree(staging);
        }
    }

    private static void deleteTree(Path root) {
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : (Iterable<Path>) all.sorted(Comparator.reverseOrder())::iterator)
                Files.deleteIfExists(p);
        } catch (IOException ignored) {
            // a scratch folder under the temporary directory; the system cleans it later
        }
    }
}
