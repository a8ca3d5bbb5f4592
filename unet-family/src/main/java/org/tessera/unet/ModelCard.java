package org.tessera.unet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.instances.InstanceParameters;
import org.tessera.volume.tiling.OutputKind;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;

/**
 * A model's card.json, as specified in docs/model-card.md. Spatial lists are in imglib2 order (x, y[, z]);
 * ONNX tensors are (N, C, [D,] H, W), so a list's entry k belongs to tensor axis {@code 1 + dimensionality - k}.
 * <p>
 * Parsing is strict about the fields the engine uses (an unknown or misspelt field is an error, not a silent
 * default) and lenient inside the provenance blocks {@code trainingData}, {@code training} and {@code quality},
 * and in the descriptive blocks {@code receptiveField} and {@code network}.
 * <p>
 * Output channels: for {@code logits} and {@code probabilities} the network has one channel per class; for
 * {@code sigmoid} the first class is the background (label 0) and the network has one channel per remaining,
 * foreground class. Arrays are shared, not copied: treat them as read-only.
 * <p>
 * {@code attentionOutputs} (optional, null when absent) names extra graph outputs holding attention
 * coefficients: one channel each, at the input's spatial size, so that they tile and stitch like the main
 * output; the first belongs to the gate on the finest skip.
 * <p>
 * {@code instances} (optional, null when absent) says how the classes separate objects: which class is the
 * objects' interior and which (optional) their boundary, and this model's {@link InstanceParameters}.
 */
public record ModelCard(
        String id,
        String name,
        String architecture,
        int dimensionality,
        Input input,
        Output output,
        List<String> attentionOutputs,
        Normalization normalization,
        double[] trainingSpacing,
        String spacingUnit,
        int[] patchSize,
        int[] divisibility,
        int[] fixedInputSize,
        int[] halo,
        Double tilingStep,
        Map<String, Object> receptiveField,
        Map<String, Object> network,
        NnUnet nnunet,
        Instances instances,
        TrainingData trainingData,
        Training training,
        Quality quality,
        Golden golden) {

    public record Input(String name, List<String> channels) {}

    public record Output(String name, OutputKind kind, List<String> classes) {}

    /** {@code lower}/{@code upper} are percentiles (percentile scheme); {@code offset}/{@code scale} for fixed. */
    public record Normalization(org.tessera.volume.intensity.Normalization.Scheme scheme, Double lower, Double upper, Double offset, Double scale) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record TrainingData(String name, String source, String licence, List<String> trainCases,
            List<String> heldOutCases) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Training(String script, String command, Long seed, String budget) {}

    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Quality(String metric, List<String> heldOutCases, Map<String, Double> perClass, String summary) {}

    /**
     * Present for nnU-Net-style bundles (docs/nnunet-bundle.md): the model was trained on data preprocessed by
     * {@code plans} (a file in the model folder) for {@code configuration}; prediction follows the plan.
     * {@code mirrorAxes}: the spatial axes (0 = the network's first spatial axis) that mirroring test-time
     * augmentation flips, as nnU-Net's checkpoint's {@code inference_allowed_mirroring_axes}; an empty list
     * means no mirroring, absent (null) every axis.
     */
    public record NnUnet(String plans, String datasetJson, String configuration, int[] mirrorAxes) {}

    /**
     * Which output classes are the objects' interior and boundary (null: none), and the model's instance
     * parameters; absent parameters take {@link InstanceParameters#DEFAULTS}.
     */
    public record Instances(String interior, String boundary, Double seedThreshold, Double foregroundThreshold,
            Integer minSeedArea, Integer minArea, Boolean fillHoles) {

        public InstanceParameters parameters() {
            InstanceParameters d = InstanceParameters.DEFAULTS;
            return new InstanceParameters(seedThreshold == null ? d.seedThreshold() : seedThreshold,
                    foregroundThreshold == null ? d.foregroundThreshold() : foregroundThreshold,
                    minSeedArea == null ? d.minSeedArea() : minSeedArea, minArea == null ? d.minArea() : minArea,
                    fillHoles == null ? d.fillHoles() : fillHoles);
        }
    }

    /** Shapes of golden-input.bin / golden-output.bin in tensor order (N, C, [D,] H, W). */
    public record Golden(long[] inputShape, long[] outputShape, double tolerance) {}

    /** Ids name folders and appear on command lines: keep them simple. */
    /**
     * The Gaussian tile step of automatic tiling where the card gives none: the largest step that kept foreground
     * Dice within 0.002 of nnU-Net's 0.5 on every held-out set of the six models measured (docs/tiling-study.md).
     */
    public static final double DEFAULT_TILING_STEP = 0.75;

    /** The Gaussian tile step that automatic tiling uses for this model. */
    public double autoTilingStep() {
        return tilingStep != null ? tilingStep : DEFAULT_TILING_STEP;
    }

    public static final Pattern ID_PATTERN = Pattern.compile("[a-z0-9][a-z0-9._-]*");

    private static final ObjectMapper MAPPER = JsonMapper.builder()
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS).build()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);

    /** Reads and validates a card file. */
    public static ModelCard read(Path cardFile) {
        byte[] json;
        try {
            json = Files.readAllBytes(cardFile);
        } catch (NoSuchFileException e) {
            throw new InvalidInputException("Model card " + cardFile + " does not exist; a model folder holds "
                    + "card.json and model.onnx (see docs/model-card.md)");
        } catch (IOException e) {
            throw new InvalidInputException("Cannot read model card " + cardFile + ": " + e.getMessage(), e);
        }
        return parse(json, cardFile.toString());
    }

    /**
     * Parses and validates a card. {@code source} (a file or classpath name) only appears in messages.
     *
     * @throws InvalidInputException naming the source and the offending field
     */
    public static ModelCard parse(byte[] json, String source) {
        ModelCard card;
        try {
            card = MAPPER.readValue(json, ModelCard.class);
        } catch (UnrecognizedPropertyException e) {
            throw new InvalidInputException("Model card " + source + ": unknown field '" + e.getPropertyName()
                    + "' at " + path(e) + "; known fields: " + e.getKnownPropertyIds()
                    + " (see docs/model-card.md)", e);
        } catch (InvalidFormatException e) {
            String allowed = e.getTargetType() != null && e.getTargetType().isEnum()
                    ? "; allowed: " + lowerNames(e.getTargetType().getEnumConstants()) : "";
            throw new InvalidInputException("Model card " + source + ": invalid value " + e.getValue() + " for "
                    + path(e) + allowed, e);
        } catch (JsonProcessingException e) {
            throw new InvalidInputException("Model card " + source + " is not a valid card (" + path(e) + "): "
                    + e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new InvalidInputException("Cannot read model card " + source + ": " + e.getMessage(), e);
        }
        if (card == null)
            throw new InvalidInputException("Model card " + source + " is empty");
        card.validate(source);
        return card;
    }

    private static String path(JsonProcessingException e) {
        if (e instanceof com.fasterxml.jackson.databind.JsonMappingException m && !m.getPath().isEmpty()) {
            StringBuilder sb = new StringBuilder();
            for (var ref : m.getPath()) {
                if (ref.getFieldName() != null)
                    sb.append(sb.length() == 0 ? "" : ".").append(ref.getFieldName());
                else
                    sb.append('[').append(ref.getIndex()).append(']');
            }
            return "'" + sb + "'";
        }
        return e.getLocation() == null ? "?" : "line " + e.getLocation().getLineNr();
    }

    private static String lowerNames(Object[] constants) {
        List<String> names = new ArrayList<>();
        for (Object c : constants)
            names.add(((Enum<?>) c).name().toLowerCase());
        return String.join(", ", names);
    }

    /** Number of channels the network outputs (see the class comment for sigmoid models). */
    public int outputChannels() {
        return output.kind == OutputKind.SIGMOID ? output.classes.size() - 1 : output.classes.size();
    }

    public int inputChannels() {
        return input.channels.size();
    }

    /** Checks the card's own consistency; messages name the model and what would work. */
    public void validate(String source) {
        if (tilingStep != null && !(tilingStep > 0 && tilingStep <= 1))
            throw new InvalidInputException("Model card " + source + ": tilingStep " + tilingStep + " must be in (0, 1] "
                    + "(the Gaussian tile step as a fraction of the tile; leave it out for " + DEFAULT_TILING_STEP + ")");
        String where = "Model card " + (id == null ? source : "'" + id + "' (" + source + ")") + ": ";
        List<String> problems = new ArrayList<>();
        if (id == null || !ID_PATTERN.matcher(id).matches())
            problems.add("id " + (id == null ? "is missing" : "'" + id + "' is not valid")
                    + "; use lower-case letters, digits, '.', '_' and '-', starting with a letter or digit");
        if (dimensionality != 2 && dimensionality != 3)
            problems.add("dimensionality is " + dimensionality + "; it must be 2 or 3");
        if (input == null || isBlank(input.name))
            problems.add("input.name is missing; it is the ONNX graph's input name, e.g. \"input\"");
        if (input == null || input.channels == null || input.channels.isEmpty())
            problems.add("input.channels must list at least one channel name, e.g. [\"fluorescence\"]");
        if (output == null || isBlank(output.name))
            problems.add("output.name is missing; it is the ONNX graph's output name, e.g. \"logits\"");
        if (output == null || output.kind == null)
            problems.add("output.kind is missing; use logits, probabilities or sigmoid");
        if (output == null || output.classes == null || output.classes.isEmpty())
            problems.add("output.classes must list at least one class name");
        else {
            if (new HashSet<>(output.classes).size() != output.classes.size())
                problems.add("output.classes has duplicate names: " + output.classes);
            if (output.kind == OutputKind.SIGMOID && output.classes.size() < 2)
                problems.add("a sigmoid model lists the background first and then one class per output channel, "
                        + "so output.classes needs at least 2 names, not " + output.classes);
        }
        validateAttentionOutputs(problems);
        validateInstances(problems);
        validateNormalization(problems);
        if (dimensionality == 2 || dimensionality == 3) {
            checkList(problems, "patchSize", patchSize, true, 1);
            checkList(problems, "divisibility", divisibility, true, 1);
            checkList(problems, "halo", halo, true, 0);
            checkList(problems, "fixedInputSize", fixedInputSize, false, 1);
            if (trainingSpacing != null) {
                if (trainingSpacing.length != dimensionality)
                    problems.add("trainingSpacing has " + trainingSpacing.length + " entries; a " + dimensionality
                            + "D model needs " + dimensionality + " (x, y" + (dimensionality == 3 ? ", z" : "")
                            + ") or null");
                else
                    for (double s : trainingSpacing)
                        if (!(s > 0) || Double.isInfinite(s))
                            problems.add("trainingSpacing " + Arrays.toString(trainingSpacing)
                                    + " must be positive and finite");
            }
            if (problems.isEmpty()) {
                if (!dividesAll(patchSize, divisibility))
                    problems.add("patchSize " + Arrays.toString(patchSize) + " is not a multiple of divisibility "
                            + Arrays.toString(divisibility));
                if (fixedInputSize != null) {
                    if (!dividesAll(fixedInputSize, divisibility))
                        problems.add("fixedInputSize " + Arrays.toString(fixedInputSize)
                                + " is not a multiple of divisibility " + Arrays.toString(divisibility));
                    if (!Arrays.equals(fixedInputSize, patchSize))
                        problems.add("patchSize " + Arrays.toString(patchSize) + " must equal fixedInputSize "
                                + Arrays.toString(fixedInputSize) + ": the network accepts no other tile size");
                }
            }
        }
        if (problems.isEmpty() && golden != null)
            validateGolden(problems);
        if (!problems.isEmpty())
            throw new InvalidInputException(where + String.join("; ", problems));
    }

    private void validateAttentionOutputs(List<String> problems) {
        if (attentionOutputs == null)
            return;
        if (attentionOutputs.isEmpty())
            problems.add("attentionOutputs is empty; list the graph outputs holding attention coefficients "
                    + "(e.g. [\"attention_1\", \"attention_2\"]) or leave the field out");
        for (String name : attentionOutputs)
            if (isBlank(name))
                problems.add("attentionOutputs " + attentionOutputs + " has a blank name; give graph output names");
            else if (output != null && name.equals(output.name))
                problems.add("attentionOutputs " + attentionOutputs + " lists the main output '" + name
                        + "'; list only the extra outputs");
        if (new HashSet<>(attentionOutputs).size() != attentionOutputs.size())
            problems.add("attentionOutputs has duplicate names: " + attentionOutputs);
    }

    /** The declared attention outputs, in order; empty when the card declares none. */
    public List<String> attentionOutputNames() {
        return attentionOutputs == null ? List.of() : attentionOutputs;
    }

    private void validateInstances(List<String> problems) {
        if (instances == null || output == null || output.classes == null)
            return;
        String classes = " must name one of output.classes " + output.classes;
        if (isBlank(instances.interior) || !output.classes.contains(instances.interior))
            problems.add("instances.interior " + (isBlank(instances.interior) ? "is missing; it" : "'"
                    + instances.interior + "'") + classes);
        if (instances.boundary != null && (!output.classes.contains(instances.boundary)
                || instances.boundary.equals(instances.interior)))
            problems.add("instances.boundary '" + instances.boundary + "'" + classes + " other than the interior, or "
                    + "be left out");
        if (output.kind == OutputKind.SIGMOID && output.classes.indexOf(instances.interior) == 0)
            problems.add("instances.interior '" + instances.interior + "' is the background of a sigmoid model, which "
                    + "has no probability channel; name a foreground class");
        String p = instances.parameters().problem();
        if (p != null)
            problems.add("instances." + p);
    }

    /**
     * The channel of {@link #outputChannels()} that holds a class's probability: the class's index, or one less
     * for sigmoid models (their background has no channel); -1 for an unknown class or a sigmoid background.
     */
    public int probabilityChannel(String className) {
        int index = output.classes.indexOf(className);
        return output.kind == OutputKind.SIGMOID && index >= 0 ? index - 1 : index;
    }

    private void validateNormalization(List<String> problems) {
        if (normalization == null || normalization.scheme == null) {
            problems.add("normalization.scheme is missing; use percentile, zscore, minmax, fixed or none");
            return;
        }
        Normalization n = normalization;
        switch (n.scheme) {
            case PERCENTILE -> {
                if (n.lower == null || n.upper == null || !(n.lower >= 0) || !(n.upper <= 100) || !(n.lower < n.upper))
                    problems.add("percentile normalization needs 0 <= lower < upper <= 100 (e.g. lower 1.0, upper 99.8), "
                            + "not lower " + n.lower + ", upper " + n.upper);
            }
            case FIXED -> {
                if (n.offset == null || n.scale == null || !Double.isFinite(n.offset) || !Double.isFinite(n.scale)
                        || n.scale == 0)
                    problems.add("fixed normalization needs a finite offset and a non-zero scale "
                            + "(e.g. offset 0, scale 255 for 8-bit data), not offset " + n.offset + ", scale " + n.scale);
            }
            default -> { }
        }
    }

    private void validateGolden(List<String> problems) {
        int rank = 2 + dimensionality;
        if (golden.inputShape == null || golden.inputShape.length != rank
                || golden.outputShape == null || golden.outputShape.length != rank) {
            problems.add("golden.inputShape and golden.outputShape must have " + rank + " entries (N, C, "
                    + (dimensionality == 3 ? "D, " : "") + "H, W), not " + Arrays.toString(golden.inputShape)
                    + " and " + Arrays.toString(golden.outputShape));
            return;
        }
        for (long[] s : new long[][] { golden.inputShape, golden.outputShape })
            for (long v : s)
                if (v < 1)
                    problems.add("golden shapes must be positive: " + Arrays.toString(s));
        if (golden.inputShape[1] != inputChannels())
            problems.add("golden.inputShape " + Arrays.toString(golden.inputShape) + " has " + golden.inputShape[1]
                    + " channels but input.channels lists " + inputChannels());
        if (golden.outputShape[1] != outputChannels())
            problems.add("golden.outputShape " + Arrays.toString(golden.outputShape) + " has "
                    + golden.outputShape[1] + " channels but the card implies " + outputChannels()
                    + " (output.kind " + output.kind.name().toLowerCase() + ", classes " + output.classes + ")");
        if (golden.inputShape[0] != golden.outputShape[0])
            problems.add("golden input and output batch sizes differ: " + Arrays.toString(golden.inputShape)
                    + " vs " + Arrays.toString(golden.outputShape));
        if (!(golden.tolerance > 0) || Double.isInfinite(golden.tolerance))
            problems.add("golden.tolerance must be positive, e.g. 1e-4, not " + golden.tolerance);
    }

    private void checkList(List<String> problems, String field, int[] values, boolean required, int min) {
        if (values == null) {
            if (required)
                problems.add(field + " is missing; a " + dimensionality + "D model needs " + dimensionality
                        + " values in x, y" + (dimensionality == 3 ? ", z" : "") + " order");
            return;
        }
        if (values.length != dimensionality) {
            problems.add(field + " " + Arrays.toString(values) + " has " + values.length + " entries; a "
                    + dimensionality + "D model needs " + dimensionality + " (x, y" + (dimensionality == 3 ? ", z" : "")
                    + ")");
            return;
        }
        for (int v : values)
            if (v < min) {
                problems.add(field + " " + Arrays.toString(values) + " must be " + (min == 0 ? "non-negative" : "positive"));
                return;
            }
    }

    private static boolean dividesAll(int[] sizes, int[] divisors) {
        for (int d = 0; d < sizes.length; d++)
            if (sizes[d] % divisors[d] != 0)
                return false;
        return true;
    }

    private static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    /**
     * Checks that an ONNX graph matches this card: the card's input and output names exist with rank
     * 2 + dimensionality; their channel axes equal the card's counts (see {@link #outputChannels()}) or are
     * dynamic; every spatial axis is dynamic or equals {@code fixedInputSize} (reversed: the card is x, y, z,
     * the tensor N, C, [D,] H, W). The batch axis may be fixed; the engine then never sends larger batches.
     * Each of {@code attentionOutputs} must be a graph output of the same rank with one channel.
     *
     * @throws InvalidInputException naming the model and each mismatch
     */
    public void validateAgainst(GraphSignature graph) {
        List<String> problems = new ArrayList<>();
        checkTensor(problems, "input", input.name, graph.inputs(), inputChannels());
        checkTensor(problems, "output", output.name, graph.outputs(), outputChannels());
        for (String name : attentionOutputNames())
            checkTensor(problems, "attention output", name, graph.outputs(), 1);
        if (graph.inputs().size() > 1)
            problems.add("the graph has " + graph.inputs().size() + " inputs " + graph.inputs().keySet()
                    + " but the engine feeds only '" + input.name + "'");
        if (!problems.isEmpty())
            throw new InvalidInputException("Model '" + id + "': its ONNX graph does not match its card: "
                    + String.join("; ", problems) + ". Graph: " + graph);
    }

    private void checkTensor(List<String> problems, String role, String tensorName, Map<String, long[]> tensors,
            int channels) {
        long[] shape = tensors.get(tensorName);
        if (shape == null) {
            String kind = role.equals("input") ? "input" : "output";
            problems.add((role.equals("attention output") ? "the card's attentionOutputs name '"
                    : "the card's " + role + ".name '") + tensorName + "' is not a graph " + kind + " (graph "
                    + kind + "s: " + tensors.keySet() + ")");
            return;
        }
        int rank = 2 + dimensionality;
        if (shape.length != rank) {
            problems.add(role + " '" + tensorName + "' has rank " + shape.length + " " + GraphSignature.format(shape)
                    + "; a " + dimensionality + "D model needs rank " + rank);
            return;
        }
        if (shape[1] >= 0 && shape[1] != channels)
            problems.add(role + " '" + tensorName + "' has " + shape[1] + " channels but the card implies " + channels
                    + switch (role) {
                        case "output" -> " (output.kind " + output.kind.name().toLowerCase() + ", classes "
                                + output.classes + ")";
                        case "input" -> " (input.channels " + input.channels + ")";
                        default -> " (one map per attention gate)";
                    });
        for (int axis = 2; axis < rank; axis++) {
            long size = shape[axis];
            if (size < 0)
                continue;
            int k = rank - 1 - axis; // tensor axis -> card index (x is the last tensor axis)
            if (fixedInputSize == null) {
                problems.add(role + " '" + tensorName + "' has a fixed spatial size " + GraphSignature.format(shape)
                        + " but the card has no fixedInputSize; export with dynamic spatial axes or set fixedInputSize");
                return;
            }
            if (size != fixedInputSize[k]) {
                problems.add(role + " '" + tensorName + "' spatial size " + GraphSignature.format(shape)
                        + " does not match fixedInputSize " + Arrays.toString(fixedInputSize)
                        + " (x, y[, z], the reverse of the tensor's spatial axes)");
                return;
            }
        }
    }
}
