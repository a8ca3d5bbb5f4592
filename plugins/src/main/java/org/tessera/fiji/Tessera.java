package org.tessera.fiji;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

import ij.IJ;
import ij.ImagePlus;

import org.tessera.service.FileSegmentation;
import org.tessera.service.RunListener;
import org.tessera.service.RunSummary;
import org.tessera.service.SegmentationRequest;
import org.tessera.service.SegmentationService;
import org.tessera.service.Session;
import org.tessera.unet.Model;
import org.tessera.unet.ModelZoo;
import org.tessera.unet.OrtEngine;
import org.tessera.unet.SegmentResult;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Progress;
import org.tessera.volume.classic.ClassicMethods;
import org.tessera.volume.classic.Parameters;
import org.tessera.volume.ij.ImagePlusVolumes;

/**
 * What the ImageJ menu commands, the macro functions and the SciJava commands share: their words turned into
 * a {@link SegmentationRequest}, one call into the {@link SegmentationService}, and the results as ImageJ
 * images ({@link ImageResults}).
 */
public final class Tessera {

    /** System property naming user model folders (separated like a class path); else TESSERA_MODELS, else ~/.tessera/models. */
    public static final String MODELS_PROPERTY = "tessera.models";

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

    public static SegmentationService service() {
        return new SegmentationService(zoo());
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
            if (id != null && !Arrays.asList(ids).contains(id))
                new SegmentationService(zoo).checkId(id);
        }
        return ids;
    }

    /**
     * The words of the dialogs, the macro options and the SciJava parameters as a request; a folder run adds
     * overlay and overwrite.
     *
     * @param parameters a classic method's parameters, e.g. "k=3 order=bright-to-dark"; empty for a network
     */
    public static SegmentationRequest.Builder request(String modelId, String tile, String tiling, String device,
            boolean probabilities, boolean attentionMaps, String parameters) {
        return SegmentationRequest.builder(modelId).tile(SegmentationRequest.tile(tile))
                .mode(SegmentationRequest.tileMode(tiling, "Tiling"))
                .device(OrtEngine.Device.parse(device == null ? SegmentationRequest.AUTO : device))
                .probabilities(probabilities).attentionMaps(attentionMaps).parameters(Parameters.parse(parameters));
    }

    /**
     * Segments an open image (2D, 3D stack, with or without channels) with one model or classic method.
     * Nothing is shown and no image is made unless the whole segmentation succeeds.
     *
     * @param log receives notes of the core (spacing warnings, CPU fallback, smaller tiles)
     */
    public static ImageResults.Segmented segment(ImagePlus imp, SegmentationRequest request, Progress progress,
            Consumer<String> log) {
        if (imp == null)
            throw new InvalidInputException("No image is open; open a 2D image or 3D stack first");
        try (Session session = service().open(request, log)) {
            SegmentResult result = session.segment(ImagePlusVolumes.wrap(imp), "Image '" + imp.getTitle() + "'", progress);
            return ImageResults.of(imp, result, session.segmenter().classes());
        }
    }

    /**
     * Segments every image in {@code input} into {@code output}: outputs that exist are skipped, so a cancelled
     * or interrupted run continues where it stopped when started again.
     */
    public static RunSummary segmentFolder(Path input, Path output, SegmentationRequest request, Progress progress,
            Consumer<String> log) {
        if (input == null || !input.toFile().isDirectory())
            throw new InvalidInputException("Input folder '" + input + "' does not exist; choose a folder of images");
        return service().run(request, input, output, new RunListener() {
            @Override
            public void note(String line) {
                log.accept(line);
            }

            @Override
            public Progress progress(String label, int index, int count) {
                return Progress.part(progress, label, index, count);
            }

            @Override
            public void done(String label, Session session, FileSegmentation.FileResult r) {
                log.accept(label + " -> " + r.outputs().labels().getFileName());
            }

            @Override
            public void skipped(String label, FileSegmentation.FileResult r) {
                log.accept(label + ": outputs exist, skipped");
            }

            @Override
            public void failed(String label, Path file, InvalidInputException e) {
                log.accept(label + ": failed: " + e.getMessage());
            }
        });
    }
}
