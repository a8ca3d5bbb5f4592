package org.tessera.volume.tiling;

/**
 * What a network's output channels mean (model card {@code output.kind}), and how one voxel's channel values
 * become a label and probabilities. Tiles are always averaged in the network's own output space (as nnU-Net
 * averages logits), and labels and probabilities are derived from the average.
 */
public enum OutputKind {
    /** One channel per class, unnormalized scores: probabilities = softmax, label = argmax. */
    LOGITS,
    /** One channel per class, already softmaxed: averaged directly, label = argmax. */
    PROBABILITIES,
    /**
     * One channel per foreground class, pre-sigmoid scores (nnU-Net region outputs): each channel
     * independent, probability = sigmoid(score). Channel c stands for label c + 1; a voxel gets the
     * highest label whose probability exceeds 0.5 (later regions are nested inside earlier ones in
     * nnU-Net's region convention), 0 when none does. A single channel is a binary segmentation.
     */
    SIGMOID;

    /** Number of labels (background included) produced from {@code channels} output channels. */
    public int labelCount(int channels) {
        return this == SIGMOID ? channels + 1 : channels;
    }

    /** The label of one voxel's channel values; ties go to the lower class. */
    public int label(float[] values) {
        return label(values, 1, 0, values.length);
    }

    /** The same for the voxel whose channel c is {@code values[c * stride + at]}. */
    public int label(float[] values, int stride, int at, int channels) {
        if (this == SIGMOID) {
            int label = 0;
            for (int c = 0; c < channels; c++)
                if (sigmoid(values[c * stride + at]) > 0.5f)
                    label = c + 1;
            return label;
        }
        float max = Float.NEGATIVE_INFINITY;
        int arg = 0;
        for (int c = 0; c < channels; c++) {
            float v = values[c * stride + at];
            if (v > max) {
                max = v;
                arg = c;
            }
        }
        return arg;
    }

    /**
     * One voxel's probabilities from its channel values, written to {@code probabilities} (same length).
     * The softmax subtracts the maximum in float and sums in double.
     */
    public void probabilities(float[] values, float[] probabilities) {
        probabilities(values, 1, 0, probabilities);
    }

    /** The same for the voxel whose channel c is {@code values[c * stride + at]}. */
    public void probabilities(float[] values, int stride, int at, float[] probabilities) {
        int channels = probabilities.length;
        switch (this) {
        case LOGITS -> {
            float max = Float.NEGATIVE_INFINITY;
            for (int c = 0; c < channels; c++)
                max = Math.max(max, values[c * stride + at]);
            double sum = 0;
            for (int c = 0; c < channels; c++) {
                probabilities[c] = (float) Math.exp(values[c * stride + at] - max);
                sum += probabilities[c];
            }
            for (int c = 0; c < channels; c++)
                probabilities[c] = (float) (probabilities[c] / sum);
        }
        case PROBABILITIES -> {
            for (int c = 0; c < channels; c++)
                probabilities[c] = values[c * stride + at];
        }
        case SIGMOID -> {
            for (int c = 0; c < channels; c++)
                probabilities[c] = sigmoid(values[c * stride + at]);
        }
        }
    }

    private static float sigmoid(float score) {
        return (float) (1 / (1 + Math.exp(-score)));
    }
}
