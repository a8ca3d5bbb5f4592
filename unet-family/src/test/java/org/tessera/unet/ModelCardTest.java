package org.tessera.unet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.tessera.volume.InvalidInputException;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

class ModelCardTest {

    private static final long D = -1; // dynamic axis

    @Test
    void parsesTheFixtureCards() throws IOException {
        ModelCard c2 = ModelCard.parse(Fixtures.cardBytes(Fixtures.TINY_2D), "2d");
        assertEquals("tiny-unet-2d", c2.id());
        assertEquals(2, c2.dimensionality());
        assertEquals(org.tessera.volume.tiling.OutputKind.LOGITS, c2.output().kind());
        assertEquals(org.tessera.volume.intensity.Normalization.Scheme.ZSCORE, c2.normalization().scheme());
        assertArrayEquals(new int[] { 32, 24 }, c2.patchSize());
        assertArrayEquals(new long[] { 2, 1, 24, 32 }, c2.golden().inputShape());
        assertEquals(1e-4, c2.golden().tolerance(), 0);
        assertNull(c2.fixedInputSize());
        assertEquals(2, c2.outputChannels());

        ModelCard c3 = ModelCard.parse(Fixtures.cardBytes(Fixtures.TINY_3D), "3d");
        assertEquals(org.tessera.volume.tiling.OutputKind.SIGMOID, c3.output().kind());
        assertEquals(2, c3.inputChannels());
        assertEquals(2, c3.outputChannels(), "sigmoid: classes minus the background");
    }

    @Test
    void parsesTheDocumentedExample() {
        String json = """
                { "id": "nuclei-2d-unet", "name": "Fluorescence nuclei, 2D U-Net", "architecture": "unet",
                  "dimensionality": 2,
                  "input": { "name": "input", "channels": ["fluorescence"] },
                  "output": { "name": "logits", "kind": "logits", "classes": ["background", "nucleus"] },
                  "normalization": { "scheme": "percentile", "lower": 1.0, "upper": 99.8 },
                  "trainingSpacing": null, "spacingUnit": "", "patchSize": [256, 256], "divisibility": [16, 16],
                  "fixedInputSize": null, "halo": [48, 48],
                  "trainingData": { "name": "...", "source": "...", "licence": "...", "trainCases": ["..."],
                                    "heldOutCases": ["..."] },
                  "training": { "script": "scripts/train.py", "command": "...", "seed": 0, "budget": "..." },
                  "quality": { "metric": "dice", "heldOutCases": ["..."], "perClass": { "nucleus": 0.0 },
                               "summary": "..." },
                  "golden": { "inputShape": [1, 1, 64, 64], "outputShape": [1, 2, 64, 64], "tolerance": 1e-4 } }
                """;
        ModelCard c = ModelCard.parse(json.getBytes(), "example");
        assertEquals(99.8, c.normalization().upper(), 0);
        assertEquals(0.0, c.quality().perClass().get("nucleus"), 0);
    }

    @Test
    void rejectsInconsistentCards() {
        assertRejected(c -> c.put("dimensionality", 4), "dimensionality is 4");
        assertRejected(c -> ((ArrayNode) c.get("patchSize")).add(8), "patchSize [32, 24, 8] has 3 entries");
        assertRejected(c -> c.remove("halo"), "halo is missing");
        assertRejected(c -> ((ObjectNode) c.get("output")).putArray("classes"), "output.classes must list");
        assertRejected(c -> ((ObjectNode) c.get("output")).put("kind", "softmax"),
                "allowed: logits, probabilities, sigmoid");
        assertRejected(c -> ((ObjectNode) c.get("normalization")).put("scheme", "robust"),
                "allowed: percentile, zscore, minmax, fixed, none");
        assertRejected(c -> c.putArray("divisibility").add(0).add(2), "divisibility [0, 2] must be positive");
        assertRejected(c -> c.putArray("divisibility").add(5).add(2), "is not a multiple of divisibility [5, 2]");
        assertRejected(c -> c.putArray("fixedInputSize").add(16).add(16), "patchSize [32, 24] must equal fixedInputSize");
        assertRejected(c -> c.put("fixedinputSize", 3), "unknown field 'fixedinputSize'");
        assertRejected(c -> c.put("id", "Tiny Net"), "id 'Tiny Net' is not valid");
        assertRejected(c -> c.putObject("normalization").put("scheme", "percentile").put("lower", 99).put("upper", 1),
                "0 <= lower < upper <= 100");
        assertRejected(c -> c.putObject("normalization").put("scheme", "fixed").put("offset", 0),
                "non-zero scale");
        assertRejected(c -> ((ObjectNode) c.get("golden")).putArray("outputShape").add(2).add(3).add(24).add(32),
                "has 3 channels but the card implies 2");
    }

    @Test
    void sigmoidCardsNeedABackgroundClass() throws IOException {
        ObjectNode c = Fixtures.card(Fixtures.TINY_3D);
        ((ObjectNode) c.get("output")).putArray("classes").add("cell");
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Fixtures.parse(c));
        assertTrue(e.getMessage().contains("at least 2 names"), e.getMessage());
    }

    @Test
    void acceptsAGraphWithDynamicAxes() throws IOException {
        ModelCard c = ModelCard.parse(Fixtures.cardBytes(Fixtures.TINY_2D), "2d");
        assertDoesNotThrow(() -> c.validateAgainst(
                GraphSignature.of("input", new long[] { D, 1, D, D }, "logits", new long[] { D, 2, D, D })));
        assertDoesNotThrow(() -> c.validateAgainst(
                GraphSignature.of("input", new long[] { D, D, D, D }, "logits", new long[] { 4, D, D, D })));
    }

    @Test
    void rejectsGraphsThatDoNotMatch() throws IOException {
        ModelCard c = ModelCard.parse(Fixtures.cardBytes(Fixtures.TINY_2D), "2d");
        assertMismatch(c, GraphSignature.of("x", new long[] { D, 1, D, D }, "logits", new long[] { D, 2, D, D }),
                "input.name 'input' is not a graph input (graph inputs: [x])");
        assertMismatch(c, GraphSignature.of("input", new long[] { D, 1, D, D, D }, "logits", new long[] { D, 2, D, D }),
                "has rank 5");
        assertMismatch(c, GraphSignature.of("input", new long[] { D, 3, D, D }, "logits", new long[] { D, 2, D, D }),
                "input 'input' has 3 channels but the card implies 1");
        assertMismatch(c, GraphSignature.of("input", new long[] { D, 1, D, D }, "logits", new long[] { D, 3, D, D }),
                "output 'logits' has 3 channels but the card implies 2");
        assertMismatch(c, GraphSignature.of("input", new long[] { D, 1, 24, 32 }, "logits", new long[] { D, 2, D, D }),
                "has no fixedInputSize");
    }

    @Test
    void sigmoidOutputHasOneChannelPerForegroundClass() throws IOException {
        ModelCard c = ModelCard.parse(Fixtures.cardBytes(Fixtures.TINY_3D), "3d");
        long[] in = { D, 2, D, D, D };
        c.validateAgainst(GraphSignature.of("input", in, "logits", new long[] { D, 2, D, D, D }));
        assertMismatch(c, GraphSignature.of("input", in, "logits", new long[] { D, 3, D, D, D }),
                "has 3 channels but the card implies 2 (output.kind sigmoid");
    }

    @Test
    void fixedInputSizeIsTheReverseOfTheTensorsSpatialAxes() throws IOException {
        ObjectNode node = Fixtures.card(Fixtures.TINY_2D);
        node.putArray("fixedInputSize").add(32).add(24); // x = 32, y = 24
        ModelCard c = Fixtures.parse(node);
        c.validateAgainst(GraphSignature.of("input", new long[] { 1, 1, 24, 32 }, "logits", new long[] { 1, 2, 24, 32 }));
        assertMismatch(c, GraphSignature.of("input", new long[] { 1, 1, 32, 24 }, "logits", new long[] { 1, 2, D, D }),
                "does not match fixedInputSize [32, 24]");
    }

    @Test
    void attentionOutputsAreCheckedInTheCardAndAgainstTheGraph() throws IOException {
        assertRejected(c -> c.putArray("attentionOutputs"), "attentionOutputs is empty");
        assertRejected(c -> c.putArray("attentionOutputs").add("attention_1").add("attention_1"),
                "attentionOutputs has duplicate names");
        assertRejected(c -> c.putArray("attentionOutputs").add("logits"), "lists the main output 'logits'");
        assertRejected(c -> c.putArray("attentionOutputs").add(" "), "has a blank name");
        assertRejected(c -> c.put("attentionOutputs", "attention_1"), "attentionOutputs");

        ObjectNode node = Fixtures.card(Fixtures.TINY_2D);
        node.putArray("attentionOutputs").add("attention_1").add("attention_2");
        ModelCard c = Fixtures.parse(node);
        assertEquals(java.util.List.of("attention_1", "attention_2"), c.attentionOutputNames());
        assertEquals(java.util.List.of(), ModelCard.parse(Fixtures.cardBytes(Fixtures.TINY_2D), "2d").attentionOutputNames());
        long[] in = { D, 1, D, D }, logits = { D, 2, D, D }, map = { D, 1, D, D };
        assertDoesNotThrow(() -> c.validateAgainst(graph(in, "logits", logits, "attention_1", map, "attention_2", map)));
        assertMismatch(c, graph(in, "logits", logits, "attention_1", map),
                "the card's attentionOutputs name 'attention_2' is not a graph output (graph outputs: [logits, attention_1])");
        assertMismatch(c, graph(in, "logits", logits, "attention_1", map, "attention_2", new long[] { D, 2, D, D }),
                "attention output 'attention_2' has 2 channels but the card implies 1 (one map per attention gate)");
        assertMismatch(c, graph(in, "logits", logits, "attention_1", map, "attention_2", new long[] { D, 1, D }),
                "attention output 'attention_2' has rank 3");
    }

    /** A graph with input "input" and the given outputs (name, shape, name, shape, ...), in order. */
    @Test
    void instancesNameTheCardsClassesAndDefaultTheirParameters() throws IOException {
        ObjectNode node = Fixtures.card(Fixtures.TINY_3D);
        node.set("instances", Fixtures.JSON.readTree("{\"interior\": \"nucleus\", \"boundary\": \"cell\", \"minArea\": 20}"));
        ModelCard card = Fixtures.parse(node);
        assertEquals(20, card.instances().parameters().minArea());
        assertEquals(0.5, card.instances().parameters().seedThreshold(), 0);
        assertEquals(1, card.probabilityChannel("nucleus"), "sigmoid: one channel less than the class index");
        assertNull(Fixtures.parse(Fixtures.card(Fixtures.TINY_2D)).instances());
        assertRejected(c -> c.set("instances", Fixtures.JSON.createObjectNode().put("interior", "nuclei")),
                "instances.interior 'nuclei' must name one of output.classes [background, foreground]");
        assertRejected(c -> c.set("instances", Fixtures.JSON.createObjectNode().put("interior", "foreground")
                .put("boundary", "foreground")), "instances.boundary 'foreground'");
        assertRejected(c -> c.set("instances", Fixtures.JSON.createObjectNode().put("interior", "foreground")
                .put("seedThreshold", 3.0)), "instances.seedThreshold 3.0 must be a probability");
        assertRejected(c -> c.set("instances", Fixtures.JSON.createObjectNode().put("interior", "foreground")
                .put("minsize", 3)), "unknown field 'minsize'");
    }

    private static GraphSignature graph(long[] input, Object... outputs) {
        java.util.Map<String, long[]> out = new java.util.LinkedHashMap<>();
        for (int i = 0; i < outputs.length; i += 2)
            out.put((String) outputs[i], (long[]) outputs[i + 1]);
        return new GraphSignature(java.util.Map.of("input", input), out);
    }

    private static void assertMismatch(ModelCard card, GraphSignature graph, String expected) {
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> card.validateAgainst(graph));
        assertTrue(e.getMessage().startsWith("Model '" + card.id() + "'"), e.getMessage());
        assertTrue(e.getMessage().contains(expected), e.getMessage());
    }

    private static void assertRejected(Consumer<ObjectNode> edit, String expected) {
        ObjectNode card;
        try {
            card = Fixtures.card(Fixtures.TINY_2D);
        } catch (IOException e) {
            throw new AssertionError(e);
        }
        edit.accept(card);
        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Fixtures.parse(card),
                "expected a rejection mentioning: " + expected);
        assertTrue(e.getMessage().contains(expected), "message was: " + e.getMessage());
        assertTrue(e.getMessage().contains("test card"), "names the source: " + e.getMessage());
    }
}
