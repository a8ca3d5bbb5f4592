package org.tessera.volume.io;

import java.nio.file.Path;

import org.tessera.volume.InvalidInputException;

/** The one check, before a reader allocates, that Java has the memory an image needs. */
final class Memory {

    private Memory() {}

    /** Refuses when {@code needed} bytes (for {@code what}, e.g. "20 x 20 x 10 float32 voxels") exceed free memory. */
    static void require(Path file, long needed, String what) {
        Runtime rt = Runtime.getRuntime();
        long available = rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
        if (needed > available)
            throw new InvalidInputException(file + " needs " + (needed >> 20) + " MiB of memory for " + what
                    + " but Java has " + (available >> 20) + " MiB free. Give Java more memory (-Xmx, or Edit > Options"
                    + " > Memory in Fiji) or crop the image first.");
    }
}
