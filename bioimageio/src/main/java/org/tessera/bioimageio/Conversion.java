package org.tessera.bioimageio;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.tiling.OutputKind;

/**
 * What a bioimage.io description means in Tessera's terms: the card (tile sizes from the allowed sizes, halo,
 * normalization, classes and the rule that turns outputs into labels) and the network wrapped so that it takes
 * and gives Tessera's layout, with the package's element-wise processing inside the graph.
 * <p>
 * Processing steps: the one step that needs statistics of the whole image ({@code zero_mean_unit_variance},
 * {@code scale_range}) becomes the card's normalization, computed over the whole channel before tiling as
 * the package computes it per sample; the element-wise steps ({@code binarize, clip, ensure_dtype,
 * fixed_zero_mean_unit_variance, scale_linear, sigmoid}) run in the graph, per tile, which gives the same
 * values. A final {@code sigmoid} or {@code softmax} becomes the card's output kind (sigmoid / logits), so
 * that tiles are averaged before it, as Tessera does for its own models.
 */
final class Conversion {

    static final String INPUT = "tessera_input";
    static final String OUTPUT = "tessera_output";
    /** Preferred tile edge for parameterized sizes: 2D, 3D. */
    static final int TARGET_2D = 256, TARGET_3D = 64;

    static final List<String> OPS = List.of("binarize", "clip", "ensure_dtype", "fixed_zero_mean_unit_variance",
            "scale_linear", "scale_mean_variance", "scale_range", "sigmoid", "softmax", "zero_mean_unit_variance");

    /** How the output's channels become Tessera's: paired = one channel v shown as (1 - v, v), label where v > 0.5. */
    /** {@code crop}: per space axis (x, y[, z]) the voxels per side that the graph pads onto a smaller output. */
    record Result(byte[] onnx, Map<String, Object> card, Layout input, Layout output, Map<String, Object> normalization,
            OutputKind kind, boolean paired, List<String> classes, int[] crop) {}

    private final Description d;
    private final String where;
    private final Consumer<String> log;

    private Conversion(Description d, String where, Consumer<String> log) {
        this.d = d;
        this.where = where;
        this.log = log;
    }

    static Result convert(Description d, byte[] onnx, String id, String where, Consumer<String> log) {
        return new Conversion(d, where, log).run(onnx, id);
    }

    private InvalidInputException refuse(String message) {
        return new InvalidInputException(where + ": " + message);
    }

    private Result run(byte[] onnxBytes, String id) {
        if (d.inputs().size() != 1)
            throw refuse(d.inputs().size() + " inputs " + d.inputs().stream().map(Description.Tensor::id).toList()
                    + "; Tessera feeds one image to a network, so it imports models with one input");
        Description.Tensor in = d.inputs().get(0), out = d.outputs().get(0);
        if (d.outputs().size() > 1)
            log.accept("the model has " + d.outputs().size() + " outputs; Tessera uses the first, '" + out.id() + "'");
        Layout inLayout = Layout.of(in, where), outLayout = Layout.of(out, where);
        int dims = inLayout.dims();
        if (outLayout.dims() != dims)
            throw refuse("input '" + in.id() + "' is " + dims + "D but output '" + out.id() + "' is " + outLayout.dims()
                    + "D; Tessera needs the output at the input's size");

        OnnxGraph graph = OnnxGraph.parse(onnxBytes, where + ": the weights file");
        if (graph.opset() < 7)
            throw refuse("the ONNX weights use opset " + graph.opset() + "; Tessera needs opset 7 or newer (re-export them)");
        if (graph.irVersion() < 4)
            throw refuse("the ONNX weights use IR version " + graph.irVersion() + "; Tessera needs 4 or newer (re-export them)");
        if (graph.inputs().size() != 1)
            throw refuse("the ONNX graph has " + graph.inputs().size() + " inputs " + graph.inputs().stream()
                    .map(OnnxGraph.Tensor::name).toList() + "; Tessera imports networks with one input");
        OnnxGraph.Tensor gIn = graph.inputs().get(0);
        OnnxGraph.Tensor gOut = graph.outputs().stream().filter(t -> t.name().equals(out.id())).findFirst()
                .orElse(graph.outputs().get(0));
        checkRank(in, gIn);
        checkRank(out, gOut);

        int channelsIn = channelCount(in, null);
        for (Description.Axis a : in.axes())
            if (a.type().equals("time") || a.type().equals("index"))
                requireOne(in, a);
        Tiles geometry = tiles(in, out, inLayout, gIn);
        for (Description.Axis a : out.axes())
            if (a.type().equals("time") || a.type().equals("index"))
                requireOne(out, a);
        int channelsOut = channelCount(out, in);
        Preprocessing pre = preprocessing(in, inLayout, channelsIn);
        OutputRule rule = outputRule(out, outLayout, channelsOut);

        // the wrapped graph: package layout and element-wise steps around the network
        OnnxGraph.Nodes before = graph.nodes("tessera_pre_"), after = graph.nodes("tessera_post_");
        String x = inLayout.fromTessera(before, INPUT);
        for (Description.Op op : pre.inGraph())
            x = elementwise(before, op, x, in, inLayout);
        if (gIn.elemType() != OnnxGraph.FLOAT && gIn.elemType() != 0)
            x = before.cast(x, gIn.elemType());
        before.identity(x, gIn.name());
        String y = gOut.name();
        if (gOut.elemType() != OnnxGraph.FLOAT)
            y = after.cast(y, OnnxGraph.FLOAT);
        for (Description.Op op : rule.inGraph())
            y = elementwise(after, op, y, out, outLayout);
        y = outLayout.toTessera(after, y);
        if (Arrays.stream(geometry.crop()).anyMatch(c -> c > 0)) {
            long[] pads = new long[2 * (2 + dims)];
            for (int k = 0; k < dims; k++)
                pads[2 + dims - 1 - k] = pads[2 + dims + 2 + dims - 1 - k] = geometry.crop()[k]; // begins, then ends; x is last
            y = after.padEdges(y, pads);
        }
        if (rule.paired())
            y = after.concat(1, after.constantMinus(1, y), y);
        after.identity(y, OUTPUT);
        boolean singleBatch = in.axis("batch") == null || (in.axis("batch").size() != null && in.axis("batch").size().fixed() == 1)
                || (gIn.shape() != null && inLayout.index("B") >= 0 && gIn.shape()[inLayout.index("B")] == 1);
        long[] inShape = new long[2 + dims], outShape = new long[2 + dims];
        inShape[0] = outShape[0] = singleBatch ? 1 : -1;
        inShape[1] = channelsIn;
        outShape[1] = rule.paired() ? 2 : channelsOut;
        for (int k = 0; k < dims; k++) {
            inShape[2 + dims - 1 - k] = geometry.fixed() ? geometry.patch()[k] : -1;
            outShape[2 + dims - 1 - k] = -1;
        }
        byte[] wrapped = graph.wrap(gIn.name(), gOut.name(), before, after, new OnnxGraph.Tensor(INPUT, OnnxGraph.FLOAT, inShape),
                new OnnxGraph.Tensor(OUTPUT, OnnxGraph.FLOAT, outShape));
        Map<String, Object> card = card(id, in, out, graph, channelsIn, geometry, pre, rule);
        return new Result(wrapped, card, inLayout, outLayout, pre.normalization(), rule.kind(), rule.paired(),
                rule.classes(), geometry.crop());
    }

    /**
     * The card's tile geometry, in Tessera's x, y[, z] order: the tile chosen from the input's allowed sizes,
     * its divisibility (1 for a fixed tile), the halo (the output halo plus what a smaller output lacks) and
     * that lack per side ({@code crop}).
     */
    private record Tiles(int[] patch, int[] divisibility, int[] halo, int[] crop, boolean fixed) {}

    private Tiles tiles(Description.Tensor in, Description.Tensor out, Layout inLayout, OnnxGraph.Tensor gIn) {
        int dims = inLayout.dims();
        String[] space = dims == 3 ? new String[] { "x", "y", "z" } : new String[] { "x", "y" };
        int[] patch = new int[dims], divisibility = new int[dims], halo = new int[dims];
        boolean fixed = false;
        int[] graphSize = new int[dims]; // a size the ONNX graph fixes, 0 where it is dynamic
        for (int k = 0; k < dims; k++) {
            Description.Size size = in.axis(space[k]).size();
            fixed |= size.fixed() != null || size.isReference() || size.step() == 0 || size.min() % size.step() != 0;
            long g = gIn.shape() == null ? -1 : gIn.shape()[inLayout.index(space[k])];
            if (g > 0 && size.isParameterized()) {
                if (g < size.min() || (size.step() == 0 ? g != size.min() : (g - size.min()) % size.step() != 0))
                    throw refuse("input axis " + space[k] + " allows " + describe(size) + " but the ONNX input '"
                            + gIn.name() + "' has the fixed size " + g + " there " + Arrays.toString(gIn.shape())
                            + "; the description and the weights do not belong together");
                graphSize[k] = (int) g;
                fixed = true;
            }
        }
        int[] crop = new int[dims]; // voxels per side an output smaller than its input lacks (offset -2 * crop)
        for (int k = 0; k < dims; k++) {
            crop[k] = outputCrop(in, out, space[k]);
            halo[k] = out.axis(space[k]).halo() + crop[k];
        }
        for (int k = 0; k < dims; k++) {
            Description.Size size = in.axis(space[k]).size();
            int target = dims == 3 ? TARGET_3D : TARGET_2D;
            if (size.fixed() != null) {
                patch[k] = size.fixed();
                divisibility[k] = 1;
            } else if (graphSize[k] > 0) {
                patch[k] = graphSize[k];
                divisibility[k] = 1;
            } else if (size.isParameterized()) {
                int step = size.step(), min = size.min();
                int lowest = Math.max(min, fixed ? min : 2 * halo[k] + 1);
                int n = step == 0 ? 0 : Math.max(0, (int) Math.ceil((lowest - min) / (double) step));
                Integer preferred = d.preferredTile().get(space[k]);
                boolean allowed = preferred != null && step > 0 && preferred >= lowest && (preferred - min) % step == 0;
                n = step == 0 ? 0 : allowed ? (preferred - min) / step : Math.max(n, Math.round((target - min) / (float) step));
                patch[k] = min + n * step;
                divisibility[k] = fixed ? 1 : step;
            }
        }
        for (int k = 0; k < dims; k++) {
            Description.Size size = in.axis(space[k]).size();
            if (size.isReference()) {
                if (!size.refTensor().equals(in.id()))
                    throw refuse("input axis " + space[k] + " refers to tensor '" + size.refTensor() + "'; an input "
                            + "can only refer to its own axes here");
                int r = Arrays.asList(space).indexOf(size.refAxis());
                Description.Axis ref = in.axis(size.refAxis());
                if (r < 0 || ref.size().isReference())
                    throw refuse("input axis " + space[k] + " refers to axis '" + size.refAxis() + "', which is not a "
                            + "space axis of fixed or parameterized size");
                double scale = Double.isNaN(size.scale()) ? ref.scale() / in.axis(space[k]).scale() : size.scale();
                patch[k] = (int) Math.round(patch[r] * scale + size.offset());
                divisibility[k] = 1;
            }
            if (patch[k] < 1)
                throw refuse("input axis " + space[k] + " has no positive size (" + size + ")");
        }

        // the output: same space size as the input, its channels
        for (int k = 0; k < dims; k++)
            checkSameSize(in, out, space[k], patch[k], fixed);
        for (Description.Axis a : out.axes())
            if (a.type().equals("time") || a.type().equals("index"))
                requireOne(out, a);
        int channelsOut = channelCount(out, in);
        for (int k = 0; k < dims; k++)
            if (halo[k] < 0 || 2 * halo[k] >= patch[k])
                throw refuse("output axis " + space[k] + " has halo " + halo[k] + ", too large for the tile "
                        + patch[k] + " chosen from the input's sizes");
        return new Tiles(patch, divisibility, halo, crop, fixed);
    }

    /** The one statistics step as the card's normalization, and the element-wise steps the graph runs. */
    private record Preprocessing(Map<String, Object> normalization, List<Description.Op> inGraph) {}

    /**
     * The one statistics step (if any) becomes the normalization; the casts before it change nothing on an
     * image as read; every step after it, or every step when there is none, runs in the graph.
     */
    private Preprocessing preprocessing(Description.Tensor in, Layout inLayout, int channelsIn) {
        Map<String, Object> normalization = new LinkedHashMap<>(Map.of("scheme", "none"));
        List<Description.Op> preGraph = new ArrayList<>();
        int statistics = -1;
        for (int i = 0; i < in.processing().size(); i++) {
            Description.Op op = in.processing().get(i);
            checkKnown(op, "preprocessing");
            switch (op.id()) {
                case "zero_mean_unit_variance", "scale_range" -> {
                    if (isFixedMode(op))
                        break;
                    if (statistics >= 0 || in.processing().subList(0, i).stream().anyMatch(o -> !o.id().equals("ensure_dtype")))
                        throw refuse("preprocessing " + names(in.processing()) + ": '" + op.id() + "' (statistics of the "
                                + "whole image) after " + names(in.processing().subList(0, i)) + "; Tessera applies one "
                                + "whole-image normalization, before the element-wise steps");
                    statistics = i;
                    normalization = statistics(op, in, inLayout, channelsIn);
                }
                case "scale_mean_variance" -> throw refuse("preprocessing 'scale_mean_variance' matches the input to "
                        + "another tensor's mean and variance; Tessera has one input, so it cannot");
                case "softmax" -> throw refuse("preprocessing 'softmax' is an output step; Tessera runs it only as the "
                        + "last postprocessing step");
                default -> { }
            }
        }
        preGraph.addAll(in.processing().subList(statistics + 1, in.processing().size()));
        return new Preprocessing(normalization, preGraph);
    }

    /** How outputs become labels (the card's output kind and classes), and the postprocessing left to the graph. */
    private record OutputRule(OutputKind kind, boolean paired, List<String> classes, List<Description.Op> inGraph) {}

    private OutputRule outputRule(Description.Tensor out, Layout outLayout, int channelsOut) {
        List<Description.Op> post = new ArrayList<>(out.processing());
        for (Description.Op op : post)
            checkKnown(op, "postprocessing");
        while (!post.isEmpty() && isFloatCast(post.get(post.size() - 1)))
            post.remove(post.size() - 1);
        OutputKind kind;
        boolean paired = false;
        Description.Op last = post.isEmpty() ? null : post.get(post.size() - 1);
        List<String> channelNames = channelNames(out, channelsOut);
        List<String> classes = new ArrayList<>();
        if (last != null && last.id().equals("sigmoid")) {
            post.remove(post.size() - 1);
            kind = OutputKind.SIGMOID;
            classes.add(channelNames.contains("background") ? "background_" : "background");
            classes.addAll(channelNames);
        } else if (last != null && last.id().equals("softmax")) {
            Object axis = last.kwargs().getOrDefault("axis", "channel");
            if (!outLayout.isChannel(String.valueOf(axis)))
                throw refuse("postprocessing 'softmax' over axis '" + axis + "'; Tessera takes a softmax over the channels");
            if (channelsOut < 2)
                throw refuse("postprocessing 'softmax' over one channel is always 1; nothing to segment");
            post.remove(post.size() - 1);
            kind = OutputKind.LOGITS;
            classes.addAll(channelNames);
        } else if (channelsOut == 1) {
            kind = OutputKind.PROBABILITIES;
            paired = true;
            classes.add(channelNames.contains("background") ? "background_" : "background");
            classes.addAll(channelNames);
        } else {
            kind = OutputKind.PROBABILITIES;
            classes.addAll(channelNames);
        }
        for (Description.Op op : post)
            switch (op.id()) {
                case "zero_mean_unit_variance", "scale_range", "scale_mean_variance" -> {
                    if (!isFixedMode(op))
                        throw refuse("postprocessing '" + op.id() + "' needs statistics of the whole output, which tiles "
                                + "do not have; Tessera cannot reproduce it");
                }
                case "softmax" -> throw refuse("postprocessing 'softmax' followed by " + names(post.subList(
                        post.indexOf(op) + 1, post.size())) + "; Tessera takes a softmax only as the last step");
                default -> { }
            }
        log.accept("labels: " + switch (kind) {
            case SIGMOID -> "channel c is label c + 1 where its sigmoid exceeds 0.5 (the last such channel wins)";
            case LOGITS -> "argmax of the softmax over the channels";
            case PROBABILITIES -> paired ? "foreground where the output exceeds 0.5" : "argmax over the channels";
        });
        return new OutputRule(kind, paired, classes, post);
    }

    private Map<String, Object> card(String id, Description.Tensor in, Description.Tensor out, OnnxGraph graph,
            int channelsIn, Tiles t, Preprocessing pre, OutputRule rule) {
        Map<String, Object> card = new LinkedHashMap<>();
        card.put("id", id);
        card.put("name", d.name());
        card.put("architecture", "bioimageio");
        card.put("dimensionality", t.patch().length);
        card.put("input", Map.of("name", INPUT, "channels", channelNames(in, channelsIn)));
        card.put("output", Map.of("name", OUTPUT, "kind", rule.kind().name().toLowerCase(), "classes", rule.classes()));
        card.put("normalization", pre.normalization());
        card.put("trainingSpacing", null);
        card.put("spacingUnit", "");
        card.put("patchSize", t.patch());
        card.put("divisibility", t.divisibility());
        card.put("fixedInputSize", t.fixed() ? t.patch() : null);
        card.put("halo", t.halo());
        Map<String, Object> network = new LinkedHashMap<>();
        network.put("source", "bioimage.io model description " + d.formatVersion());
        network.put("weights", "onnx, opset " + graph.opset());
        network.put("inputAxes", in.axisIds());
        network.put("outputAxes", out.axisIds());
        network.put("preprocessing", names(in.processing()));
        network.put("postprocessing", names(out.processing()));
        if (Arrays.stream(t.crop()).anyMatch(c -> c > 0))
            network.put("outputPadding", "the output is " + Arrays.toString(t.crop()) + " voxels (x, y[, z]) per side smaller "
                    + "than the input; the graph repeats its edge to the input's size and the halo includes it");
        network.put("labels", rule.paired() ? "foreground where the single output channel exceeds 0.5"
                : rule.kind() == OutputKind.SIGMOID ? "sigmoid per channel, threshold 0.5" : "argmax over the channels");
        card.put("network", network);
        // a Tessera export's instance rule (which classes are the objects' interior and boundary), where it fits
        Object interior = d.instances().get("interior");
        if (interior != null && rule.classes().contains(String.valueOf(interior)))
            card.put("instances", d.instances());
        Map<String, Object> data = new LinkedHashMap<>();
        data.put("name", d.name());
        data.put("source", "bioimage.io package" + (d.id().isEmpty() ? "" : " " + d.id()) + " (rdf.yaml in this folder)");
        data.put("licence", d.license());
        card.put("trainingData", data);
        return card;
    }

    private void checkRank(Description.Tensor t, OnnxGraph.Tensor g) {
        if (g.shape() == null)
            return;
        if (g.shape().length != t.axes().size())
            throw refuse("axes of '" + t.id() + "' " + t.axisIds() + " (" + t.axes().size() + ") do not match the ONNX "
                    + "tensor '" + g.name() + "' of rank " + g.shape().length + " " + Arrays.toString(g.shape())
                    + "; the description and the weights do not belong together");
        for (int k = 0; k < g.shape().length; k++) {
            Description.Size s = t.axes().get(k).size();
            if (g.shape()[k] > 0 && s != null && s.fixed() != null && s.fixed() != g.shape()[k])
                throw refuse("axis " + t.axes().get(k).id() + " of '" + t.id() + "' has size " + s.fixed()
                        + " but the ONNX tensor '" + g.name() + "' has " + g.shape()[k] + " there "
                        + Arrays.toString(g.shape()) + "; the description and the weights do not belong together");
        }
    }

    private void requireOne(Description.Tensor t, Description.Axis a) {
        Description.Size s = a.size();
        boolean one = s == null || (s.fixed() != null && s.fixed() == 1) || (s.isParameterized() && s.min() == 1)
                || s.isReference();
        if (!one)
            throw refuse(a.type() + " axis '" + a.id() + "' of '" + t.id() + "' has size " + describe(s) + "; Tessera "
                    + "segments one time point / index at a time, so it imports such axes only with size 1");
    }

    private int channelCount(Description.Tensor t, Description.Tensor ref) {
        Description.Axis c = t.axis("channel");
        if (c == null)
            for (Description.Axis a : t.axes())
                if (a.type().equals("channel"))
                    c = a;
        if (c == null)
            return 1;
        Description.Size s = c.size();
        if (s.fixed() != null)
            return s.fixed();
        if (s.isReference() && ref != null && s.refTensor().equals(ref.id()) && ref.axis(s.refAxis()) != null
                && ref.axis(s.refAxis()).size().fixed() != null)
            return (int) Math.round(ref.axis(s.refAxis()).size().fixed() * (Double.isNaN(s.scale()) ? 1 : s.scale()) + s.offset());
        throw refuse("channel axis of '" + t.id() + "' has size " + describe(s) + "; Tessera needs a fixed number of channels");
    }

    private static List<String> channelNames(Description.Tensor t, int count) {
        for (Description.Axis a : t.axes())
            if (a.type().equals("channel") && a.channelNames() != null && a.channelNames().size() == count
                    && a.channelNames().stream().distinct().count() == count)
                return a.channelNames();
        List<String> names = new ArrayList<>();
        for (int c = 0; c < count; c++)
            names.add(count == 1 ? t.id() : t.id() + "_" + c);
        return names;
    }

    private void checkSameSize(Description.Tensor in, Description.Tensor out, String axis, int inputSize, boolean fixed) {
        Description.Size s = out.axis(axis).size();
        if (s == null)
            throw refuse("output axis " + axis + " has no size");
        if (s.fixed() != null) {
            if (!fixed || s.fixed() != inputSize)
                throw refuse("output axis " + axis + " has the fixed size " + s.fixed() + " but the input's is "
                        + (fixed ? inputSize : describe(in.axis(axis).size())) + "; Tessera needs the output at the input's size");
            return;
        }
        if (!s.isReference())
            throw refuse("output axis " + axis + " has size " + describe(s) + "; Tessera needs the output at the input's size");
        double scale = Double.isNaN(s.scale()) ? (in.axis(axis) == null ? 1 : in.axis(axis).scale() / out.axis(axis).scale()) : s.scale();
        if (!s.refTensor().equals(in.id()) || !s.refAxis().equals(axis) || scale != 1 || s.offset() > 0 || s.offset() % 2 != 0)
            throw refuse("output axis " + axis + " is " + s.refTensor() + "." + s.refAxis() + " * " + scale + " + "
                    + s.offset() + "; Tessera needs each output space axis at its input axis's size, or smaller by an "
                    + "even number of voxels (scale 1, offset 0, -2, -4, ...)");
    }

    /**
     * How many voxels per side the output lacks along a space axis: a reference to the same input axis with
     * offset -2c (a network of unpadded convolutions) gives c; the wrapped graph pads such an output back to the
     * input's size by repeating its edge, and the card's halo covers the padding.
     */
    private int outputCrop(Description.Tensor in, Description.Tensor out, String axis) {
        Description.Size s = out.axis(axis).size();
        if (s == null || !s.isReference() || s.offset() >= 0 || s.offset() % 2 != 0)
            return 0;
        checkSameSize(in, out, axis, 0, false);
        return -s.offset() / 2;
    }

    private static String describe(Description.Size s) {
        if (s == null)
            return "unknown";
        if (s.fixed() != null)
            return String.valueOf(s.fixed());
        if (s.isParameterized())
            return s.min() + " + n * " + s.step();
        return s.refTensor() + "." + s.refAxis() + " * " + (Double.isNaN(s.scale()) ? "scale" : s.scale()) + " + " + s.offset();
    }

    private void checkKnown(Description.Op op, String where) {
        if (!OPS.contains(op.id()))
            throw refuse(where + " step '" + op.id() + "' is not a bioimage.io processing step Tessera knows; it knows "
                    + String.join(", ", OPS));
    }

    private static boolean isFixedMode(Description.Op op) {
        return "fixed".equals(op.kwargs().get("mode"));
    }

    private static boolean isFloatCast(Description.Op op) {
        return op.id().equals("ensure_dtype") && List.of("float32", "float64").contains(String.valueOf(op.kwargs().get("dtype")));
    }

    private static List<String> names(List<Description.Op> ops) {
        return ops.stream().map(Description.Op::id).toList();
    }

    /** zero_mean_unit_variance / scale_range per sample, over the space axes of each channel: the card's normalization. */
    private Map<String, Object> statistics(Description.Op op, Description.Tensor t, Layout layout, int channels) {
        Object mode = op.kwargs().get("mode");
        if (mode != null && !mode.equals("per_sample"))
            throw refuse("preprocessing '" + op.id() + "' mode '" + mode + "' needs the training set's statistics, which "
                    + "the package does not carry; Tessera takes per_sample (or fixed values)");
        Object ref = op.kwargs().get("reference_tensor");
        if (ref != null && !ref.equals(t.id()))
            throw refuse("preprocessing '" + op.id() + "' refers to tensor '" + ref + "'; Tessera has one input");
        Object axesValue = op.kwargs().get("axes");
        List<String> axes = axesValue == null ? t.axisIds() : Rdf.list(axesValue, where + " " + op.id() + " axes")
                .stream().map(String::valueOf).toList();
        for (Description.Axis a : t.axes())
            if (a.type().equals("space") && !axes.contains(a.id()))
                throw refuse("preprocessing '" + op.id() + "' over axes " + axes + " leaves out space axis " + a.id()
                        + "; Tessera normalizes each channel over the whole image");
        if (channels > 1 && axes.stream().anyMatch(layout::isChannel))
            throw refuse("preprocessing '" + op.id() + "' over axes " + axes + " mixes the " + channels + " channels; "
                    + "Tessera normalizes each channel on its own");
        Map<String, Object> n = new LinkedHashMap<>();
        if (op.id().equals("zero_mean_unit_variance")) {
            n.put("scheme", "zscore");
        } else {
            double lo = op.kwargs().containsKey("min_percentile") ? Rdf.number(op.kwargs().get("min_percentile"), "min_percentile") : 0;
            double hi = op.kwargs().containsKey("max_percentile") ? Rdf.number(op.kwargs().get("max_percentile"), "max_percentile") : 100;
            if (!(lo >= 0 && lo < hi && hi <= 100))
                throw refuse("preprocessing 'scale_range' percentiles " + lo + " and " + hi + " must satisfy 0 <= min < max <= 100");
            n.put("scheme", "percentile");
            n.put("lower", lo);
            n.put("upper", hi);
        }
        return n;
    }

    /** The graph nodes of one element-wise step on a tensor of the package's layout. */
    private String elementwise(OnnxGraph.Nodes n, Description.Op op, String x, Description.Tensor t, Layout layout) {
        Map<String, Object> kw = op.kwargs();
        String at = "'" + op.id() + "' of '" + t.id() + "'";
        switch (op.id()) {
            case "sigmoid":
                return n.unary("Sigmoid", x);
            case "binarize": {
                Values thr = values(kw.get("threshold"), kw, t, layout, at + " threshold");
                return n.cast(n.withConstant("Greater", x, thr.values, thr.dims), OnnxGraph.FLOAT);
            }
            case "clip": {
                if (kw.get("min") != null)
                    x = n.withConstant("Max", x, new float[] { (float) Rdf.number(kw.get("min"), at + " min") }, new long[0]);
                if (kw.get("max") != null)
                    x = n.withConstant("Min", x, new float[] { (float) Rdf.number(kw.get("max"), at + " max") }, new long[0]);
                return x;
            }
            case "ensure_dtype": {
                String dtype = String.valueOf(kw.get("dtype"));
                int type = switch (dtype) {
                    case "float32", "float64" -> OnnxGraph.FLOAT;
                    case "uint8" -> OnnxGraph.UINT8;
                    case "int8" -> OnnxGraph.INT8;
                    case "uint16" -> OnnxGraph.UINT16;
                    case "int16" -> OnnxGraph.INT16;
                    case "uint32" -> OnnxGraph.UINT32;
                    case "int32" -> OnnxGraph.INT32;
                    case "uint64" -> OnnxGraph.UINT64;
                    case "int64" -> OnnxGraph.INT64;
                    case "bool" -> OnnxGraph.BOOL;
                    default -> throw refuse(at + ": dtype '" + dtype + "' is not a bioimage.io data type");
                };
                return type == OnnxGraph.FLOAT ? x : n.cast(n.cast(x, type), OnnxGraph.FLOAT);
            }
            case "scale_linear": {
                Values gain = values(kw.getOrDefault("gain", 1.0), kw, t, layout, at + " gain");
                Values offset = values(kw.getOrDefault("offset", 0.0), kw, t, layout, at + " offset");
                return n.withConstant("Add", n.withConstant("Mul", x, gain.values, gain.dims), offset.values, offset.dims);
            }
            case "fixed_zero_mean_unit_variance", "zero_mean_unit_variance", "scale_range", "scale_mean_variance": {
                if (!op.id().endsWith("zero_mean_unit_variance"))
                    throw refuse(at + " with mode 'fixed' is not a step of the spec");
                Values mean = values(kw.get("mean"), kw, t, layout, at + " mean");
                Values std = values(kw.get("std"), kw, t, layout, at + " std");
                double eps = kw.containsKey("eps") ? Rdf.number(kw.get("eps"), at + " eps") : 1e-6;
                float[] denominator = std.values.clone();
                for (int i = 0; i < denominator.length; i++)
                    denominator[i] = (float) (std.values[i] + eps);
                return n.withConstant("Div", n.withConstant("Sub", x, mean.values, mean.dims), denominator, std.dims);
            }
            default:
                throw refuse(at + " cannot run element-wise");
        }
    }

    private record Values(float[] values, long[] dims) {}

    /** A scalar, or a list along the op's {@code axis} (0.5) or along the one axis its {@code axes} (0.4) leave out. */
    private Values values(Object value, Map<String, Object> kw, Description.Tensor t, Layout layout, String at) {
        if (value == null)
            throw refuse(at + " is missing");
        if (!(value instanceof List<?> list))
            return new Values(new float[] { (float) Rdf.number(value, at) }, new long[0]);
        String axis;
        if (kw.get("axis") != null)
            axis = String.valueOf(kw.get("axis"));
        else if (kw.get("axes") instanceof List<?> joint) {
            List<String> left = t.axisIds().stream().filter(a -> !joint.contains(a) && !a.equals("batch")).toList();
            if (left.size() != 1)
                throw refuse(at + " is a list but axes " + joint + " leave " + left + " for it; give one value per "
                        + "entry of exactly one axis");
            axis = left.get(0);
        } else
            axis = "channel";
        int index = t.axisIds().indexOf(axis);
        if (index < 0)
            throw refuse(at + " is given along axis '" + axis + "', which tensor '" + t.id() + "' does not have " + t.axisIds());
        Description.Size s = t.axes().get(index).size();
        if (s != null && s.fixed() != null && s.fixed() != list.size())
            throw refuse(at + " has " + list.size() + " values for axis '" + axis + "' of size " + s.fixed());
        float[] v = new float[list.size()];
        for (int i = 0; i < v.length; i++)
            v[i] = (float) Rdf.number(list.get(i), at + "[" + i + "]");
        long[] dims = new long[layout.rank()];
        Arrays.fill(dims, 1);
        dims[index] = v.length;
        return new Values(v, dims);
    }
}
