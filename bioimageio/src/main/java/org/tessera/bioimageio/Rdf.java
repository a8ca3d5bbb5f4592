package org.tessera.bioimageio;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.tessera.volume.InvalidInputException;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.representer.Representer;

/**
 * A resource description file (rdf.yaml) as plain maps and lists, read with limits: a document over
 * {@value #MAX_BYTES} bytes, more than {@value #MAX_ALIASES} aliases to collections (the "billion laughs"
 * expansion), nesting deeper than {@value #MAX_DEPTH}, duplicate keys or YAML tags for Java objects are refused.
 */
final class Rdf {

    static final int MAX_BYTES = 1 << 20;
    static final int MAX_ALIASES = 50;
    static final int MAX_DEPTH = 64;

    private Rdf() {}

    static Map<String, Object> read(Path file) {
        return read(file, file.toString());
    }

    /** @param where how messages name the file (a zip's entry: the zip and the entry) */
    static Map<String, Object> read(Path file, String where) {
        long size;
        try {
            size = Files.size(file);
        } catch (IOException e) {
            throw new InvalidInputException("Cannot read " + where + ": " + e.getMessage(), e);
        }
        if (size > MAX_BYTES)
            throw new InvalidInputException(where + " is " + size + " bytes; a model description is a few kilobytes "
                    + "(at most " + MAX_BYTES + " bytes are read). Is it the right file?");
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), where);
        } catch (IOException e) {
            throw new InvalidInputException("Cannot read " + where + " as UTF-8 text: " + e.getMessage(), e);
        }
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> parse(String text, String where) {
        LoaderOptions options = new LoaderOptions();
        options.setMaxAliasesForCollections(MAX_ALIASES);
        options.setAllowRecursiveKeys(false);
        options.setAllowDuplicateKeys(false);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setCodePointLimit(MAX_BYTES);
        Yaml yaml = new Yaml(new SafeConstructor(options), new Representer(new DumperOptions()), new DumperOptions(),
                options);
        Object doc;
        try {
            doc = yaml.load(text);
        } catch (YAMLException e) {
            String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().lines().findFirst().orElse("");
            throw new InvalidInputException(where + " is not a YAML document Tessera accepts: " + why
                    + " (documents are limited to " + MAX_BYTES + " bytes, " + MAX_ALIASES + " aliases and "
                    + MAX_DEPTH + " levels)", e);
        }
        if (!(doc instanceof Map<?, ?> map))
            throw new InvalidInputException(where + " does not hold a model description (a YAML mapping with "
                    + "format_version, type: model, inputs, outputs and weights)");
        return (Map<String, Object>) map;
    }

    /** Writes maps, lists, strings and numbers as block-style YAML. */
    static String dump(Map<String, Object> rdf) {
        DumperOptions options = new DumperOptions();
        options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
        options.setIndicatorIndent(2);
        options.setIndentWithIndicator(true);
        options.setWidth(120);
        return new Yaml(options).dump(rdf);
    }

    // Typed access with messages that name the field ----------------------------------------------------------

    @SuppressWarnings("unchecked")
    static Map<String, Object> map(Object value, String field) {
        if (value instanceof Map<?, ?> m)
            return (Map<String, Object>) m;
        throw wrong(field, "a mapping", value);
    }

    static Map<String, Object> optionalMap(Map<String, Object> parent, String key, String where) {
        Object v = parent.get(key);
        return v == null ? Map.of() : map(v, where + key);
    }

    static List<?> list(Object value, String field) {
        if (value instanceof List<?> l)
            return l;
        throw wrong(field, "a list", value);
    }

    static List<?> optionalList(Map<String, Object> parent, String key, String where) {
        Object v = parent.get(key);
        return v == null ? List.of() : list(v, where + key);
    }

    static String string(Map<String, Object> parent, String key, String where, String fallback) {
        Object v = parent.get(key);
        if (v == null) {
            if (fallback == null)
                throw new InvalidInputException(where + key + " is missing");
            return fallback;
        }
        if (v instanceof String || v instanceof Number || v instanceof Boolean)
            return v.toString();
        throw wrong(where + key, "a text", v);
    }

    static double number(Object value, String field) {
        if (value instanceof Number n && !(value instanceof Boolean))
            return n.doubleValue();
        if (value instanceof String s && s.strip().matches("[-+]?(\\.inf|\\.Inf|inf)"))
            return s.strip().startsWith("-") ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        throw wrong(field, "a number", value);
    }

    static int integer(Object value, String field) {
        if (value instanceof Integer || value instanceof Long) {
            long v = ((Number) value).longValue();
            if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE)
                return (int) v;
        }
        throw wrong(field, "an integer", value);
    }

    static InvalidInputException wrong(String field, String expected, Object value) {
        String shown = String.valueOf(value);
        if (shown.length() > 80)
            shown = shown.substring(0, 80) + "...";
        return new InvalidInputException(field + " must be " + expected + ", not " + (value == null ? "empty" : shown));
    }
}
