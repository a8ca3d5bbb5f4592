package org.tessera.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.volume.InvalidInputException;

import com.fasterxml.jackson.databind.node.ObjectNode;

class ModelZooTest {

    @TempDir
    Path tmp;

    /** A class loader that sees only {@code jar} (no parent resources), like a Tessera jar with shipped models. */
    private URLClassLoader jarLoader(String... ids) throws IOException {
        Path jar = Fixtures.shippedJar(tmp.resolve("shipped.jar"), ids);
        return new URLClassLoader(new URL[] { jar.toUri().toURL() }, null);
    }

    private static List<String> ids(ModelZoo zoo) {
        return zoo.list().stream().map(Model::id).toList();
    }

    @Test
    void userDirectoryModels() throws IOException {
        Path user = tmp.resolve("models");
        Fixtures.copy(Fixtures.TINY_2D, user.resolve(Fixtures.TINY_2D));
        Fixtures.copy(Fixtures.TINY_3D, user.resolve(Fixtures.TINY_3D));
        Files.createDirectories(user.resolve("notes")); // no card.json: not a model
        ModelZoo zoo = new ModelZoo(new URLClassLoader(new URL[0], null), List.of(user));
        assertEquals(List.of("tiny-unet-2d", "tiny-unet-3d"), ids(zoo));
        Model m = zoo.get("tiny-unet-3d");
        assertEquals(Model.Source.USER, m.source());
        assertEquals(user.resolve("tiny-unet-3d").resolve("model.onnx"), m.onnxPath().orElseThrow());
        try (OrtEngine engine = m.open(OrtEngine.Options.cpu(1))) {
            GoldenCheck.verify(m, engine);
        }
        assertTrue(zoo.problems().isEmpty(), zoo.problems().toString());
    }

    @Test
    void shippedModelsLoadFromTheJar() throws IOException {
        try (URLClassLoader loader = jarLoader(Fixtures.TINY_2D, Fixtures.TINY_3D)) {
            ModelZoo zoo = new ModelZoo(loader, List.of(tmp.resolve("absent")));
            assertEquals(List.of("tiny-unet-2d", "tiny-unet-3d"), zoo.shippedIds());
            assertEquals(List.of("tiny-unet-2d", "tiny-unet-3d"), ids(zoo));
            Model m = zoo.get("tiny-unet-2d");
            assertEquals(Model.Source.SHIPPED, m.source());
            assertTrue(m.onnxPath().isEmpty());
            assertEquals("classpath:org/tessera/unet/models/tiny-unet-2d/", m.location());
            assertArrayEquals(Files.readAllBytes(Fixtures.folder(Fixtures.TINY_2D).resolve("model.onnx")),
                    m.onnxBytes());
            try (OrtEngine engine = m.open(OrtEngine.Options.cpu(1))) {
                assertTrue(GoldenCheck.verify(m, engine).passed());
            }
        }
    }

    @Test
    void aUserModelReplacesAShippedOneWithTheSameId() throws IOException {
        Path user = tmp.resolve("models");
        Fixtures.copy(Fixtures.TINY_2D, user.resolve(Fixtures.TINY_2D));
        try (URLClassLoader loader = jarLoader(Fixtures.TINY_2D, Fixtures.TINY_3D)) {
            ModelZoo zoo = new ModelZoo(loader, List.of(user));
            assertEquals(Model.Source.USER, zoo.get("tiny-unet-2d").source());
            assertEquals(Model.Source.SHIPPED, zoo.get("tiny-unet-3d").source());
            assertEquals(Model.Source.SHIPPED, zoo.shipped("tiny-unet-2d").source());
            assertEquals(2, zoo.list().size());
        }
    }

    @Test
    void taskNamesStandForTheirRecommendedShippedModelUnlessAModelHasThatId() throws IOException {
        ModelZoo zoo = ModelZoo.standard(List.of(tmp.resolve("absent")));
        Map<String, String> tasks = zoo.tasks();
        assertTrue(tasks.keySet().containsAll(List.of("nuclei-2d", "nuclei-3d")), tasks.toString());
        tasks.forEach((task, id) -> {
            assertTrue(zoo.shippedIds().contains(id), task + " names " + id + ", which is not shipped");
            assertEquals(id, zoo.get(task).id());
        });
        InvalidInputException typo = assertThrows(InvalidInputException.class, () -> zoo.get("nucleus-2d"));
        assertTrue(typo.getMessage().contains("Did you mean 'nuclei-2d'?"), typo.getMessage());
        // a user model may take a task's name: it is then what that name runs
        Path user = tmp.resolve("models");
        Fixtures.copy(Fixtures.TINY_2D, user.resolve("nuclei-2d"));
        Path card = user.resolve("nuclei-2d").resolve(Model.CARD);
        Files.writeString(card, Files.readString(card).replace("\"tiny-unet-2d\"", "\"nuclei-2d\""));
        assertEquals(Model.Source.USER, ModelZoo.standard(List.of(user)).get("nuclei-2d").source());
    }

    @Test
    void earlierUserDirectoriesWin() throws IOException {
        Path first = tmp.resolve("first");
        Path second = tmp.resolve("second");
        Fixtures.copy(Fixtures.TINY_2D, first.resolve(Fixtures.TINY_2D));
        Fixtures.copy(Fixtures.TINY_2D, second.resolve(Fixtures.TINY_2D));
        ModelZoo zoo = new ModelZoo(new URLClassLoader(new URL[0], null), List.of(first, second));
        assertEquals(first.resolve(Fixtures.TINY_2D).toString(), zoo.get("tiny-unet-2d").location());
    }

    @Test
    void unknownIdsListWhatIsAvailableAndSuggestTheClosest() throws IOException {
        try (URLClassLoader loader = jarLoader(Fixtures.TINY_2D, Fixtures.TINY_3D)) {
            ModelZoo zoo = new ModelZoo(loader, List.of());
            InvalidInputException e = assertThrows(InvalidInputException.class, () -> zoo.get("tiny-unet-2"));
            assertTrue(e.getMessage().startsWith("Unknown model 'tiny-unet-2'. Did you mean 'tiny-unet-2d'?"),
                    e.getMessage());
            assertTrue(e.getMessage().contains("Available: tiny-unet-2d, tiny-unet-3d"), e.getMessage());
            InvalidInputException far = assertThrows(InvalidInputException.class, () -> zoo.get("spleen-ct"));
            assertFalse(far.getMessage().contains("Did you mean"), far.getMessage());
        }
        ModelZoo empty = new ModelZoo(new URLClassLoader(new URL[0], null), List.of(tmp.resolve("none")));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> empty.get("x"));
        assertTrue(e.getMessage().contains("no models are installed"), e.getMessage());
    }

    @Test
    void brokenUserModelsAreReportedAndSkipped() throws IOException {
        Path user = tmp.resolve("models");
        Fixtures.copy(Fixtures.TINY_2D, user.resolve(Fixtures.TINY_2D));
        Fixtures.copy(Fixtures.TINY_3D, user.resolve("renamed")); // folder name is not the card's id
        Path noOnnx = Fixtures.copy(Fixtures.TINY_3D, user.resolve("tiny-unet-3d"));
        Files.delete(noOnnx.resolve("model.onnx"));
        ModelZoo zoo = new ModelZoo(new URLClassLoader(new URL[0], null), List.of(user));
        assertEquals(List.of("tiny-unet-2d"), ids(zoo));
        List<String> problems = zoo.problems();
        assertEquals(2, problems.size(), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("rename the folder to tiny-unet-3d")), problems.toString());
        assertTrue(problems.stream().anyMatch(p -> p.contains("has no model.onnx")), problems.toString());
    }

    @Test
    void userDirectoriesComeFromTheCommandLineTheEnvironmentOrHome() {
        String sep = File.pathSeparator;
        assertEquals(List.of(Path.of("home", ".tessera", "models")),
                ModelZoo.userDirectories(List.of(), Map.of(), "home"));
        assertEquals(List.of(Path.of("a"), Path.of("b")),
                ModelZoo.userDirectories(List.of(), Map.of(ModelZoo.ENV, "a" + sep + "b"), "home"));
        assertEquals(List.of(Path.of("cli")),
                ModelZoo.userDirectories(List.of(Path.of("cli")), Map.of(ModelZoo.ENV, "a"), "home"));
    }

    @Test
    void importCopiesAValidModelIntoTheFirstUserDirectory() throws IOException {
        Path user = tmp.resolve("models");
        ModelZoo zoo = new ModelZoo(new URLClassLoader(new URL[0], null), List.of(user));
        Model installed = zoo.importModel(Fixtures.folder(Fixtures.TINY_3D));
        Path target = user.resolve("tiny-unet-3d");
        assertEquals(target.toString(), installed.location());
        for (String f : List.of("card.json", "model.onnx", "golden-input.bin", "golden-output.bin"))
            assertArrayEquals(Files.readAllBytes(Fixtures.folder(Fixtures.TINY_3D).resolve(f)),
                    Files.readAllBytes(target.resolve(f)), f);
        assertEquals(List.of("tiny-unet-3d"), ids(zoo));
        assertEquals(List.of("tiny-unet-3d"), entries(user), "no staging folders left");

        InvalidInputException again = assertThrows(InvalidInputException.class,
                () -> zoo.importModel(Fixtures.folder(Fixtures.TINY_3D)));
        assertTrue(again.getMessage().contains("already installed"), again.getMessage());
        zoo.importModel(Fixtures.folder(Fixtures.TINY_3D), true);
        assertEquals(List.of("tiny-unet-3d"), entries(user));
    }

    @Test
    void importRejectsAModelWhoseGraphDoesNotMatchItsCard() throws IOException {
        Path source = Fixtures.copy(Fixtures.TINY_2D, tmp.resolve("candidate"));
        ObjectNode card = Fixtures.card(Fixtures.TINY_2D);
        ((ObjectNode) card.get("input")).putArray("channels").add("red").add("green").add("blue");
        ((ObjectNode) card.get("golden")).putArray("inputShape").add(2).add(3).add(24).add(32);
        Files.write(source.resolve("card.json"), Fixtures.JSON.writeValueAsBytes(card));
        Path user = tmp.resolve("models");
        ModelZoo zoo = new ModelZoo(new URLClassLoader(new URL[0], null), List.of(user));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> zoo.importModel(source));
        assertTrue(e.getMessage().contains("'input'") && e.getMessage().contains("1") && e.getMessage().contains("3"), e.getMessage());
        assertFalse(Files.exists(user.resolve("tiny-unet-2d")));
    }

    @Test
    void importRejectsAModelThatFailsItsGoldenCheck() throws IOException {
        Path source = Fixtures.copy(Fixtures.TINY_2D, tmp.resolve("candidate"));
        // The 3D model's golden output is the wrong size for this card: caught before anything is copied.
        Files.copy(Fixtures.folder(Fixtures.TINY_3D).resolve("golden-output.bin"), source.resolve("golden-output.bin"),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        Path user = tmp.resolve("models");
        ModelZoo zoo = new ModelZoo(new URLClassLoader(new URL[0], null), List.of(user));
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> zoo.importModel(source));
        assertTrue(e.getMessage().contains("golden-output.bin has 7680 bytes"), e.getMessage());
        assertTrue(!Files.exists(user) || entries(user).isEmpty());
    }

    private static List<String> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
