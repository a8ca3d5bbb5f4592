package org.tessera.fiji.plan;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.tessera.planner.DatasetFolder;
import org.tessera.planner.DatasetJson;
import org.tessera.planner.ExperimentPlanner;
import org.tessera.planner.Fingerprint;
import org.tessera.planner.FingerprintExtractor;
import org.tessera.planner.Plans;
import org.tessera.planner.PlansJson;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Progress;
import org.tessera.volume.io.AtomicFiles;

/**
 * What Tessera Plan Dataset does, without any window: finds out what the user pointed at (a raw data set
 * folder, its dataset.json, or a dataset_fingerprint.json with dataset.json beside it), computes or reads the
 * fingerprint, plans with {@link ExperimentPlanner} and, if asked, writes plans.json (a temporary file in the
 * same folder, then a rename, so that a failure never leaves half a file).
 */
public final class DatasetPlanning {

    public static final String FINGERPRINT_FILE = "dataset_fingerprint.json";
    public static final String DATASET_JSON = "dataset.json";
    public static final String DEFAULT_PLANS_FILE = "nnUNetPlans.json";

    private DatasetPlanning() {}

    /**
     * Where the plan comes from: {@code fingerprintFile} is null when the fingerprint is computed from the
     * raw data set in {@code folder}.
     */
    public record Input(Path folder, Path datasetJson, Path fingerprintFile, String datasetName) {
        public boolean extracts() {
            return fingerprintFile == null;
        }
    }

    /** The fingerprint, dataset.json and plans, and where the plans were written (null: not written). */
    public record Result(Input input, Fingerprint fingerprint, DatasetJson dataset, Plans plans, double gpuMemoryGb,
            Path plansFile, double seconds) {}

    /** Decides what {@code text} (a folder, dataset.json or dataset_fingerprint.json) means; checks it exists. */
    public static Input resolve(String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty())
            throw new InvalidInputException("Choose a data set: an nnU-Net raw data set folder (dataset.json, imagesTr, "
                    + "labelsTr) or a " + FINGERPRINT_FILE + " with dataset.json beside it.");
        Path given = Path.of(t).toAbsolutePath().normalize();
        if (Files.isDirectory(given))
            return fromFolder(given);
        if (!Files.isRegularFile(given))
            throw new InvalidInputException(given + " does not exist. Choose an nnU-Net raw data set folder (dataset.json, "
                    + "imagesTr, labelsTr) or a " + FINGERPRINT_FILE + ".");
        String name = given.getFileName().toString();
        Path folder = given.getParent();
        if (name.equals(DATASET_JSON))
            return fromFolder(folder);
        if (!name.toLowerCase(java.util.Locale.ROOT).endsWith(".json"))
            throw new InvalidInputException(name + " is not a data set: choose the raw data set folder (dataset.json, "
                    + "imagesTr, labelsTr), its dataset.json, or a " + FINGERPRINT_FILE + ".");
        Path json = folder.resolve(DATASET_JSON);
        if (!Files.isRegularFile(json))
            throw new InvalidInputException("There is no dataset.json beside " + name + ". Copy the data set's dataset.json into "
                    + folder + " (nnU-Net keeps both in the preprocessed folder), or choose the raw data set folder.");
        return new Input(folder, json, given, folderName(folder));
    }

    private static Input fromFolder(Path folder) {
        Path json = folder.resolve(DATASET_JSON);
        if (!Files.isRegularFile(json))
            throw new InvalidInputException(folder.getFileName() + " has no dataset.json. Choose the nnU-Net raw data set folder "
                    + "(it holds dataset.json, imagesTr and labelsTr) or a " + FINGERPRINT_FILE + ".");
        Path fingerprint = folder.resolve(FINGERPRINT_FILE);
        if (!Files.isDirectory(folder.resolve("imagesTr")) && Files.isRegularFile(fingerprint))
            return new Input(folder, json, fingerprint, folderName(folder));
        return new Input(folder, json, null, folderName(folder));
    }

    private static String folderName(Path folder) {
        Path n = folder.getFileName();
        return n == null ? "dataset" : n.toString();
    }

    /**
     * The plans file for {@code text}: null when empty; {@value #DEFAULT_PLANS_FILE} inside it when it is a
     * folder; the folder it goes into must exist.
     */
    public static Path plansTarget(String text) {
        String t = text == null ? "" : text.strip();
        if (t.isEmpty())
            return null;
        Path p = Path.of(t).toAbsolutePath().normalize();
        if (Files.isDirectory(p))
            return p.resolve(DEFAULT_PLANS_FILE);
        Path parent = p.getParent();
        if (parent == null || !Files.isDirectory(parent))
            throw new InvalidInputException("The folder for the plans file, " + parent + ", does not exist. Create it, or "
                    + "leave the plans output empty to only see the plan.");
        if (!p.getFileName().toString().toLowerCase(java.util.Locale.ROOT).endsWith(".json"))
            throw new InvalidInputException("The plans file " + p.getFileName() + " should end in .json, e.g. "
                    + DEFAULT_PLANS_FILE + ".");
        return p;
    }

    /**
     * Reads or computes the fingerprint, plans, and writes the plans if {@code plansFile} is not null. Warnings
     * and what was done go to {@code log}. Esc (through {@code progress}) stops before anything is written.
     */
    public static Result run(Input input, double gpuMemoryGb, Path plansFile, Progress progress, Consumer<String> log) {
        if (!(gpuMemoryGb > 0) || Double.isInfinite(gpuMemoryGb))
            throw new InvalidInputException("GPU memory is " + gpuMemoryGb + " GB; give the memory of the training GPU in GB, "
                    + "e.g. 8 (nnU-Net's default) or 24.");
        long start = System.nanoTime();
        DatasetJson dataset;
        Fingerprint fingerprint;
        if (input.extracts()) {
            progress.status("reading " + input.folder().getFileName());
            progress.fraction(0.02);
            DatasetFolder folder = DatasetFolder.open(input.folder());
            dataset = folder.datasetJson();
            int n = folder.cases().size();
            fingerprint = withTicker(progress, "fingerprint of " + n + (n == 1 ? " case" : " cases"),
                    () -> new FingerprintExtractor(folder).onWarning(w -> log.accept("warning: " + w)).extract());
            log.accept("fingerprint computed from " + n + " cases in " + input.folder());
        } else {
            progress.status("reading " + input.fingerprintFile().getFileName());
            dataset = DatasetJson.read(input.datasetJson());
            fingerprint = Fingerprint.read(input.fingerprintFile());
            log.accept("fingerprint read from " + input.fingerprintFile());
        }
        checkCancelled(progress);
        progress.status("planning");
        progress.fraction(0.85);
        Plans plans = new ExperimentPlanner(fingerprint, dataset, input.datasetName()).gpuMemoryGb(gpuMemoryGb).plan();
        checkCancelled(progress);
        if (plansFile != null) {
            writeAtomically(plans, plansFile);
            log.accept("plans written to " + plansFile);
        }
        progress.fraction(0.95);
        return new Result(input, fingerprint, dataset, plans, gpuMemoryGb, plansFile, (System.nanoTime() - start) / 1e9);
    }

    private static void checkCancelled(Progress progress) {
        if (progress.cancelled())
            throw new Progress.CancelledException();
    }

    /**
     * Runs {@code job}, saying in the status line every half second how long it has been running (the
     * extractor reports no progress of its own).
     */
    private static <T> T withTicker(Progress progress, String what, java.util.function.Supplier<T> job) {
        long start = System.nanoTime();
        progress.status(what);
        progress.fraction(0.05);
        ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "plan progress");
            t.setDaemon(true);
            return t;
        });
        ticker.scheduleAtFixedRate(() -> progress.status(String.format("%s, %.0f s", what, (System.nanoTime() - start) / 1e9)),
                500, 500, TimeUnit.MILLISECONDS);
        try {
            return job.get();
        } finally {
            ticker.shutdownNow();
        }
    }

    /** Writes the plans to a temporary file beside {@code file}, then renames it; nothing is left on failure. */
    public static void writeAtomically(Plans plans, Path file) {
        String json = PlansJson.toJson(plans);
        try {
            AtomicFiles.replace(file, temporary -> Files.writeString(temporary, json, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new InvalidInputException("Cannot write the plans to " + file + ": " + e.getMessage()
                    + ". Choose a folder you can write to.", e);
        }
    }
}
