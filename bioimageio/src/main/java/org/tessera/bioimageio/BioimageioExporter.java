package org.tessera.bioimageio;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import javax.imageio.ImageIO;

import net.imglib2.Cursor;
import net.imglib2.img.array.ArrayImg;
import net.imglib2.img.array.ArrayImgs;
import net.imglib2.img.basictypeaccess.array.FloatArray;
import net.imglib2.type.numeric.real.FloatType;
import net.imglib2.view.Views;

import org.tessera.unet.Engine;
import org.tessera.unet.Model;
import org.tessera.unet.Segmenter;
import org.tessera.unet.ModelCard;
import org.tessera.unet.OrtEngine;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.io.AtomicFiles;
import org.tessera.volume.io.Npy;
import org.tessera.volume.phantom.Phantoms;
import org.tessera.volume.render.Overlays;
import org.tessera.volume.tiling.OutputKind;

/**
 * Writes a Tessera model as a bioimage.io model package (format {@value #FORMAT_VERSION}), one .zip written
 * atomically: rdf.yaml (axes batch, channel, [z,] y, x with the card's tile rule as parameterized sizes, the
 * card's normalization as preprocessing, its output kind as postprocessing), model.onnx with its sha256, a test
 * input (a nuclei phantom at the tile size) and the output Tessera computes for it, a cover image and a README.
 */
public final class BioimageioExporter {

    static final String FORMAT_VERSION = "0.5.5";

    /** What the card does not say: the licence (SPDX id) when the card's cannot be mapped, and the authors. */
    public record Options(String license, List<String> authors, String citeUrl) {
        public Options {
            authors = authors == null || authors.isEmpty() ? List.of("Tessera contributors") : List.copyOf(authors);
            if (citeUrl != null && !URL.matcher(citeUrl).matches())
                throw new InvalidInputException("--cite-url '" + citeUrl + "' is not a web address (https://...)");
        }

        public static Options defaults() {
            return new Options(null, List.of(), null);
        }
    }

    private BioimageioExporter() {}

    /** @throws InvalidInputException when the model cannot be described (an nnU-Net bundle, an unknown licence) */
    public static void export(Model model, Path zip, Options options) {
        ModelCard card = model.card();
        if (card.nnunet() != null)
            throw new InvalidInputException("Model '" + card.id() + "' is an nnU-Net bundle: its prediction resamples "
                    + "and normalizes by its plan, which a bioimage.io description cannot express; export plain Tessera "
                    + "models (card.json + model.onnx without an nnunet block)");
        String license = options.license() != null ? options.license() : spdx(card);
        String name = zip.getFileName() == null ? "" : zip.getFileName().toString();
        if (!name.toLowerCase(Locale.ROOT).endsWith(".zip"))
            throw new InvalidInputException("The package file " + zip + " must end in .zip (a bioimage.io package is a zip)");
        OnnxGraph graph = OnnxGraph.parse(model.onnxBytes(), "model '" + card.id() + "' model.onnx");
        int opset = graph.opset();
        // the package describes the class output only: extra outputs (attention maps) leave the graph
        byte[] onnx = graph.outputs().size() > 1 ? graph.withOnlyOutput(card.output().name()) : model.onnxBytes();

        int dims = card.dimensionality();
        int[] halo = new int[dims], min = new int[dims], size = new int[dims];
        for (int k = 0; k < dims; k++) {
            // The spec wants an even halo that leaves at least one voxel of the smallest tile; it is capped so that
            // the card's own tile stays an allowed size (Tessera blends tiles by default and uses it only in halo mode).
            int tile = card.fixedInputSize() != null ? card.fixedInputSize()[k] : card.patchSize()[k];
            halo[k] = Math.min(card.halo()[k] + card.halo()[k] % 2, (tile - 1) / 2 / 2 * 2);
            int div = card.divisibility()[k];
            min[k] = card.fixedInputSize() != null ? card.fixedInputSize()[k]
                    : Math.max(div, (2 * halo[k] + 1 + div - 1) / div * div);
            size[k] = card.fixedInputSize() != null ? min[k] : Math.max(min[k], card.patchSize()[k]);
        }
        long[] shape = new long[2 + dims];
        shape[0] = 1;
        shape[1] = card.inputChannels();
        for (int k = 0; k < dims; k++)
            shape[2 + dims - 1 - k] = size[k];
        float[] raw = testImage(size, card.inputChannels());
        float[] x = raw.clone();
        normalize(x, shape, card.normalization());
        Engine.Result out;
        try (OrtEngine engine = model.open(OrtEngine.Options.cpu(Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()))))) {
            FloatBuffer buffer = Engine.allocate(x.length);
            buffer.put(x).flip();
            out = engine.run(buffer, shape);
        }
        OutputKind kind = card.output().kind();
        float[] result = PackageTest.postprocess(out.data(), out.shape(), kind, false);

        Map<String, Object> rdf = describe(model, license, options.authors(), options.citeUrl(), dims, min, card.fixedInputSize() != null,
                halo, opset, PackageFiles.sha256(onnx));
        AtomicFiles.write(zip, temporary -> {
            try (OutputStream file = Files.newOutputStream(temporary); ZipOutputStream z = new ZipOutputStream(file)) {
                Map<String, byte[]> files = new LinkedHashMap<>();
                files.put("model.onnx", onnx);
                files.put("test_input.npy", npy(Npy.Array.of(raw, shape)));
                files.put("test_output.npy", npy(Npy.Array.of(result, out.shape())));
                files.put("cover.png", cover(raw, shape, out.data(), out.shape(), kind));
                files.put("README.md", readme(card).getBytes(StandardCharsets.UTF_8));
                Map<String, Object> input = first(rdf, "inputs"), output = first(rdf, "outputs");
                input.put("test_tensor", Map.of("source", "test_input.npy", "sha256", PackageFiles.sha256(files.get("test_input.npy"))));
                output.put("test_tensor", Map.of("source", "test_output.npy", "sha256", PackageFiles.sha256(files.get("test_output.npy"))));
                files.put("rdf.yaml", Rdf.dump(rdf).getBytes(StandardCharsets.UTF_8));
                for (Map.Entry<String, byte[]> e : files.entrySet()) {
                    z.putNextEntry(new ZipEntry(e.getKey()));
                    z.write(e.getValue());
                    z.closeEntry();
                }
            }
        });
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> first(Map<String, Object> rdf, String key) {
        return (Map<String, Object>) ((List<Object>) rdf.get(key)).get(0);
    }

    private static Map<String, Object> describe(Model model, String license, List<String> authors, String citeUrl, int dims, int[] min,
            boolean fixed, int[] halo, int opset, String sha) {
        ModelCard card = model.card();
        String[] space = dims == 3 ? new String[] { "z", "y", "x" } : new String[] { "y", "x" };
        Map<String, Object> rdf = new LinkedHashMap<>();
        rdf.put("format_version", FORMAT_VERSION);
        rdf.put("type", "model");
        rdf.put("name", displayName(card));
        rdf.put("description", card.name() + " (Tessera model " + card.id() + ", " + card.architecture() + ", "
                + dims + "D)");
        List<Object> authorList = new ArrayList<>();
        for (String a : authors)
            authorList.add(Map.of("name", a));
        rdf.put("authors", authorList);
        rdf.put("cite", List.of(cite(card, citeUrl)));
        rdf.put("license", license);
        rdf.put("documentation", "README.md");
        rdf.put("covers", List.of("cover.png"));
        rdf.put("tags", List.of("tessera", card.architecture(), dims + "d", "segmentation"));
        rdf.put("timestamp", ZonedDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS).format(DateTimeFormatter.ISO_INSTANT));

        List<Object> inAxes = new ArrayList<>();
        inAxes.add(Map.of("type", "batch"));
        inAxes.add(map("type", "channel", "channel_names", identifiers(card.input().channels())));
        for (String s : space) {
            int k = dims - 1 - Arrays.asList(space).indexOf(s);
            inAxes.add(map("type", "space", "id", s, "size", fixed ? (Object) min[k]
                    : map("min", min[k], "step", card.divisibility()[k])));
        }
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("id", "input");
        input.put("axes", inAxes);
        input.put("data", Map.of("type", "float32"));
        input.put("preprocessing", preprocessing(card.normalization(), space));
        rdf.put("inputs", List.of(input));

        List<String> outChannels = card.output().kind() == OutputKind.SIGMOID
                ? card.output().classes().subList(1, card.output().classes().size()) : card.output().classes();
        List<Object> outAxes = new ArrayList<>();
        outAxes.add(Map.of("type", "batch"));
        outAxes.add(map("type", "channel", "channel_names", identifiers(outChannels)));
        for (String s : space) {
            int k = dims - 1 - Arrays.asList(space).indexOf(s);
            Map<String, Object> axis = map("type", "space", "id", s, "size", map("tensor_id", "input", "axis_id", s));
            if (halo[k] > 0)
                axis.put("halo", halo[k]);
            outAxes.add(axis);
        }
        Map<String, Object> output = new LinkedHashMap<>();
        output.put("id", "output");
        output.put("axes", outAxes);
        output.put("data", Map.of("type", "float32"));
        List<Object> post = new ArrayList<>();
        if (card.output().kind() == OutputKind.LOGITS)
            post.add(map("id", "softmax", "kwargs", map("axis", "channel")));
        else if (card.output().kind() == OutputKind.SIGMOID)
            post.add(map("id", "sigmoid"));
        output.put("postprocessing", post);
        rdf.put("outputs", List.of(output));
        rdf.put("weights", Map.of("onnx", map("source", "model.onnx", "sha256", sha, "opset_version", opset)));
        Map<String, Object> tile = new LinkedHashMap<>();
        for (int k = 0; k < dims; k++)
            tile.put("xyz".substring(k, k + 1), card.patchSize()[k]);
        Map<String, Object> tessera = map("model", card.id(), "tile", tile);
        if (card.instances() != null) {
            ModelCard.Instances i = card.instances();
            Map<String, Object> instances = map("interior", i.interior(), "boundary", i.boundary(), "seedThreshold",
                    i.seedThreshold(), "foregroundThreshold", i.foregroundThreshold(), "minSeedArea", i.minSeedArea(),
                    "minArea", i.minArea(), "fillHoles", i.fillHoles());
            instances.values().removeIf(java.util.Objects::isNull);
            tessera.put("instances", instances);
        }
        rdf.put("config", map("tessera", tessera));
        return rdf;
    }

    private static List<Object> preprocessing(ModelCard.Normalization n, String[] space) {
        List<Object> steps = new ArrayList<>();
        List<String> axes = List.of(space);
        switch (n.scheme()) {
            case PERCENTILE -> steps.add(map("id", "scale_range", "kwargs", map("axes", axes, "min_percentile", n.lower(),
                    "max_percentile", n.upper(), "eps", 1e-6)));
            case MINMAX -> steps.add(map("id", "scale_range", "kwargs", map("axes", axes, "min_percentile", 0.0,
                    "max_percentile", 100.0, "eps", 1e-6)));
            case ZSCORE -> steps.add(map("id", "zero_mean_unit_variance", "kwargs", map("axes", axes, "eps", 1e-6)));
            case FIXED -> steps.add(map("id", "scale_linear", "kwargs", map("gain", 1 / n.scale(), "offset", -n.offset() / n.scale())));
            case NONE -> { }
        }
        steps.add(map("id", "ensure_dtype", "kwargs", map("dtype", "float32")));
        return steps;
    }

    private static Map<String, Object> map(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2)
            m.put((String) keyValues[i], keyValues[i + 1]);
        return m;
    }

    /** Channel names as the spec's identifiers (letters, digits, underscores; not starting with a digit). */
    static List<String> identifiers(List<String> names) {
        List<String> out = new ArrayList<>();
        for (String n : names) {
            String id = n.replaceAll("[^A-Za-z0-9_]+", "_");
            if (id.isEmpty() || Character.isDigit(id.charAt(0)))
                id = "c_" + id;
            while (out.contains(id))
                id = id + "_";
            out.add(id);
        }
        return out;
    }

    /** The spec allows letters, digits, "_+- ()" and 5 to 128 characters in a name. */
    static String displayName(ModelCard card) {
        String n = card.name().replaceAll("[^A-Za-z0-9_+\\- ()]+", " ").replaceAll(" +", " ").strip();
        if (n.length() < 5)
            n = ("Tessera " + card.id()).replaceAll("[^A-Za-z0-9_+\\- ()]+", "-");
        return n.length() > 128 ? n.substring(0, 128) : n;
    }

    private static final Pattern URL = Pattern.compile("https?://[^\\s,;)]+");
    private static final Pattern GITHUB = Pattern.compile("GitHub ([A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+)");

    /** A citation of the training data, with a URL taken from its source. */
    private static Map<String, Object> cite(ModelCard card, String citeUrl) {
        ModelCard.TrainingData data = card.trainingData();
        String text = data == null ? "Tessera model " + card.id() : "Training data: " + data.name()
                + (data.source() == null ? "" : " (" + data.source() + ")");
        Map<String, Object> entry = map("text", text);
        String source = data == null || data.source() == null ? "" : data.source();
        Matcher url = URL.matcher(source), github = GITHUB.matcher(source);
        if (citeUrl != null)
            entry.put("url", citeUrl);
        else if (url.find())
            entry.put("url", url.group());
        else if (github.find())
            entry.put("url", "https://github.com/" + github.group(1));
        else
            throw new InvalidInputException("Model '" + card.id() + "': its card's trainingData.source names no web "
                    + "address to cite (a bioimage.io citation needs a DOI or URL); add one to the card's trainingData.source or give --cite-url");
        return entry;
    }

    /** The card's licence as an SPDX id, for the licences Tessera's models use. */
    static String spdx(ModelCard card) {
        String licence = card.trainingData() == null || card.trainingData().licence() == null ? ""
                : card.trainingData().licence().strip();
        String l = licence.toUpperCase(Locale.ROOT);
        if (l.startsWith("CC0"))
            return "CC0-1.0";
        if (l.startsWith("MIT"))
            return "MIT";
        if (l.matches("CC[- ]BY[- ]SA[- ]4\\.0.*"))
            return "CC-BY-SA-4.0";
        if (l.matches("CC[- ]BY[- ]4\\.0.*"))
            return "CC-BY-4.0";
        if (l.matches("APACHE[- ]2\\.0.*"))
            return "Apache-2.0";
        if (l.matches("BSD[- ]3.*"))
            return "BSD-3-Clause";
        throw new InvalidInputException("Model '" + card.id() + "': its licence '" + licence + "' is not an SPDX "
                + "licence id that a bioimage.io package needs; give one with --license (e.g. CC-BY-4.0), after "
                + "checking the training data's terms");
    }

    /** A nuclei phantom at the tile size (noise where the tile is under 8 voxels), one copy per channel. */
    private static float[] testImage(int[] size, int channels) {
        boolean phantom = Arrays.stream(size).allMatch(s -> s >= 8);
        float[] one;
        if (phantom) {
            var image = size.length == 3 ? Phantoms.nuclei3D(size[0], size[1], size[2], 6, false, 7).image()
                    : Phantoms.nuclei2D(size[0], size[1], 6, false, 7).image();
            one = new float[Arrays.stream(size).reduce(1, (a, b) -> a * b)];
            Cursor<? extends net.imglib2.type.numeric.RealType<?>> c = Views.flatIterable(image.image()).cursor();
            for (int i = 0; i < one.length; i++)
                one[i] = c.next().getRealFloat();
        } else {
            java.util.Random r = new java.util.Random(7);
            one = new float[Arrays.stream(size).reduce(1, (a, b) -> a * b)];
            for (int i = 0; i < one.length; i++)
                one[i] = (float) r.nextGaussian();
        }
        float[] all = new float[one.length * channels];
        for (int c = 0; c < channels; c++)
            for (int i = 0; i < one.length; i++)
                all[c * one.length + i] = one[i] * (1 + 0.25f * c);
        return all;
    }

    private static void normalize(float[] x, long[] shape, ModelCard.Normalization n) {
        PackageTest.normalize(x, shape, Segmenter.normalization(n));
    }

    private static byte[] npy(Npy.Array a) throws IOException {
        Path tmp = Files.createTempFile("tessera-", ".npy");
        try {
            Npy.write(tmp, a);
            return Files.readAllBytes(tmp);
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    /** Input (first channel) beside the labels over it, 2:1, upscaled to at least 256 pixels high. */
    private static byte[] cover(float[] raw, long[] shape, float[] output, long[] outShape, OutputKind kind) throws IOException {
        int dims = shape.length - 2;
        long[] imgDims = new long[dims];
        int spatial = 1;
        for (int k = 0; k < dims; k++) {
            imgDims[k] = shape[shape.length - 1 - k];
            spatial *= (int) imgDims[k];
        }
        ArrayImg<FloatType, FloatArray> image = ArrayImgs.floats(Arrays.copyOf(raw, spatial), imgDims);
        float[] labels = new float[spatial];
        int channels = (int) outShape[1];
        float[] values = new float[channels];
        for (int v = 0; v < spatial; v++) {
            for (int c = 0; c < channels; c++)
                values[c] = output[c * spatial + v];
            labels[v] = kind.label(values);
        }
        ArrayImg<FloatType, FloatArray> labelImg = ArrayImgs.floats(labels, imgDims);
        BufferedImage left = Overlays.render(image, ArrayImgs.floats(new float[spatial], imgDims), -1);
        BufferedImage right = Overlays.render(image, labelImg, -1);
        int w = left.getWidth(), h = left.getHeight(), scale = Math.max(1, (256 + h - 1) / h);
        BufferedImage cover = new BufferedImage(2 * w * scale, h * scale, BufferedImage.TYPE_INT_RGB);
        var g = cover.createGraphics();
        g.drawImage(left, 0, 0, w * scale, h * scale, null);
        g.drawImage(right, w * scale, 0, w * scale, h * scale, null);
        g.dispose();
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        ImageIO.write(cover, "png", bytes);
        return bytes.toByteArray();
    }

    private static String readme(ModelCard card) {
        StringBuilder sb = new StringBuilder();
        sb.append("# ").append(card.name()).append("\n\n");
        sb.append("Exported from Tessera (model `").append(card.id()).append("`, architecture ").append(card.architecture())
                .append(", ").append(card.dimensionality()).append("D). Classes: ").append(String.join(", ", card.output().classes()))
                .append(".\n\n");
        if (card.trainingData() != null)
            sb.append("## Training data\n\n").append(card.trainingData().name()).append(" (").append(card.trainingData().source())
                    .append("), licence ").append(card.trainingData().licence()).append(".\n\n");
        sb.append("## Validation\n\n").append(card.quality() == null || card.quality().summary() == null
                ? "No held-out measurement recorded." : card.quality().summary()).append("\n\n");
        sb.append("The test tensors are a synthetic nuclei phantom and the output Tessera computes for it (whole image, "
                + "one tile).\n");
        return sb.toString();
    }
}
