package org.tessera.spark;

import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.tessera.service.SegmentationRequest;
import org.tessera.service.SegmentationService;
import org.tessera.unet.ModelZoo;
import org.tessera.unet.OrtEngine;
import org.tessera.volume.InvalidInputException;

/**
 * What every executor needs to open the same segmentation as the driver: the options of {@code tessera segment}
 * as plain values, so that Spark can ship them, and equal specs share one open model per JVM ({@link Sessions}).
 * Model folders are paths every executor must see (shared storage).
 */
record JobSpec(String modelId, List<String> parameters, List<Integer> tile, String mode, double step, int batch,
        boolean probabilities, boolean attentionMaps, boolean instances, List<String> instanceParameters,
        boolean volumesTable, boolean overlay, boolean mirroring, boolean resampling, List<Double> spacing, String unit, boolean overwrite,
        List<String> modelDirs, String device, int threads) implements Serializable {

    JobSpec {
        parameters = List.copyOf(parameters);
        tile = tile == null ? null : List.copyOf(tile);
        instanceParameters = List.copyOf(instanceParameters);
        spacing = spacing == null ? null : List.copyOf(spacing);
        modelDirs = List.copyOf(modelDirs);
    }

    /** The request {@code tessera segment} builds from the same options. */
    SegmentationRequest request() {
        SegmentationRequest.Builder b = SegmentationRequest.builder(modelId)
                .tile(tile == null ? null : tile.stream().mapToInt(Integer::intValue).toArray())
                .mode(SegmentationRequest.tileMode(mode, "--mode")).step(step).batch(batch)
                .probabilities(probabilities).attentionMaps(attentionMaps).overlay(overlay).overwrite(overwrite)
                .volumesTable(volumesTable)
                .mirroring(mirroring).resampling(resampling)
                .spacing(spacing == null ? null : spacing.stream().mapToDouble(Double::doubleValue).toArray(), unit)
                .instances(instances).device(OrtEngine.Device.parse(device)).threads(threads);
        parameters.forEach(b::parameter);
        instanceParameters.forEach(b::instanceParameter);
        return b.build();
    }

    /** The service over the standard models and the given folders, which must exist. */
    SegmentationService service() {
        for (String dir : modelDirs)
            if (!Files.isDirectory(Path.of(dir)))
                throw new InvalidInputException("--models " + dir + (Files.exists(Path.of(dir)) ? " is a file"
                        : " does not exist") + "; give a folder holding one subfolder per model (card.json and "
                        + "model.onnx), on storage every executor sees");
        return new SegmentationService(ModelZoo.standard(modelDirs.stream().map(Path::of).toList()));
    }
}
