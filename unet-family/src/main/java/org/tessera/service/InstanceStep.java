package org.tessera.service;

import org.tessera.unet.ModelCard;
import org.tessera.unet.SegmentOptions;
import org.tessera.unet.SegmentResult;
import org.tessera.volume.Volume;
import org.tessera.volume.classic.Grid;
import org.tessera.volume.instances.InstanceLabels;
import org.tessera.volume.instances.InstanceParameters;
import org.tessera.volume.instances.ObjectTable;

/**
 * Objects from a segmentation, after the pipeline: a model whose card has an {@code instances} block floods
 * its interior probabilities from seeds ({@link InstanceLabels#fromProbabilities}); any other model splits its
 * foreground labels at the necks of their distance map ({@link InstanceLabels#fromMask}); a classic method
 * takes the face-connected components of its foreground, or the objects it separated itself (the watershed's
 * {@code instances=true}) as they are. Then every object is measured ({@link ObjectTable}).
 */
final class InstanceStep {

    private final ModelCard.Instances rule;
    private final int interior, boundary;
    private final boolean classic;
    private final InstanceParameters parameters;

    private InstanceStep(ModelCard card, InstanceParameters parameters) {
        this.rule = card == null ? null : card.instances();
        this.interior = rule == null ? -1 : card.probabilityChannel(rule.interior());
        this.boundary = rule == null || rule.boundary() == null ? -1 : card.probabilityChannel(rule.boundary());
        this.classic = card == null;
        this.parameters = parameters;
    }

    /**
     * The step a request asks for, or null for none.
     *
     * @param card    the model's card, or null for a classic method
     * @param objects whether the segmenter separates objects by itself
     */
    static InstanceStep of(SegmentationRequest request, ModelCard card, boolean objects) {
        if (!request.instances() && !objects)
            return null;
        InstanceParameters defaults = card != null && card.instances() != null ? card.instances().parameters()
                : InstanceParameters.DEFAULTS;
        return new InstanceStep(card, defaults.with(request.instanceParameters()));
    }

    /** The options the pipeline runs with: probabilities too when the rule needs them. */
    SegmentOptions pipelineOptions(SegmentOptions asked) {
        return rule == null ? asked : asked.withProbabilities(true);
    }

    /** The result with its instances and objects; probabilities only when {@code asked} wanted them. */
    SegmentResult apply(Volume input, SegmentResult r, SegmentOptions asked) {
        Grid grid = Grid.of(r.labels().image(), r.labels().spacing());
        int[] objects;
        if (classic && r.instances() != null)
            objects = toInts(grid.read(r.instances().image()));
        else if (rule != null)
            objects = InstanceLabels.fromProbabilities(grid, channel(grid, r.probabilities(), interior),
                    boundary < 0 ? null : channel(grid, r.probabilities(), boundary), parameters);
        else {
            float[] labels = grid.read(r.labels().image());
            boolean[] foreground = new boolean[labels.length];
            for (int i = 0; i < labels.length; i++)
                foreground[i] = labels[i] != 0;
            objects = classic ? InstanceLabels.components(grid, foreground, parameters)
                    : InstanceLabels.fromMask(grid, foreground, parameters);
        }
        return r.withInstances(InstanceLabels.toVolume(grid, objects, r.labels()),
                ObjectTable.measure(grid, objects, input), asked.probabilities());
    }

    /** The parameters in effect, for the record of what made the outputs. */
    InstanceParameters parameters() { return parameters; }

    private static float[] channel(Grid grid, Volume probabilities, int c) {
        return grid.read(probabilities.channel(c));
    }

    private static int[] toInts(float[] values) {
        int[] ints = new int[values.length];
        for (int i = 0; i < values.length; i++)
            ints[i] = (int) values[i];
        return ints;
    }
}
