package org.tessera.service;

import java.nio.file.Path;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Progress;

/** What a face hears of a run: notes, each file's progress and how each file ended. */
public interface RunListener {

    /** A notable event of the core (CPU fallback, spacing warning, smaller tiles). */
    void note(String line);

    /** Where file {@code index} of {@code count} reports its progress; {@code label} names it for display. */
    default Progress progress(String label, int index, int count) {
        return Progress.NONE;
    }

    void done(String label, Session session, FileSegmentation.FileResult result);

    void skipped(String label, FileSegmentation.FileResult result);

    /** An input of a folder run that failed; the run goes on with the others. */
    void failed(String label, Path file, InvalidInputException error);
}
