package org.tessera.unet;

import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;

import org.tessera.volume.InvalidInputException;

/**
 * The ONNX Runtime engine: one session per model, CUDA when asked for or available, CPU otherwise.
 * <p>
 * CUDA availability cannot be read from {@code OrtEnvironment.getAvailableProviders()} (it lists CUDA in
 * builds and on hosts that cannot run it); it is known only by adding the CUDA provider and creating the
 * session. {@link Device#AUTO} does that and falls back to CPU, keeping the reason in {@link #fallbackReason()}.
 */
public final class OrtEngine implements Engine {

    public enum Device {
        AUTO, CPU, CUDA;

        /** Parses a user's --device value. */
        public static Device parse(String value) {
            try {
                return valueOf(value.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException | NullPointerException e) {
                throw new InvalidInputException("Unknown device '" + value + "'; use auto, cpu or cuda");
            }
        }
    }

    /**
     * @param device auto, cpu or cuda
     * @param threads intra-op threads for the CPU provider, at least 1
     */
    public record Options(Device device, int threads) {
        public Options {
            if (device == null)
                throw new InvalidInputException("No device given; use auto, cpu or cuda");
            if (threads < 1)
                throw new InvalidInputException("--threads must be at least 1, not " + threads);
        }

        /** Auto device, one thread per available processor. */
        public static Options defaults() {
            return new Options(Device.AUTO, Runtime.getRuntime().availableProcessors());
        }

        public static Options cpu(int threads) {
            return new Options(Device.CPU, threads);
        }

        /** A user's choice: {@code threads} 0 means one per available processor; below 0 is refused. */
        public static Options of(Device device, int threads) {
            if (threads < 0)
                throw new InvalidInputException("--threads must be at least 1 (or 0 for all cores), not " + threads);
            return new Options(device, threads > 0 ? threads : Math.max(1, Runtime.getRuntime().availableProcessors()));
        }
    }

    private final String modelId;
    private final OrtSession session;
    private final String inputName;
    private final String outputName;
    private final GraphSignature graph;
    private final String device;
    private final String fallbackReason;

    private OrtEngine(String modelId, OrtSession session, String device, String fallbackReason, String input,
            String output) throws OrtException {
        this.modelId = modelId;
        this.session = session;
        this.device = device;
        this.fallbackReason = fallbackReason;
        this.graph = signature(session);
        this.inputName = input != null ? input : graph.inputs().keySet().iterator().next();
        this.outputName = output != null ? output : graph.outputs().keySet().iterator().next();
    }

    /** Opens a model from the zoo and checks its graph against its card. */
    public static OrtEngine open(Model model, Options options) {
        Loader loader = model.onnxPath().isPresent() ? new Loader.FromPath(model.onnxPath().get().toString())
                : new Loader.FromBytes(model.onnxBytes());
        OrtEngine engine = open(loader, model.id(), options, model.card().input().name(),
                model.card().output().name());
        try {
            model.card().validateAgainst(engine.graph);
            return engine;
        } catch (RuntimeException e) {
            engine.close();
            throw e;
        }
    }

    /** Opens an ONNX file; the engine feeds the graph's first input and returns its first output. */
    public static OrtEngine open(java.nio.file.Path onnxFile, String modelId, Options options) {
        return open(new Loader.FromPath(onnxFile.toString()), modelId, options, null, null);
    }

    /** Opens ONNX bytes (e.g. read from the jar); see {@link #open(java.nio.file.Path, String, Options)}. */
    public static OrtEngine open(byte[] onnx, String modelId, Options options) {
        return open(new Loader.FromBytes(onnx), modelId, options, null, null);
    }

    private sealed interface Loader {
        OrtSession load(OrtEnvironment env, OrtSession.SessionOptions options) throws OrtException;

        record FromPath(String path) implements Loader {
            public OrtSession load(OrtEnvironment env, OrtSession.SessionOptions o) throws OrtException {
                return env.createSession(path, o);
            }
        }

        record FromBytes(byte[] bytes) implements Loader {
            public OrtSession load(OrtEnvironment env, OrtSession.SessionOptions o) throws OrtException {
                return env.createSession(bytes, o);
            }
        }
    }

    private static OrtEngine open(Loader loader, String modelId, Options options, String input, String output) {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        String cudaFailure = null;
        if (options.device() != Device.CPU) {
            try {
                OrtSession session = createSession(env, loader, options, true);
                return wrap(session, modelId, "CUDA:0", null, input, output);
            } catch (OrtException | RuntimeException | LinkageError e) {
                cudaFailure = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().strip();
                if (cudaFailure.contains("Failed to find CUDA shared provider"))
                    cudaFailure = "this build bundles ONNX Runtime for the CPU; for NVIDIA GPUs build with "
                            + "-Donnxruntime.artifact=onnxruntime_gpu (needs CUDA 12 + cuDNN 9)";
                if (options.device() == Device.CUDA)
                    throw new InvalidInputException("CUDA was requested for model '" + modelId
                            + "' but is not usable here (" + cudaFailure + "); install onnxruntime_gpu and "
                            + "CUDA 12 + cuDNN 9, or use --device cpu", e);
            }
        }
        try {
            OrtSession session = createSession(env, loader, options, false);
            return wrap(session, modelId, "CPU (" + options.threads() + " thread"
                    + (options.threads() == 1 ? "" : "s") + ")", cudaFailure, input, output);
        } catch (OrtException e) {
            throw new InvalidInputException("Model '" + modelId + "': ONNX Runtime cannot load it: " + e.getMessage()
                    + ". Re-export it as ONNX (opset 17 is tested) or check the file is complete", e);
        }
    }

    private static OrtEngine wrap(OrtSession session, String modelId, String device, String fallbackReason,
            String input, String output) throws OrtException {
        try {
            return new OrtEngine(modelId, session, device, fallbackReason, input, output);
        } catch (OrtException | RuntimeException e) {
            session.close();
            throw e;
        }
    }

    private static OrtSession createSession(OrtEnvironment env, Loader loader, Options options, boolean cuda)
            throws OrtException {
        try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
            so.setIntraOpNumThreads(options.threads());
            so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            // A segmentation network is one chain of operators: parallel execution only adds scheduling.
            so.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            so.setInterOpNumThreads(1);
            if (cuda)
                so.addCUDA(0);
            return loader.load(env, so);
        }
    }

    static GraphSignature signature(OrtSession session) throws OrtException {
        return new GraphSignature(shapes(session.getInputInfo()), shapes(session.getOutputInfo()));
    }

    private static Map<String, long[]> shapes(Map<String, NodeInfo> infos) {
        Map<String, long[]> shapes = new LinkedHashMap<>();
        infos.forEach((name, info) -> shapes.put(name,
                info.getInfo() instanceof TensorInfo t ? t.getShape() : new long[0]));
        return shapes;
    }

    @Override
    public Result run(FloatBuffer input, long[] shape) {
        return run(input, shape, List.of());
    }

    /** Only the outputs asked for are computed: extra outputs (e.g. attention maps) cost nothing otherwise. */
    @Override
    public Result run(FloatBuffer input, long[] shape, List<String> extraOutputs) {
        long[] expected = graph.inputs().get(inputName);
        if (shape.length != expected.length)
            throw new IllegalArgumentException("Model '" + modelId + "' takes rank-" + expected.length + " input "
                    + GraphSignature.format(expected) + ", not " + Arrays.toString(shape));
        if (expected[1] >= 0 && shape[1] != expected[1])
            throw new InvalidInputException("Model '" + modelId + "' needs " + expected[1] + "-channel input, not "
                    + shape[1] + "; choose a model for this image's channels or select the channels to use");
        if (Engine.product(shape) != input.remaining())
            throw new IllegalArgumentException("Shape " + Arrays.toString(shape) + " holds " + Engine.product(shape)
                    + " values but the buffer has " + input.remaining());
        // The runtime reads a direct buffer's memory as native-order floats: another order would be garbage.
        if (input.isDirect() && input.order() != ByteOrder.nativeOrder())
            throw new IllegalArgumentException("Direct input buffers must be in native byte order; use Engine.allocate");
        Set<String> wanted = new LinkedHashSet<>();
        wanted.add(outputName);
        for (String name : extraOutputs) {
            if (!graph.outputs().containsKey(name))
                throw new IllegalArgumentException("Model '" + modelId + "' has no output '" + name + "'; its graph "
                        + "outputs are " + graph.outputs().keySet());
            if (!wanted.add(name))
                throw new IllegalArgumentException("Output '" + name + "' is asked for twice");
        }
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OnnxTensor tensor = OnnxTensor.createTensor(env, input.slice(), shape);
                OrtSession.Result result = session.run(Map.of(inputName, tensor), wanted)) {
            List<OnnxTensor> outs = new ArrayList<>();
            for (String name : wanted)
                outs.add((OnnxTensor) result.get(name).orElseThrow());
            return concatenateChannels(outs, List.copyOf(wanted));
        } catch (OrtException e) {
            throw new EngineException("Model '" + modelId + "' failed on " + device + " with input "
                    + Arrays.toString(shape) + ": " + e.getMessage(), e);
        }
    }

    /** The outputs' floats, one batch item after the other, each item's channels in output order. */
    private Result concatenateChannels(List<OnnxTensor> outs, List<String> names) throws OrtException {
        long[] first = outs.get(0).getInfo().getShape();
        long[] shape = first.clone();
        shape[1] = 0;
        for (int k = 0; k < outs.size(); k++) {
            long[] s = outs.get(k).getInfo().getShape();
            boolean same = s.length == first.length && s[0] == first[0]
                    && Arrays.equals(s, 2, s.length, first, 2, first.length);
            if (!same)
                throw new InvalidInputException("Model '" + modelId + "': output '" + names.get(k) + "' has shape "
                        + Arrays.toString(s) + " but '" + names.get(0) + "' has " + Arrays.toString(first)
                        + "; extra outputs must have the main output's size (re-export them resampled to the input's size)");
            shape[1] += s[1];
        }
        long spatial = Engine.product(Arrays.copyOfRange(first, 2, first.length));
        float[] data = new float[Math.toIntExact(Engine.product(shape))];
        int at = 0;
        FloatBuffer[] buffers = new FloatBuffer[outs.size()];
        for (int k = 0; k < outs.size(); k++)
            buffers[k] = outs.get(k).getFloatBuffer();
        for (long n = 0; n < shape[0]; n++)
            for (int k = 0; k < outs.size(); k++) {
                int count = Math.toIntExact(outs.get(k).getInfo().getShape()[1] * spatial);
                buffers[k].get(data, at, count);
                at += count;
            }
        return new Result(data, shape);
    }

    @Override
    public String device() {
        return device;
    }

    /** Why CUDA was not used under {@link Device#AUTO}, or null when it was used or not tried. */
    public String fallbackReason() {
        return fallbackReason;
    }

    public GraphSignature graph() {
        return graph;
    }

    @Override
    public int maxBatch() {
        long n = graph.inputs().get(inputName)[0];
        return n > 0 ? (int) Math.min(n, Integer.MAX_VALUE) : Integer.MAX_VALUE;
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new EngineException("Cannot close the session of model '" + modelId + "'", e);
        }
    }
}
