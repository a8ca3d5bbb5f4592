package org.tessera.planner.predict;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;

import org.junit.jupiter.api.Test;
import org.tessera.service.SegmentationRequest;
import org.tessera.service.SegmentationService;
import org.tessera.service.Session;
import org.tessera.unet.ClassicSegmenter;
import org.tessera.unet.ModelZoo;
import org.tessera.unet.OrtEngine;
import org.tessera.unet.Segmenter;
import org.tessera.volume.InvalidInputException;

/** The service picks the pipeline by id and card: classic methods, bundles (found on the class path), plain models. */
class PipelineChoiceTest {

    static final ModelZoo ZOO = ModelZoo.standard(List.of());
    static final SegmentationService SERVICE = new SegmentationService(ZOO);

    static SegmentationRequest.Builder request(String id) {
        return SegmentationRequest.builder(id).device(OrtEngine.Device.CPU).threads(1);
    }

    @Test
    void aClassicIdOpensAClassicSegmenterWithoutAnEngine() {
        try (Session s = SERVICE.open(request("classic:kmeans").parameter("k=3").build(), null)) {
            assertInstanceOf(ClassicSegmenter.class, s.segmenter());
            assertNull(s.engine());
            assertEquals(List.of("level-0", "level-1", "level-2"), s.segmenter().classes());
        }
    }

    @Test
    void aBundleCardOpensThePlanPredictorAndAPlainCardTheSegmenter() {
        try (Session bundle = SERVICE.open(request("nuclei-3d-nnunet").build(), null);
                Session plain = SERVICE.open(request("nuclei-2d-unet").build(), null)) {
            assertInstanceOf(PlanPredictor.class, bundle.segmenter());
            assertInstanceOf(Segmenter.class, plain.segmenter());
        }
    }

    @Test
    void mistakesAreNamed() {
        InvalidInputException unknown = assertThrows(InvalidInputException.class,
                () -> SERVICE.open(request("no-such-model").build(), null));
        assertTrue(unknown.getMessage().contains("no-such-model") && unknown.getMessage().contains("classic:otsu"),
                unknown.getMessage());
        InvalidInputException params = assertThrows(InvalidInputException.class,
                () -> SERVICE.open(request("nuclei-2d-unet").parameter("k=3").build(), null));
        assertTrue(params.getMessage().contains("k") && params.getMessage().contains("classic methods"),
                params.getMessage());
        InvalidInputException probabilities = assertThrows(InvalidInputException.class,
                () -> SERVICE.open(request("classic:otsu").probabilities(true).build(), null));
        assertTrue(probabilities.getMessage().contains("probabilities"), probabilities.getMessage());
        InvalidInputException attention = assertThrows(InvalidInputException.class,
                () -> SERVICE.open(request("nuclei-3d-nnunet").attentionMaps(true).build(), null));
        assertTrue(attention.getMessage().contains("nuclei-3d-nnunet")
                && attention.getMessage().contains("attention maps"), attention.getMessage());
    }
}
