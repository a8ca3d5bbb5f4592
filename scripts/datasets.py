"""Loaders for the labelled sets beside the project, with fixed held-out splits.

Every loader returns (train, held_out), each a list of (case_name, image, label) with the image
already normalized over the WHOLE image (as the card's normalization says) and label an int64
class map. Nothing here is copied into the project; the data folder is an argument.
"""
import glob
import os

import numpy as np


def percentile_normalize(img, lower=1.0, upper=99.8):
    img = img.astype(np.float32)
    lo, hi = np.percentile(img, [lower, upper])
    return ((img - lo) / max(hi - lo, 1e-6)).astype(np.float32)


def _png(path):
    from PIL import Image
    return np.array(Image.open(path))


def em_membranes_2d(root):
    # ISBI 2012: label 0 = membrane, 255 = cell interior -> classes ["membrane", "cell"].
    folder = os.path.join(root, "em-membranes-2d")
    train, held = [], []
    for i in range(24):
        name = "%02d" % i
        img = percentile_normalize(_png(os.path.join(folder, "images", name + ".png")))
        lab = (_png(os.path.join(folder, "labels", name + ".png")) > 127).astype(np.int64)
        (held if i >= 20 else train).append((name, img, lab))
    return train, held


def nuclei_2d(root):
    # The last 10 ids in sorted order are held out.
    folder = os.path.join(root, "nuclei-2d")
    ids = sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(folder, "images", "*.png")))
    cases = []
    for i in ids:
        img = _png(os.path.join(folder, "images", i + ".png"))
        if img.ndim == 3:
            img = img[..., :3].mean(-1)
        lab = (_png(os.path.join(folder, "masks_binary", i + ".png")) > 127).astype(np.int64)
        cases.append((i, percentile_normalize(img), lab))
    return cases[:-10], cases[-10:]


def nuclei_3d(root):
    # Two stacks only: train on the 16-cell stack (more nuclei), hold out the 8-cell stack.
    import tifffile
    folder = os.path.join(root, "nuclei-3d")
    out = {}
    for name in ("16_cell_stage", "8_cell_stage"):
        img = tifffile.imread(os.path.join(folder, "images", name + ".tif"))
        lab = (tifffile.imread(os.path.join(folder, "masks", name + ".tif")) > 127).astype(np.int64)
        out[name] = (name, percentile_normalize(img), lab)
    return [out["16_cell_stage"]], [out["8_cell_stage"]]


AXON_MYELIN_HELD_OUT = "sub-rat2_sample-data5"


def axon_myelin_2d(root):
    # Classes [background, myelin, axon] from two 0/255 masks (a few anti-aliased values: > 127 counts).
    # The one image of rat 2 is held out; the four of rat 3 (data9, data10, data11 runs 1 and 2) train.
    folder = os.path.join(root, "axon-myelin-2d")
    train, held = [], []
    for path in sorted(glob.glob(os.path.join(folder, "sub-*", "**", "*_SEM.png"), recursive=True)):
        name = os.path.basename(path)[:-len("_SEM.png")]
        sub = os.path.relpath(os.path.dirname(path), folder)
        labels = os.path.join(folder, "derivatives", "labels", sub, name + "_SEM_seg-%s-manual.png")
        if not os.path.exists(labels % "axon"):
            continue
        lab = np.zeros(_png(path).shape[:2], np.int64)
        lab[_png(labels % "myelin") > 127] = 1
        lab[_png(labels % "axon") > 127] = 2
        case = (name, percentile_normalize(_png(path)), lab)
        (held if name == AXON_MYELIN_HELD_OUT else train).append(case)
    return train, held


def spleen_ct_3d(root):
    # One CT volume: z slices 0-12 train, 13-25 held out (same patient: an optimistic test). Each slab is
    # normalized on its own, as Tessera normalizes whatever volume it is given.
    import nibabel as nib
    folder = os.path.join(root, "spleen-ct-3d")
    img = np.asarray(nib.load(os.path.join(folder, "image.nii.gz")).dataobj, np.float32).transpose(2, 1, 0)
    lab = (np.asarray(nib.load(os.path.join(folder, "label.nii.gz")).dataobj) > 0.5).astype(np.int64).transpose(2, 1, 0)
    return ([("spleen2_z00-12", percentile_normalize(img[:13]), lab[:13])],
            [("spleen2_z13-25", percentile_normalize(img[13:]), lab[13:])])


LOADERS = {"em-membranes-2d": em_membranes_2d, "nuclei-2d": nuclei_2d, "nuclei-3d": nuclei_3d,
           "axon-myelin-2d": axon_myelin_2d, "spleen-ct-3d": spleen_ct_3d}
