package org.tessera.volume.classic;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import net.imglib2.type.numeric.IntegerType;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Volume;
import org.tessera.volume.classic.ClassicMethod.Parameter;

/**
 * A classic method with its parameters read and checked: segments volumes into labels (and, for the
 * watershed, instances) with the input's geometry. The method's classes, darkest first, become labels
 * through {@code order}; so one method serves data sets whose objects are bright (nuclei) or dark (membranes).
 */
public final class ClassicSegmentation {

    /** Labels 0..n-1 and, when the method separates objects, instance labels 1..m (else null). */
    public record Result(Volume labels, Volume instances) {}

    private final String id;
    private final ClassicMethod.Prepared prepared;
    private final int[] labelOfClass;
    private final List<String> names;

    private ClassicSegmentation(String id, ClassicMethod.Prepared prepared, int[] labelOfClass, List<String> names) {
        this.id = id;
        this.prepared = prepared;
        this.labelOfClass = labelOfClass;
        this.names = names;
    }

    /**
     * @param id         e.g. "classic:kmeans"
     * @param parameters key=value parameters
     * @throws InvalidInputException for an unknown method or parameter, or a bad value, naming it and what works
     */
    public static ClassicSegmentation configure(String id, Map<String, String> parameters) {
        ClassicMethod method = ClassicMethods.get(id);
        String fullId = ClassicMethods.PREFIX + method.name();
        Parameters p = new Parameters(fullId, parameters);
        Set<String> known = new HashSet<>();
        List<String> knownList = new ArrayList<>();
        for (List<Parameter> list : List.of(method.parameters(), ClassicMethods.COMMON))
            for (Parameter q : list) {
                known.add(q.name());
                knownList.add(q.name());
            }
        for (String key : p.values().keySet())
            if (!known.contains(key))
                throw new InvalidInputException(fullId + " has no parameter '" + key + "'; its parameters are "
                        + String.join(", ", knownList) + " ('tessera models --card " + fullId + "' explains them)");
        ClassicMethod.Prepared prepared = method.prepare(p);
        int[] labelOfClass = order(p, prepared.classes());
        return new ClassicSegmentation(fullId, prepared, labelOfClass, names(p, labelOfClass, prepared.classes()));
    }

    /** The label each class gets (classes darkest first). */
    private static int[] order(Parameters p, int classes) {
        String text = p.text("order", "dark-to-bright");
        int[] labels = new int[classes];
        if (text.equalsIgnoreCase("dark-to-bright") || text.equalsIgnoreCase("bright-to-dark")) {
            boolean reversed = text.equalsIgnoreCase("bright-to-dark");
            for (int c = 0; c < classes; c++)
                labels[c] = reversed ? classes - 1 - c : c;
            return labels;
        }
        String hint = "dark-to-bright, bright-to-dark, or " + classes + " labels (0-255) separated by commas, one per "
                + "class from darkest to brightest, e.g. " + example(classes);
        String[] parts = text.split(",");
        int[] listed = new int[parts.length];
        for (int c = 0; c < parts.length; c++) {
            try {
                listed[c] = Integer.parseInt(parts[c].strip());
            } catch (NumberFormatException e) {
                throw p.bad("order", text, "is not understood; give " + hint);
            }
            if (listed[c] < 0 || listed[c] > 255)
                throw p.bad("order", text, "has a label outside 0-255; give " + hint);
        }
        if (listed.length != classes)
            throw p.bad("order", text, "has " + listed.length + " label" + (listed.length == 1 ? "" : "s") + " but the "
                    + "method makes " + classes + " classes; give " + hint);
        System.arraycopy(listed, 0, labels, 0, classes);
        return labels;
    }

    private static String example(int classes) {
        StringBuilder s = new StringBuilder();
        for (int c = classes - 1; c >= 0; c--)
            s.append(s.length() == 0 ? "" : ",").append(c);
        return s.toString();
    }

    private static List<String> names(Parameters p, int[] labelOfClass, int classes) {
        int labels = Arrays.stream(labelOfClass).max().orElse(0) + 1;
        if (p.has("names")) {
            List<String> given = Arrays.stream(p.text("names", "").split(",")).map(String::strip).toList();
            if (given.size() != labels || given.stream().anyMatch(String::isEmpty))
                throw p.bad("names", p.text("names", ""), "gives " + given.size() + " name" + (given.size() == 1 ? "" : "s")
                        + " but there are " + labels + " labels (0.." + (labels - 1) + "); give one name per label, "
                        + "separated by commas");
            return given;
        }
        List<String> names = new ArrayList<>();
        for (int l = 0; l < labels; l++) {
            StringBuilder s = new StringBuilder();
            for (int c = 0; c < classes; c++)
                if (labelOfClass[c] == l)
                    s.append(s.length() == 0 ? "" : "+").append(className(c, classes));
            names.add(s.length() == 0 ? "unused-" + l : s.toString());
        }
        return names;
    }

    /** "dark"/"bright" for two classes, else "level-0" (darkest) ... */
    private static String className(int c, int classes) {
        return classes == 2 ? (c == 0 ? "dark" : "bright") : "level-" + c;
    }

    public String id() { return id; }

    /** Names of the labels 0, 1, ... */
    public List<String> classes() { return names; }

    /** Whether {@link #segment} returns instance labels too. */
    public boolean instances() { return prepared.instances(); }

    /** Segments a single-channel 2D or 3D volume. */
    public Result segment(Volume volume) {
        if (volume.channels() != 1)
            throw new InvalidInputException(id + " segments one channel; the image has " + volume.channels()
                    + ". Split the channels (or pick one) first");
        Grid grid = Grid.of(volume.image(), volume.spacing());
        float[] values = grid.read(volume.image());
        boolean integers = volume.image().getType() instanceof IntegerType;
        ClassicMethod.Segmentation s = prepared.run(grid, values, integers);
        byte[] labels = new byte[s.classes().length];
        for (int i = 0; i < labels.length; i++)
            labels[i] = (byte) labelOfClass[s.classes()[i]];
        Volume instances = null;
        if (s.instances() != null) {
            int max = Components.count(s.instances());
            if (max > 65535)
                throw new InvalidInputException(id + " found " + max + " objects, more than a 16-bit instance image "
                        + "holds; raise h or sigma to merge markers");
            short[] shorts = new short[s.instances().length];
            for (int i = 0; i < shorts.length; i++)
                shorts[i] = (short) s.instances()[i];
            instances = volume.withImage(grid.shorts(shorts), false);
        }
        return new Result(volume.withImage(grid.bytes(labels), false), instances);
    }
}
