package org.tessera.planner.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.tessera.unet.ClassicSegmenter;
import org.tessera.unet.ModelZoo;
import org.tessera.unet.OrtEngine;
import org.tessera.volume.InvalidInputException;

/** One place opens every segmenter by id: classic methods, bundles and plain models. */
class SegmentersTest {

    static final ModelZoo ZOO = ModelZoo.standard(List.of());

    @Test
    void aClassicIdOpensAClassicSegmenterWithoutAnEngine() {
        try (Segmenters.Opened o = Segmenters.open("classic:kmeans", ZOO, OrtEngine.Options.cpu(1), true,
                Map.of("k", "3"), null)) {
            assertInstanceOf(ClassicSegmenter.class, o.segmenter());
            assertNull(o.engine());
            assertNull(o.fallbackReason());
            assertEquals(List.of("level-0", "level-1", "level-2"), o.segmenter().classes());
        }
    }

    @Test
    void mistakesAreNamed() {
        InvalidInputException unknown = assertThrows(InvalidInputException.class,
                () -> Segmenters.open("no-such-model", ZOO, OrtEngine.Options.cpu(1), true, Map.of(), null));
        assertTrue(unknown.getMessage().contains("Unknown model 'no-such-model'")
                && unknown.getMessage().contains("Classic methods: classic:otsu"), unknown.getMessage());
        if (ZOO.list().isEmpty())
            return;
        String network = ZOO.list().get(0).id();
        InvalidInputException params = assertThrows(InvalidInputException.class,
                () -> Segmenters.open(network, ZOO, OrtEngine.Options.cpu(1), true, Map.of("k", "3"), null));
        assertTrue(params.getMessage().contains("are for the classic methods"), params.getMessage());
    }
}
