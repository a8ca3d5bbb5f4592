package org.tessera.unet;

import java.io.IOException;
import java.io.OutputStream;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.stream.Stream;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The tiny U-Nets made by scripts/fixtures/make_tiny_unet.py. */
final class Fixtures {

    static final String TINY_2D = "tiny-unet-2d";
    static final String TINY_3D = "tiny-unet-3d";
    static final ObjectMapper JSON = new ObjectMapper();

    private Fixtures() {}

    static Path folder(String id) {
        try {
            return Path.of(Fixtures.class.getResource("/fixtures/" + id + "/card.json").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    static byte[] cardBytes(String id) throws IOException {
        return Files.readAllBytes(folder(id).resolve("card.json"));
    }

    static ObjectNode card(String id) throws IOException {
        return (ObjectNode) JSON.readTree(cardBytes(id));
    }

    static ModelCard parse(ObjectNode card) throws IOException {
        return ModelCard.parse(JSON.writeValueAsBytes(card), "test card");
    }

    /** Copies a fixture folder to {@code target} (created). */
    static Path copy(String id, Path target) throws IOException {
        Files.createDirectories(target);
        try (Stream<Path> files = Files.list(folder(id))) {
            for (Path f : (Iterable<Path>) files::iterator)
                Files.copy(f, target.resolve(f.getFileName()));
        }
        return target;
    }

    /**
     * The comparison's trained networks that are not shipped (they failed at its budget, or only their other
     * dimensionality is shipped), kept under /comparison so that every network of the comparison, in 2D and 3D,
     * still passes the golden, card and halo checks in ONNX Runtime.
     */
    static List<Model> comparisonOnlyModels() {
        Path root = comparisonRoot();
        List<Model> models = new ArrayList<>();
        for (String id : comparisonOnlyIds())
            models.add(Model.fromFolder(root.resolve(id), Model.Source.USER));
        return models;
    }

    /** The ids listed in /comparison/index.txt. */
    static List<String> comparisonOnlyIds() {
        try {
            return Files.readAllLines(comparisonRoot().resolve("index.txt"), StandardCharsets.UTF_8).stream()
                    .map(String::strip).filter(id -> !id.isEmpty()).toList();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the comparison models' index under /comparison", e);
        }
    }

    private static Path comparisonRoot() {
        try {
            return Path.of(Fixtures.class.getResource("/comparison/index.txt").toURI()).getParent();
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A jar laid out like the shipped one: index.txt plus org/tessera/unet/models/<id>/... for each id. */
    static Path shippedJar(Path jar, String... ids) throws IOException {
        try (OutputStream out = Files.newOutputStream(jar); JarOutputStream j = new JarOutputStream(out)) {
            j.putNextEntry(new JarEntry(ModelZoo.INDEX));
            j.write(("# shipped models\n" + String.join("\n", ids) + "\n").getBytes(StandardCharsets.UTF_8));
            j.closeEntry();
            for (String id : ids)
                try (Stream<Path> files = Files.list(folder(id))) {
                    for (Path f : (Iterable<Path>) files::iterator) {
                        j.putNextEntry(new JarEntry("org/tessera/unet/models/" + id + "/" + f.getFileName()));
                        j.write(Files.readAllBytes(f));
                        j.closeEntry();
                    }
                }
        }
        return jar;
    }
}
