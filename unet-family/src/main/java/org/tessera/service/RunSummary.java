package org.tessera.service;

import java.util.List;

/**
 * How a run ended.
 *
 * @param folder   whether the input was a folder (a single file's failure is thrown, not counted)
 * @param failures one line per failed input: its file name and the reason
 */
public record RunSummary(boolean folder, int done, int skipped, List<String> failures) {

    public RunSummary {
        failures = List.copyOf(failures);
    }

    public int failed() {
        return failures.size();
    }

    @Override
    public String toString() {
        return done + " segmented, " + skipped + " skipped (already done), " + failed() + " failed";
    }
}
