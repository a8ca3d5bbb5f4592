package org.tessera.unet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Every model listed in the jar's index: card, graph against card, golden pair, on CPU. Models arrive in
 * src/main/resources/org/tessera/unet/models/; with no index yet the test is skipped, not passed.
 */
class ShippedModelsTest {

    @TestFactory
    Stream<DynamicTest> everyShippedModelPassesItsChecks() {
        ModelZoo zoo = new ModelZoo(ModelZoo.class.getClassLoader(), List.of());
        List<String> ids = zoo.shippedIds();
        if (ids.isEmpty())
            return Stream.of(DynamicTest.dynamicTest("no shipped models",
                    () -> assumeFalse(true, "No " + ModelZoo.INDEX + " (or an empty one) on the classpath: "
                            + "no shipped models to check yet")));
        return ids.stream().map(id -> DynamicTest.dynamicTest(id, () -> {
            Model m = zoo.shipped(id); // parses and validates the card; folder name = card id
            assertEquals(id, m.id());
            passesGoldenCheck(m);
        }));
    }

    @TestFactory
    Stream<DynamicTest> everyComparisonOnlyModelPassesTheSameChecks() {
        return Fixtures.comparisonOnlyModels().stream().map(m -> DynamicTest.dynamicTest(m.id(), () -> passesGoldenCheck(m)));
    }

    private static void passesGoldenCheck(Model m) {
        assertTrue(m.card().golden() != null, m.id() + ": shipped and comparison models need a golden pair");
        try (OrtEngine engine = m.open(OrtEngine.Options.cpu(2))) { // validates the graph against the card
            GoldenCheck.Report r = GoldenCheck.verify(m, engine);
            assertTrue(r.passed(), r.toString());
        }
    }
}
