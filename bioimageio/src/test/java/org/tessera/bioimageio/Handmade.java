package org.tessera.bioimageio;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;

/**
 * A hand-made 0.5 package around a one-node network (Identity unless told otherwise): axes given as letters
 * (b, c, y, x, z, t, i) in any order, processing steps as YAML, test tensors from a direct computation.
 */
final class Handmade {

    final Path dir;
    String axes = "bcyx";
    int channels = 2;
    int[] space = { 24, 16 }; // x, y[, z]
    String sizes = "param"; // param: {min: 8, step: 8}; fixed
    String pre = "";
    String post = "";
    String outputExtra = "";
    String weightsExtra = "";
    String op = "Identity";
    int type = OnnxGraph.FLOAT;
    /** A network to use instead of the one-node one; null: that one. */
    byte[] network;
    /** The output's space axes are this many voxels smaller than the input's (offset of the size reference). */
    int outputShrink;
    /** The network's own sizes per package axis (0: dynamic); null: all dynamic. */
    long[] networkShape;
    long seed = 1;

    Handmade(Path dir) {
        this.dir = dir;
    }

    long[] shape() {
        long[] s = new long[axes.length()];
        for (int k = 0; k < s.length; k++)
            s[k] = switch (axes.charAt(k)) {
                case 'b', 't', 'i' -> 1;
                case 'c' -> channels;
                case 'x' -> space[0];
                case 'y' -> space[1];
                default -> space[2];
            };
        return s;
    }

    /** Random input in package layout: channel c around 50 + 30 c. */
    double[] input() {
        long[] s = shape();
        int n = (int) Arrays.stream(s).reduce(1, (a, b) -> a * b);
        Random r = new Random(seed);
        double[] v = new double[n];
        for (int i = 0; i < n; i++)
            v[i] = 50 + 30 * channel(i) + 12 * r.nextGaussian();
        return v;
    }

    /** The channel of flat index i (package layout). */
    int channel(int i) {
        int k = axes.indexOf('c');
        if (k < 0)
            return 0;
        long[] s = shape();
        long stride = 1;
        for (int j = s.length - 1; j > k; j--)
            stride *= s[j];
        return (int) (i / stride % s[k]);
    }

    /** Values of one channel. */
    double[] channelValues(double[] v, int c) {
        List<Double> out = new ArrayList<>();
        for (int i = 0; i < v.length; i++)
            if (channel(i) == c)
                out.add(v[i]);
        return out.stream().mapToDouble(Double::doubleValue).toArray();
    }

    /** numpy.percentile's default (linear) on one channel's values. */
    static double percentile(double[] values, double q) {
        double[] s = values.clone();
        Arrays.sort(s);
        double pos = (s.length - 1) * q / 100;
        int lo = (int) Math.floor(pos), hi = Math.min(lo + 1, s.length - 1);
        return s[lo] + (s[hi] - s[lo]) * (pos - lo);
    }

    interface PerChannel {
        double apply(double value, int channel);
    }

    double[] map(double[] v, PerChannel f) {
        double[] out = new double[v.length];
        for (int i = 0; i < v.length; i++)
            out[i] = f.apply(v[i], channel(i));
        return out;
    }

    double[] map(double[] v, DoubleUnaryOperator f) {
        return map(v, (x, c) -> f.applyAsDouble(x));
    }

    private String axis(char a, boolean output) {
        String size = sizes.equals("param") ? "{min: 8, step: 8}" : null;
        return switch (a) {
            case 'b' -> "      - type: batch\n";
            case 't' -> "      - type: time\n        size: 1\n";
            case 'i' -> "      - type: index\n        size: 1\n";
            case 'c' -> "      - type: channel\n        channel_names: [" + String.join(", ",
                    java.util.stream.IntStream.range(0, channels).mapToObj(c -> (output ? "out" : "in") + c).toList()) + "]\n";
            default -> {
                int k = "xyz".indexOf(a);
                String s = output ? "{tensor_id: raw, axis_id: " + a + (outputShrink > 0 ? ", offset: -" + outputShrink : "") + "}"
                        : size != null ? size : String.valueOf(space[k]);
                yield "      - type: space\n        id: " + a + "\n        size: " + s + "\n" + (output ? outputExtra : "");
            }
        };
    }

    /** Writes a 0.4 package instead: axes letters, shape {min, step}, output shape by reference, test_inputs. */
    boolean format04;

    private String write04() {
        String zeros = String.join(", ", java.util.Collections.nCopies(axes.length(), "0"));
        String ones = String.join(", ", java.util.Collections.nCopies(axes.length(), "1"));
        StringBuilder min = new StringBuilder(), step = new StringBuilder();
        for (char a : axes.toCharArray()) {
            min.append(min.length() == 0 ? "" : ", ").append("xyz".indexOf(a) >= 0 ? "8" : a == 'c' ? String.valueOf(channels) : "1");
            step.append(step.length() == 0 ? "" : ", ").append("xyz".indexOf(a) >= 0 ? "8" : "0");
        }
        return "format_version: 0.4.9\ntype: model\nname: handmade 04\ndescription: test\nauthors: [{name: Tester}]\n"
                + "cite: [{text: none, url: 'https://example.org'}]\nlicense: MIT\ndocumentation: README.md\n"
                + "timestamp: 2022-01-01T00:00:00\n"
                + "inputs:\n  - name: raw\n    axes: " + axes + "\n    data_type: float32\n    data_range: [-.inf, .inf]\n"
                + "    shape: {min: [" + min + "], step: [" + step + "]}\n" + (pre.isEmpty() ? "" : "    preprocessing:\n" + pre)
                + "outputs:\n  - name: prob\n    axes: " + axes + "\n    data_type: float32\n    data_range: [-.inf, .inf]\n"
                + "    shape: {reference_tensor: raw, scale: [" + ones + "], offset: [" + zeros + "]}\n"
                + (post.isEmpty() ? "" : "    postprocessing:\n" + post)
                + "test_inputs: [in.npy]\ntest_outputs: [out.npy]\n"
                + "weights:\n  onnx:\n    source: net.onnx\n    sha256: " + Packages.sha(dir.resolve("net.onnx")) + "\n";
    }

    /** Writes network, tensors and rdf.yaml; returns the package folder. */
    Path write(double[] input, double[] expected) throws IOException {
        Files.createDirectories(dir);
        Files.write(dir.resolve("net.onnx"), network != null ? network
                : Packages.onePartNetwork(op, networkShape != null ? networkShape : new long[axes.length()], type));
        Packages.npy(dir.resolve("in.npy"), input, shape());
        long[] outShape = shape();
        for (int k = 0; k < outShape.length; k++)
            if ("xyz".indexOf(axes.charAt(k)) >= 0)
                outShape[k] -= outputShrink;
        Packages.npy(dir.resolve("out.npy"), expected, outShape);
        if (format04) {
            Packages.write(dir.resolve("rdf.yaml"), write04());
            Packages.write(dir.resolve("README.md"), "# handmade\n");
            return dir;
        }
        StringBuilder in = new StringBuilder(), out = new StringBuilder();
        for (char a : axes.toCharArray()) {
            in.append(axis(a, false));
            out.append(axis(a, true));
        }
        String rdf = "format_version: 0.5.4\ntype: model\nname: handmade package\ndescription: test\n"
                + "authors: [{name: Tester}]\ncite: [{text: none, url: 'https://example.org'}]\nlicense: MIT\n"
                + "documentation: README.md\ntimestamp: 2024-01-01T00:00:00\n"
                + "inputs:\n  - id: raw\n    axes:\n" + in
                + "    test_tensor: {source: in.npy, sha256: " + Packages.sha(dir.resolve("in.npy")) + "}\n"
                + (pre.isEmpty() ? "" : "    preprocessing:\n" + pre)
                + "outputs:\n  - id: prob\n    axes:\n" + out
                + "    test_tensor: {source: out.npy, sha256: " + Packages.sha(dir.resolve("out.npy")) + "}\n"
                + (post.isEmpty() ? "" : "    postprocessing:\n" + post)
                + "weights:\n  onnx:\n    source: net.onnx\n    sha256: " + Packages.sha(dir.resolve("net.onnx"))
                + "\n    opset_version: 17\n" + weightsExtra;
        Packages.write(dir.resolve("rdf.yaml"), rdf);
        Packages.write(dir.resolve("README.md"), "# handmade\n");
        return dir;
    }

    static double sigmoid(double x) {
        return 1 / (1 + Math.exp(-x));
    }
}
