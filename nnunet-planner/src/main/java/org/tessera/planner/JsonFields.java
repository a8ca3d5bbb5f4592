package org.tessera.planner;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import org.tessera.volume.InvalidInputException;
import org.tessera.volume.io.AtomicFiles;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reading typed fields out of nnU-Net's JSON files, with messages that name the file and the field. */
final class JsonFields {

    static final ObjectMapper MAPPER = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private JsonFields() {
    }

    static JsonNode parse(String json, String source) {
        try {
            JsonNode root = MAPPER.readTree(json);
            if (root == null || !root.isObject()) {
                throw new InvalidInputException(source + " is not a JSON object: expected a file that starts with '{'.");
            }
            return root;
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new InvalidInputException(source + " is not valid JSON: " + e.getOriginalMessage(), e);
        }
    }

    static JsonNode read(Path file) {
        if (!Files.isRegularFile(file)) {
            throw new InvalidInputException("File not found: " + file + ".");
        }
        try {
            return parse(Files.readString(file, StandardCharsets.UTF_8), file.toString());
        } catch (IOException e) {
            throw new InvalidInputException("Cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    static void write(Path file, JsonNode node) {
        try {
            String json = MAPPER.writeValueAsString(node);
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            AtomicFiles.replace(file, temporary -> Files.writeString(temporary, json, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new InvalidInputException("Cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    static String toJson(JsonNode node) {
        try {
            return MAPPER.writeValueAsString(node);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static JsonNode required(JsonNode parent, String field, String where) {
        JsonNode n = parent.get(field);
        if (n == null || n.isNull()) {
            throw new InvalidInputException(where + ": the field \"" + field + "\" is missing.");
        }
        return n;
    }

    static ArrayNode array(JsonNode parent, String field, String where) {
        JsonNode n = required(parent, field, where);
        if (!n.isArray()) {
            throw new InvalidInputException(where + ": \"" + field + "\" must be a list, found " + n.getNodeType() + ".");
        }
        return (ArrayNode) n;
    }

    static double number(JsonNode n, String what) {
        if (n == null || !n.isNumber()) {
            throw new InvalidInputException(what + " must be a number, found " + (n == null ? "nothing" : n.toString()) + ".");
        }
        double v = n.doubleValue();
        if (!Double.isFinite(v)) { // 1e400 parses to infinity, which no JSON file can hold when written back
            throw new InvalidInputException(what + " must be a finite number, found " + n.asText() + ".");
        }
        return v;
    }

    static int integer(JsonNode n, String what) {
        double v = number(n, what);
        if (v != Math.rint(v) || Math.abs(v) > Integer.MAX_VALUE) {
            throw new InvalidInputException(what + " must be a whole number, found " + n + ".");
        }
        return (int) v;
    }

    static String text(JsonNode parent, String field, String where) {
        JsonNode n = required(parent, field, where);
        if (!n.isTextual()) {
            throw new InvalidInputException(where + ": \"" + field + "\" must be a string, found " + n + ".");
        }
        return n.asText();
    }

    static String optText(JsonNode parent, String field) {
        JsonNode n = parent.get(field);
        return n == null || n.isNull() ? null : n.asText();
    }

    static double[] doubles(JsonNode arr, String what) {
        if (arr == null || !arr.isArray()) {
            throw new InvalidInputException(what + " must be a list of numbers, found " + arr + ".");
        }
        double[] out = new double[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = number(arr.get(i), what + "[" + i + "]");
        }
        return out;
    }

    static int[] ints(JsonNode arr, String what) {
        if (arr == null || !arr.isArray()) {
            throw new InvalidInputException(what + " must be a list of whole numbers, found " + arr + ".");
        }
        int[] out = new int[arr.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = integer(arr.get(i), what + "[" + i + "]");
        }
        return out;
    }

    static int[][] intMatrix(JsonNode arr, String what) {
        if (arr == null || !arr.isArray()) {
            throw new InvalidInputException(what + " must be a list of lists of whole numbers, found " + arr + ".");
        }
        int[][] out = new int[arr.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = ints(arr.get(i), what + "[" + i + "]");
        }
        return out;
    }

    static ArrayNode toArray(double[] v) {
        ArrayNode a = MAPPER.createArrayNode();
        for (double d : v) {
            a.add(d);
        }
        return a;
    }

    static ArrayNode toArray(int[] v) {
        ArrayNode a = MAPPER.createArrayNode();
        for (int d : v) {
            a.add(d);
        }
        return a;
    }

    static ArrayNode toArray(int[][] v) {
        ArrayNode a = MAPPER.createArrayNode();
        for (int[] row : v) {
            a.add(toArray(row));
        }
        return a;
    }
}
