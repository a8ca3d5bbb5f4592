package org.tessera.bioimageio;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.tessera.service.ImportRequest;
import org.tessera.service.ModelImports;
import org.tessera.unet.Model;
import org.tessera.unet.ModelZoo;
import org.tessera.volume.io.Npy;

/** For the tests: tiny ONNX networks written with the project's protobuf writer, packages, and the zoo to import into. */
final class Packages {

    static final Path ROOT = Path.of(System.getProperty("tessera.root", "..")).toAbsolutePath().normalize();
    static final Path FIXTURES = ROOT.resolve("unet-family/src/test/resources/fixtures");

    private Packages() {}

    /**
     * An ONNX model (IR 8, opset 17) whose graph is one node {@code op} from input "x" to output "y", both
     * float tensors of {@code rank} dynamic axes; extra inputs of {@code op} are float constants.
     */
    static byte[] onePartNetwork(String op, int rank, float... constants) {
        return onePartNetwork(op, rank, OnnxGraph.FLOAT, constants);
    }

    /** The same with input and output of ONNX element type {@code type}. */
    static byte[] onePartNetwork(String op, int rank, int type, float... constants) {
        return onePartNetwork(op, new long[rank], type, constants);
    }

    /** The same with fixed sizes where {@code shape} is positive (0: dynamic). */
    static byte[] onePartNetwork(String op, long[] shape, int type, float... constants) {
        int rank = shape.length;
        OnnxGraph.Nodes nodes = new OnnxGraph.Nodes(17, "c");
        List<String> inputs = new ArrayList<>(List.of("x"));
        if (constants.length > 0)
            inputs.add(nodes.constant(constants, new long[0]));
        Protobuf.Writer node = new Protobuf.Writer();
        for (String i : inputs)
            node.string(1, i);
        node.string(2, "y").string(3, "net").string(4, op);
        Protobuf.Writer graph = new Protobuf.Writer().message(1, node).string(2, "net");
        for (byte[] t : nodes.initializers)
            graph.bytes(5, t);
        graph.message(11, valueInfo("x", shape, type)).message(12, valueInfo("y", shape, type));
        return new Protobuf.Writer().varint(1, 8).string(2, "tessera-test").message(7, graph)
                .message(8, new Protobuf.Writer().string(1, "").varint(2, 17)).toByteArray();
    }

    /** A network of one unpadded 3 x 3 average pooling (stride 1) over (N, C, H, W): the output is 2 smaller. */
    static byte[] valid3x3Average() {
        Protobuf.Writer kernel = new Protobuf.Writer().string(1, "kernel_shape").varint(20, 7).varint(8, 3).varint(8, 3);
        Protobuf.Writer node = new Protobuf.Writer().string(1, "x").string(2, "y").string(3, "pool").string(4, "AveragePool")
                .message(5, kernel);
        Protobuf.Writer graph = new Protobuf.Writer().message(1, node).string(2, "net")
                .message(11, valueInfo("x", new long[4], OnnxGraph.FLOAT)).message(12, valueInfo("y", new long[4], OnnxGraph.FLOAT));
        return new Protobuf.Writer().varint(1, 8).string(2, "tessera-test").message(7, graph)
                .message(8, new Protobuf.Writer().string(1, "").varint(2, 17)).toByteArray();
    }

    private static Protobuf.Writer valueInfo(String name, long[] dims, int type) {
        Protobuf.Writer shape = new Protobuf.Writer();
        for (int i = 0; i < dims.length; i++)
            shape.message(1, dims[i] > 0 ? new Protobuf.Writer().varint(1, dims[i]) : new Protobuf.Writer().string(2, name + i));
        return new Protobuf.Writer().string(1, name).message(2, new Protobuf.Writer().message(1,
                new Protobuf.Writer().varint(1, type).message(2, shape)));
    }

    static void write(Path file, String text) throws IOException {
        Files.createDirectories(file.toAbsolutePath().getParent());
        Files.writeString(file, text, StandardCharsets.UTF_8);
    }

    static void npy(Path file, double[] values, long... shape) {
        float[] f = new float[values.length];
        for (int i = 0; i < f.length; i++)
            f[i] = (float) values[i];
        Npy.write(file, Npy.Array.of(f, shape));
    }

    static String sha(Path file) {
        return PackageFiles.sha256(file);
    }

    /** Zips a folder's files (flat) into {@code zip}. */
    static Path zip(Path folder, Path zip) throws IOException {
        try (OutputStream out = Files.newOutputStream(zip); ZipOutputStream z = new ZipOutputStream(out);
                Stream<Path> files = Files.list(folder)) {
            for (Path f : (Iterable<Path>) files.sorted()::iterator) {
                z.putNextEntry(new ZipEntry(f.getFileName().toString()));
                z.write(Files.readAllBytes(f));
                z.closeEntry();
            }
        }
        return zip;
    }

    static ModelZoo zoo(Path userDir) {
        return new ModelZoo(Packages.class.getClassLoader(), List.of(userDir, FIXTURES));
    }

    static Model importPackage(Path source, String id, ModelZoo zoo, Consumer<String> log) {
        return ModelImports.run(ModelImports.importer("bioimageio"), source, ImportRequest.of(id), zoo, log);
    }

    /** Every file under a folder, to show that a refused import left nothing. */
    static List<String> tree(Path dir) throws IOException {
        if (!Files.exists(dir))
            return List.of();
        try (Stream<Path> s = Files.walk(dir)) {
            return s.sorted(Comparator.naturalOrder()).map(p -> dir.relativize(p).toString()).toList();
        }
    }
}
