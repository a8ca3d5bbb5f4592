package org.tessera.service;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.tessera.unet.SegmentResult;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Progress;
import org.tessera.volume.Volume;
import org.tessera.volume.io.AtomicFiles;
import org.tessera.volume.metrics.ClassVolumes;
import org.tessera.volume.io.VolumeIO;
import org.tessera.volume.render.Overlays;

/**
 * Segments one image file into an output folder: {@code <name>_labels.<same extension>}, optionally
 * {@code <name>_probabilities}, {@code <name>_instances} with {@code <name>_objects.csv} (instances asked for, or
 * segmenters that separate objects), {@code <name>_volumes.csv} (voxels and volume per class),
 * {@code <name>_<attention output>} per attention gate and a {@code <name>_overlay.png}, then the record of what
 * made them ({@code <name>_tessera.json}). Outputs are written atomically and the record last, so a record
 * means a finished set: a run that is interrupted and started again skips what is done, and only that.
 */
public final class FileSegmentation {

    public enum Status { DONE, SKIPPED }

    /**
     * Where the outputs of one input go; {@code probabilities}, {@code instances}, {@code objects} (the table of
     * the instances), {@code volumes} (the per-class table) and {@code overlay} are null and {@code attention} (one file per gate) is empty when not made.
     */
    public record Outputs(Path labels, Path probabilities, Path instances, Path objects, Path volumes, Path overlay,
            List<Path> attention, Path record) {

        /** Every output file of the set (not the record). */
        public List<Path> files() {
            List<Path> all = new ArrayList<>();
            all.add(labels);
            for (Path p : new Path[] { probabilities, instances, objects, volumes, overlay })
                if (p != null)
                    all.add(p);
            all.addAll(attention);
            return all;
        }

        boolean allExist() {
            return files().stream().allMatch(Files::exists);
        }
    }

    /** @param result the segmentation, or null when the file was skipped */
    public record FileResult(Path input, Status status, Outputs outputs, SegmentResult result) {}

    private FileSegmentation() {}

    /** @param attention the attention outputs to write (a model card's {@code attentionOutputs}), or empty */
    public static Outputs outputsFor(Path input, Path outDir, boolean probabilities, boolean instances,
            boolean volumes, boolean overlay, List<String> attention) {
        String stem = caseName(input);
        String ext = VolumeIO.extension(input);
        String floatExt = VolumeIO.floatExtension(ext); // probabilities and attention maps of a PNG go to TIFF
        List<Path> maps = new ArrayList<>();
        for (String gate : attention)
            maps.add(outDir.resolve(stem + "_" + gate.replaceAll("[^A-Za-z0-9._-]", "_") + floatExt));
        return new Outputs(outDir.resolve(stem + "_labels" + ext),
                probabilities ? outDir.resolve(stem + "_probabilities" + floatExt) : null,
                instances ? outDir.resolve(stem + "_instances" + ext) : null,
                instances ? outDir.resolve(stem + "_objects.csv") : null,
                volumes ? outDir.resolve(stem + "_volumes.csv") : null,
                overlay ? outDir.resolve(stem + "_overlay.png") : null, List.copyOf(maps),
                outDir.resolve(stem + Provenance.SUFFIX));
    }

    /**
     * The name outputs are given: the file's name without extension, and without nnU-Net's first-channel suffix
     * {@code _0000}, so that the outputs of {@code imagesTs/case_0000.nii.gz} match {@code labelsTs/case.nii.gz}.
     */
    public static String caseName(Path input) {
        String stem = VolumeIO.stem(input);
        return stem.endsWith(NNUNET_FIRST_CHANNEL) && stem.length() > NNUNET_FIRST_CHANNEL.length()
                ? stem.substring(0, stem.length() - NNUNET_FIRST_CHANNEL.length()) : stem;
    }

    private static final String NNUNET_FIRST_CHANNEL = "_0000";

    /**
     * Segments one file unless its outputs exist with a record of the same model and options (and the request
     * does not overwrite). Outputs without a record (a run that stopped before it) are made again; outputs whose
     * record differs are refused, naming what differs. The input is only read; outputs keep its geometry
     * (spacing, unit, orientation), or take the request's spacing; the record is written last.
     */
    static FileResult segment(Session session, Path input, Path outDir, Progress progress) {
        Computed computed = compute(session, input, outDir, progress);
        computed.write().run();
        return computed.result();
    }

    /** A file segmented in memory, and what writes its outputs (nothing for a skipped file). */
    record Computed(FileResult result, Runnable write) {}

    /** {@link #segment} up to the writing, which the caller may run on another thread while the next file goes on. */
    static Computed compute(Session session, Path input, Path outDir, Progress progress) {
        SegmentationRequest request = session.request();
        Outputs outputs = outputsFor(input, outDir, request.options().probabilities(), session.makesInstances(),
                request.volumesTable(), request.overlay(), session.segmenter().attentionOutputs(request.options()));
        Provenance made = Provenance.of(session, outputs.files());
        Provenance earlier = request.overwrite() ? null : Provenance.read(outputs.record());
        if (earlier != null) {
            List<String> differences = made.differences(earlier);
            if (differences.isEmpty() && outputs.allExist())
                return new Computed(new FileResult(input, Status.SKIPPED, outputs, null), () -> { });
            List<String> conflicts = made.conflicts(earlier);
            if (!conflicts.isEmpty())
                throw new InvalidInputException("The outputs of " + input.getFileName() + " in " + outDir + " were made "
                        + "differently (" + String.join("; ", conflicts) + "). Overwrite them (--overwrite) or "
                        + "choose another output folder");
        }
        outputs.files().forEach(AtomicFiles::deleteLeftovers);
        AtomicFiles.deleteLeftovers(outputs.record());
        Volume read = VolumeIO.read(input);
        double[] spacing = request.spacing();
        if (spacing != null) {
            if (spacing.length != read.spatialDims())
                throw new InvalidInputException("--spacing has " + spacing.length + " values; "
                        + input.getFileName() + " is " + read.spatialDims() + "D, so give " + read.spatialDims());
            read = read.withSpacing(spacing);
        }
        if (request.unit() != null)
            read = read.withUnit(request.unit());
        Volume image = read;
        SegmentResult result = session.segment(image, input.toString(), progress);
        Runnable write = () -> {
            VolumeIO.write(result.labels(), outputs.labels());
            if (outputs.probabilities() != null)
                VolumeIO.write(result.probabilities(), outputs.probabilities());
            if (outputs.instances() != null) {
                VolumeIO.write(result.instances(), outputs.instances());
                result.objects().writeCsv(outputs.objects());
            }
            if (outputs.volumes() != null)
                ClassVolumes.of(result.labels(), session.segmenter().classes()).writeCsv(outputs.volumes());
            for (int k = 0; k < outputs.attention().size(); k++)
                VolumeIO.write(result.attention().get(k).map(), outputs.attention().get(k));
            if (outputs.overlay() != null)
                Overlays.writePng(Overlays.render(image.channel(0), result.labels().image(), -1), outputs.overlay());
            made.write(outputs.record()); // last: outputs without their record are made again by the next run
        };
        return new Computed(new FileResult(input, Status.DONE, outputs, result), write);
    }
}
