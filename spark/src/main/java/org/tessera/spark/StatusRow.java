package org.tessera.spark;

import java.io.Serializable;
import java.util.List;
import java.util.Locale;

/** How one input of a cohort ended: a row of {@code tessera-status.csv}. */
record StatusRow(String input, String output, String status, String message, double seconds, String executor)
        implements Serializable {

    static final String DONE = "done", SKIPPED = "skipped", FAILED = "failed";
    static final List<String> COLUMNS = List.of("input", "output", "status", "message", "seconds", "executor");

    String csv() {
        return String.join(",", quote(input), quote(output), status, quote(message),
                String.format(Locale.ROOT, "%.3f", seconds), quote(executor));
    }

    /** RFC 4180: a field with a comma, quote or line break is quoted, its quotes doubled. */
    static String quote(String field) {
        if (field == null)
            return "";
        return field.contains(",") || field.contains("\"") || field.contains("\n") || field.contains("\r")
                ? "\"" + field.replace("\"", "\"\"") + "\"" : field;
    }
}
