"""Reference answers from scikit-image and scipy for the classic methods' tests.

Arrays travel as raw little-endian files in numpy's C order of the (z, y, x) array, which is the flat order
of an imglib2 image (x fastest). Usage: classic_reference.py COMMAND SHAPE ARGS..., SHAPE as z,y,x (or y,x).
Scalar answers are printed, arrays written to the OUT path given.
"""
import sys

import numpy as np
from scipy import ndimage as ndi
from scipy.cluster.vq import kmeans2
from skimage import feature, filters, morphology, segmentation


def load(path, shape, dtype="<f4"):
    return np.fromfile(path, dtype=dtype).reshape(shape)


def save(array, path, dtype):
    np.ascontiguousarray(array, dtype=dtype).tofile(path)


def floats(text):
    return [float(v) for v in text.split(",")]


def main(argv):
    command, shape = argv[0], tuple(int(v) for v in argv[1].split(","))
    a = argv[2:]
    if command == "otsu":  # IMAGE integers(0/1) -> threshold
        image = load(a[0], shape)
        if a[1] == "1":
            image = np.rint(image).astype(np.int64)  # integer images get one bin per value
        print(repr(float(filters.threshold_otsu(image))))
    elif command == "multiotsu":  # IMAGE integers(0/1) CLASSES -> thresholds
        image = load(a[0], shape)
        if a[1] == "1":
            image = np.rint(image).astype(np.int64)
        print(",".join(repr(float(t)) for t in filters.threshold_multiotsu(image, classes=int(a[2]))))
    elif command == "kmeans":  # VALUES INITIAL_CENTRES ITERATIONS -> centres
        data = load(a[0], shape).astype(np.float64).reshape(-1, 1)
        init = np.array(floats(a[1])).reshape(-1, 1)
        centres, _ = kmeans2(data, init, minit="matrix", iter=int(a[2]))
        print(",".join(repr(float(c)) for c in centres.ravel()))
    elif command == "gaussian":  # IMAGE SIGMA_ZYX(voxels) OUT
        save(ndi.gaussian_filter(load(a[0], shape).astype(np.float64), floats(a[1]), mode="reflect", truncate=4.0),
             a[2], "<f4")
    elif command == "gradient":  # IMAGE SPACING_ZYX OUT -> magnitude
        grads = np.gradient(load(a[0], shape).astype(np.float64), *floats(a[1]))
        save(np.sqrt(sum(g * g for g in grads)), a[2], "<f4")
    elif command == "edt":  # MASK(u1) SPACING_ZYX OUT
        save(ndi.distance_transform_edt(load(a[0], shape, "u1") > 0, sampling=floats(a[1])), a[2], "<f4")
    elif command == "label":  # MASK(u1) CONNECTIVITY OUT
        structure = ndi.generate_binary_structure(len(shape), int(a[1]))
        save(ndi.label(load(a[0], shape, "u1") > 0, structure=structure)[0], a[2], "<i4")
    elif command == "fillholes":  # MASK(u1) OUT
        save(ndi.binary_fill_holes(load(a[0], shape, "u1") > 0), a[1], "u1")
    elif command == "reconstruct":  # SEED MASK OUT
        seed, mask = load(a[0], shape).astype(np.float64), load(a[1], shape).astype(np.float64)
        save(morphology.reconstruction(seed, mask, method="dilation"), a[2], "<f4")
    elif command == "maxima":  # IMAGE OUT
        save(morphology.local_maxima(load(a[0], shape), allow_borders=True), a[1], "u1")
    elif command == "watershed":  # SURFACE MARKERS(i4) MASK(u1 or -) OUT
        mask = None if a[2] == "-" else load(a[2], shape, "u1") > 0
        labels = segmentation.watershed(load(a[0], shape).astype(np.float64), load(a[1], shape, "<i4"),
                                        connectivity=1, mask=mask)
        save(labels, a[3], "<i4")
    elif command == "flood":  # IMAGE SEED_ZYX TOLERANCE OUT
        seed = tuple(int(v) for v in a[1].split(","))
        save(segmentation.flood(load(a[0], shape), seed, tolerance=float(a[2]), connectivity=1), a[3], "u1")
    elif command == "canny":  # IMAGE SIGMA LOW HIGH OUT
        edges = feature.canny(load(a[0], shape).astype(np.float64), sigma=float(a[1]), low_threshold=float(a[2]),
                              high_threshold=float(a[3]))
        save(edges, a[4], "u1")
    else:
        sys.exit("unknown command " + command)


if __name__ == "__main__":
    main(sys.argv[1:])
