package org.tessera.bioimageio;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.tessera.volume.InvalidInputException;

/**
 * A bioimage.io model description (format 0.4.x or 0.5.x) in one form: tensors with typed axes and
 * processing steps, weights, test tensors and the reproducibility tolerance. 0.4's axis letters become 0.5's
 * axis ids ({@code b} batch, {@code c} channel, {@code i} index, {@code t} time, {@code x y z} space), its
 * implicit output shapes ({@code input * scale + 2 * offset}) become size references.
 */
record Description(String formatVersion, String id, String name, String description, String license,
        List<Tensor> inputs, List<Tensor> outputs, Map<String, Weights> weights, Tolerance tolerance,
        Map<String, Integer> preferredTile, Map<String, Object> instances) {

    /**
     * An axis size: fixed, parameterized ({@code min + n * step}), or a reference to another axis
     * ({@code size(ref) * scale + offset}).
     */
    record Size(Integer fixed, Integer min, Integer step, String refTensor, String refAxis, double scale, int offset) {
        static Size of(int n) { return new Size(n, null, null, null, null, 1, 0); }

        boolean isReference() { return refTensor != null; }

        boolean isParameterized() { return min != null; }
    }

    /** type: batch, channel, index, time or space; scale is the physical pixel size (0.5), used by references. */
    record Axis(String type, String id, Size size, int halo, List<String> channelNames, double scale) {}

    record Op(String id, Map<String, Object> kwargs) {}

    record Tensor(String id, List<Axis> axes, String dataType, List<Op> processing, String testTensor,
            String testSha256) {

        Axis axis(String axisId) {
            for (Axis a : axes)
                if (a.id().equals(axisId))
                    return a;
            return null;
        }

        List<String> axisIds() {
            return axes.stream().map(Axis::id).toList();
        }
    }

    record Weights(String format, String source, String sha256, Integer opsetVersion) {}

    /** An output element mismatches when |out - expected| > absolute + relative * |expected|. */
    record Tolerance(double relative, double absolute, double mismatchedPerMillion, String source) {}

    /** bioimage.io spec 0.5 (ReproducibilityTolerance): relative 1e-3, absolute 1e-4, 100 per million. */
    static final Tolerance DEFAULT_TOLERANCE = new Tolerance(1e-3, 1e-4, 100, "the spec's default");

    static Description parse(Map<String, Object> rdf, String where) {
        String w = where + ": ";
        String type = Rdf.string(rdf, "type", w, "");
        if (!type.equals("model"))
            throw new InvalidInputException(w + "type is '" + type + "'; only bioimage.io model descriptions "
                    + "(type: model) hold a network to import");
        String version = Rdf.string(rdf, "format_version", w, null);
        if (version.startsWith("0.5."))
            return parse05(rdf, version, w);
        if (version.startsWith("0.4."))
            return parse04(rdf, version, w);
        throw new InvalidInputException(w + "format_version " + version + " is not one Tessera reads; it reads "
                + "0.4.x and 0.5.x model descriptions (update the package with bioimageio.spec's update_format)");
    }

    // 0.5 -----------------------------------------------------------------------------------------------------

    private static Description parse05(Map<String, Object> rdf, String version, String w) {
        List<Tensor> inputs = new ArrayList<>(), outputs = new ArrayList<>();
        for (int io = 0; io < 2; io++) {
            String key = io == 0 ? "inputs" : "outputs";
            List<?> tensors = Rdf.list(rdf.get(key), w + key);
            for (int i = 0; i < tensors.size(); i++) {
                String at = w + key + "[" + i + "].";
                Map<String, Object> t = Rdf.map(tensors.get(i), at);
                String id = Rdf.string(t, "id", at, io == 0 ? "input" : "output");
                List<Axis> axes = new ArrayList<>();
                List<?> axisList = Rdf.list(t.get("axes"), at + "axes");
                for (int a = 0; a < axisList.size(); a++)
                    axes.add(axis05(Rdf.map(axisList.get(a), at + "axes[" + a + "]"), at + "axes[" + a + "]."));
                Object data = t.get("data");
                if (data instanceof List<?> l && !l.isEmpty())
                    data = l.get(0);
                String dataType = data == null ? "float32" : Rdf.string(Rdf.map(data, at + "data"), "type", at + "data.", "float32");
                List<Op> ops = new ArrayList<>();
                String opsKey = io == 0 ? "preprocessing" : "postprocessing";
                List<?> opList = Rdf.optionalList(t, opsKey, at);
                for (int p = 0; p < opList.size(); p++) {
                    String pat = at + opsKey + "[" + p + "].";
                    Map<String, Object> op = Rdf.map(opList.get(p), pat);
                    ops.add(new Op(Rdf.string(op, "id", pat, null), new LinkedHashMap<>(Rdf.optionalMap(op, "kwargs", pat))));
                }
                Map<String, Object> test = t.get("test_tensor") == null ? Map.of() : Rdf.map(t.get("test_tensor"), at + "test_tensor");
                String testSource = test.isEmpty() ? null : Rdf.string(test, "source", at + "test_tensor.", null);
                String testSha = test.isEmpty() ? null : Rdf.string(test, "sha256", at + "test_tensor.", "");
                (io == 0 ? inputs : outputs).add(new Tensor(id, List.copyOf(axes), dataType, List.copyOf(ops),
                        testSource, testSha == null || testSha.isEmpty() ? null : testSha));
            }
        }
        Tolerance tolerance = DEFAULT_TOLERANCE;
        Map<String, Object> bio = Rdf.optionalMap(Rdf.optionalMap(rdf, "config", w), "bioimageio", w + "config.");
        List<?> tolerances = Rdf.optionalList(bio, "reproducibility_tolerance", w + "config.bioimageio.");
        for (Object o : tolerances) {
            Map<String, Object> t = Rdf.map(o, w + "config.bioimageio.reproducibility_tolerance");
            List<?> formats = Rdf.optionalList(t, "weights_formats", w);
            List<?> ids = Rdf.optionalList(t, "output_ids", w);
            if ((formats.isEmpty() || formats.contains("onnx")) && (ids.isEmpty() || ids.contains(outputs.get(0).id()))) {
                String f = w + "config.bioimageio.reproducibility_tolerance.";
                tolerance = new Tolerance(
                        t.containsKey("relative_tolerance") ? Rdf.number(t.get("relative_tolerance"), f + "relative_tolerance") : 1e-3,
                        t.containsKey("absolute_tolerance") ? Rdf.number(t.get("absolute_tolerance"), f + "absolute_tolerance") : 1e-4,
                        t.containsKey("mismatched_elements_per_million")
                                ? Rdf.number(t.get("mismatched_elements_per_million"), f + "mismatched_elements_per_million") : 100,
                        "the package's config.bioimageio.reproducibility_tolerance");
                break;
            }
        }
        return new Description(version, Rdf.string(rdf, "id", w, ""), Rdf.string(rdf, "name", w, "bioimageio model"),
                Rdf.string(rdf, "description", w, ""), Rdf.string(rdf, "license", w, ""), List.copyOf(inputs),
                List.copyOf(outputs), weights(rdf, w), tolerance, preferredTile(rdf, w),
                tessera(rdf, w, "instances"));
    }

    /**
     * The tile a Tessera export recorded under {@code config.tessera.tile} (axis id -> size): the importer takes
     * it where the sizes allow it, so that a re-imported model tiles as the original did.
     */
    /** A block a Tessera export wrote under {@code config.tessera} (empty when absent). */
    private static Map<String, Object> tessera(Map<String, Object> rdf, String w, String key) {
        Map<String, Object> tessera = Rdf.optionalMap(Rdf.optionalMap(rdf, "config", w), "tessera", w + "config.");
        return Rdf.optionalMap(tessera, key, w + "config.tessera.");
    }

    private static Map<String, Integer> preferredTile(Map<String, Object> rdf, String w) {
        Map<String, Object> tessera = Rdf.optionalMap(Rdf.optionalMap(rdf, "config", w), "tessera", w + "config.");
        Map<String, Integer> tile = new LinkedHashMap<>();
        for (Map.Entry<String, Object> e : Rdf.optionalMap(tessera, "tile", w + "config.tessera.").entrySet())
            tile.put(e.getKey(), Rdf.integer(e.getValue(), w + "config.tessera.tile." + e.getKey()));
        return tile;
    }

    private static Axis axis05(Map<String, Object> a, String at) {
        String type = Rdf.string(a, "type", at, null);
        String defaultId = switch (type) {
            case "batch", "channel", "index", "time" -> type;
            case "space" -> "x";
            default -> throw new InvalidInputException(at + "type '" + type + "' is not an axis type; use batch, "
                    + "channel, index, time or space");
        };
        String id = Rdf.string(a, "id", at, defaultId);
        double scale = a.containsKey("scale") ? Rdf.number(a.get("scale"), at + "scale") : 1;
        int halo = a.containsKey("halo") ? Rdf.integer(a.get("halo"), at + "halo") : 0;
        List<String> names = null;
        Size size;
        if (type.equals("batch")) {
            size = a.get("size") == null ? null : Size.of(Rdf.integer(a.get("size"), at + "size"));
        } else if (type.equals("channel")) {
            Object cn = a.get("channel_names");
            if (cn instanceof List<?> l) {
                names = l.stream().map(String::valueOf).toList();
                size = Size.of(names.size());
            } else if (a.get("size") != null) {
                size = size05(a.get("size"), at + "size");
            } else
                throw new InvalidInputException(at + "channel_names is missing; a channel axis lists its channels");
        } else {
            size = size05(a.get("size"), at + "size");
        }
        return new Axis(type, id, size, halo, names, scale);
    }

    private static Size size05(Object value, String at) {
        if (value == null)
            throw new InvalidInputException(at + " is missing");
        if (!(value instanceof Map<?, ?>))
            return Size.of(Rdf.integer(value, at));
        Map<String, Object> m = Rdf.map(value, at);
        if (m.containsKey("min"))
            return new Size(null, Rdf.integer(m.get("min"), at + ".min"),
                    m.containsKey("step") ? Rdf.integer(m.get("step"), at + ".step") : 0, null, null, 1, 0);
        if (m.containsKey("tensor_id") || m.containsKey("axis_id"))
            return new Size(null, null, null, Rdf.string(m, "tensor_id", at + ".", null), Rdf.string(m, "axis_id", at + ".", null),
                    Double.NaN, m.containsKey("offset") ? Rdf.integer(m.get("offset"), at + ".offset") : 0);
        throw new InvalidInputException(at + " must be a number, {min, step} or {tensor_id, axis_id, offset}, not " + m);
    }

    // 0.4 -----------------------------------------------------------------------------------------------------

    private static String letterId(char c, String at) {
        return switch (c) {
            case 'b' -> "batch";
            case 'c' -> "channel";
            case 'i' -> "index";
            case 't' -> "time";
            case 'x', 'y', 'z' -> String.valueOf(c);
            default -> throw new InvalidInputException(at + "axes has '" + c + "'; 0.4 axes are letters of bitczyx");
        };
    }

    private static String letterType(char c) {
        return switch (c) {
            case 'b' -> "batch";
            case 'c' -> "channel";
            case 'i' -> "index";
            case 't' -> "time";
            default -> "space";
        };
    }

    private static Description parse04(Map<String, Object> rdf, String version, String w) {
        List<Tensor> inputs = new ArrayList<>(), outputs = new ArrayList<>();
        for (int io = 0; io < 2; io++) {
            String key = io == 0 ? "inputs" : "outputs";
            List<?> tensors = Rdf.list(rdf.get(key), w + key);
            List<?> tests = Rdf.optionalList(rdf, io == 0 ? "test_inputs" : "test_outputs", w);
            for (int i = 0; i < tensors.size(); i++) {
                String at = w + key + "[" + i + "].";
                Map<String, Object> t = Rdf.map(tensors.get(i), at);
                String name = Rdf.string(t, "name", at, null);
                String letters = Rdf.string(t, "axes", at, null);
                Object shape = t.get("shape");
                if (shape == null)
                    throw new InvalidInputException(at + "shape is missing");
                List<?> halo = Rdf.optionalList(t, "halo", at);
                if (!halo.isEmpty() && halo.size() != letters.length())
                    throw new InvalidInputException(at + "halo " + halo + " has " + halo.size() + " entries for the "
                            + letters.length() + " axes '" + letters + "'");
                List<Axis> axes = new ArrayList<>();
                for (int a = 0; a < letters.length(); a++) {
                    char c = letters.charAt(a);
                    Size size = size04(shape, a, letters, c, at + "shape");
                    axes.add(new Axis(letterType(c), letterId(c, at), size,
                            halo.isEmpty() ? 0 : Rdf.integer(halo.get(a), at + "halo[" + a + "]"), null, 1));
                }
                List<Op> ops = new ArrayList<>();
                String opsKey = io == 0 ? "preprocessing" : "postprocessing";
                List<?> opList = Rdf.optionalList(t, opsKey, at);
                for (int p = 0; p < opList.size(); p++) {
                    String pat = at + opsKey + "[" + p + "].";
                    Map<String, Object> op = Rdf.map(opList.get(p), pat);
                    Map<String, Object> kwargs = new LinkedHashMap<>(Rdf.optionalMap(op, "kwargs", pat));
                    if (kwargs.get("axes") instanceof String s) {
                        List<String> ids = new ArrayList<>();
                        for (char c : s.toCharArray())
                            ids.add(letterId(c, pat + "kwargs."));
                        kwargs.put("axes", ids);
                    }
                    ops.add(new Op(Rdf.string(op, "name", pat, null), kwargs));
                }
                String test = i < tests.size() ? String.valueOf(tests.get(i)) : null;
                (io == 0 ? inputs : outputs).add(new Tensor(name, List.copyOf(axes),
                        Rdf.string(t, "data_type", at, "float32"), List.copyOf(ops), test, null));
            }
        }
        return new Description(version, Rdf.string(rdf, "id", w, ""), Rdf.string(rdf, "name", w, "bioimageio model"),
                Rdf.string(rdf, "description", w, ""), Rdf.string(rdf, "license", w, ""), List.copyOf(inputs),
                List.copyOf(outputs), weights(rdf, w), DEFAULT_TOLERANCE, preferredTile(rdf, w),
                tessera(rdf, w, "instances"));
    }

    private static Size size04(Object shape, int a, String letters, char c, String at) {
        if (shape instanceof List<?> l) {
            if (l.size() != letters.length())
                throw new InvalidInputException(at + " " + l + " has " + l.size() + " entries for the axes '" + letters + "'");
            return Size.of(Rdf.integer(l.get(a), at + "[" + a + "]"));
        }
        Map<String, Object> m = Rdf.map(shape, at);
        if (m.containsKey("min")) {
            List<?> min = Rdf.list(m.get("min"), at + ".min"), step = Rdf.list(m.get("step"), at + ".step");
            if (min.size() != letters.length() || step.size() != letters.length())
                throw new InvalidInputException(at + " min " + min + " and step " + step + " need one entry per axis of '" + letters + "'");
            int mn = Rdf.integer(min.get(a), at + ".min[" + a + "]"), st = Rdf.integer(step.get(a), at + ".step[" + a + "]");
            return st == 0 ? Size.of(mn) : new Size(null, mn, st, null, null, 1, 0);
        }
        String ref = Rdf.string(m, "reference_tensor", at + ".", null);
        List<?> scale = Rdf.list(m.get("scale"), at + ".scale");
        List<?> offset = m.get("offset") == null ? null : Rdf.list(m.get("offset"), at + ".offset");
        if (scale.size() != letters.length() || (offset != null && offset.size() != letters.length()))
            throw new InvalidInputException(at + " scale " + scale + " and offset " + offset + " need one entry per axis of '" + letters + "'");
        double s = Rdf.number(scale.get(a), at + ".scale[" + a + "]");
        double o = offset == null ? 0 : Rdf.number(offset.get(a), at + ".offset[" + a + "]");
        if (2 * o != Math.rint(2 * o))
            throw new InvalidInputException(at + ".offset[" + a + "] " + o + " must be a multiple of 0.5");
        // 0.4: output size = reference size * scale + 2 * offset
        if (s == 0)
            return Size.of((int) (2 * o));
        return new Size(null, null, null, ref, letterId(c, at), s, (int) Math.rint(2 * o));
    }

    // weights -------------------------------------------------------------------------------------------------

    private static Map<String, Weights> weights(Map<String, Object> rdf, String w) {
        Map<String, Weights> all = new LinkedHashMap<>();
        Map<String, Object> weights = Rdf.map(rdf.get("weights"), w + "weights");
        for (Map.Entry<String, Object> e : weights.entrySet()) {
            if (e.getValue() == null)
                continue;
            String at = w + "weights." + e.getKey() + ".";
            Map<String, Object> m = Rdf.map(e.getValue(), at);
            String sha = Rdf.string(m, "sha256", at, "");
            all.put(e.getKey(), new Weights(e.getKey(), Rdf.string(m, "source", at, null), sha.isEmpty() ? null : sha,
                    m.get("opset_version") == null ? null : Rdf.integer(m.get("opset_version"), at + "opset_version")));
        }
        if (all.isEmpty())
            throw new InvalidInputException(w + "weights lists no weights");
        return all;
    }
}
