package org.tessera.volume.intensity;

import org.tessera.volume.InvalidInputException;
import org.tessera.volume.Volume;

import net.imglib2.RandomAccessibleInterval;
import net.imglib2.type.numeric.IntegerType;
import net.imglib2.type.numeric.RealType;
import net.imglib2.view.Views;

/**
 * NaN and infinite voxels: normalisation and networks turn one of them into a tile of garbage (or a failure deep
 * in the engine), so an input holding any is refused before segmenting, with the count and what would work.
 */
public final class NonFinite {

    private NonFinite() {}

    /** The number of NaN or infinite voxels; 0 for integer images without looking. */
    public static long count(RandomAccessibleInterval<? extends RealType<?>> image) {
        if (image.getType() instanceof IntegerType<?>)
            return 0;
        long n = 0;
        for (RealType<?> t : Views.flatIterable(image))
            if (!Double.isFinite(t.getRealDouble()))
                n++;
        return n;
    }

    /** @param source what the volume is, for the message: a file, or "Image 'blobs.tif'" */
    public static void require(Volume volume, String source) {
        long n = count(volume.image());
        if (n > 0)
            throw new InvalidInputException(source + " has " + n + " voxel(s) that are not finite numbers (NaN or"
                    + " infinity), of " + volume.image().size() + "; Tessera cannot segment them. Replace them with a"
                    + " number first: in Fiji, Process > Math > Remove NaNs... (and Process > Math > Min/Max for"
                    + " infinities), or in Python, numpy.nan_to_num.");
    }
}
