package org.tessera.planner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.tessera.volume.InvalidInputException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and writes nnU-Net v2 plans JSON. Writing follows the current schema, with nnU-Net's key order and
 * JSON types (whole numbers for sizes, floats for spacings). Reading accepts the current schema and the
 * older one in which a configuration carries UNet_class_name, UNet_base_num_features,
 * unet_max_num_features, n_conv_per_stage_encoder/decoder, pool_op_kernel_sizes and conv_kernel_sizes
 * instead of "architecture".
 */
public final class PlansJson {

    private static final Set<String> KNOWN_ARCH_KWARGS = Set.of("n_stages", "features_per_stage", "conv_op", "kernel_sizes",
            "strides", "n_conv_per_stage", "n_blocks_per_stage", "n_conv_per_stage_decoder", "conv_bias", "norm_op", "norm_op_kwargs",
            "dropout_op", "dropout_op_kwargs", "nonlin", "nonlin_kwargs");

    private PlansJson() {
    }

    public static Plans read(Path file) {
        return fromJson(JsonFields.read(file), file.toString());
    }

    public static Plans fromJson(String json, String source) {
        return fromJson(JsonFields.parse(json, source), source);
    }

    public static void write(Plans plans, Path file) {
        JsonFields.write(file, toJsonNode(plans));
    }

    public static String toJson(Plans plans) {
        return JsonFields.toJson(toJsonNode(plans));
    }

    // ---------------------------------------------------------------- writing

    static ObjectNode toJsonNode(Plans p) {
        ObjectNode o = JsonFields.MAPPER.createObjectNode();
        o.put("dataset_name", p.datasetName());
        o.put("plans_name", p.plansName());
        if (p.originalMedianSpacingAfterTransp() != null) {
            o.set("original_median_spacing_after_transp", JsonFields.toArray(p.originalMedianSpacingAfterTransp()));
        }
        if (p.originalMedianShapeAfterTransp() != null) {
            o.set("original_median_shape_after_transp", JsonFields.toArray(p.originalMedianShapeAfterTransp()));
        }
        o.put("image_reader_writer", p.imageReaderWriter());
        o.set("transpose_forward", JsonFields.toArray(p.transposeForward()));
        o.set("transpose_backward", JsonFields.toArray(p.transposeBackward()));
        ObjectNode configs = o.putObject("configurations");
        p.configurations().forEach((k, v) -> configs.set(k, configuration(v)));
        o.put("experiment_planner_used", p.experimentPlannerUsed());
        o.put("label_manager", p.labelManager());
        ObjectNode props = o.putObject("foreground_intensity_properties_per_channel");
        p.foregroundIntensityPropertiesPerChannel().forEach((k, v) -> props.set(k, v.toJson()));
        return o;
    }

    private static ObjectNode configuration(Plans.Configuration c) {
        ObjectNode o = JsonFields.MAPPER.createObjectNode();
        if (c.inheritsFrom() != null) {
            o.put("inherits_from", c.inheritsFrom());
        }
        if (c.dataIdentifier() != null) {
            o.put("data_identifier", c.dataIdentifier());
        }
        if (c.preprocessorName() != null) {
            o.put("preprocessor_name", c.preprocessorName());
        }
        if (c.batchSize() != null) {
            o.put("batch_size", c.batchSize());
        }
        if (c.patchSize() != null) {
            o.set("patch_size", JsonFields.toArray(c.patchSize()));
        }
        if (c.medianImageSizeInVoxels() != null) {
            ArrayNode a = o.putArray("median_image_size_in_voxels");
            for (Number n : c.medianImageSizeInVoxels()) {
                if (n instanceof Integer || n instanceof Long) {
                    a.add(n.longValue());
                } else {
                    a.add(n.doubleValue());
                }
            }
        }
        if (c.spacing() != null) {
            o.set("spacing", JsonFields.toArray(c.spacing()));
        }
        if (c.normalizationSchemes() != null) {
            ArrayNode a = o.putArray("normalization_schemes");
            c.normalizationSchemes().forEach(a::add);
        }
        if (c.useMaskForNorm() != null) {
            ArrayNode a = o.putArray("use_mask_for_norm");
            c.useMaskForNorm().forEach(a::add);
        }
        if (c.resamplingFnData() != null) {
            o.put("resampling_fn_data", c.resamplingFnData());
        }
        if (c.resamplingFnSeg() != null) {
            o.put("resampling_fn_seg", c.resamplingFnSeg());
        }
        if (c.resamplingFnDataKwargs() != null) {
            o.set("resampling_fn_data_kwargs", kwargs(c.resamplingFnDataKwargs()));
        }
        if (c.resamplingFnSegKwargs() != null) {
            o.set("resampling_fn_seg_kwargs", kwargs(c.resamplingFnSegKwargs()));
        }
        if (c.resamplingFnProbabilities() != null) {
            o.put("resampling_fn_probabilities", c.resamplingFnProbabilities());
        }
        if (c.resamplingFnProbabilitiesKwargs() != null) {
            o.set("resampling_fn_probabilities_kwargs", kwargs(c.resamplingFnProbabilitiesKwargs()));
        }
        if (c.architecture() != null) {
            o.set("architecture", architecture(c.architecture()));
        }
        if (c.batchDice() != null) {
            o.put("batch_dice", c.batchDice());
        }
        if (c.previousStage() != null) {
            o.put("previous_stage", c.previousStage());
        }
        if (c.nextStage() != null) {
            o.put("next_stage", c.nextStage());
        }
        return o;
    }

    private static ObjectNode kwargs(Plans.ResamplingKwargs k) {
        ObjectNode o = JsonFields.MAPPER.createObjectNode();
        o.put("is_seg", k.isSeg());
        o.put("order", k.order());
        o.put("order_z", k.orderZ());
        if (k.forceSeparateZ() == null) {
            o.putNull("force_separate_z");
        } else {
            o.put("force_separate_z", k.forceSeparateZ());
        }
        return o;
    }

    private static ObjectNode architecture(Plans.Architecture a) {
        ObjectNode o = JsonFields.MAPPER.createObjectNode();
        o.put("network_class_name", a.networkClassName());
        ObjectNode k = o.putObject("arch_kwargs");
        k.put("n_stages", a.nStages());
        k.set("features_per_stage", JsonFields.toArray(a.featuresPerStage()));
        k.put("conv_op", a.convOp());
        k.set("kernel_sizes", JsonFields.toArray(a.kernelSizes()));
        k.set("strides", JsonFields.toArray(a.strides()));
        k.set(a.residualEncoder() ? "n_blocks_per_stage" : "n_conv_per_stage", JsonFields.toArray(a.nConvPerStage()));
        k.set("n_conv_per_stage_decoder", JsonFields.toArray(a.nConvPerStageDecoder()));
        k.put("conv_bias", a.convBias());
        k.put("norm_op", a.normOp());
        ObjectNode nk = k.putObject("norm_op_kwargs");
        nk.put("eps", a.normEps());
        nk.put("affine", a.normAffine());
        if (a.dropoutOp() == null) {
            k.putNull("dropout_op");
        } else {
            k.put("dropout_op", a.dropoutOp());
        }
        k.putNull("dropout_op_kwargs");
        k.put("nonlin", a.nonlin());
        k.putObject("nonlin_kwargs").put("inplace", a.nonlinInplace());
        a.extraArchKwargs().forEach(k::set);
        ArrayNode imp = o.putArray("_kw_requires_import");
        a.kwRequiresImport().forEach(imp::add);
        return o;
    }

    // ---------------------------------------------------------------- reading

    static Plans fromJson(JsonNode root, String source) {
        JsonNode cfgs = JsonFields.required(root, "configurations", source);
        if (!cfgs.isObject() || cfgs.size() == 0) {
            throw new InvalidInputException(source + ": \"configurations\" must be a non-empty object such as {\"3d_fullres\": {...}}.");
        }
        Map<String, Plans.Configuration> configurations = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = cfgs.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            configurations.put(e.getKey(), readConfiguration(e.getValue(), source + ": configuration \"" + e.getKey() + "\""));
        }
        for (Map.Entry<String, Plans.Configuration> e : configurations.entrySet()) {
            String parent = e.getValue().inheritsFrom();
            if (parent != null && !configurations.containsKey(parent)) {
                throw new InvalidInputException(source + ": configuration \"" + e.getKey() + "\" inherits from \"" + parent
                        + "\", which is not in the file; available: " + configurations.keySet() + ".");
            }
        }
        Map<String, IntensityProperties> props = new LinkedHashMap<>();
        JsonNode fp = root.get("foreground_intensity_properties_per_channel");
        if (fp != null && fp.isObject()) {
            for (Iterator<Map.Entry<String, JsonNode>> it = fp.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                props.put(e.getKey(), IntensityProperties.fromJson(e.getValue(),
                        source + ": foreground_intensity_properties_per_channel[\"" + e.getKey() + "\"]"));
            }
        }
        int[] tf = root.has("transpose_forward") ? JsonFields.ints(root.get("transpose_forward"), source + ": \"transpose_forward\"")
                : new int[]{0, 1, 2};
        int[] tb = root.has("transpose_backward") ? JsonFields.ints(root.get("transpose_backward"), source + ": \"transpose_backward\"")
                : new int[]{0, 1, 2};
        return new Plans(
                JsonFields.optText(root, "dataset_name"),
                JsonFields.optText(root, "plans_name"),
                root.has("original_median_spacing_after_transp")
                        ? JsonFields.doubles(root.get("original_median_spacing_after_transp"), source + ": \"original_median_spacing_after_transp\"") : null,
                root.has("original_median_shape_after_transp")
                        ? JsonFields.ints(root.get("original_median_shape_after_transp"), source + ": \"original_median_shape_after_transp\"") : null,
                JsonFields.optText(root, "image_reader_writer"),
                tf, tb, configurations,
                JsonFields.optText(root, "experiment_planner_used"),
                JsonFields.optText(root, "label_manager"),
                props);
    }

    private static Plans.Configuration readConfiguration(JsonNode c, String where) {
        if (!c.isObject()) {
            throw new InvalidInputException(where + " must be an object.");
        }
        List<Number> median = null;
        if (c.hasNonNull("median_image_size_in_voxels")) {
            median = new ArrayList<>();
            double[] vals = JsonFields.doubles(c.get("median_image_size_in_voxels"), where + ": \"median_image_size_in_voxels\"");
            for (int i = 0; i < vals.length; i++) {
                median.add(c.get("median_image_size_in_voxels").get(i).isIntegralNumber() ? (Number) (int) vals[i] : (Number) vals[i]);
            }
        }
        List<String> norm = null;
        if (c.hasNonNull("normalization_schemes")) {
            norm = new ArrayList<>();
            for (JsonNode n : JsonFields.array(c, "normalization_schemes", where)) {
                norm.add(n.asText());
            }
        }
        List<Boolean> mask = null;
        if (c.hasNonNull("use_mask_for_norm")) {
            mask = new ArrayList<>();
            for (JsonNode n : JsonFields.array(c, "use_mask_for_norm", where)) {
                mask.add(n.asBoolean());
            }
        }
        Plans.Architecture arch = null;
        if (c.hasNonNull("architecture")) {
            arch = readArchitecture(c.get("architecture"), where + ": \"architecture\"");
        } else if (c.hasNonNull("conv_kernel_sizes") || c.hasNonNull("pool_op_kernel_sizes")) {
            arch = readOldArchitecture(c, where);
        }
        return new Plans.Configuration(
                JsonFields.optText(c, "data_identifier"),
                JsonFields.optText(c, "preprocessor_name"),
                c.hasNonNull("batch_size") ? JsonFields.integer(c.get("batch_size"), where + ": \"batch_size\"") : null,
                c.hasNonNull("patch_size") ? JsonFields.ints(c.get("patch_size"), where + ": \"patch_size\"") : null,
                median,
                c.hasNonNull("spacing") ? JsonFields.doubles(c.get("spacing"), where + ": \"spacing\"") : null,
                norm, mask,
                JsonFields.optText(c, "resampling_fn_data"),
                JsonFields.optText(c, "resampling_fn_seg"),
                readKwargs(c.get("resampling_fn_data_kwargs"), where + ": \"resampling_fn_data_kwargs\""),
                readKwargs(c.get("resampling_fn_seg_kwargs"), where + ": \"resampling_fn_seg_kwargs\""),
                JsonFields.optText(c, "resampling_fn_probabilities"),
                readKwargs(c.get("resampling_fn_probabilities_kwargs"), where + ": \"resampling_fn_probabilities_kwargs\""),
                arch,
                c.hasNonNull("batch_dice") ? c.get("batch_dice").asBoolean() : null,
                JsonFields.optText(c, "inherits_from"),
                JsonFields.optText(c, "previous_stage"),
                JsonFields.optText(c, "next_stage"));
    }

    private static Plans.ResamplingKwargs readKwargs(JsonNode k, String where) {
        if (k == null || k.isNull()) {
            return null;
        }
        if (!k.isObject()) {
            throw new InvalidInputException(where + " must be an object such as {\"is_seg\": false, \"order\": 3, \"order_z\": 0}.");
        }
        JsonNode fsz = k.get("force_separate_z");
        return new Plans.ResamplingKwargs(
                k.path("is_seg").asBoolean(false),
                k.has("order") ? JsonFields.integer(k.get("order"), where + ".order") : 3,
                k.has("order_z") ? JsonFields.integer(k.get("order_z"), where + ".order_z") : 0,
                fsz == null || fsz.isNull() ? null : fsz.asBoolean());
    }

    private static Plans.Architecture readArchitecture(JsonNode a, String where) {
        String cls = JsonFields.text(a, "network_class_name", where);
        JsonNode k = JsonFields.required(a, "arch_kwargs", where);
        String kw = where + ".arch_kwargs";
        int[][] strides = JsonFields.intMatrix(JsonFields.required(k, "strides", kw), kw + ".strides");
        int[][] kernels = JsonFields.intMatrix(JsonFields.required(k, "kernel_sizes", kw), kw + ".kernel_sizes");
        int nStages = k.hasNonNull("n_stages") ? JsonFields.integer(k.get("n_stages"), kw + ".n_stages") : strides.length;
        if (strides.length != nStages || kernels.length != nStages) {
            throw new InvalidInputException(kw + ": n_stages is " + nStages + " but there are " + strides.length + " strides and "
                    + kernels.length + " kernel sizes; all three must agree.");
        }
        JsonNode nk = k.path("norm_op_kwargs");
        Map<String, JsonNode> extra = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = k.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!KNOWN_ARCH_KWARGS.contains(e.getKey())) {
                extra.put(e.getKey(), e.getValue());
            }
        }
        List<String> imports = new ArrayList<>();
        if (a.has("_kw_requires_import") && a.get("_kw_requires_import").isArray()) {
            a.get("_kw_requires_import").forEach(n -> imports.add(n.asText()));
        }
        int dim = kernels.length > 0 ? kernels[0].length : 3;
        int[] nConv = k.hasNonNull("n_conv_per_stage") ? JsonFields.ints(k.get("n_conv_per_stage"), kw + ".n_conv_per_stage")
                : (k.hasNonNull("n_blocks_per_stage") ? JsonFields.ints(k.get("n_blocks_per_stage"), kw + ".n_blocks_per_stage") : twos(nStages));
        return new Plans.Architecture(cls, nStages,
                JsonFields.ints(JsonFields.required(k, "features_per_stage", kw), kw + ".features_per_stage"),
                k.hasNonNull("conv_op") ? k.get("conv_op").asText() : "torch.nn.modules.conv.Conv" + dim + "d",
                kernels, strides, nConv,
                k.hasNonNull("n_conv_per_stage_decoder") ? JsonFields.ints(k.get("n_conv_per_stage_decoder"), kw + ".n_conv_per_stage_decoder")
                        : twos(nStages - 1),
                k.path("conv_bias").asBoolean(true),
                JsonFields.optText(k, "norm_op"),
                nk.path("eps").asDouble(1e-5),
                nk.path("affine").asBoolean(true),
                JsonFields.optText(k, "dropout_op"),
                JsonFields.optText(k, "nonlin"),
                k.path("nonlin_kwargs").path("inplace").asBoolean(true),
                List.copyOf(imports), java.util.Collections.unmodifiableMap(extra)); // in the file's order: Map.copyOf has none
    }

    /** The older schema: derive the same architecture nnU-Net builds from it. */
    private static Plans.Architecture readOldArchitecture(JsonNode c, String where) {
        int[][] kernels = JsonFields.intMatrix(JsonFields.required(c, "conv_kernel_sizes", where), where + ": \"conv_kernel_sizes\"");
        int[][] strides = JsonFields.intMatrix(JsonFields.required(c, "pool_op_kernel_sizes", where), where + ": \"pool_op_kernel_sizes\"");
        if (kernels.length != strides.length || kernels.length == 0) {
            throw new InvalidInputException(where + ": \"conv_kernel_sizes\" has " + kernels.length + " entries and \"pool_op_kernel_sizes\" "
                    + strides.length + "; they need one entry per stage each.");
        }
        int nStages = kernels.length;
        int dim = kernels[0].length;
        int base = c.hasNonNull("UNet_base_num_features") ? JsonFields.integer(c.get("UNet_base_num_features"), where + ": \"UNet_base_num_features\"") : 32;
        int max = c.hasNonNull("unet_max_num_features") ? JsonFields.integer(c.get("unet_max_num_features"), where + ": \"unet_max_num_features\"")
                : (dim == 2 ? 512 : 320);
        int[] enc = c.hasNonNull("n_conv_per_stage_encoder") ? JsonFields.ints(c.get("n_conv_per_stage_encoder"), where + ": \"n_conv_per_stage_encoder\"")
                : twos(nStages);
        int[] dec = c.hasNonNull("n_conv_per_stage_decoder") ? JsonFields.ints(c.get("n_conv_per_stage_decoder"), where + ": \"n_conv_per_stage_decoder\"")
                : twos(nStages - 1);
        String cls = JsonFields.optText(c, "UNet_class_name");
        Plans.Architecture a = Plans.Architecture.plainConvUNet(NetworkTopology.featuresPerStage(nStages, base, max), kernels, strides, enc, dec);
        if (cls != null && !cls.equals("PlainConvUNet")) {
            String full = cls.contains(".") ? cls : "dynamic_network_architectures.architectures.unet." + cls;
            a = new Plans.Architecture(full, a.nStages(), a.featuresPerStage(), a.convOp(), a.kernelSizes(), a.strides(),
                    a.nConvPerStage(), a.nConvPerStageDecoder(), a.convBias(), a.normOp(), a.normEps(), a.normAffine(),
                    a.dropoutOp(), a.nonlin(), a.nonlinInplace(), a.kwRequiresImport(), a.extraArchKwargs());
        }
        return a;
    }

    private static int[] twos(int n) {
        int[] a = new int[Math.max(n, 0)];
        java.util.Arrays.fill(a, 2);
        return a;
    }
}
