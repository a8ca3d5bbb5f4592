package org.tessera.unet;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.tessera.volume.InvalidInputException;

import com.code_intelligence.jazzer.junit.DictionaryEntries;
import com.code_intelligence.jazzer.junit.FuzzTest;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * Fuzz test of model card parsing and validation: any bytes either give a card whose accessors work, or an
 * {@link InvalidInputException} whose message names the card; anything else is a finding. The normal build runs
 * the seeds in {@code ModelCardFuzzTestInputs/card/}; {@code JAZZER_FUZZ=1} fuzzes (see the README).
 */
class ModelCardFuzzTest {

    private static final String SOURCE = "fuzzed/card.json";

    @Timeout(10) // a reader that takes longer loops or decodes far more than the input holds: a finding
    @FuzzTest
    @DictionaryEntries({ "\"id\"", "\"dimensionality\"", "\"input\"", "\"output\"", "\"channels\"", "\"classes\"",
            "\"kind\"", "\"sigmoid\"", "\"logits\"", "\"normalization\"", "\"scheme\"", "\"percentile\"", "\"fixed\"",
            "\"patchSize\"", "\"divisibility\"", "\"halo\"", "\"fixedInputSize\"", "\"trainingSpacing\"", "\"golden\"",
            "\"inputShape\"", "\"outputShape\"", "\"tolerance\"", "\"instances\"", "\"interior\"", "\"boundary\"",
            "\"attentionOutputs\"", "null", "-1", "1e400" })
    void card(byte[] json) {
        ModelCard card;
        try {
            card = ModelCard.parse(json, SOURCE);
        } catch (InvalidInputException e) {
            assertTrue(e.getMessage() != null && e.getMessage().contains(SOURCE), "a refusal must name the card: "
                    + e.getMessage());
            return;
        }
        card.outputChannels();
        card.inputChannels();
        card.attentionOutputNames();
        for (String c : card.output().classes())
            card.probabilityChannel(c);
        if (card.instances() != null)
            card.instances().parameters();
    }

    /**
     * Writes the seeds: the two test cards, one with an instances block and attention outputs, and damaged ones.
     * {@code mvn -o -pl unet-family -am verify -Dtest=ModelCardFuzzTest -Dtessera.writeSeeds=true
     * -Dsurefire.failIfNoSpecifiedTests=false}
     */
    @Test
    @EnabledIfSystemProperty(named = "tessera.writeSeeds", matches = "true")
    void writeSeeds() throws IOException {
        Path folder = Files.createDirectories(Path.of(System.getProperty("tessera.root"),
                "unet-family/src/test/resources/org/tessera/unet/ModelCardFuzzTestInputs/card"));
        Files.write(folder.resolve("tiny-unet-2d.json"), Fixtures.cardBytes(Fixtures.TINY_2D));
        Files.write(folder.resolve("tiny-unet-3d.json"), Fixtures.cardBytes(Fixtures.TINY_3D));
        ObjectNode instances = Fixtures.card(Fixtures.TINY_2D);
        ArrayNode classes = ((ObjectNode) instances.get("output")).putArray("classes");
        classes.add("background").add("interior").add("boundary");
        ((ObjectNode) instances.get("output")).put("kind", "probabilities");
        instances.remove("golden");
        instances.putObject("instances").put("interior", "interior").put("boundary", "boundary")
                .put("seedThreshold", 0.9).put("minArea", 8).put("fillHoles", true);
        instances.putArray("attentionOutputs").add("attention_1");
        Files.write(folder.resolve("instances-attention.json"), Fixtures.JSON.writeValueAsBytes(instances));
        ObjectNode sigmoid = Fixtures.card(Fixtures.TINY_3D);
        ((ObjectNode) sigmoid.get("output")).put("kind", "sigmoid");
        sigmoid.putObject("normalization").put("scheme", "fixed").put("offset", 0).put("scale", 255);
        Files.write(folder.resolve("sigmoid-fixed.json"), Fixtures.JSON.writeValueAsBytes(sigmoid));
        ObjectNode unknown = Fixtures.card(Fixtures.TINY_2D);
        unknown.put("colour", "blue");
        Files.write(folder.resolve("unknown-field.json"), Fixtures.JSON.writeValueAsBytes(unknown));
        byte[] valid = Fixtures.cardBytes(Fixtures.TINY_2D);
        Files.write(folder.resolve("cut-short.json"), java.util.Arrays.copyOf(valid, valid.length / 2));
        int parsed = 0;
        try (var seeds = Files.list(folder)) {
            for (Path seed : seeds.toList()) {
                card(Files.readAllBytes(seed)); // every seed is read or refused naming the card
                parsed++;
            }
        }
        assertTrue(parsed >= 6, "seeds written: " + parsed);
    }
}
