package org.tessera.fiji;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.event.KeyEvent;
import java.util.ArrayList;
import java.util.List;

import ij.IJ;
import ij.ImagePlus;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tessera.service.SegmentationRequest;
import org.tessera.volume.Progress;

/** Esc in ImageJ stops a segmentation between tiles, and no half-made image comes out. */
class EscapeCancelsTest {

    @BeforeAll
    static void models() {
        FijiTestSupport.useFixtureModels();
    }

    @AfterEach
    void releaseEscape() {
        IJ.resetEscape();
    }

    @Test
    void escapeDuringSegmentationStopsBetweenTiles() {
        ImagePlus input = FijiTestSupport.open(FijiTestSupport.SAMPLE_2D);
        List<Double> fractions = new ArrayList<>();
        ImageJProgress imagej = new ImageJProgress("test");
        Progress pressEscAfterTwoTiles = new Progress() {
            @Override
            public void status(String message) {
                imagej.status(message);
            }

            @Override
            public void fraction(double done) {
                fractions.add(done);
                imagej.fraction(done);
                if (fractions.size() == 3) // 0, then two tiles done: the user presses Esc
                    IJ.setKeyDown(KeyEvent.VK_ESCAPE);
            }

            @Override
            public boolean cancelled() {
                return imagej.cancelled();
            }
        };
        SegmentationRequest request = Tessera.request("tiny-unet-2d", "32,24", "gaussian", "cpu", false, false, "").build();
        assertThrows(Progress.CancelledException.class,
                () -> Tessera.segment(input, request, pressEscAfterTwoTiles, line -> { }));
        double last = fractions.get(fractions.size() - 1);
        assertTrue(last < 0.5, "stopped early, after " + fractions.size() + " progress steps (last " + last + ")");
        assertFalse(IJ.escapePressed() && new ImageJProgress("next").cancelled(),
                "a new job starts with Esc released");
    }
}
