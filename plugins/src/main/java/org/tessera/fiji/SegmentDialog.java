package org.tessera.fiji;

import java.util.Arrays;

import ij.Prefs;
import ij.gui.GenericDialog;

import org.tessera.service.SegmentationRequest;

/** The fields that the segment dialogs share: model, tile size, tiling, device, probabilities, attention maps. */
final class SegmentDialog {

    static final String PARAMETERS = "Parameters (classic methods, key=value ...)";

    private SegmentDialog() {}

    /**
     * Adds the shared fields; the model preselected is the last one used.
     *
     * @param attentionLabel the attention checkbox's label, whose words (underscores) are its macro key
     */
    static void addFields(GenericDialog gd, String[] ids, String tile, String tiling, String device,
            String attentionLabel) {
        String last = Prefs.get("tessera.model", ids[0]);
        gd.addChoice("Model", ids, Arrays.asList(ids).contains(last) ? last : ids[0]);
        gd.addStringField("Tile size (x,y[,z] or auto)", tile, 12);
        gd.addChoice("Tiling", SegmentationRequest.TILINGS, tiling);
        gd.addChoice("Device", SegmentationRequest.DEVICES, device);
        gd.addCheckbox("Probabilities (one channel per class)", false);
        gd.addCheckbox(attentionLabel, false);
    }

    /** What the shared fields hold, read in the order {@link #addFields} added them. */
    record Choices(String model, String tile, String tiling, String device, boolean probabilities, boolean attention) {

        static Choices read(GenericDialog gd) {
            return new Choices(gd.getNextChoice(), gd.getNextString(), gd.getNextChoice(), gd.getNextChoice(),
                    gd.getNextBoolean(), gd.getNextBoolean());
        }

        /** @param parameters the dialog's classic-method parameters */
        SegmentationRequest.Builder request(String parameters) {
            return Tessera.request(model, tile, tiling, device, probabilities, attention, parameters);
        }
    }
}
