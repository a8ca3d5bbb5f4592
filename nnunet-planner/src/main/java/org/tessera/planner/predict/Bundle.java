package org.tessera.planner.predict;

import java.nio.charset.StandardCharsets;

import org.tessera.planner.DatasetJson;
import org.tessera.planner.Plans;
import org.tessera.planner.PlansJson;
import org.tessera.planner.preprocessing.Preprocessor;
import org.tessera.unet.Model;
import org.tessera.unet.ModelCard;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.tiling.OutputKind;

/**
 * An nnU-Net-style model bundle (docs/nnunet-bundle.md) read and checked: the card's {@code nnunet} block,
 * the plans and dataset.json it names, and the configuration's preprocessing.
 */
public record Bundle(Model model, Plans plans, DatasetJson dataset, String configurationName,
                     Plans.Configuration configuration, Preprocessor preprocessor) {

    /** Whether the model is a bundle (its card has an {@code nnunet} block). */
    public static boolean isBundle(Model model) {
        return model.card().nnunet() != null;
    }

    /**
     * Reads and checks a bundle.
     *
     * @throws InvalidInputException naming the model, the file and what would work
     */
    public static Bundle read(Model model) {
        ModelCard card = model.card();
        ModelCard.NnUnet nn = card.nnunet();
        String where = "Model '" + model.id() + "' (" + model.location() + ")";
        if (nn == null)
            throw new InvalidInputException(where + " is not an nnU-Net bundle: its card has no \"nnunet\" block "
                    + "(see docs/nnunet-bundle.md)");
        if (nn.plans() == null || nn.datasetJson() == null || nn.configuration() == null)
            throw new InvalidInputException(where + ": the card's \"nnunet\" block needs \"plans\", \"datasetJson\" and "
                    + "\"configuration\", e.g. {\"plans\": \"plans.json\", \"datasetJson\": \"dataset.json\", "
                    + "\"configuration\": \"3d_fullres\"}");
        String plansText = file(model, nn.plans(), "plans", where);
        String datasetText = file(model, nn.datasetJson(), "datasetJson", where);
        Plans plans = PlansJson.fromJson(plansText, model.location() + "/" + nn.plans());
        DatasetJson dataset = DatasetJson.fromJson(datasetText, model.location() + "/" + nn.datasetJson());
        if (!plans.configurations().containsKey(nn.configuration()))
            throw new InvalidInputException(where + ": the card's configuration \"" + nn.configuration()
                    + "\" is not in " + nn.plans() + "; it has " + plans.configurations().keySet()
                    + ". Name one of those in the card's \"nnunet\" block.");
        Plans.Configuration conf = plans.resolved(nn.configuration());
        Preprocessor pre = new Preprocessor(plans, nn.configuration(), model.location() + "/" + nn.plans());
        int patchDims = conf.patchSize().length;
        int expectedDims = patchDims == 2 ? 2 : 3;
        if (card.dimensionality() != expectedDims)
            throw new InvalidInputException(where + ": configuration \"" + nn.configuration() + "\" has a "
                    + patchDims + "D patch, so the card's dimensionality must be " + expectedDims + ", not "
                    + card.dimensionality());
        if (dataset.numChannels() != card.inputChannels() || pre.channels() != card.inputChannels())
            throw new InvalidInputException(where + ": channel counts disagree: the card lists " + card.inputChannels()
                    + " input channel(s) " + card.input().channels() + ", " + nn.datasetJson() + " has "
                    + dataset.numChannels() + " " + dataset.channelNames().values() + " and the plans normalize "
                    + pre.channels() + ". They must all be the same channels in the same order.");
        if (dataset.isRegionBased())
            throw new InvalidInputException(where + ": " + nn.datasetJson() + " defines regions; region-based bundles "
                    + "are not supported yet (use a bundle with one label value per class)");
        if (card.output().kind() != OutputKind.LOGITS)
            throw new InvalidInputException(where + ": a bundle's output.kind must be logits, not "
                    + card.output().kind().name().toLowerCase());
        if (dataset.numLabels() != card.outputChannels())
            throw new InvalidInputException(where + ": " + nn.datasetJson() + " has " + dataset.numLabels()
                    + " labels " + dataset.labels().keySet() + " but the card's output.classes lists "
                    + card.outputChannels() + " " + card.output().classes() + "; they must match, background first.");
        mirrorAxes(nn, patchDims, where);
        return new Bundle(model, plans, dataset, nn.configuration(), conf, pre);
    }

    /**
     * The spatial axes that mirroring flips (0 = the network's first spatial axis): the card's
     * {@code nnunet.mirrorAxes}, or every axis when the card has none.
     */
    public int[] mirrorAxes() {
        return mirrorAxes(model.card().nnunet(), configuration.patchSize().length, "Model '" + model.id() + "'");
    }

    private static int[] mirrorAxes(ModelCard.NnUnet nn, int dims, String where) {
        if (nn.mirrorAxes() == null)
            return java.util.stream.IntStream.range(0, dims).toArray();
        int[] axes = nn.mirrorAxes();
        boolean[] seen = new boolean[dims];
        for (int a : axes) {
            if (a < 0 || a >= dims || seen[a])
                throw new InvalidInputException(where + ": the card's nnunet.mirrorAxes " + java.util.Arrays.toString(axes)
                        + " must be distinct axes of the " + dims + "D patch (0 to " + (dims - 1) + "), or [] for no mirroring");
            seen[a] = true;
        }
        return axes.clone();
    }

    private static String file(Model model, String name, String field, String where) {
        if (!model.hasFile(name))
            throw new InvalidInputException(where + ": the card's nnunet." + field + " names \"" + name
                    + "\" but the model has no such file. A bundle folder holds model.onnx, card.json, the plans and "
                    + "dataset.json (see docs/nnunet-bundle.md).");
        return new String(model.readFile(name), StandardCharsets.UTF_8);
    }
}
