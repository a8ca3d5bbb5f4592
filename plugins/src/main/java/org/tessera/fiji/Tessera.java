package org.tessera.fiji;

import java.io.File;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;

import ij.IJ;
import ij.ImagePlus;
import ij.ImageStack;
import ij.measure.Calibration;
import ij.measure.ResultsTable;

import org.tessera.unet.FileSegmentation;
import org.tessera.unet.Model;
import org.tessera.unet.ModelCard;
import org.tessera.unet.ModelZoo;
import org.tessera.unet.OrtEngine;
import org.tessera.unet.Segmenter;
import org.tessera.unet.VolumeSegmenter;
import org.tessera.planner.predict.Segmenters;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.classic.ClassicMethod;
import org.tessera.volume.classic.ClassicMethods;
import org.tessera.volume.classic.Parameters;
import org.tessera.volume.Progress;
import org.tessera.volume.Volume;
import org.tessera.volume.ij.ImagePlusVolumes;
import org.tessera.volume.io.VolumeIO;
import org.tessera.volume.metrics.Overlap;
import org.tessera.volume.tiling.TileMode;

/**
 * What the ImageJ menu commands, the macro functions and the SciJava commands share: parsing their parameters
 * into core options, one call into the core, and turning the result into ImageJ images and tables.
 */
public final class Tessera {

    /** System property naming user model folders (separated like a class path); else TESSERA_MODELS, else ~/.tessera/models. */
    public static final String MODELS_PROPERTY = "tessera.models";

    public static final String[] TILINGS = { "gaussian", "halo" };
    public static final String[] DEVICES = { "auto", "cpu", "cuda" };

    private Tessera() {}

    /** Shipped models plus the user model folders. */
    public static ModelZoo zoo() {
        String dirs = System.getProperty(MODELS_PROPERTY);
        List<Path> explicit = new ArrayList<>();
        if (dirs != null)
            for (String part : dirs.split(File.pathSeparator))
                if (!part.isBlank())
                    explicit.add(Path.of(part.strip()));
        return ModelZoo.standard(explicit);
    }

    /**
     * The ids of every usable model and then of the classic methods, for a dialog's choice; problems with
     * broken models go to the Log.
     */
    public static String[] modelIds(ModelZoo zoo) {
        List<Model> models = zoo.list();
        for (String problem : zoo.problems())
            IJ.log("Tessera: skipped a broken model: " + problem);
        List<String> ids = new ArrayList<>(models.stream().map(Model::id).toList());
        ids.addAll(ClassicMethods.ids());
        return ids.toArray(String[]::new);
    }

    /**
     * The model ids for a dialog's choice, checked first against a macro's {@code model=} option: an unknown
     * id gets the zoo's message (with the closest id), not GenericDialog's bare "not a valid choice". With no
     * model at all, the zoo's message says where models go.
     */
    public static String[] modelIdsForDialog(ModelZoo zoo) {
        String[] ids = modelIds(zoo);
        String options = ij.Macro.getOptions();
        if (options != null) {
            String id = ij.Macro.getValue(options, "model", null);
            if (id != null && !java.util.Arrays.asList(ids).contains(id)) {
                if (ClassicMethods.isClassic(id))
                    ClassicMethods.get(id);
                else
                    Segmenters.model(id, zoo);
            }
        }
        return ids;
    }

    /**
     * What to segment with: a model or classic method, the tiling, device and output choices, and a classic
     * method's parameters.
     */
    public record Request(String modelId, int[] tile, TileMode mode, OrtEngine.Device device, boolean probabilities,
            boolean attentionMaps, Map<String, String> parameters) {

        /** Parses the words of the dialog, the macro options and the SciJava parameters alike. */
        public static Request parse(String modelId, String tile, String tiling, String device, boolean probabilities) {
            return parse(modelId, tile, tiling, device, probabilities, false, "");
        }

        /** @param parameters a classic method's parameters, e.g. "k=3 order=bright-to-dark"; empty for a network */
        public static Request parse(String modelId, String tile, String tiling, String device, boolean probabilities,
                String parameters) {
            return parse(modelId, tile, tiling, device, probabilities, false, parameters);
        }

        /** @param attentionMaps also make the attention maps (models whose card lists attention outputs) */
        public static Request parse(String modelId, String tile, String tiling, String device, boolean probabilities,
                boolean attentionMaps, String parameters) {
            if (modelId == null || modelId.isBlank())
                throw new InvalidInputException("No model given; choose one of the models listed by Tessera Models");
            return new Request(modelId.strip(), parseTile(tile), parseMode(tiling), OrtEngine.Device.parse(
                    device == null ? "auto" : device), probabilities, attentionMaps, Parameters.parse(parameters));
        }

        Segmenter.Options options() {
            return Segmenter.Options.defaults().withTile(tile).withMode(mode).withProbabilities(probabilities)
                    .withAttentionMaps(attentionMaps);
        }
    }

    /** "auto" (or nothing) for the model's preferred size, else sizes like "128,128" or "64x64x32". */
    public static int[] parseTile(String text) {
        if (text == null || text.isBlank() || text.strip().equalsIgnoreCase("auto"))
            return null;
        String[] parts = text.strip().split("[,x\\s]+");
        int[] tile = new int[parts.length];
        try {
            for (int i = 0; i < parts.length; i++)
                tile[i] = Integer.parseInt(parts[i]);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("Tile size '" + text + "' is not understood; write auto, or whole numbers "
                    + "x,y for a 2D model (e.g. 128,128) or x,y,z for a 3D model (e.g. 64,64,32)");
        }
        return tile;
    }

    public static TileMode parseMode(String text) {
        String t = text == null ? "gaussian" : text.strip().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "", "gaussian" -> TileMode.GAUSSIAN;
            case "halo" -> TileMode.HALO;
            default -> throw new InvalidInputException("Tiling '" + text + "' is not known; use gaussian or halo");
        };
    }

    static OrtEngine.Options engineOptions(OrtEngine.Device device) {
        return new OrtEngine.Options(device, Math.max(1, Runtime.getRuntime().availableProcessors()));
    }

    /**
     * The images a segmentation made (not shown yet), its per-class table and the core's result;
     * {@code attention} holds one image per attention gate ({@code <title>_attention_1}, ...) when asked for.
     */
    public record Segmented(ImagePlus labels, ImagePlus probabilities, ImagePlus instances, List<ImagePlus> attention,
            ResultsTable classes,
            Segmenter.Result result) {

        /** Shows the images and the class table; the label image ends up the active image. */
        public void show() {
            if (probabilities != null)
                probabilities.show();
            attention.forEach(ImagePlus::show);
            if (instances != null)
                instances.show();
            labels.show();
            classes.show(CLASSES_TABLE);
        }
    }

    public static final String CLASSES_TABLE = "Tessera classes";
    public static final String EVALUATION_TABLE = "Tessera evaluation";
    public static final String MODELS_TABLE = "Tessera models";

    /** Opens the request's segmenter (a network on its engine, or a classic method); the caller closes it. */
    private static Segmenters.Opened open(Request request, Consumer<String> log) {
        Segmenters.Opened opened = Segmenters.open(request.modelId(), zoo(), engineOptions(request.device()), true,
                request.parameters(), log);
        if (opened.fallbackReason() != null && request.device() != OrtEngine.Device.CPU)
            log.accept("Running on the CPU: " + opened.fallbackReason());
        return opened;
    }

    /**
     * Segments an open image (2D, 3D stack, with or without channels) with one model or classic method.
     * Nothing is shown and no image is made unless the whole segmentation succeeds.
     *
     * @param log receives notes of the core (spacing warnings, CPU fallback, smaller tiles)
     */
    public static Segmented segment(ImagePlus imp, Request request, Progress progress, Consumer<String> log) {
        if (imp == null)
            throw new InvalidInputException("No image is open; open a 2D image or 3D stack first");
        Volume volume = ImagePlusVolumes.wrap(imp);
        Segmenter.Result result;
        List<String> classes;
        try (Segmenters.Opened opened = open(request, log)) {
            result = opened.segmenter().segment(volume, request.options(), progress);
            classes = opened.segmenter().classes();
        }
        String base = baseTitle(imp.getTitle());
        ImagePlus labels = ImagePlusVolumes.toImagePlus(result.labels(), base + "_labels");
        keepCalibration(imp, labels);
        LabelLut.apply(labels);
        ImagePlus probabilities = null;
        if (result.probabilities() != null) {
            probabilities = ImagePlusVolumes.toImagePlus(result.probabilities(), base + "_probabilities");
            keepCalibration(imp, probabilities);
            probabilities.setDisplayRange(0, 1);
        }
        ImagePlus instances = null;
        if (result.instances() != null) {
            instances = ImagePlusVolumes.toImagePlus(result.instances(), base + "_instances");
            keepCalibration(imp, instances);
            instances.resetDisplayRange();
        }
        List<ImagePlus> attention = new ArrayList<>();
        for (Segmenter.AttentionMap map : result.attention()) {
            ImagePlus image = ImagePlusVolumes.toImagePlus(map.map(), base + "_" + map.name());
            keepCalibration(imp, image);
            image.setDisplayRange(0, 1);
            attention.add(image);
        }
        return new Segmented(labels, probabilities, instances, List.copyOf(attention), classTable(labels, classes),
                result);
    }

    /** Attention maps as one image, a channel per gate (for faces that return a single image); null for none. */
    public static ImagePlus attentionChannels(List<ImagePlus> maps, String title) {
        if (maps.isEmpty())
            return null;
        ImagePlus first = maps.get(0);
        int planes = first.getStackSize();
        ImageStack stack = new ImageStack(first.getWidth(), first.getHeight());
        for (int z = 1; z <= planes; z++)
            for (ImagePlus map : maps)
                stack.addSlice(map.getTitle(), map.getStack().getProcessor(z));
        ImagePlus channels = new ImagePlus(title, stack);
        channels.setDimensions(maps.size(), planes, 1);
        channels.setOpenAsHyperStack(maps.size() > 1);
        channels.setCalibration(first.getCalibration().copy());
        channels.setDisplayRange(0, 1);
        return channels;
    }

    /** The title without an image file extension: "cells.tif" -> "cells". */
    public static String baseTitle(String title) {
        String lower = title.toLowerCase(Locale.ROOT);
        for (String ext : List.of(".nii.gz", ".tiff", ".tif", ".png", ".nii", ".jpg", ".jpeg"))
            if (lower.endsWith(ext) && lower.length() > ext.length())
                return title.substring(0, title.length() - ext.length());
        return title;
    }

    private static void keepCalibration(ImagePlus from, ImagePlus to) {
        Calibration cal = from.getCalibration().copy();
        cal.disableDensityCalibration();
        to.setCalibration(cal);
    }

    /** Voxels per class and their physical volume (area for 2D) from the label image's calibration. */
    public static ResultsTable classTable(ImagePlus labels, List<String> names) {
        long[] counts = new long[Math.max(names.size(), 1)];
        ImageStack stack = labels.getStack();
        for (int s = 1; s <= stack.getSize(); s++) {
            var ip = stack.getProcessor(s);
            for (int i = 0, n = ip.getPixelCount(); i < n; i++) {
                int v = ip.get(i);
                if (v >= counts.length)
                    counts = java.util.Arrays.copyOf(counts, v + 1);
                counts[v]++;
            }
        }
        Calibration cal = labels.getCalibration();
        boolean is3d = labels.getNSlices() > 1;
        double voxel = cal.pixelWidth * cal.pixelHeight * (is3d ? cal.pixelDepth : 1);
        String unit = cal.getUnit();
        String column = is3d ? "Volume (" + unit + "^3)" : "Area (" + unit + "^2)";
        ResultsTable table = new ResultsTable();
        for (int c = 0; c < counts.length; c++) {
            table.incrementCounter();
            table.addValue("Class", c);
            table.addValue("Name", c < names.size() ? names.get(c) : "class " + c);
            table.addValue("Voxels", counts[c]);
            table.addValue(column, counts[c] * voxel);
        }
        return table;
    }

    /** Dice and IoU per class between a predicted and a true label image of the same size. */
    public static ResultsTable evaluate(ImagePlus prediction, ImagePlus truth) {
        if (prediction == null || truth == null)
            throw new InvalidInputException("Evaluation needs two open label images: a prediction and the truth");
        Overlap overlap = Overlap.of(ImagePlusVolumes.wrap(prediction).image(), ImagePlusVolumes.wrap(truth).image(), 0);
        ResultsTable table = new ResultsTable();
        for (int c = 0; c < overlap.numClasses(); c++) {
            table.incrementCounter();
            table.addValue("Class", c);
            table.addValue("Dice", overlap.dice(c));
            table.addValue("IoU", overlap.iou(c));
            table.addValue("Predicted voxels", overlap.predictedCount(c));
            table.addValue("True voxels", overlap.truthCount(c));
        }
        table.incrementCounter();
        table.addValue("Class", "mean (foreground)");
        table.addValue("Dice", overlap.meanForegroundDice());
        table.addValue("IoU", overlap.meanForegroundIou());
        return table;
    }

    /** Mean foreground Dice from a table made by {@link #evaluate}. */
    public static double meanDice(ResultsTable evaluation) {
        return evaluation.getValue("Dice", evaluation.size() - 1);
    }

    /** One row per model (id, name, dimensionality, channels, classes, where it lives), then one per classic method. */
    public static ResultsTable modelsTable(List<Model> models) {
        ResultsTable table = new ResultsTable();
        for (Model m : models) {
            ModelCard c = m.card();
            table.incrementCounter();
            table.addValue("Id", m.id());
            table.addValue("Name", c.name());
            table.addValue("Dims", c.dimensionality() + "D");
            table.addValue("Channels", String.join(",", c.input().channels()));
            table.addValue("Classes", String.join(",", c.output().classes()));
            table.addValue("Source", m.source().name().toLowerCase(Locale.ROOT));
            table.addValue("Location", m.location());
        }
        for (ClassicMethod m : ClassicMethods.all()) {
            table.incrementCounter();
            table.addValue("Id", ClassicMethods.PREFIX + m.name());
            table.addValue("Name", m.summary());
            table.addValue("Dims", "2D/3D");
            table.addValue("Channels", "1");
            table.addValue("Classes", "by intensity (parameters order, names)");
            table.addValue("Source", "classic");
            table.addValue("Location", "-");
        }
        return table;
    }

    /** A model's card, or a classic method's description and parameters, as readable lines. */
    public static String card(String id) {
        if (ClassicMethods.isClassic(id))
            return ClassicMethods.describe(ClassicMethods.get(id));
        return cardText(Segmenters.model(id.strip(), zoo()));
    }

    /** A model card as readable lines. */
    public static String cardText(Model m) {
        ModelCard c = m.card();
        StringBuilder s = new StringBuilder();
        s.append("Model ").append(m.id()).append(": ").append(c.name()).append('\n');
        s.append("  architecture: ").append(c.architecture()).append(", ").append(c.dimensionality()).append("D\n");
        s.append("  input channels: ").append(String.join(", ", c.input().channels())).append('\n');
        s.append("  classes: ").append(String.join(", ", c.output().classes())).append(" (")
                .append(c.output().kind().name().toLowerCase(Locale.ROOT)).append(")\n");
        s.append("  normalization: ").append(c.normalization().scheme().name().toLowerCase(Locale.ROOT)).append('\n');
        s.append("  patch size: ").append(join(c.patchSize())).append(", divisibility: ").append(join(c.divisibility()));
        if (c.fixedInputSize() != null)
            s.append(", fixed input: ").append(join(c.fixedInputSize()));
        s.append('\n');
        if (c.trainingSpacing() != null)
            s.append("  training spacing: ").append(java.util.Arrays.toString(c.trainingSpacing())).append(' ')
                    .append(c.spacingUnit()).append('\n');
        if (c.trainingData() != null)
            s.append("  training data: ").append(c.trainingData().name()).append(" (").append(c.trainingData().source())
                    .append(", licence ").append(c.trainingData().licence()).append(")\n");
        if (c.quality() != null && c.quality().summary() != null)
            s.append("  quality: ").append(c.quality().summary()).append('\n');
        s.append("  location: ").append(m.location()).append('\n');
        return s.toString();
    }

    private static String join(int[] values) {
        if (values == null)
            return "-";
        StringBuilder s = new StringBuilder();
        for (int v : values)
            s.append(s.length() == 0 ? "" : " x ").append(v);
        return s.toString();
    }

    /** How a folder run ended. */
    public record FolderSummary(int done, int skipped, int failed, List<String> failures) {
        @Override
        public String toString() {
            return done + " segmented, " + skipped + " skipped (already done), " + failed + " failed";
        }
    }

    /**
     * Segments every image in {@code input} into {@code output} with {@link FileSegmentation}: outputs that exist
     * are skipped, so a cancelled or interrupted run continues where it stopped when started again.
     */
    public static FolderSummary segmentFolder(Path input, Path output, Request request, boolean overlay,
            boolean overwrite, Progress progress, Consumer<String> log) {
        if (input == null || !Files.isDirectory(input))
            throw new InvalidInputException("Input folder '" + input + "' does not exist; choose a folder of images");
        if (output == null || output.toString().isBlank())
            throw new InvalidInputException("No output folder given; choose where the label images go");
        if (output.toAbsolutePath().normalize().equals(input.toAbsolutePath().normalize()))
            throw new InvalidInputException("The output folder is the input folder; choose another output folder, "
                    + "so that outputs are not taken for inputs");
        List<Path> files = images(input);
        if (files.isEmpty())
            throw new InvalidInputException("Folder " + input + " holds no images Tessera reads ("
                    + String.join(", ", VolumeIO.EXTENSIONS) + ")");
        int done = 0, skipped = 0;
        List<String> failures = new ArrayList<>();
        try (Segmenters.Opened opened = open(request, log)) {
            opened.segmenter().attentionOutputs(request.options()); // no attention maps: stop before any output
            try {
                Files.createDirectories(output);
            } catch (IOException e) {
                throw new InvalidInputException("Cannot create the output folder " + output + ": " + e.getMessage(), e);
            }
            VolumeSegmenter segmenter = opened.segmenter();
            for (int i = 0; i < files.size(); i++) {
                Path file = files.get(i);
                String label = "[" + (i + 1) + "/" + files.size() + "] " + file.getFileName();
                Progress perFile = part(progress, label, i, files.size());
                if (progress.cancelled())
                    throw new Progress.CancelledException();
                try {
                    var r = FileSegmentation.segment(segmenter, file, output, request.options(), overlay, overwrite, perFile);
                    if (r.status() == FileSegmentation.Status.SKIPPED) {
                        skipped++;
                        log.accept(label + ": outputs exist, skipped");
                    } else {
                        done++;
                        log.accept(label + " -> " + r.outputs().labels().getFileName());
                    }
                } catch (InvalidInputException e) {
                    failures.add(file.getFileName() + ": " + e.getMessage());
                    log.accept(label + ": failed: " + e.getMessage());
                }
            }
        }
        return new FolderSummary(done, skipped, failures.size(), failures);
    }

    /** Images in a folder that VolumeIO reads, sorted by name; outputs of an earlier run are not inputs. */
    static List<Path> images(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.filter(Files::isRegularFile).filter(VolumeIO::isSupported)
                    .filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted().toList();
        } catch (IOException e) {
            throw new InvalidInputException("Cannot list folder " + dir + ": " + e.getMessage(), e);
        }
    }

    private static Progress part(Progress whole, String label, int index, int count) {
        return new Progress() {
            @Override
            public void status(String message) {
                whole.status(label + ": " + message);
            }

            @Override
            public void fraction(double done) {
                whole.fraction((index + done) / count);
            }

            @Override
            public boolean cancelled() {
                return whole.cancelled();
            }
        };
    }

    /**
     * Reports a failure the ImageJ way: a short message in a dialog (printed when there is no display), the
     * details in the Log window. A cancelled job only says so in the status line and the Log.
     */
    public static void report(String title, Throwable e) {
        IJ.showProgress(1.0);
        if (e instanceof Progress.CancelledException) {
            IJ.showStatus(title + ": cancelled");
            IJ.log(title + ": cancelled; no output was made");
            return;
        }
        IJ.showStatus("");
        IJ.log(title + ": " + message(e));
        if (!(e instanceof InvalidInputException)) {
            StringWriter trace = new StringWriter();
            e.printStackTrace(new PrintWriter(trace));
            IJ.log(trace.toString());
        }
        IJ.error(title, shortMessage(e));
    }

    /** The message a user sees: the core's own words for bad input, a pointer to the Log for anything else. */
    public static String shortMessage(Throwable e) {
        if (e instanceof InvalidInputException)
            return e.getMessage();
        return "Tessera could not finish: " + message(e) + "\nThe details are in the Log window.";
    }

    private static String message(Throwable e) {
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }
}
