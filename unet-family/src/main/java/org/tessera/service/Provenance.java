package org.tessera.service;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

import org.tessera.unet.Model;
import org.tessera.unet.SegmentOptions;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.io.AtomicFiles;

/**
 * What made an input's outputs: the model (id and the SHA-256 of its card), a classic method's parameters,
 * the options that change the outputs, and the Tessera version. Written beside the outputs as
 * {@code <name>_tessera.json} after all of them, so a record means a finished set; a rerun skips an input only
 * when its record says the same. Batch, device and threads are left out: they change speed, not labels.
 */
record Provenance(Map<String, Object> fields) {

    static final String SUFFIX = "_tessera.json";
    private static final String OUTPUTS = "outputs", INSTANCES = "instances";
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    /** The record a session would write for its outputs. */
    static Provenance of(Session session, List<Path> outputs) {
        SegmentationRequest request = session.request();
        SegmentOptions o = request.options();
        Map<String, Object> f = new LinkedHashMap<>();
        f.put("tessera", version());
        Model model = session.model();
        f.put("model", model != null ? model.id() : request.modelId()); // a task name records the model it ran
        if (model != null)
            f.put("cardSha256", sha256(model.readFile(Model.CARD)));
        if (!request.parameters().isEmpty())
            f.put("parameters", new TreeMap<>(request.parameters()));
        f.put("tile", o.tile() == null ? "auto" : Arrays.toString(o.tile()));
        f.put("mode", o.mode().name().toLowerCase(java.util.Locale.ROOT));
        if (o.mode() == org.tessera.volume.tiling.TileMode.GAUSSIAN) // auto takes the card's step (its hash is here)
            f.put("step", o.step());
        if (model != null && model.card().nnunet() != null) // only the nnU-Net bundles mirror
            f.put("mirroring", request.mirroring());
        if (!request.resampling())
            f.put("resampling", false);
        if (request.spacing() != null)
            f.put("spacing", Arrays.toString(request.spacing()) + (request.unit() == null ? "" : " " + request.unit()));
        if (session.makesInstances())
            f.put(INSTANCES, session.instanceParameters().asMap());
        f.put(OUTPUTS, outputs.stream().map(p -> p.getFileName().toString()).toList());
        return new Provenance(f);
    }

    static Path fileFor(Path labels, String stem) {
        return labels.resolveSibling(stem + SUFFIX);
    }

    /** The record in {@code file}, or null when there is none (never written, or the run stopped first). */
    @SuppressWarnings("unchecked")
    static Provenance read(Path file) {
        if (!Files.isRegularFile(file))
            return null;
        try {
            return new Provenance(JSON.readValue(file.toFile(), LinkedHashMap.class));
        } catch (IOException e) {
            throw new InvalidInputException("The record " + file + " of an earlier run cannot be read (" + e.getMessage()
                    + "); delete it or use --overwrite");
        }
    }

    void write(Path file) {
        try {
            byte[] text = (JSON.writeValueAsString(fields) + "\n").getBytes(StandardCharsets.UTF_8);
            AtomicFiles.write(file, tmp -> Files.write(tmp, text));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The differences that mean the outputs were made otherwise, not only that other outputs were asked for: the
     * list of outputs, and instances (with their parameters) that only one of the two runs made, do not count.
     */
    List<String> conflicts(Provenance earlier) {
        return differences(earlier).stream().filter(d -> !d.startsWith(OUTPUTS + ":") && !(d.startsWith(INSTANCES + ":")
                && fields.containsKey(INSTANCES) != earlier.fields.containsKey(INSTANCES))).toList();
    }

    /** The fields that differ from {@code earlier}'s, as "key: earlier -> now"; empty when the same. */
    List<String> differences(Provenance earlier) {
        Map<String, Object> now = JSON.convertValue(fields, LinkedHashMap.class);
        List<String> keys = new java.util.ArrayList<>(now.keySet());
        earlier.fields.keySet().stream().filter(k -> !now.containsKey(k)).forEach(keys::add);
        return keys.stream().filter(k -> !java.util.Objects.equals(now.get(k), earlier.fields.get(k)))
                .map(k -> k + ": " + earlier.fields.get(k) + " -> " + now.get(k)).toList();
    }

    static String version() {
        String v = Provenance.class.getPackage().getImplementationVersion();
        return v == null ? "development build" : v;
    }

    private static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
