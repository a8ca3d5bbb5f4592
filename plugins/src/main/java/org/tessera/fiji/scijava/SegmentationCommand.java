package org.tessera.fiji.scijava;

import org.scijava.plugin.Parameter;
import org.tessera.fiji.Tessera;
import org.tessera.service.SegmentationRequest;
import org.tessera.volume.classic.Parameters;

/** The parameters that the SciJava segmentation commands share, and their request. */
abstract class SegmentationCommand extends TesseraCommand {

    @Parameter(label = "Model id (or classic method, e.g. classic:otsu)", persist = false)
    private String model;

    @Parameter(label = "Parameters (classic methods, key=value ...)", persist = false, required = false)
    private String parameters = "";

    @Parameter(label = "Tile size (x,y[,z] or auto)", persist = false, required = false)
    private String tile = SegmentationRequest.AUTO;

    @Parameter(label = "Tiling", choices = { SegmentationRequest.AUTO, SegmentationRequest.GAUSSIAN, SegmentationRequest.HALO }, persist = false,
            required = false)
    private String tiling = SegmentationRequest.AUTO;

    @Parameter(label = "Device", choices = { SegmentationRequest.AUTO, SegmentationRequest.CPU, SegmentationRequest.CUDA },
            persist = false, required = false)
    private String device = SegmentationRequest.AUTO;

    @Parameter(label = "Probability maps", persist = false, required = false)
    private boolean probabilities;

    @Parameter(label = "Attention maps (Attention U-Nets; one per gate)", persist = false, required = false)
    private boolean attention;

    @Parameter(label = "Instances (objects and their table)", persist = false, required = false)
    private boolean instances;

    @Parameter(label = "Instance parameters (e.g. minArea=20)", persist = false, required = false)
    private String instanceParameters = "";

    protected SegmentationRequest.Builder request() {
        return Tessera.request(model, tile, tiling, device, probabilities, attention, parameters).instances(instances)
                .instanceParameters(Parameters.parse(instanceParameters));
    }
}
