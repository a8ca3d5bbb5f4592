package org.tessera.bioimageio;

import java.util.ArrayList;
import java.util.List;

import org.tessera.volume.InvalidInputException;

/**
 * How a package tensor's axes map onto Tessera's tensor layout (N, C, [D,] H, W): which package axis is the
 * batch, the channel, z, y and x, and which are extra axes of size 1 (time, index). Converts arrays in Java
 * (test tensors) and emits the ONNX nodes that do the same inside the wrapped graph.
 */
final class Layout {

    private final String tensor;
    private final List<String> labels; // per package axis: B, C, z, y, x or E<k>
    private final List<String> tessera; // B, C, [z,] y, x, then the extra axes in package order
    private final int dims;
    private final List<String> ids;

    private Layout(String tensor, List<String> ids, List<String> labels, List<String> tessera, int dims) {
        this.tensor = tensor;
        this.ids = ids;
        this.labels = labels;
        this.tessera = tessera;
        this.dims = dims;
    }

    /** @throws InvalidInputException for axes Tessera cannot place (a second channel axis, space axes not x, y[, z]) */
    static Layout of(Description.Tensor t, String where) {
        List<String> labels = new ArrayList<>();
        boolean z = false;
        for (int k = 0; k < t.axes().size(); k++) {
            Description.Axis a = t.axes().get(k);
            String label = switch (a.type()) {
                case "batch" -> "B";
                case "channel" -> "C";
                case "space" -> {
                    if (!List.of("x", "y", "z").contains(a.id()))
                        throw new InvalidInputException(where + ": space axis '" + a.id() + "' of tensor '" + t.id()
                                + "' is not x, y or z; Tessera places space axes by these ids");
                    z |= a.id().equals("z");
                    yield a.id();
                }
                default -> "E" + k;
            };
            if (labels.contains(label))
                throw new InvalidInputException(where + ": tensor '" + t.id() + "' has two " + a.type() + " axes ("
                        + t.axisIds() + "); Tessera takes one batch, one channel and the space axes x, y[, z]");
            labels.add(label);
        }
        if (!labels.contains("x") || !labels.contains("y"))
            throw new InvalidInputException(where + ": tensor '" + t.id() + "' has axes " + t.axisIds()
                    + " without both space axes x and y; Tessera segments images (2D or 3D)");
        List<String> tessera = new ArrayList<>(z ? List.of("B", "C", "z", "y", "x") : List.of("B", "C", "y", "x"));
        for (String l : labels)
            if (l.startsWith("E"))
                tessera.add(l);
        return new Layout(t.id(), t.axisIds(), List.copyOf(labels), List.copyOf(tessera), z ? 3 : 2);
    }

    int dims() { return dims; }

    /** Index of an axis in the package tensor, or -1. */
    int index(String label) { return labels.indexOf(label); }

    int rank() { return labels.size(); }

    /** Whether the package axis with this id is the channel axis. */
    boolean isChannel(String axisId) {
        int k = ids.indexOf(axisId);
        return k >= 0 && labels.get(k).equals("C");
    }

    private List<String> missing() {
        List<String> m = new ArrayList<>();
        for (String l : List.of("B", "C"))
            if (!labels.contains(l))
                m.add(l);
        return m;
    }

    private int extras() {
        return tessera.size() - 2 - dims;
    }

    private static int[] permutation(List<String> from, List<String> to) {
        int[] perm = new int[to.size()];
        for (int i = 0; i < to.size(); i++)
            perm[i] = from.indexOf(to.get(i));
        return perm;
    }

    private static long[] range(int from, int count) {
        long[] r = new long[count];
        for (int i = 0; i < count; i++)
            r[i] = from + i;
        return r;
    }

    /** Nodes turning a Tessera tensor (N, C, [D,] H, W) into this package layout. */
    String fromTessera(OnnxGraph.Nodes n, String in) {
        int core = 2 + dims;
        String x = n.unsqueeze(in, range(core, extras()));
        List<String> target = new ArrayList<>(missing());
        target.addAll(labels);
        x = n.transpose(x, permutation(tessera, target));
        return n.squeeze(x, range(0, missing().size()));
    }

    /** Nodes turning this package layout into a Tessera tensor. */
    String toTessera(OnnxGraph.Nodes n, String in) {
        List<String> current = new ArrayList<>(missing());
        current.addAll(labels);
        String x = n.unsqueeze(in, range(0, missing().size()));
        x = n.transpose(x, permutation(current, tessera));
        return n.squeeze(x, range(2 + dims, extras()));
    }

    /** A package-layout array as Tessera's (N, C, [D,] H, W): {@code shape} is replaced by the new shape. */
    float[] toTessera(double[] values, long[] shape, long[][] newShape, String what) {
        if (shape.length != labels.size())
            throw new InvalidInputException(what + " has " + shape.length + " axes " + java.util.Arrays.toString(shape)
                    + " but tensor '" + tensor + "' is described with " + labels.size() + " (" + labels + ")");
        List<String> current = new ArrayList<>(missing());
        current.addAll(labels);
        long[] full = new long[current.size()];
        java.util.Arrays.fill(full, 1);
        System.arraycopy(shape, 0, full, missing().size(), shape.length);
        int[] perm = permutation(current, tessera);
        long[] out = new long[perm.length];
        for (int i = 0; i < perm.length; i++)
            out[i] = full[perm[i]];
        for (int i = 2 + dims; i < out.length; i++)
            if (out[i] != 1)
                throw new InvalidInputException(what + " has size " + out[i] + " along its " + tessera.get(i)
                        + " axis; Tessera takes one time point / index at a time (size 1)");
        long[] strides = new long[full.length];
        long s = 1;
        for (int i = full.length - 1; i >= 0; i--) {
            strides[i] = s;
            s *= full[i];
        }
        int total = Math.toIntExact(s);
        float[] result = new float[total];
        int[] counter = new int[out.length];
        for (int flat = 0; flat < total; flat++) {
            long src = 0;
            for (int i = 0; i < out.length; i++)
                src += counter[i] * strides[perm[i]];
            result[flat] = (float) values[(int) src];
            for (int i = out.length - 1; i >= 0; i--) {
                if (++counter[i] < out[i])
                    break;
                counter[i] = 0;
            }
        }
        newShape[0] = java.util.Arrays.copyOf(out, 2 + dims);
        return result;
    }
}
