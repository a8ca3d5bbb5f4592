package org.tessera.volume.classic;

import org.tessera.volume.classic.ClassicMethod.Parameter;

/** Parameters and steps that several classic methods share. */
final class Shared {

    private Shared() {}

    static Parameter sigmaParameter(String fallback) {
        return new Parameter("sigma", fallback, "Gaussian smoothing first, standard deviation in the image's units "
                + "(spacing); auto = one voxel of the finest axis, 0 = none");
    }

    /** The smoothing parameter: a length >= 0, or NaN for "auto" (one voxel of the finest axis). */
    static double sigma(Parameters p, double fallback) {
        if (!p.has("sigma"))
            return fallback;
        return p.numberOrAuto("sigma", 0, 1e6, "a length >= 0 in the image's units (0 = no smoothing)");
    }

    static float[] smooth(Grid grid, float[] values, double sigma) {
        double s = Double.isNaN(sigma) ? grid.finestSpacing() : sigma;
        return s > 0 ? Filters.gaussian(grid, values, s) : values;
    }

    static Parameter objectsParameter(String what) {
        return new Parameter("objects", "bright", "whether the objects are bright or dark: " + what);
    }

    /** Whether the objects are dark (the methods then work on the negated intensities). */
    static boolean darkObjects(Parameters p) {
        return p.choice("objects", "bright", "bright", "dark").equals("dark");
    }

    /**
     * A two-class map from an object mask, ordered like every class map: the class of lower mean intensity
     * is 0. When either side is empty, bright objects are class 1 and dark ones class 0.
     */
    static byte[] twoClasses(boolean[] objects, float[] values, boolean darkObjects) {
        double in = 0, out = 0;
        long nIn = 0, nOut = 0;
        for (int i = 0; i < objects.length; i++)
            if (objects[i]) {
                in += values[i];
                nIn++;
            } else {
                out += values[i];
                nOut++;
            }
        boolean objectsBrighter = nIn > 0 && nOut > 0 ? in / nIn > out / nOut : !darkObjects;
        byte objectClass = (byte) (objectsBrighter ? 1 : 0);
        byte[] classes = new byte[objects.length];
        for (int i = 0; i < objects.length; i++)
            classes[i] = objects[i] ? objectClass : (byte) (1 - objectClass);
        return classes;
    }
}
