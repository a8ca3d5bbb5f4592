package org.tessera.service;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

import org.tessera.unet.OrtEngine;
import org.tessera.unet.SegmentOptions;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.classic.Parameters;
import org.tessera.volume.instances.InstanceParameters;
import org.tessera.volume.tiling.TileGrid;
import org.tessera.volume.tiling.TileMode;

/**
 * Everything a face can ask of a segmentation: which model or classic method, how to tile and where to run,
 * and which outputs to make. The command line, the ImageJ plugins, the macro functions and the SciJava commands
 * each translate their own options into one of these; {@link SegmentationService} does the rest.
 * Built with {@link #builder(String)}; {@link Builder#build()} checks every value, naming the option.
 */
public final class SegmentationRequest {

    /** The words for the tiling modes and devices, as dialogs, macros and the command line accept them. */
    public static final String GAUSSIAN = "gaussian", HALO = "halo";
    public static final String[] TILINGS = { "auto", GAUSSIAN, HALO };
    public static final String AUTO = "auto", CPU = "cpu", CUDA = "cuda";
    public static final String[] DEVICES = { AUTO, CPU, CUDA };

    private final String modelId;
    private final SegmentOptions options;
    private final OrtEngine.Device device;
    private final int threads;
    private final boolean mirroring, resampling, overlay, overwrite, instances, volumesTable;
    private final Map<String, String> parameters, instanceParameters;
    private final double[] spacing;
    private final String unit;
    private final int chunks, chunkIndex;

    private SegmentationRequest(Builder b) {
        modelId = b.modelId;
        options = new SegmentOptions(b.tile, b.mode, b.batch, b.probabilities, b.step, b.attentionMaps);
        device = b.device;
        threads = b.threads;
        mirroring = b.mirroring;
        resampling = b.resampling;
        overlay = b.overlay;
        volumesTable = b.volumesTable;
        overwrite = b.overwrite;
        parameters = Map.copyOf(b.parameters);
        instances = b.instances;
        instanceParameters = Map.copyOf(b.instanceParameters);
        spacing = b.spacing;
        unit = b.unit;
        chunks = b.chunks;
        chunkIndex = b.chunkIndex;
    }

    public static Builder builder(String modelId) {
        return new Builder(modelId);
    }

    public String modelId() { return modelId; }

    /** What the pipeline needs per volume: tile, mode, step, batch, probabilities, attention maps. */
    public SegmentOptions options() { return options; }

    public OrtEngine.Device device() { return device; }

    public OrtEngine.Options engineOptions() { return OrtEngine.Options.of(device, threads); }

    /** nnU-Net bundles: mirroring test-time augmentation (nnU-Net's default is on). */
    public boolean mirroring() { return mirroring; }

    /** Networks whose card records a training spacing: resample images at another spacing to it and back. */
    public boolean resampling() { return resampling; }

    public boolean overlay() { return overlay; }

    /** Also write the per-class table {@code <name>_volumes.csv}: voxels and calibrated volume of each label. */
    public boolean volumesTable() { return volumesTable; }

    /** Segment files again although their outputs exist. */
    public boolean overwrite() { return overwrite; }

    /** A classic method's key=value parameters; empty for a network. */
    public Map<String, String> parameters() { return parameters; }

    /** Also make instance labels and their object table ({@code <name>_instances}, {@code <name>_objects.csv}). */
    public boolean instances() { return instances; }

    /** Overrides of the model's {@link InstanceParameters} by name; empty for none. */
    public Map<String, String> instanceParameters() { return instanceParameters; }

    /** The spacing (x, y[, z]) to use instead of the files' own, or null. */
    public double[] spacing() { return spacing == null ? null : spacing.clone(); }

    /** The unit of the spacing to use instead of the files' own, or null. */
    public String unit() { return unit; }

    /** A folder run processes the inputs {@code i} with {@code i % chunks == chunkIndex} (cluster array jobs). */
    public int chunks() { return chunks; }

    public int chunkIndex() { return chunkIndex; }

    /**
     * "auto", "gaussian" or "halo" (any case; blank: auto) as a mode; {@code option} names the option in the
     * message. Auto: the mode and tile size that evaluate the fewest voxels (see {@link TileMode#AUTO}).
     */
    public static TileMode tileMode(String text, String option) {
        String t = text == null ? "" : text.strip().toLowerCase(Locale.ROOT);
        return switch (t) {
            case "", AUTO -> TileMode.AUTO;
            case GAUSSIAN -> TileMode.GAUSSIAN;
            case HALO -> TileMode.HALO;
            default -> throw new InvalidInputException(option + " '" + text + "' is not known; use "
                    + String.join(" or ", TILINGS));
        };
    }

    /** How a tile size is written, for messages that refuse one. */
    public static final String TILE_FORMS = "write auto, or whole numbers x,y for a 2D model (e.g. 128,128) or x,y,z "
            + "for a 3D model (e.g. 64,64,32)";

    /** A batch size as the faces take it: "auto" ({@link SegmentOptions#AUTO_BATCH}) or a whole number >= 1. */
    public static int batch(String value) {
        String v = value == null ? "" : value.strip();
        if (v.equalsIgnoreCase("auto"))
            return SegmentOptions.AUTO_BATCH;
        try {
            int n = Integer.parseInt(v);
            if (n >= 1)
                return n;
        } catch (NumberFormatException e) {
            // refused below
        }
        throw new InvalidInputException("--batch must be auto or a whole number of at least 1 (tiles per network call), "
                + "not '" + value + "'");
    }

    /** "auto" (or nothing) for the pipeline's choice (see {@link TileMode#AUTO}), else sizes like "128,128" or "64x64x32". */
    public static int[] tile(String text) {
        if (text == null || text.isBlank() || text.strip().equalsIgnoreCase(AUTO))
            return null;
        String[] parts = text.strip().split("\\s*[,x]\\s*|\\s+", -1); // -1 keeps empty parts, so "32,,32" is refused
        int[] tile = new int[parts.length];
        try {
            for (int i = 0; i < parts.length; i++)
                tile[i] = Integer.parseInt(parts[i]);
        } catch (NumberFormatException e) {
            throw new InvalidInputException("Tile size '" + text + "' is not understood; " + TILE_FORMS);
        }
        return tile;
    }

    /** Collects a request; every setter takes what the faces have, and {@link #build()} checks it all. */
    public static final class Builder {
        private final String modelId;
        private int[] tile;
        private TileMode mode = TileMode.AUTO;
        private double step = TileGrid.DEFAULT_STEP;
        private int batch = SegmentOptions.AUTO_BATCH;
        private boolean probabilities, attentionMaps, overlay, overwrite, volumesTable;
        private boolean mirroring = true, instances;
        private boolean resampling = true;
        private final Map<String, String> instanceParameters = new LinkedHashMap<>();
        private OrtEngine.Device device = OrtEngine.Device.AUTO;
        private int threads;
        private final Map<String, String> parameters = new LinkedHashMap<>();
        private double[] spacing;
        private String unit;
        private int chunks = 1, chunkIndex;

        private Builder(String modelId) {
            if (modelId == null || modelId.isBlank())
                throw new InvalidInputException("No model given; choose one of the models listed by Tessera Models "
                        + "('tessera models' on the command line)");
            this.modelId = modelId.strip();
        }

        /** Null for the model's preferred size. */
        public Builder tile(int[] t) { tile = t == null ? null : t.clone(); return this; }

        public Builder mode(TileMode m) { mode = m; return this; }

        public Builder step(double s) { step = s; return this; }

        public Builder batch(int n) { batch = n; return this; }

        public Builder device(OrtEngine.Device d) { device = d; return this; }

        /** 0: all cores. */
        public Builder threads(int n) { threads = n; return this; }

        public Builder probabilities(boolean p) { probabilities = p; return this; }

        public Builder attentionMaps(boolean a) { attentionMaps = a; return this; }

        public Builder overlay(boolean o) { overlay = o; return this; }

        public Builder volumesTable(boolean v) { volumesTable = v; return this; }

        public Builder overwrite(boolean o) { overwrite = o; return this; }

        public Builder mirroring(boolean m) { mirroring = m; return this; }

        public Builder resampling(boolean r) { resampling = r; return this; }

        public Builder parameters(Map<String, String> p) { parameters.putAll(p); return this; }

        /** One "key=value" of a classic method. */
        public Builder parameter(String keyValue) { Parameters.put(parameters, keyValue); return this; }

        public Builder instances(boolean i) { instances = i; return this; }

        public Builder instanceParameters(Map<String, String> p) { instanceParameters.putAll(p); return this; }

        /** One "key=value" of the instance parameters. */
        public Builder instanceParameter(String keyValue) { Parameters.put(instanceParameters, keyValue); return this; }

        public Builder spacing(double[] s, String u) { spacing = s == null ? null : s.clone(); unit = u; return this; }

        public Builder chunk(int count, int index) { chunks = count; chunkIndex = index; return this; }

        public SegmentationRequest build() {
            if (chunks < 1 || chunkIndex < 0 || chunkIndex >= chunks)
                throw new InvalidInputException("--index must be in 0.." + (chunks - 1) + " for --chunks " + chunks);
            if (batch < 1 && batch != SegmentOptions.AUTO_BATCH)
                throw new InvalidInputException("--batch must be auto or at least 1, not " + batch);
            if (!(step > 0 && step <= 1))
                throw new InvalidInputException("--step must be in (0, 1], not " + step + "; nnU-Net uses 0.5");
            OrtEngine.Options.of(device, threads); // refuses a bad device or thread count now
            InstanceParameters.check(instanceParameters);
            if (!instances && !instanceParameters.isEmpty())
                throw new InvalidInputException("Instance parameters (" + String.join(", ", instanceParameters.keySet())
                        + ") only apply with instances; ask for instances too (--instances) or leave them out");
            if (spacing != null && Arrays.stream(spacing).anyMatch(v -> !(v > 0 && Double.isFinite(v))))
                throw new InvalidInputException("--spacing " + Arrays.toString(spacing) + " must be positive numbers, "
                        + "one per axis (x, y[, z])");
            return new SegmentationRequest(this);
        }
    }

    @Override
    public String toString() {
        return "SegmentationRequest[" + modelId + ", " + options.mode() + (options.tile() == null ? ""
                : ", tile " + Arrays.toString(options.tile())) + ", " + device + (parameters.isEmpty() ? ""
                : ", " + parameters) + "]";
    }
}
