package org.tessera.service;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.tessera.unet.ClassicSegmenter;
import org.tessera.unet.Model;
import org.tessera.unet.ModelZoo;
import org.tessera.unet.OrtEngine;
import org.tessera.unet.ResamplingSegmenter;
import org.tessera.unet.Segmenter;
import org.tessera.unet.VolumeSegmenter;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Progress;
import org.tessera.volume.classic.ClassicMethods;
import org.tessera.volume.io.VolumeIO;

/**
 * The one way from a {@link SegmentationRequest} to labels: picks the pipeline from the id and the model's card
 * (a classic method, a {@link PipelineProvider} such as nnU-Net bundles, else the plain tiled network), opens
 * it, and runs single volumes, single files or whole folders with their skip and overwrite rules.
 */
public final class SegmentationService {

    private final ModelZoo zoo;
    private final List<PipelineProvider> providers;

    /** A service over the zoo's models, with the pipelines registered on the class path. */
    public SegmentationService(ModelZoo zoo) {
        this(zoo, ServiceLoader.load(PipelineProvider.class, PipelineProvider.class.getClassLoader()).stream()
                .map(ServiceLoader.Provider::get).toList());
    }

    SegmentationService(ModelZoo zoo, List<PipelineProvider> providers) {
        this.zoo = zoo;
        this.providers = List.copyOf(providers);
    }

    public ModelZoo zoo() { return zoo; }

    /** A model of the zoo; an unknown id's message also lists the classic methods. */
    public Model model(String id) {
        try {
            return zoo.get(id);
        } catch (InvalidInputException e) {
            if (e.getMessage().startsWith("Unknown model"))
                throw new InvalidInputException(e.getMessage() + ". Classic methods: "
                        + String.join(", ", ClassicMethods.ids()), e);
            throw e;
        }
    }

    /** Fails for an unknown id or a classic method's bad parameter, without opening anything. */
    public void checkId(String id) {
        if (ClassicMethods.isClassic(id))
            ClassicMethods.get(id);
        else
            model(id);
    }

    /**
     * Opens what the request names. Everything that can be checked without an image is checked first (the
     * id, parameters, a bundle's files, attention maps asked of a model without them).
     *
     * @param log receives notable events (CPU fallback, spacing warnings, smaller tiles); may be null
     * @throws InvalidInputException for an unknown id or a bad parameter
     */
    public Session open(SegmentationRequest request, Consumer<String> log) {
        Consumer<String> notes = log == null ? s -> { } : log;
        String id = request.modelId();
        if (ClassicMethods.isClassic(id)) {
            ClassicSegmenter classic = new ClassicSegmenter(id, request.parameters());
            classic.check(request.options());
            return new Session(request, null, classic, null);
        }
        Model model = model(id);
        if (!request.parameters().isEmpty())
            throw new InvalidInputException("Parameters (" + String.join(", ", request.parameters().keySet()) + ") are "
                    + "for the classic methods (" + String.join(", ", ClassicMethods.ids()) + "); model '" + id
                    + "' takes none");
        PipelineProvider provider = providers.stream().filter(p -> p.handles(model)).findFirst().orElse(null);
        if (provider != null)
            provider.check(model);
        OrtEngine engine = model.open(request.engineOptions());
        try {
            if (engine.fallbackReason() != null && request.device() != OrtEngine.Device.CPU)
                notes.accept("running on the CPU: " + engine.fallbackReason());
            VolumeSegmenter segmenter = provider != null ? provider.open(model, engine, request, notes)
                    : network(new Segmenter(model, engine, notes), request, notes);
            segmenter.check(request.options()); // refuses options it cannot honour before any image is read
            return new Session(request, model, segmenter, engine);
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    /** A plain network, behind resampling to its training spacing unless the request turns that off. */
    private static VolumeSegmenter network(Segmenter segmenter, SegmentationRequest request, Consumer<String> notes) {
        return request.resampling() ? ResamplingSegmenter.around(segmenter, notes) : segmenter;
    }

    /** Two inputs whose outputs would share names (e.g. case.nii.gz and case_0000.nii.gz) would overwrite each other. */
    private static void checkDistinctOutputNames(List<Path> files) {
        Map<String, Path> byName = new HashMap<>();
        for (Path f : files) {
            Path other = byName.putIfAbsent(FileSegmentation.caseName(f) + VolumeIO.extension(f), f);
            if (other != null)
                throw new InvalidInputException("Inputs " + other.getFileName() + " and " + f.getFileName() + " would "
                        + "write outputs of the same names (nnU-Net's first-channel suffix _0000 is dropped); move or "
                        + "rename one of them");
        }
    }

    /**
     * Segments a file or every image of a folder (the request's chunk of it) into {@code outDir}. Inputs whose
     * outputs exist are skipped unless the request overwrites, so a run that stopped continues where it was.
     * In a folder run a bad input is recorded and the others go on; a single file's failure is thrown. A file's
     * outputs are written while the next file is read and segmented; it is reported done once they are written.
     *
     * @throws InvalidInputException for a bad request, input or output folder, before any output is made
     * @throws Progress.CancelledException when the listener's progress says so
     */
    public RunSummary run(SegmentationRequest request, Path input, Path outDir, RunListener listener) {
        List<Path> files = inputs(request, input, outDir);
        Tally tally = new Tally(isBatch(input));
        try (Session session = open(request, listener::note)) {
            try {
                Files.createDirectories(outDir);
            } catch (IOException e) {
                throw new InvalidInputException("Cannot create the output folder " + outDir + " ("
                        + e.getClass().getSimpleName() + "); choose a folder you can write to", e);
            }
            // In a folder run one file's outputs are written on this thread while the next file is segmented.
            ExecutorService writer = files.size() > 1 ? Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "tessera-writer");
                t.setDaemon(true);
                return t;
            }) : null;
            Writing pending = null;
            try {
                for (int i = 0; i < files.size(); i++) {
                    Path file = files.get(i);
                    String label = (files.size() > 1 ? "[" + (i + 1) + "/" + files.size() + "] " : "") + file.getFileName();
                    Progress progress = listener.progress(label, i, files.size());
                    if (progress.cancelled())
                        throw new Progress.CancelledException();
                    FileSegmentation.Computed computed;
                    try {
                        computed = FileSegmentation.compute(session, file, outDir, progress);
                    } catch (InvalidInputException e) {
                        finish(pending, session, tally, listener);
                        pending = null;
                        tally.failed(label, file, e, listener);
                        continue;
                    }
                    finish(pending, session, tally, listener);
                    pending = null;
                    if (computed.result().status() == FileSegmentation.Status.SKIPPED) {
                        tally.skipped++;
                        listener.skipped(label, computed.result());
                        continue;
                    }
                    FutureTask<Void> write = new FutureTask<>(computed.write(), null);
                    if (writer != null)
                        writer.execute(write);
                    else
                        write.run();
                    pending = new Writing(label, file, computed.result(), write);
                }
                finish(pending, session, tally, listener);
            } finally {
                if (writer != null) { // a write in flight completes before the run returns or fails
                    writer.shutdown();
                    awaitQuietly(writer);
                }
            }
        }
        return new RunSummary(tally.folder, tally.done, tally.skipped, tally.failures);
    }

    /** A file's outputs being written. */
    private record Writing(String label, Path file, FileSegmentation.FileResult result, Future<Void> write) {}

    /** What a run did so far; in a folder run a bad input is recorded and the others go on. */
    private static final class Tally {
        final boolean folder;
        int done, skipped;
        final List<String> failures = new ArrayList<>();

        Tally(boolean folder) { this.folder = folder; }

        void failed(String label, Path file, InvalidInputException e, RunListener listener) {
            if (!folder) // a check of the image's content may not know its file: name it
                throw e.getMessage().contains(file.getFileName().toString()) ? e
                        : new InvalidInputException(file + ": " + e.getMessage(), e);
            failures.add(file.getFileName() + ": " + e.getMessage());
            listener.failed(label, file, e);
        }
    }

    /** Waits for a file's outputs and reports the file done, or failed where writing them failed. */
    private static void finish(Writing w, Session session, Tally tally, RunListener listener) {
        if (w == null)
            return;
        try {
            w.write.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Progress.CancelledException();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof InvalidInputException bad) {
                tally.failed(w.label, w.file, bad, listener);
                return;
            }
            if (e.getCause() instanceof RuntimeException r)
                throw r;
            if (e.getCause() instanceof Error err)
                throw err;
            throw new IllegalStateException(e.getCause());
        }
        tally.done++;
        listener.done(w.label, session, w.result);
    }

    private static void awaitQuietly(ExecutorService writer) {
        try {
            while (!writer.awaitTermination(1, TimeUnit.MINUTES)) {
                // a large volume may take long to write; it is never left half-written
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * The inputs a run of {@code input} into {@code outDir} segments (the request's chunk of them), checked as
     * {@link #run} checks them: a usable output folder, not the input folder, no two inputs with the same output names.
     *
     * @throws InvalidInputException naming what to change
     */
    public List<Path> inputs(SegmentationRequest request, Path input, Path outDir) {
        List<Path> files = mine(Inputs.list(input), request);
        checkOutputFolder(outDir);
        if (Files.isDirectory(input) && outDir.toAbsolutePath().normalize().equals(input.toAbsolutePath().normalize()))
            throw new InvalidInputException("The output folder is the input folder " + input + "; choose another "
                    + "output folder, so that outputs are not taken for inputs");
        checkDistinctOutputNames(files);
        return files;
    }

    /** Whether {@code input} is a batch (a folder or a list file), where a failing input is recorded, not thrown. */
    public static boolean isBatch(Path input) {
        return Files.isDirectory(input) || Inputs.isList(input);
    }

    /** An output folder is a folder: not an existing file, and not named like the image file it is not. */
    private static void checkOutputFolder(Path outDir) {
        if (outDir == null || outDir.toString().isBlank())
            throw new InvalidInputException("No output folder given; choose where the label images go");
        if (Files.exists(outDir) && !Files.isDirectory(outDir))
            throw new InvalidInputException("The output folder " + outDir + " is a file; give a folder (it is created "
                    + "when missing): the outputs are named after the inputs, <name>_labels.<ext>");
        if (!Files.exists(outDir) && VolumeIO.isSupported(outDir))
            throw new InvalidInputException("The output folder " + outDir + " has the name of an image file; give a "
                    + "folder (it is created when missing): the outputs are named after the inputs, <name>_labels.<ext>");
    }

    private static List<Path> mine(List<Path> all, SegmentationRequest request) {
        List<Path> mine = new ArrayList<>();
        for (int i = 0; i < all.size(); i++)
            if (i % request.chunks() == request.chunkIndex())
                mine.add(all.get(i));
        return mine;
    }
}
