package org.tessera.volume.classic;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.tessera.volume.InvalidInputException;

/**
 * The {@code key=value} parameters of a classic method, with typed readers whose errors name the method,
 * the parameter and what would work. Keys are lower case; values are kept as written.
 */
public final class Parameters {

    private final String method;
    private final Map<String, String> values;

    /** @param method the method's id for messages, e.g. "classic:kmeans" */
    public Parameters(String method, Map<String, String> values) {
        this.method = method;
        Map<String, String> copy = new LinkedHashMap<>();
        values.forEach((k, v) -> copy.put(k.strip().toLowerCase(Locale.ROOT), v == null ? "" : v.strip()));
        this.values = Collections.unmodifiableMap(copy);
    }

    /**
     * Parses words such as {@code "k=3 order=bright-to-dark"} (separated by white space, each key=value).
     *
     * @throws InvalidInputException for a word without '=' or a key given twice
     */
    public static Map<String, String> parse(String text) {
        Map<String, String> map = new LinkedHashMap<>();
        if (text == null)
            return map;
        for (String word : text.strip().split("\\s+")) {
            if (word.isEmpty())
                continue;
            put(map, word);
        }
        return map;
    }

    /** Adds one {@code key=value} word to a map, refusing a malformed word or a repeated key. */
    public static void put(Map<String, String> map, String word) {
        int eq = word.indexOf('=');
        if (eq <= 0)
            throw new InvalidInputException("Parameter '" + word + "' is not of the form key=value, e.g. k=3");
        String key = word.substring(0, eq).strip().toLowerCase(Locale.ROOT);
        if (map.containsKey(key))
            throw new InvalidInputException("Parameter '" + key + "' is given twice; give it once");
        map.put(key, word.substring(eq + 1).strip());
    }

    public String method() { return method; }

    public Map<String, String> values() { return values; }

    public boolean has(String key) { return values.containsKey(key); }

    public String text(String key, String fallback) {
        return values.getOrDefault(key, fallback);
    }

    /** A number in [min, max]; {@code hint} says what the value means, for the message. */
    public double number(String key, double fallback, double min, double max, String hint) {
        String v = values.get(key);
        if (v == null)
            return fallback;
        double d;
        try {
            d = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw bad(key, v, "is not a number; give " + hint);
        }
        if (!(d >= min && d <= max))
            throw bad(key, v, "is out of range; give " + hint);
        return d;
    }

    /** A whole number in [min, max]. */
    public int integer(String key, int fallback, int min, int max, String hint) {
        String v = values.get(key);
        if (v == null)
            return fallback;
        int i;
        try {
            i = Integer.parseInt(v);
        } catch (NumberFormatException e) {
            throw bad(key, v, "is not a whole number; give " + hint);
        }
        if (i < min || i > max)
            throw bad(key, v, "is out of range; give " + hint);
        return i;
    }

    /** One of a fixed set of words (case-insensitive). */
    public String choice(String key, String fallback, String... options) {
        String v = values.get(key);
        if (v == null)
            return fallback;
        for (String o : options)
            if (o.equalsIgnoreCase(v))
                return o;
        throw bad(key, v, "is not known; use " + String.join(" or ", options));
    }

    /** "auto" (or absent) gives NaN; anything else must be a number in [min, max]. */
    public double numberOrAuto(String key, double min, double max, String hint) {
        String v = values.get(key);
        if (v == null || v.equalsIgnoreCase("auto"))
            return Double.NaN;
        return number(key, Double.NaN, min, max, hint + " or auto");
    }

    /** A list of numbers separated by commas. */
    public List<Double> numbers(String key, String hint) {
        String v = values.get(key);
        List<Double> out = new ArrayList<>();
        if (v == null)
            return out;
        for (String part : v.split(",")) {
            try {
                out.add(Double.parseDouble(part.strip()));
            } catch (NumberFormatException e) {
                throw bad(key, v, "is not understood; give " + hint);
            }
        }
        return out;
    }

    /** An error about one parameter's value, naming the method and what would work. */
    public InvalidInputException bad(String key, String value, String what) {
        return new InvalidInputException("Parameter " + key + "=" + value + " of " + method + " " + what);
    }
}
