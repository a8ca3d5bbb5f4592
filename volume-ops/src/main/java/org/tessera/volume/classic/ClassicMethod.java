package org.tessera.volume.classic;

import java.util.List;

/**
 * A classic (non-learning) segmentation method. Its parameters are read and checked first
 * ({@link #prepare}), so that a mistake is reported before any image is read; the prepared method then runs
 * on any 2D or 3D image and returns a class map whose classes are ordered by mean intensity, darkest first.
 * {@link ClassicMethods} maps that order onto a data set's classes.
 */
public interface ClassicMethod {

    /** The name after "classic:", e.g. "otsu". */
    String name();

    /** One line saying what the method does. */
    String summary();

    /** The method's own parameters (the class mapping ones are common to all, see {@link ClassicMethods}). */
    List<Parameter> parameters();

    /** @throws org.tessera.volume.InvalidInputException naming a bad parameter and what would work */
    Prepared prepare(Parameters parameters);

    /** A documented parameter: its name, its default (as text) and what it does. */
    record Parameter(String name, String fallback, String description) {}

    /** A method with its parameters read: how many classes it makes, and the function itself. */
    interface Prepared {

        int classes();

        /** Whether {@link #run} returns instance labels too (only when asked, e.g. the watershed's instances=true). */
        default boolean instances() { return false; }

        /**
         * @param grid     the image's shape and spacing
         * @param values   intensities in flat order (not changed)
         * @param integers whether the intensities are whole numbers (binning of histograms)
         */
        Segmentation run(Grid grid, float[] values, boolean integers);
    }

    /**
     * A class map (0..classes-1, darkest class first) and, for methods that separate objects, their instance
     * labels (0 outside any object, 1..n) or null.
     */
    record Segmentation(byte[] classes, int[] instances) {}
}
