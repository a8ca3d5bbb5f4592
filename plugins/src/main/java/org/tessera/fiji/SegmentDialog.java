package org.tessera.fiji;

import java.util.Arrays;

import ij.Macro;
import ij.Prefs;
import ij.gui.GenericDialog;

import org.tessera.service.SegmentationRequest;
import org.tessera.volume.classic.Parameters;

/**
 * The fields that the segment dialogs share: model, tile size, tiling, device, probabilities, attention maps,
 * instances and their parameters.
 */
final class SegmentDialog {

    static final String PARAMETERS = "Parameters (classic methods, key=value ...)";
    // the words before the first space are the macro keys: "instances", "instance_parameters"
    static final String INSTANCES = "Instances (objects, their table and outlines)";
    static final String INSTANCE_PARAMETERS = "Instance_parameters (e.g. minArea=20)";

    private SegmentDialog() {}

    /**
     * Adds the shared fields; the model preselected is the last one used.
     *
     * @param attentionLabel the attention checkbox's label, whose words (underscores) are its macro key
     */
    static void addFields(GenericDialog gd, String[] ids, String tile, String tiling, String device,
            String attentionLabel) {
        String options = Macro.getOptions();
        // GenericDialog reads a field through Macro.getValue, which finds "parameters=" inside
        // "instance_parameters=": give the classic parameters their own (empty) word when a macro has none.
        if (options != null && TesseraMacro.value(options, "parameters", null) == null)
            Macro.setOptions("parameters=[] " + options);
        String last = Prefs.get("tessera.model", ids[0]);
        gd.addChoice("Model", ids, Arrays.asList(ids).contains(last) ? last : ids[0]);
        gd.addStringField("Tile size (x,y[,z] or auto)", tile, 12);
        gd.addChoice("Tiling", SegmentationRequest.TILINGS, tiling);
        gd.addChoice("Device", SegmentationRequest.DEVICES, device);
        gd.addCheckbox("Probabilities (one channel per class)", false);
        gd.addCheckbox(attentionLabel, false);
    }

    /**
     * Adds the classic parameters and the instance fields, last: a macro's "parameters=" is then found before the
     * "parameters=" inside "instance_parameters=".
     */
    static void addMethodFields(GenericDialog gd) {
        gd.addStringField(PARAMETERS, "", 30);
        gd.addCheckbox(INSTANCES, false);
        gd.addStringField(INSTANCE_PARAMETERS, "", 30);
    }

    /** What the shared fields hold, read in the order {@link #addFields} added them. */
    record Choices(String model, String tile, String tiling, String device, boolean probabilities, boolean attention) {

        static Choices read(GenericDialog gd) {
            return new Choices(gd.getNextChoice(), gd.getNextString(), gd.getNextChoice(), gd.getNextChoice(),
                    gd.getNextBoolean(), gd.getNextBoolean());
        }

        /** The request, with the fields of {@link #addMethodFields} read next from the dialog. */
        SegmentationRequest.Builder request(GenericDialog gd) {
            return Tessera.request(model, tile, tiling, device, probabilities, attention, gd.getNextString())
                    .instances(gd.getNextBoolean()).instanceParameters(Parameters.parse(gd.getNextString()));
        }
    }
}
