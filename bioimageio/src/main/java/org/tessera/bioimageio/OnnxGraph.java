package org.tessera.bioimageio;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import org.tessera.volume.InvalidInputException;

/**
 * An ONNX model read far enough to wrap its graph (field numbers from onnx.proto): its opset, its inputs and
 * outputs with their element types, and {@link #wrap}, which puts nodes before the input and after the output
 * (layout changes, the package's element-wise pre- and postprocessing) and copies everything else unchanged.
 */
final class OnnxGraph {

    /** ONNX element types (TensorProto.DataType). */
    static final int FLOAT = 1, UINT8 = 2, INT8 = 3, UINT16 = 4, INT16 = 5, INT32 = 6, INT64 = 7, BOOL = 9,
            FLOAT16 = 10, DOUBLE = 11, UINT32 = 12, UINT64 = 13;

    /** A graph input or output: name, element type and shape (-1 for a dynamic axis; null when unknown). */
    record Tensor(String name, int elemType, long[] shape) {}

    private final String what;
    private final List<Protobuf.Field> modelFields;
    private final List<Protobuf.Field> graphFields;
    private final long irVersion;
    private final int opset;
    private final List<Tensor> inputs = new ArrayList<>();
    private final List<Tensor> outputs = new ArrayList<>();

    private OnnxGraph(byte[] bytes, String what) {
        this.what = what;
        modelFields = Protobuf.fields(bytes, what);
        Protobuf.Field graph = null;
        long ir = 0;
        int version = -1;
        for (Protobuf.Field f : modelFields) {
            if (f.number() == 1 && f.wireType() == Protobuf.VARINT)
                ir = f.value();
            else if (f.number() == 7 && f.wireType() == Protobuf.BYTES)
                graph = f;
            else if (f.number() == 8 && f.wireType() == Protobuf.BYTES) {
                String domain = "";
                long v = -1;
                for (Protobuf.Field o : Protobuf.fields(f.payload(), what)) {
                    if (o.number() == 1)
                        domain = o.string();
                    else if (o.number() == 2)
                        v = o.value();
                }
                if (domain.isEmpty() || domain.equals("ai.onnx"))
                    version = (int) v;
            }
        }
        if (graph == null)
            throw new InvalidInputException(what + " has no graph; it is not an ONNX model");
        irVersion = ir;
        opset = version;
        graphFields = Protobuf.fields(graph.payload(), what);
        Set<String> initializers = new HashSet<>();
        for (Protobuf.Field f : graphFields)
            if (f.number() == 5)
                for (Protobuf.Field t : Protobuf.fields(f.payload(), what))
                    if (t.number() == 8)
                        initializers.add(t.string());
        for (Protobuf.Field f : graphFields)
            if (f.number() == 11 || f.number() == 12) {
                Tensor t = valueInfo(f.payload());
                if (f.number() == 12)
                    outputs.add(t);
                else if (!initializers.contains(t.name()))
                    inputs.add(t);
            }
    }

    static OnnxGraph parse(byte[] bytes, String what) {
        return new OnnxGraph(bytes, what);
    }

    int opset() { return opset; }

    long irVersion() { return irVersion; }

    List<Tensor> inputs() { return inputs; }

    List<Tensor> outputs() { return outputs; }

    private Tensor valueInfo(byte[] payload) {
        String name = null;
        int elem = 0;
        long[] shape = null;
        for (Protobuf.Field f : Protobuf.fields(payload, what)) {
            if (f.number() == 1)
                name = f.string();
            else if (f.number() == 2)
                for (Protobuf.Field type : Protobuf.fields(f.payload(), what))
                    if (type.number() == 1) // tensor_type
                        for (Protobuf.Field t : Protobuf.fields(type.payload(), what)) {
                            if (t.number() == 1)
                                elem = (int) t.value();
                            else if (t.number() == 2) {
                                List<Long> dims = new ArrayList<>();
                                for (Protobuf.Field d : Protobuf.fields(t.payload(), what))
                                    if (d.number() == 1) {
                                        long v = -1;
                                        for (Protobuf.Field dv : Protobuf.fields(d.payload(), what))
                                            if (dv.number() == 1)
                                                v = dv.value();
                                        dims.add(v);
                                    }
                                shape = dims.stream().mapToLong(Long::longValue).toArray();
                            }
                        }
        }
        return new Tensor(name, elem, shape);
    }

    /**
     * The model with {@code before} feeding the original input {@code input} from the new float input
     * {@code newInput}, and {@code after} turning the original output into the new float output {@code newOutput}.
     * The original input and output leave the graph's inputs and outputs (the new output is the first); everything
     * else is kept.
     */
    byte[] wrap(String input, String output, Nodes before, Nodes after, Tensor newInput, Tensor newOutput) {
        Protobuf.Writer graph = new Protobuf.Writer();
        for (byte[] node : before.nodes)
            graph.bytes(1, node);
        boolean outputWritten = false;
        for (Protobuf.Field f : graphFields) {
            if (f.number() == 11 && valueInfo(f.payload()).name().equals(input))
                continue;
            if (f.number() == 12) {
                if (!outputWritten) // the new output comes first: readers that take "the first output" get it
                    graph.bytes(12, valueInfoBytes(newOutput));
                outputWritten = true;
                if (valueInfo(f.payload()).name().equals(output))
                    continue;
            }
            graph.copy(f);
        }
        for (byte[] node : after.nodes)
            graph.bytes(1, node);
        for (Nodes n : List.of(before, after))
            for (byte[] t : n.initializers)
                graph.bytes(5, t);
        graph.bytes(11, valueInfoBytes(newInput));
        return withGraph(graph);
    }

    /** The model with only {@code output} among the graph's outputs (ONNX Runtime then skips what feeds only the others). */
    byte[] withOnlyOutput(String output) {
        Protobuf.Writer graph = new Protobuf.Writer();
        for (Protobuf.Field f : graphFields)
            if (f.number() != 12 || valueInfo(f.payload()).name().equals(output))
                graph.copy(f);
        return withGraph(graph);
    }

    /** This model's bytes with {@code graph} in place of its graph (field 7). */
    private byte[] withGraph(Protobuf.Writer graph) {
        Protobuf.Writer model = new Protobuf.Writer();
        for (Protobuf.Field f : modelFields) {
            if (f.number() == 7)
                model.message(7, graph);
            else
                model.copy(f);
        }
        return model.toByteArray();
    }

    private static byte[] valueInfoBytes(Tensor t) {
        Protobuf.Writer shape = new Protobuf.Writer();
        String[] names = { "n", "c", "d", "h", "w", "e", "f" };
        for (int i = 0; i < t.shape().length; i++) {
            Protobuf.Writer dim = new Protobuf.Writer();
            if (t.shape()[i] >= 0)
                dim.varint(1, t.shape()[i]);
            else
                dim.string(2, t.name() + "_" + names[Math.min(i, names.length - 1)] + i);
            shape.message(1, dim);
        }
        Protobuf.Writer tensor = new Protobuf.Writer().varint(1, t.elemType()).message(2, shape);
        Protobuf.Writer type = new Protobuf.Writer().message(1, tensor);
        return new Protobuf.Writer().string(1, t.name()).message(2, type).toByteArray();
    }

    /** Nodes in the default domain for this model's opset, with the constants they use. */
    Nodes nodes(String prefix) {
        return new Nodes(opset, prefix);
    }

    static final class Nodes {
        private final int opset;
        private final String prefix;
        private int counter;
        final List<byte[]> nodes = new ArrayList<>();
        final List<byte[]> initializers = new ArrayList<>();

        Nodes(int opset, String prefix) {
            this.opset = opset;
            this.prefix = prefix;
        }

        private String fresh() {
            return prefix + (counter++);
        }

        private String node(String op, List<String> in, String out, Protobuf.Writer... attributes) {
            Protobuf.Writer n = new Protobuf.Writer();
            for (String i : in)
                n.string(1, i);
            n.string(2, out).string(3, out).string(4, op);
            for (Protobuf.Writer a : attributes)
                n.message(5, a);
            nodes.add(n.toByteArray());
            return out;
        }

        private static Protobuf.Writer ints(String name, long[] values) {
            Protobuf.Writer a = new Protobuf.Writer().string(1, name).varint(20, 7);
            for (long v : values)
                a.varint(8, v);
            return a;
        }

        private static Protobuf.Writer intAttribute(String name, long value) {
            return new Protobuf.Writer().string(1, name).varint(20, 2).varint(3, value);
        }

        String constant(float[] values, long[] dims) {
            ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
            for (float v : values)
                raw.putFloat(v);
            return initializer(FLOAT, raw.array(), dims);
        }

        private String longs(long[] values) {
            ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
            for (long v : values)
                raw.putLong(v);
            return initializer(INT64, raw.array(), new long[] { values.length });
        }

        private String initializer(int type, byte[] raw, long[] dims) {
            String name = fresh();
            Protobuf.Writer t = new Protobuf.Writer();
            for (long d : dims)
                t.varint(1, d);
            t.varint(2, type).string(8, name).bytes(9, raw);
            initializers.add(t.toByteArray());
            return name;
        }

        String identity(String in, String out) {
            return node("Identity", List.of(in), out);
        }

        String transpose(String in, int[] perm) {
            for (int i = 0; i < perm.length; i++)
                if (perm[i] != i)
                    return node("Transpose", List.of(in), fresh(), ints("perm", java.util.Arrays.stream(perm).asLongStream().toArray()));
            return in;
        }

        String unsqueeze(String in, long[] axes) {
            if (axes.length == 0)
                return in;
            return opset >= 13 ? node("Unsqueeze", List.of(in, longs(axes)), fresh())
                    : node("Unsqueeze", List.of(in), fresh(), ints("axes", axes));
        }

        String squeeze(String in, long[] axes) {
            if (axes.length == 0)
                return in;
            return opset >= 13 ? node("Squeeze", List.of(in, longs(axes)), fresh())
                    : node("Squeeze", List.of(in), fresh(), ints("axes", axes));
        }

        String cast(String in, int to) {
            return node("Cast", List.of(in), fresh(), intAttribute("to", to));
        }

        /** {@code op} (Add, Sub, Mul, Div, Min, Max, Greater) of {@code in} and a broadcast constant. */
        String withConstant(String op, String in, float[] values, long[] dims) {
            return node(op, List.of(in, constant(values, dims)), fresh());
        }

        /** {@code constant - in}. */
        String constantMinus(float value, String in) {
            return node("Sub", List.of(constant(new float[] { value }, new long[0]), in), fresh());
        }

        String unary(String op, String in) {
            return node(op, List.of(in), fresh());
        }

        /** Pads by repeating the edge: {@code pads} as ONNX orders them (every axis's begin, then every end). */
        String padEdges(String in, long[] pads) {
            Protobuf.Writer mode = new Protobuf.Writer().string(1, "mode").varint(20, 3).string(4, "edge");
            return opset >= 11 ? node("Pad", List.of(in, longs(pads)), fresh(), mode)
                    : node("Pad", List.of(in), fresh(), mode, ints("pads", pads));
        }

        String concat(long axis, String... in) {
            return node("Concat", List.of(in), fresh(), intAttribute("axis", axis));
        }
    }
}
