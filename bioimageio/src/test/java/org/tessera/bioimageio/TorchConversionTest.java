package org.tessera.bioimageio;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.unet.Model;
import org.tessera.unet.ModelZoo;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.tiling.OutputKind;

/**
 * A package with TorchScript weights only, written by PyTorch (a small conv net, its test output computed by
 * PyTorch): refused, converted by scripts/bioimageio_to_onnx.py into a new folder, then imported, its test
 * passing on ONNX Runtime. Skips where /usr/bin/python3 has no PyTorch.
 */
class TorchConversionTest {

    static final String PYTHON = "/usr/bin/python3";

    @TempDir
    Path dir;

    private static String run(Path dir, String... command) throws Exception {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        boolean done = p.waitFor(300, TimeUnit.SECONDS);
        String out = new String(p.getInputStream().readAllBytes());
        if (!done)
            p.destroyForcibly();
        return (done ? p.exitValue() : -1) + "\n" + out;
    }

    private static Map<String, String> hashes(Path folder) throws Exception {
        Map<String, String> h = new LinkedHashMap<>();
        try (Stream<Path> s = Files.list(folder)) {
            for (Path p : (Iterable<Path>) s.sorted()::iterator)
                h.put(p.getFileName().toString(), PackageFiles.sha256(p));
        }
        return h;
    }

    @Test
    void torchscriptWeightsConvertAndImport() throws Exception {
        assumeTrue(Files.isExecutable(Path.of(PYTHON)) && run(dir, PYTHON, "-c", "import torch, onnx, yaml").startsWith("0\n"),
                "no PyTorch, onnx and PyYAML under " + PYTHON + ": skipping the conversion test");
        Path pkg = dir.resolve("torch-package");
        Files.createDirectories(pkg);
        String generator = String.join("\n",
                "import hashlib, numpy as np, torch",
                "torch.set_num_threads(1); torch.manual_seed(0)",
                "net = torch.nn.Sequential(torch.nn.Conv2d(2, 4, 3, padding=1), torch.nn.ReLU(), torch.nn.Conv2d(4, 3, 1)).eval()",
                "torch.jit.script(net).save('weights.pt')",
                "x = (np.random.RandomState(1).rand(1, 2, 24, 32) * 200).astype(np.float32)",
                "np.save('in.npy', x)",
                "with torch.no_grad(): y = torch.softmax(net(torch.from_numpy(x * 0.01)), 1).numpy()",
                "np.save('out.npy', y)",
                "sha = lambda f: hashlib.sha256(open(f, 'rb').read()).hexdigest()",
                "open('rdf.yaml', 'w').write('''format_version: 0.5.4",
                "type: model",
                "name: torch conv net",
                "description: three classes",
                "authors: [{name: Tester}]",
                "cite: [{text: none, url: 'https://example.org'}]",
                "license: MIT",
                "documentation: README.md",
                "inputs:",
                "  - id: raw",
                "    axes: [{type: batch}, {type: channel, channel_names: [a, b]}, {type: space, id: y, size: {min: 8, step: 8}}, {type: space, id: x, size: {min: 8, step: 8}}]",
                "    test_tensor: {source: in.npy, sha256: %s}",
                "    preprocessing: [{id: scale_linear, kwargs: {gain: 0.01}}]",
                "outputs:",
                "  - id: classes",
                "    axes: [{type: batch}, {type: channel, channel_names: [bg, one, two]}, {type: space, id: y, size: {tensor_id: raw, axis_id: y}}, {type: space, id: x, size: {tensor_id: raw, axis_id: x}}]",
                "    test_tensor: {source: out.npy, sha256: %s}",
                "    postprocessing: [{id: softmax, kwargs: {axis: channel}}]",
                "weights:",
                "  torchscript: {source: weights.pt, sha256: %s, pytorch_version: '1.13'}",
                "''' % (sha('in.npy'), sha('out.npy'), sha('weights.pt')))",
                "open('README.md', 'w').write('# torch\\n')");
        String made = run(pkg, PYTHON, "-c", generator);
        assertTrue(made.startsWith("0\n"), made);
        Map<String, String> before = hashes(pkg);
        ModelZoo zoo = Packages.zoo(dir.resolve("models"));

        InvalidInputException e = assertThrows(InvalidInputException.class, () -> Packages.importPackage(pkg, "t", zoo, s -> { }));
        assertTrue(e.getMessage().contains("scripts/bioimageio_to_onnx.py"), e.getMessage());

        Path converted = dir.resolve("converted");
        String script = Packages.ROOT.resolve("scripts/bioimageio_to_onnx.py").toString();
        String out = run(dir, PYTHON, script, pkg.toString(), "-o", converted.toString());
        assertTrue(out.startsWith("0\n") && out.contains("Wrote"), out);
        assertEquals(before, hashes(pkg), "the original package changed");
        List<String> log = new ArrayList<>();
        Model m = Packages.importPackage(converted, "torch-net", zoo, log::add);
        System.out.println("converted torchscript package: " + log);
        assertEquals(OutputKind.LOGITS, m.card().output().kind());
        assertEquals(List.of("bg", "one", "two"), m.card().output().classes());
        assertTrue(log.stream().anyMatch(l -> l.startsWith("package test passed")), log.toString());

        String again = run(dir, PYTHON, script, pkg.toString(), "-o", converted.toString());
        assertTrue(again.startsWith("2\n") && again.contains("exists"), again);
    }
}
