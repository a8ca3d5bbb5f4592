package org.tessera.bioimageio;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

import org.tessera.service.ImportRequest;
import org.tessera.service.ModelImporter;
import org.tessera.unet.Model;
import org.tessera.volume.InvalidInputException;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * {@code tessera import bioimageio PACKAGE}: a bioimage.io model package (folder, rdf.yaml / bioimageio.yaml or
 * .zip; format 0.4.x or 0.5.x) with ONNX weights becomes a Tessera model folder: card.json, model.onnx (the
 * package's network wrapped by {@link Conversion}), the package's description as rdf.yaml, and a golden pair
 * from the package's own test, which must pass first ({@link PackageTest}).
 */
public final class BioimageioImporter implements ModelImporter {

    @Override
    public String name() {
        return "bioimageio";
    }

    @Override
    public String description() {
        return "a bioimage.io model package (its folder, rdf.yaml / bioimageio.yaml, or .zip)";
    }

    @Override
    public boolean recognizes(Path source) {
        return PackageFiles.looksLikePackage(source);
    }

    @Override
    public Path convert(Path source, ImportRequest request, Path staging, Consumer<String> log) {
        request.requireOnly(name(), Set.of());
        PackageFiles pkg = PackageFiles.open(source, staging);
        String where = pkg.where();
        Map<String, Object> tree = Rdf.read(pkg.rdf(), where);
        Description d = Description.parse(tree, where);
        Description.Weights onnx = d.weights().get("onnx");
        if (onnx == null) {
            boolean torch = d.weights().containsKey("torchscript") || d.weights().containsKey("pytorch_state_dict");
            throw new InvalidInputException(where + ": the package has " + String.join(", ", d.weights().keySet())
                    + " weights and no onnx weights; Tessera runs ONNX networks only. " + (torch
                            ? "Convert them with Tessera's scripts/bioimageio_to_onnx.py (PyTorch, e.g. Debian's "
                                    + "python3-torch): it writes a copy of the package with ONNX weights to import"
                            : "Convert the weights to ONNX (e.g. bioimageio.core's weight converters; opset 17 is "
                                    + "tested), add them under weights: onnx: and import again"));
        }
        pkg.checkHashes(tree);
        Path weights = pkg.file(onnx.source(), "weights.onnx.source");
        if (onnx.sha256() == null)
            log.accept("the package gives no sha256 for its ONNX weights; they are checked by the package's test only");
        Description.Tensor in = d.inputs().get(0), out = d.outputs().get(0);
        if (in.testTensor() == null || out.testTensor() == null)
            throw new InvalidInputException(where + ": the package has no test tensors (test_tensor / test_inputs, "
                    + "test_outputs); Tessera checks every imported network against them");
        Path testIn = pkg.file(in.testTensor(), "test tensor of '" + in.id() + "'");
        Path testOut = pkg.file(out.testTensor(), "test tensor of '" + out.id() + "'");
        String id = request.id() != null ? request.id() : modelId(d, pkg);
        byte[] network;
        try {
            network = Files.readAllBytes(weights);
        } catch (IOException e) {
            throw new InvalidInputException(where + ": cannot read " + onnx.source() + ": " + e.getMessage(), e);
        }
        Conversion.Result r = Conversion.convert(d, network, id, where, log);
        Path folder = staging.resolve("model");
        try {
            Files.createDirectories(folder);
            Files.write(folder.resolve(Model.ONNX), r.onnx());
            Files.copy(pkg.rdf(), folder.resolve("rdf.yaml"));
            PackageTest.Report report = PackageTest.run(r, folder.resolve(Model.ONNX), testIn, testOut, d.tolerance(), where);
            if (!report.passed())
                throw new InvalidInputException(where + ": the package's own test fails: " + report.summary()
                        + "; the weights, the processing steps and the test tensors do not agree, so nothing was installed");
            log.accept("package test passed: " + report.summary());
            Files.write(folder.resolve(Model.GOLDEN_INPUT), littleEndian(report.tensorInput()));
            Files.write(folder.resolve(Model.GOLDEN_OUTPUT), littleEndian(report.tensorOutput()));
            float max = 0;
            for (float v : report.tensorOutput())
                max = Math.max(max, Math.abs(v));
            Map<String, Object> card = new LinkedHashMap<>(r.card());
            card.put("golden", Map.of("inputShape", report.inputShape(), "outputShape", report.outputShape(),
                    "tolerance", Math.max(1e-4, 1e-4 * max)));
            Map<String, Object> quality = new LinkedHashMap<>();
            quality.put("summary", "bioimage.io package test on import: " + report.summary());
            card.put("quality", quality);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(folder.resolve(Model.CARD).toFile(), card);
        } catch (IOException e) {
            throw new InvalidInputException("Cannot write the converted model into " + folder + ": " + e.getMessage(), e);
        }
        return folder;
    }

    /** The package's id (0.5) or name as a Tessera id: lower case, letters, digits, '.', '_' and '-'. */
    static String modelId(Description d, PackageFiles pkg) {
        String base = !d.id().isBlank() ? d.id() : !d.name().isBlank() ? d.name() : pkg.name();
        String id = base.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("^[^a-z0-9]+", "")
                .replaceAll("-+$", "");
        if (id.length() > 64)
            id = id.substring(0, 64);
        return id.isEmpty() ? "bioimageio-model" : id;
    }

    private static byte[] littleEndian(float[] values) {
        ByteBuffer b = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values)
            b.putFloat(v);
        return b.array();
    }
}
