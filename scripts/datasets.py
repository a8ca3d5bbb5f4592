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


def instance_targets(inst, touch=2):
    """Classes [background, interior, boundary] from instance labels (0 background, 1..n objects).

    Boundary: the object pixels with background among their 8 neighbours (1 px against the background), and
    the object pixels within `touch` px (8-connected distance) of another object. Against the background the
    watershed in Java grows each seed to the foreground's edge anyway, so 1 px marks the edge; where two
    nuclei touch, 2 px on each side leaves a 4 px gap between their interiors, so the seeds (P(interior)
    above its threshold) of touching nuclei come apart rather than merge. An object so small that this leaves
    it no interior keeps as interior its pixels not next to another object, so it still gets a seed.
    """
    inst = inst.astype(np.int64)
    h, w = inst.shape
    pad = np.pad(inst, touch, mode="edge")  # outside the image counts as neither background nor another object
    near_bg = np.zeros(inst.shape, bool)
    near_other = np.zeros(inst.shape, bool)
    next_to_other = np.zeros(inst.shape, bool)
    for dy in range(-touch, touch + 1):
        for dx in range(-touch, touch + 1):
            if dy == 0 and dx == 0:
                continue
            q = pad[touch + dy:touch + dy + h, touch + dx:touch + dx + w]
            other = (q != 0) & (q != inst)
            near_other |= other
            if max(abs(dy), abs(dx)) == 1:
                near_bg |= q == 0
                next_to_other |= other
    obj = inst > 0
    boundary = obj & (near_bg | near_other)
    interior = obj & ~boundary
    has_interior = np.bincount(inst[interior], minlength=inst.max() + 1) > 0
    rescue = obj & ~has_interior[inst] & ~next_to_other
    interior |= rescue
    boundary &= ~rescue
    out = np.zeros(inst.shape, np.int64)
    out[interior] = 1
    out[boundary] = 2
    return out


def dsb_index(root, modalities=("fluorescence", "brightfield")):
    """nuclei-2d-dsb's index.csv rows (dicts) of the given modalities, in file order."""
    import csv
    with open(os.path.join(root, "nuclei-2d-dsb", "index.csv")) as f:
        return [r for r in csv.DictReader(f) if r["modality"] in modalities]


def dsb_case(root, case_id):
    """One nuclei-2d-dsb case: (percentile-normalized gray image, uint16 instance labels)."""
    folder = os.path.join(root, "nuclei-2d-dsb")
    img = _png(os.path.join(folder, "images", case_id + ".png"))
    if img.ndim == 3:
        img = img[..., :3].mean(-1)
    return percentile_normalize(img), _png(os.path.join(folder, "labels", case_id + ".png"))


def dsb_case_rgb(root, case_id):
    """One nuclei-2d-dsb case as colour: (channels-first RGB, each channel percentile-normalized, as Tessera
    normalizes each channel; uint16 instance labels). Gray images get their one channel three times."""
    folder = os.path.join(root, "nuclei-2d-dsb")
    img = _png(os.path.join(folder, "images", case_id + ".png"))
    img = np.repeat(img[None], 3, 0) if img.ndim == 2 else np.moveaxis(img[..., :3], -1, 0)
    rgb = np.stack([percentile_normalize(c) for c in img])
    return rgb, _png(os.path.join(folder, "labels", case_id + ".png"))


def nuclei_2d_dsb_he(root):
    # The histology (RGB, mostly H&E) and brightfield images of the set's own fixed split, as colour.
    train, held = [], []
    for row in dsb_index(root, ("histology", "brightfield")):
        img, inst = dsb_case_rgb(root, row["id"])
        (held if row["split"] == "validation" else train).append((row["id"], img, instance_targets(inst)))
    return train, held


def nuclei_2d_dsb(root):
    # The gray images (fluorescence and brightfield; the RGB histology is left out) of the set's own fixed
    # split: "train" trains, "validation" is held out. Targets: instance_targets.
    train, held = [], []
    for row in dsb_index(root):
        img, inst = dsb_case(root, row["id"])
        (held if row["split"] == "validation" else train).append((row["id"], img, instance_targets(inst)))
    return train, held


def extra_cases(folder, spacing):
    """Every NAME.nii.gz beside a NAME_truth.nii.gz in folder (what `tessera phantom` writes), as (name, image,
    label) in tensor order (z, y, x), percentile-normalized and resampled to spacing (tensor order, the preset's
    training spacing; linear for the image, nearest for the labels), as Tessera resamples at inference."""
    import nibabel
    from scipy import ndimage
    cases = []
    for path in sorted(glob.glob(os.path.join(folder, "*_truth.nii.gz"))):
        image_path = path[:-len("_truth.nii.gz")] + ".nii.gz"
        nii = nibabel.load(image_path)
        img = np.asarray(nii.dataobj, np.float32).T
        lab = np.asarray(nibabel.load(path).dataobj).T.astype(np.int64)
        factors = [s / t for s, t in zip(reversed(nii.header.get_zooms()[:img.ndim]), spacing)]
        img = ndimage.zoom(percentile_normalize(img), factors, order=1)
        lab = ndimage.zoom(lab, factors, order=0)
        cases.append((os.path.basename(image_path)[:-len(".nii.gz")], img.astype(np.float32), lab))
    if not cases:
        raise SystemExit("no NAME.nii.gz + NAME_truth.nii.gz pairs in %s" % folder)
    return cases


LOADERS = {"em-membranes-2d": em_membranes_2d, "nuclei-2d": nuclei_2d, "nuclei-3d": nuclei_3d,
           "axon-myelin-2d": axon_myelin_2d, "spleen-ct-3d": spleen_ct_3d,
           "nuclei-2d-dsb": nuclei_2d_dsb, "nuclei-2d-dsb-he": nuclei_2d_dsb_he}
