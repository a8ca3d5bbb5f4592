package org.tessera.volume.classic;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.classic.ClassicMethod.Parameter;

/**
 * The classic methods by id ({@code classic:otsu}, ...), and the parameters every one of them takes: the
 * mapping of its intensity-ordered classes onto a data set's labels ({@code order}) and their names
 * ({@code names}).
 */
public final class ClassicMethods {

    public static final String PREFIX = "classic:";

    private static final List<ClassicMethod> ALL = List.of(Otsu.BINARY, Otsu.MULTI, KMeans.METHOD,
            RegionGrowing.METHOD, Watershed.METHOD, Edges.METHOD);

    /** Parameters common to all methods. */
    public static final List<Parameter> COMMON = List.of(
            new Parameter("order", "dark-to-bright", "the label of each class, the classes taken from darkest to "
                    + "brightest: dark-to-bright (labels 0, 1, ...), bright-to-dark (reversed), or a list such as "
                    + "1,0,2 (several classes may share a label, e.g. 0,1,0)"),
            new Parameter("names", "by intensity", "names of the labels 0, 1, ..., separated by commas, e.g. "
                    + "background,nucleus"));

    private ClassicMethods() {}

    public static List<ClassicMethod> all() {
        return ALL;
    }

    /** The ids, e.g. "classic:otsu". */
    public static List<String> ids() {
        return ALL.stream().map(m -> PREFIX + m.name()).toList();
    }

    public static boolean isClassic(String id) {
        return id != null && id.strip().toLowerCase(Locale.ROOT).startsWith(PREFIX);
    }

    /** @throws InvalidInputException for an unknown id, listing the classic methods */
    public static ClassicMethod get(String id) {
        String name = id.strip().toLowerCase(Locale.ROOT);
        if (name.startsWith(PREFIX))
            name = name.substring(PREFIX.length());
        for (ClassicMethod m : ALL)
            if (m.name().equals(name))
                return m;
        throw new InvalidInputException("Unknown classic method '" + id.strip() + "'. Classic methods: "
                + String.join(", ", ids()));
    }

    /** A method's description and parameters as readable lines. */
    public static String describe(ClassicMethod m) {
        StringBuilder s = new StringBuilder();
        s.append(PREFIX).append(m.name()).append(": ").append(m.summary()).append('\n');
        s.append("  2D and 3D, one channel; classes ordered by mean intensity, darkest first\n");
        s.append("  parameters (key=value):\n");
        List<Parameter> all = new ArrayList<>(m.parameters());
        all.addAll(COMMON);
        for (Parameter p : all)
            s.append("    ").append(p.name()).append(" (default ").append(p.fallback()).append("): ")
                    .append(p.description()).append('\n');
        return s.toString();
    }
}
