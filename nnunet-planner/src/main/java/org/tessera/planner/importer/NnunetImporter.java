package org.tessera.planner.importer;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.tessera.planner.DatasetJson;
import org.tessera.planner.Plans;
import org.tessera.planner.PlansJson;
import org.tessera.service.ImportRequest;
import org.tessera.service.ModelImporter;
import org.tessera.volume.InvalidInputException;

/**
 * A trained nnU-Net v2 results folder ({@code <trainer>__<plans>__<configuration>} with dataset.json,
 * plans.json and {@code fold_*}/checkpoint_final.pth) as a Tessera nnU-Net bundle (docs/nnunet-bundle.md).
 * Java checks the folder and picks the configuration and the folds; the Python step (import_nnunet.py, shipped
 * in this jar, run with PyTorch) rebuilds the network from the plans, loads every fold's weights strictly and
 * writes one ONNX graph averaging the folds' logits, the card (with the checkpoint's mirroring axes), the plans
 * and dataset.json, and a golden pair that the install then checks in Java.
 * <p>
 * Options: {@code folds} ("0,1,2" or "all"; default every numbered fold that has the checkpoint, as nnU-Net's
 * predictor chooses), {@code checkpoint} (default checkpoint_final.pth) and {@code configuration} (default: the
 * folder name's last part).
 */
public final class NnunetImporter implements ModelImporter {

    static final String CHECKPOINT = "checkpoint_final.pth";
    static final String RESOURCES = "/org/tessera/planner/importer/python/";
    static final String SCRIPT = "import_nnunet.py";
    static final List<String> SCRIPTS = List.of(SCRIPT, "networks.py", "onnx_check.py");
    static final List<String> MODULES = List.of("torch", "onnx", "numpy");
    private static final Set<String> OPTIONS = Set.of("folds", "checkpoint", "configuration");
    private static final String LAYOUT = "an nnU-Net v2 results folder <trainer>__<plans>__<configuration> holding "
            + "dataset.json, plans.json and fold_0 ... fold_4 (or fold_all), each with " + CHECKPOINT;

    @Override
    public String name() {
        return "nnunet";
    }

    @Override
    public String description() {
        return "a trained nnU-Net v2 results folder (dataset.json, plans.json, fold_*/" + CHECKPOINT + ")";
    }

    @Override
    public boolean recognizes(Path source) {
        return Files.isDirectory(source) && Files.isRegularFile(source.resolve("plans.json"))
                && Files.isRegularFile(source.resolve("dataset.json")) && !foldFolders(source).isEmpty();
    }

    @Override
    public Path convert(Path source, ImportRequest request, Path staging, Consumer<String> log) {
        request.requireOnly(name(), OPTIONS);
        if (!Files.isDirectory(source))
            throw new InvalidInputException(source + " is not a folder; give " + LAYOUT);
        Path plansFile = required(source, "plans.json");
        Path datasetFile = required(source, "dataset.json");
        Plans plans = PlansJson.read(plansFile);
        DatasetJson dataset = DatasetJson.read(datasetFile);
        if (dataset.isRegionBased() || dataset.regionsClassOrder() != null)
            throw new InvalidInputException(datasetFile + " defines regions (\"regions_class_order\", labels as lists "
                    + "of values): region-based nnU-Net models predict overlapping sigmoid outputs, which Tessera does "
                    + "not support yet; import a model trained with one label value per class");
        if (dataset.labels().containsKey("ignore"))
            throw new InvalidInputException(datasetFile + " has an \"ignore\" label: models trained with an ignore "
                    + "label (sparse annotations) are not supported yet");
        List<Integer> values = dataset.labels().values().stream().map(v -> v.get(0)).sorted().toList();
        for (int i = 0; i < values.size(); i++)
            if (values.get(i) != i)
                throw new InvalidInputException(datasetFile + ": the label values " + values + " are not 0, 1, ..., "
                        + (values.size() - 1) + ", as nnU-Net requires (its output channel k is label value k)");
        String configuration = configuration(source, request, plans);
        Plans.Configuration conf = plans.resolved(configuration);
        if (conf.previousStage() != null)
            throw new InvalidInputException(plansFile + ": configuration \"" + configuration + "\" is a cascade stage "
                    + "(it needs the segmentation of \"" + conf.previousStage() + "\" as an extra input), which Tessera "
                    + "does not run; import a 2d, 3d_fullres or 3d_lowres model");
        if (conf.patchSize() == null || conf.patchSize().length < 2 || conf.patchSize().length > 3)
            throw new InvalidInputException(plansFile + ": configuration \"" + configuration + "\" needs a 2D or 3D "
                    + "\"patch_size\"");
        String checkpoint = request.option("checkpoint", CHECKPOINT);
        if (!checkpoint.matches("[A-Za-z0-9._-]+\\.pth"))
            throw new InvalidInputException("--checkpoint '" + checkpoint + "' must be a file name inside each fold "
                    + "folder, such as " + CHECKPOINT + " or checkpoint_best.pth");
        List<String> folds = folds(source, request.option("folds", null), checkpoint, log);
        String id = request.id() != null ? request.id() : defaultId(plans.datasetName(), configuration);

        String python = PythonStep.interpreter(MODULES, "Importing an nnU-Net model");
        Path scripts = staging.resolve("python");
        PythonStep.extract(RESOURCES, SCRIPTS, scripts);
        Path out = staging.resolve("model");
        log.accept("converting " + String.join(", ", folds) + " of " + source.getFileName() + " (" + configuration
                + ") with " + python);
        PythonStep.run(python, scripts.resolve(SCRIPT), List.of("--folder", source.toAbsolutePath().toString(),
                "--configuration", configuration, "--folds", String.join(",", folds), "--checkpoint", checkpoint,
                "--id", id, "--out", out.toString(), "--threads", String.valueOf(threads())),
                "converting " + source, log);
        return out;
    }

    private static Path required(Path folder, String name) {
        Path f = folder.resolve(name);
        if (!Files.isRegularFile(f))
            throw new InvalidInputException(folder + " has no " + name + "; give " + LAYOUT);
        return f;
    }

    /** The --configuration option, else the folder name's last part, else the plans' only configuration. */
    static String configuration(Path folder, ImportRequest request, Plans plans) {
        String given = request.option("configuration", null);
        String[] parts = folder.toAbsolutePath().normalize().getFileName().toString().split("__");
        String name = given != null ? given : parts.length == 3 ? parts[2]
                : plans.configurations().size() == 1 ? plans.configurations().keySet().iterator().next() : null;
        if (name == null)
            throw new InvalidInputException("The folder name " + folder.getFileName() + " does not say the "
                    + "configuration (nnU-Net names it <trainer>__<plans>__<configuration>); give --configuration, one of "
                    + plans.configurations().keySet());
        if (!plans.configurations().containsKey(name))
            throw new InvalidInputException("Configuration \"" + name + "\" " + (given != null ? "(--configuration)"
                    : "(from the folder name)") + " is not in " + folder.resolve("plans.json") + "; it has "
                    + plans.configurations().keySet());
        return name;
    }

    /** fold_* folders of the model folder, sorted by name. */
    static List<String> foldFolders(Path folder) {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(Files::isDirectory).map(p -> p.getFileName().toString())
                    .filter(n -> n.matches("fold_(\\d+|all)")).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    /**
     * The fold folders to ensemble: the requested ones (each must exist and hold the checkpoint), else every
     * numbered fold holding it (nnU-Net's automatic choice), else fold_all.
     */
    static List<String> folds(Path folder, String requested, String checkpoint, Consumer<String> log) {
        List<String> present = foldFolders(folder);
        if (present.isEmpty())
            throw new InvalidInputException(folder + " has no fold folders (fold_0 ... fold_4 or fold_all); give " + LAYOUT);
        List<String> chosen = new ArrayList<>();
        if (requested != null) {
            for (String f : requested.split(",", -1)) {
                String fold = "fold_" + f.strip();
                if (!f.strip().matches("\\d+|all"))
                    throw new InvalidInputException("--folds '" + requested + "': '" + f + "' is not a fold; give "
                            + "numbers or all, e.g. --folds 0,1,2");
                if (!present.contains(fold))
                    throw new InvalidInputException("--folds asks for " + fold + ", which " + folder + " does not have; "
                            + "it has " + present);
                if (chosen.contains(fold))
                    throw new InvalidInputException("--folds '" + requested + "' names " + fold + " twice");
                if (!Files.isRegularFile(folder.resolve(fold).resolve(checkpoint)))
                    throw new InvalidInputException(folder.resolve(fold) + " has no " + checkpoint + " (it has "
                            + files(folder.resolve(fold)) + "); train it to the end, or pick another with --checkpoint");
                chosen.add(fold);
            }
            return chosen;
        }
        for (String fold : present)
            if (!fold.equals("fold_all")) {
                if (Files.isRegularFile(folder.resolve(fold).resolve(checkpoint)))
                    chosen.add(fold);
                else
                    log.accept(fold + " has no " + checkpoint + "; left out");
            }
        if (chosen.isEmpty() && present.contains("fold_all") && Files.isRegularFile(folder.resolve("fold_all").resolve(checkpoint)))
            chosen.add("fold_all");
        if (chosen.isEmpty())
            throw new InvalidInputException("No fold of " + folder + " has " + checkpoint + " (" + present.get(0)
                    + " has " + files(folder.resolve(present.get(0))) + "); train one to the end, or pick another "
                    + "checkpoint with --checkpoint");
        return chosen;
    }

    private static List<String> files(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The data set's name and the configuration, as a model id: "dataset004_hippocampus-3d_fullres". */
    static String defaultId(String datasetName, String configuration) {
        String base = (datasetName == null || datasetName.isBlank() ? "nnunet" : datasetName) + "-" + configuration;
        String id = base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^[^a-z0-9]+", "");
        return id.length() > 64 ? id.substring(0, 64) : id;
    }

    private static int threads() {
        return Math.max(1, Math.min(4, Runtime.getRuntime().availableProcessors()));
    }
}
