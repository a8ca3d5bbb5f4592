package org.tessera.service;

import java.util.Map;
import java.util.Set;

import org.tessera.volume.InvalidInputException;

/**
 * What the user asked of an import besides the source: the id to install under (null: the source's own
 * name) and options that only some importers take (for example {@code folds} and {@code checkpoint} for an
 * nnU-Net folder), by name without dashes.
 */
public record ImportRequest(String id, Map<String, String> options, boolean replace) {

    public ImportRequest {
        options = Map.copyOf(options);
        if (id != null && !id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,63}"))
            throw new InvalidInputException("--id '" + id + "' is not a usable model id; use letters, digits, "
                    + "'.', '_' and '-' (at most 64, starting with a letter or digit)");
    }

    public static ImportRequest of(String id) {
        return new ImportRequest(id, Map.of(), false);
    }

    /** @throws InvalidInputException when an option is given that {@code importer} does not take */
    public void requireOnly(String importer, Set<String> known) {
        for (String name : options.keySet())
            if (!known.contains(name))
                throw new InvalidInputException("--" + name + " does not apply to '" + importer + "' imports"
                        + (known.isEmpty() ? "" : "; it takes --" + String.join(", --", known.stream().sorted().toList())));
    }

    public String option(String name, String fallback) {
        return options.getOrDefault(name, fallback);
    }
}
