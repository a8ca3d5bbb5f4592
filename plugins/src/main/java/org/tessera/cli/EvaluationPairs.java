package org.tessera.cli;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.io.VolumeIO;

/**
 * Which prediction goes with which truth: two files, or two folders paired by name. In the truth folder, the
 * images named {@code <name>_truth.<ext>} are the truth when there are any (the images beside them are not),
 * else every image is; the prediction of {@code <name>} is {@code <name>_instances.<ext>}, else
 * {@code <name>.<ext>}, in the prediction folder, any extension Tessera reads.
 */
final class EvaluationPairs {

    private static final String TRUTH = "_truth", INSTANCES = "_instances";

    record Pair(String name, Path prediction, Path truth) {}

    private EvaluationPairs() {}

    static List<Pair> of(Path prediction, Path truth) {
        boolean folders = Files.isDirectory(truth);
        if (folders != Files.isDirectory(prediction))
            throw new InvalidInputException("-p " + prediction + " and -t " + truth + ": give two files or two folders");
        if (!folders)
            return List.of(new Pair(VolumeIO.stem(truth), prediction, truth));
        Map<String, List<Path>> predictions = byStem(images(prediction));
        Map<String, List<Path>> truths = byStem(images(truth));
        boolean marked = truths.keySet().stream().anyMatch(s -> s.endsWith(TRUTH));
        List<Pair> pairs = new ArrayList<>();
        truths.forEach((stem, files) -> {
            if (marked && !stem.endsWith(TRUTH))
                return;
            String name = marked ? stem.substring(0, stem.length() - TRUTH.length()) : stem;
            List<Path> found = predictions.getOrDefault(name + INSTANCES, predictions.get(name));
            if (found == null)
                throw new InvalidInputException("Truth " + only(files) + " has no prediction: expected " + name
                        + INSTANCES + ".<ext> or " + name + ".<ext> in " + prediction);
            pairs.add(new Pair(name, only(found), only(files)));
        });
        predictions.forEach((stem, files) -> {
            String name = stem.substring(0, Math.max(0, stem.length() - INSTANCES.length()));
            if (stem.endsWith(INSTANCES) && pairs.stream().noneMatch(p -> p.name().equals(name)))
                throw new InvalidInputException("Prediction " + only(files) + " has no truth: expected "
                        + name + (marked ? TRUTH : "") + ".<ext> in " + truth);
        });
        if (pairs.isEmpty())
            throw new InvalidInputException("Folder " + truth + " holds no truth images ("
                    + String.join(", ", VolumeIO.EXTENSIONS) + ")");
        return pairs;
    }

    private static List<Path> images(Path folder) {
        try (Stream<Path> files = Files.list(folder)) {
            return files.filter(Files::isRegularFile).filter(VolumeIO::isSupported)
                    .filter(f -> !f.getFileName().toString().startsWith(".")).toList();
        } catch (IOException e) {
            throw new InvalidInputException("Cannot list folder " + folder + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, List<Path>> byStem(List<Path> files) {
        return files.stream().collect(Collectors.groupingBy(VolumeIO::stem, TreeMap::new, Collectors.toList()));
    }

    /** The one file of a name; the same name with two extensions is ambiguous. */
    private static Path only(List<Path> files) {
        if (files.size() > 1)
            throw new InvalidInputException("Files " + files + " share a name; keep one of them for the evaluation");
        return files.get(0);
    }
}
