package org.tessera.volume.instances;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.tessera.volume.InvalidInputException;

/**
 * How probability maps become objects ({@link InstanceLabels}): the thresholds of the foreground
 * (P(interior) + P(boundary)) and of the seeds (P(interior)), the smallest seed and object kept, in voxels, and
 * whether holes are filled. A model card's {@code instances} block gives them; a run may override each by name.
 */
public record InstanceParameters(double seedThreshold, double foregroundThreshold, int minSeedArea, int minArea,
        boolean fillHoles) {

    public static final InstanceParameters DEFAULTS = new InstanceParameters(0.5, 0.5, 4, 12, true);

    /** The names, as card fields and as overrides take them (overrides in any case). */
    public static final List<String> KEYS = List.of("seedThreshold", "foregroundThreshold", "minSeedArea", "minArea",
            "fillHoles");

    /** What is wrong with these values, naming the field and what works, or null when nothing is. */
    public String problem() {
        if (!(seedThreshold >= 0 && seedThreshold <= 1))
            return "seedThreshold " + seedThreshold + " must be a probability between 0 and 1";
        if (!(foregroundThreshold >= 0 && foregroundThreshold <= 2))
            return "foregroundThreshold " + foregroundThreshold + " must be between 0 and 2 (it bounds P(interior) + "
                    + "P(boundary); 0.5 is usual)";
        if (minSeedArea < 0 || minArea < 0)
            return "minSeedArea and minArea count voxels: give whole numbers >= 0, not " + minSeedArea + " and "
                    + minArea;
        return null;
    }

    /**
     * These parameters with some replaced, e.g. {@code {"minArea": "20"}}.
     *
     * @throws InvalidInputException for an unknown name or a bad value, naming it and what works
     */
    public InstanceParameters with(Map<String, String> overrides) {
        double seed = seedThreshold, foreground = foregroundThreshold;
        int minSeed = minSeedArea, min = minArea;
        boolean fill = fillHoles;
        for (Map.Entry<String, String> e : overrides.entrySet()) {
            String key = key(e.getKey()), value = e.getValue().strip();
            switch (key) {
                case "seedThreshold" -> seed = number(key, value);
                case "foregroundThreshold" -> foreground = number(key, value);
                case "minSeedArea" -> minSeed = count(key, value);
                case "minArea" -> min = count(key, value);
                default -> fill = bool(key, value);
            }
        }
        InstanceParameters p = new InstanceParameters(seed, foreground, minSeed, min, fill);
        if (p.problem() != null)
            throw new InvalidInputException("Instance parameter " + p.problem());
        return p;
    }

    /** Refuses unknown names and bad values without an image (the faces check their words with it). */
    public static void check(Map<String, String> overrides) {
        DEFAULTS.with(overrides);
    }

    /** The values by name, for records of what made an output. */
    public Map<String, Object> asMap() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("seedThreshold", seedThreshold);
        m.put("foregroundThreshold", foregroundThreshold);
        m.put("minSeedArea", minSeedArea);
        m.put("minArea", minArea);
        m.put("fillHoles", fillHoles);
        return m;
    }

    private static String key(String given) {
        for (String k : KEYS)
            if (k.toLowerCase(Locale.ROOT).equals(given.strip().toLowerCase(Locale.ROOT)))
                return k;
        throw new InvalidInputException("Instance parameter '" + given + "' is not known; the instance parameters are "
                + String.join(", ", KEYS) + " (e.g. minArea=20)");
    }

    private static double number(String key, String value) {
        try {
            return Double.parseDouble(value);
        } catch (NumberFormatException e) {
            throw bad(key, value, "a number, e.g. 0.5");
        }
    }

    private static int count(String key, String value) {
        try {
            return Integer.parseInt(value);
        } catch (NumberFormatException e) {
            throw bad(key, value, "a whole number of voxels >= 0, e.g. 12");
        }
    }

    private static boolean bool(String key, String value) {
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false"))
            return Boolean.parseBoolean(value);
        throw bad(key, value, "true or false");
    }

    private static InvalidInputException bad(String key, String value, String works) {
        return new InvalidInputException("Instance parameter " + key + "='" + value + "' is not understood; give "
                + works);
    }
}
