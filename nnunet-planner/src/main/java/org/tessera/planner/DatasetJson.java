package org.tessera.planner;

import com.fasterxml.jackson.databind.JsonNode;
import org.tessera.volume.InvalidInputException;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * nnU-Net v2's {@code dataset.json}: input channel names (which pick the normalization), labels (an integer
 * each, or for region-based training a list of integers), the number of training cases and the file
 * ending. The older key "modality" is accepted in place of "channel_names", as nnU-Net does.
 */
public final class DatasetJson {

    private final String source;
    private final String name;
    private final Map<String, String> channelNames;
    private final Map<String, List<Integer>> labels;
    private final boolean regionBased;
    private final int numTraining;
    private final String fileEnding;
    private final String overwriteImageReaderWriter;
    private final Boolean useMaskForNorm;
    private final List<Integer> regionsClassOrder;

    private DatasetJson(String source, String name, Map<String, String> channelNames, Map<String, List<Integer>> labels,
                        boolean regionBased, int numTraining, String fileEnding, String overwriteImageReaderWriter,
                        Boolean useMaskForNorm, List<Integer> regionsClassOrder) {
        this.source = source;
        this.name = name;
        this.channelNames = Collections.unmodifiableMap(channelNames);
        this.labels = Collections.unmodifiableMap(labels);
        this.regionBased = regionBased;
        this.numTraining = numTraining;
        this.fileEnding = fileEnding;
        this.overwriteImageReaderWriter = overwriteImageReaderWriter;
        this.useMaskForNorm = useMaskForNorm;
        this.regionsClassOrder = regionsClassOrder;
    }

    /** A dataset.json built in code: labels map name to a single integer. */
    public static DatasetJson of(Map<String, String> channelNames, Map<String, Integer> labels, int numTraining, String fileEnding) {
        Map<String, List<Integer>> l = new LinkedHashMap<>();
        labels.forEach((k, v) -> l.put(k, List.of(v)));
        DatasetJson d = new DatasetJson("dataset.json", null, new LinkedHashMap<>(channelNames), l, false, numTraining,
                fileEnding, null, null, null);
        d.validate();
        return d;
    }

    public static DatasetJson read(Path file) {
        return fromJson(JsonFields.read(file), file.toString());
    }

    public static DatasetJson fromJson(String json, String source) {
        return fromJson(JsonFields.parse(json, source), source);
    }

    static DatasetJson fromJson(JsonNode root, String source) {
        JsonNode ch = root.get("channel_names");
        String chKey = "channel_names";
        if (ch == null || ch.isNull()) {
            ch = root.get("modality");
            chKey = "modality";
        }
        if (ch == null || ch.isNull()) {
            throw new InvalidInputException(source + ": the field \"channel_names\" is missing; give one entry per input channel, "
                    + "e.g. \"channel_names\": {\"0\": \"CT\"}.");
        }
        if (!ch.isObject() || ch.size() == 0) {
            throw new InvalidInputException(source + ": \"" + chKey + "\" must be a non-empty object such as {\"0\": \"T2\", \"1\": \"ADC\"}.");
        }
        Map<String, String> channels = new LinkedHashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = ch.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!e.getValue().isTextual()) {
                throw new InvalidInputException(source + ": \"" + chKey + "\"[\"" + e.getKey() + "\"] must be a channel name (text), found " + e.getValue() + ".");
            }
            channels.put(e.getKey(), e.getValue().asText());
        }
        JsonNode lab = JsonFields.required(root, "labels", source);
        if (!lab.isObject() || lab.size() == 0) {
            throw new InvalidInputException(source + ": \"labels\" must be a non-empty object such as {\"background\": 0, \"tumor\": 1}.");
        }
        Map<String, List<Integer>> labels = new LinkedHashMap<>();
        boolean regionBased = false;
        for (Iterator<Map.Entry<String, JsonNode>> it = lab.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            String what = source + ": \"labels\"[\"" + e.getKey() + "\"]";
            JsonNode v = e.getValue();
            if (v.isArray() && v.size() > 0) {
                List<Integer> vals = new ArrayList<>();
                for (int i = 0; i < v.size(); i++) {
                    vals.add(JsonFields.integer(v.get(i), what + "[" + i + "]"));
                }
                regionBased |= vals.size() > 1;
                labels.put(e.getKey(), List.copyOf(vals));
            } else if (v.isNumber()) {
                labels.put(e.getKey(), List.of(JsonFields.integer(v, what)));
            } else {
                throw new InvalidInputException(what + " must be an integer label value (or, for regions, a list of integers), found " + v + ".");
            }
        }
        if (!labels.containsKey("background") || !labels.get("background").equals(List.of(0)))
            throw new InvalidInputException(source + ": \"labels\" must map \"background\" to 0, as nnU-Net requires "
                    + "(e.g. {\"background\": 0, \"nucleus\": 1}); it has " + labels + ".");
        JsonNode nt = JsonFields.required(root, "numTraining", source);
        int numTraining = JsonFields.integer(nt, source + ": \"numTraining\"");
        String fileEnding = JsonFields.text(root, "file_ending", source);
        String rw = JsonFields.optText(root, "overwrite_image_reader_writer");
        JsonNode um = root.get("use_mask_for_norm");
        Boolean useMask = um == null || um.isNull() ? null : um.asBoolean();
        List<Integer> rco = null;
        JsonNode rcoNode = root.get("regions_class_order");
        if (rcoNode != null && rcoNode.isArray()) {
            rco = new ArrayList<>();
            for (int i = 0; i < rcoNode.size(); i++) {
                rco.add(JsonFields.integer(rcoNode.get(i), source + ": \"regions_class_order\"[" + i + "]"));
            }
            rco = List.copyOf(rco);
        }
        DatasetJson d = new DatasetJson(source, JsonFields.optText(root, "name"), channels, labels, regionBased,
                numTraining, fileEnding, rw, useMask, rco);
        d.validate();
        return d;
    }

    private void validate() {
        if (numTraining < 1) {
            throw new InvalidInputException(source + ": \"numTraining\" is " + numTraining + "; it must be the number of training cases (at least 1).");
        }
        if (regionBased && regionsClassOrder == null) {
            throw new InvalidInputException(source + ": labels use regions (lists of label values) but \"regions_class_order\" is missing; "
                    + "add it, e.g. \"regions_class_order\": [1, 2, 3].");
        }
        if (fileEnding.isEmpty() || !fileEnding.startsWith(".")) {
            throw new InvalidInputException(source + ": \"file_ending\" is \"" + fileEnding + "\"; it must start with a dot, e.g. \".nii.gz\".");
        }
    }

    /** Checks that the fingerprint has intensity statistics for exactly the channels named here. */
    public void checkMatches(Fingerprint fp, String fingerprintSource) {
        int n = fp.foregroundIntensityPropertiesPerChannel().size();
        if (n != channelNames.size()) {
            throw new InvalidInputException(fingerprintSource + " has intensity statistics for " + n + " channel(s) but " + source
                    + " names " + channelNames.size() + " (" + String.join(", ", channelNames.values())
                    + "); extract the fingerprint again from this data set, or fix \"channel_names\".");
        }
        for (String k : channelNames.keySet()) {
            if (!fp.foregroundIntensityPropertiesPerChannel().containsKey(k)) {
                throw new InvalidInputException(fingerprintSource + ": \"foreground_intensity_properties_per_channel\" lacks channel \"" + k
                        + "\" named in " + source + "; the keys must be " + channelNames.keySet() + ".");
            }
        }
    }

    public String source() {
        return source;
    }

    /** The data set's name, or null when the file gives none. */
    public String name() {
        return name;
    }

    /** Channel index (as text) to channel name, in file order. */
    public Map<String, String> channelNames() {
        return channelNames;
    }

    public int numChannels() {
        return channelNames.size();
    }

    /** Label name to its value(s): one integer, or several for a region (any list longer than one). */
    public Map<String, List<Integer>> labels() {
        return labels;
    }

    /** Number of label entries including background: the network's output channels. */
    public int numLabels() {
        return labels.size();
    }

    public boolean isRegionBased() {
        return regionBased;
    }

    public List<Integer> regionsClassOrder() {
        return regionsClassOrder;
    }

    public int numTraining() {
        return numTraining;
    }

    public String fileEnding() {
        return fileEnding;
    }

    /** The reader/writer class named in "overwrite_image_reader_writer", or null. */
    public String overwriteImageReaderWriter() {
        return overwriteImageReaderWriter;
    }

    /** The optional "use_mask_for_norm" override; null when absent. */
    public Boolean useMaskForNorm() {
        return useMaskForNorm;
    }
}
