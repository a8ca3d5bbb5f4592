"""Held-out Dice of the classic baselines on the real data sets, run through the command line.

Every method runs as a user would run it: `scripts/tessera segment -m classic:<method> --param ...` on the
held-out images of each data set (the same fixed splits as the shipped networks), and the label files it writes
are scored against the truth: Dice per class, pooled over all held-out voxels (as scripts/train.py scores the
networks), and the method's own time per image as the command line reports it (wall clock of the segmentation
alone, one thread, without reading and writing files).

The parameters are the fixed table PARAMS_TABLE below. They were chosen on the TRAINING cases only, never on the
held-out ones, with `--tune`: for every method it runs a small grid of settings on the training cases, and for
each setting the mapping of the method's intensity classes onto the data set's labels (the `order` parameter)
that scores best on the training cases; it prints the best setting per method as rows to paste into PARAMS_TABLE.

    python3 scripts/classic_baselines.py                      # held-out run -> docs/comparison/classic.json
    python3 scripts/classic_baselines.py --tune               # choose PARAMS on the training cases
    python3 scripts/classic_baselines.py --datasets nuclei-2d --methods otsu

The JSON (docs/comparison/classic.json; a run on some data sets or methods updates only those entries):
    dice:          {data set: {"classic:<method>": {class name: held-out Dice pooled over the held-out voxels}}}
    ms_per_image:  {data set: {"classic:<method>": milliseconds per held-out image (median of --repeats runs)}}
    params:        {data set: {"classic:<method>": ["key=value", ...]}}, the --param words used
    dice_per_case: {data set: {"classic:<method>": {case: [Dice per class, in the order of classes]}}}
    classes:       {data set: [class names, label 0 first]};  held_out: {data set: [case names]};  about: text

Needs /usr/bin/python3 with numpy, Pillow, tifffile and nibabel (Debian: python3-numpy python3-pil
python3-tifffile python3-nibabel) and the data beside the project (../shared/data, or --data).
"""
import argparse
import glob
import itertools
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
METHODS = ["otsu", "multi-otsu", "kmeans", "region-growing", "watershed", "edges"]

# Chosen with --tune on the training cases (see the module comment), one row per data set and method: the --param
# words. `order` maps the method's classes, darkest first, onto the data set's labels. Where a method cannot single
# out the class, the best training score is that of labelling everything background (order=0,0), and it is kept as
# it came out.
PARAMS_TABLE = """
nuclei-2d        otsu            sigma=1 order=0,1
nuclei-2d        multi-otsu      thresholds=2 sigma=0 order=0,1,1
nuclei-2d        kmeans          k=3 sigma=0 order=0,1,1
nuclei-2d        region-growing  objects=dark seed-percent=1 sigma=1 order=0,1
nuclei-2d        watershed       markers=distance objects=bright sigma=1 order=0,1
nuclei-2d        edges           sigma=1 close=2 order=0,1
em-membranes-2d  otsu            sigma=2 order=0,1
em-membranes-2d  multi-otsu      thresholds=2 sigma=1 order=0,1,1
em-membranes-2d  kmeans          k=3 sigma=1 order=0,1,1
em-membranes-2d  region-growing  objects=dark seed-percent=1 sigma=1 order=0,1
em-membranes-2d  watershed       markers=distance objects=bright sigma=2 order=0,1
em-membranes-2d  edges           sigma=4 close=2 order=0,1
axon-myelin-2d   otsu            sigma=0 order=0,1
axon-myelin-2d   multi-otsu      thresholds=2 sigma=0 order=0,2,1
axon-myelin-2d   kmeans          k=4 sigma=0 order=0,2,1,1
axon-myelin-2d   region-growing  objects=bright seed-percent=5 sigma=0 order=0,1
axon-myelin-2d   watershed       markers=extrema objects=dark sigma=1 order=0,1
axon-myelin-2d   edges           sigma=1 close=0 order=0,2
nuclei-3d        otsu            sigma=1.6 order=0,1
nuclei-3d        multi-otsu      thresholds=4 sigma=0.8 order=0,0,1,1,1
nuclei-3d        kmeans          k=5 sigma=0.8 order=0,0,1,1,1
nuclei-3d        region-growing  objects=dark seed-percent=1 sigma=0.8 order=0,1
nuclei-3d        watershed       markers=distance objects=bright sigma=1.6 order=0,1
nuclei-3d        edges           sigma=1.6 close=2 order=0,1
spleen-ct-3d     otsu            sigma=0 order=0,0
spleen-ct-3d     multi-otsu      thresholds=4 sigma=0.7949 order=0,0,0,1,0
spleen-ct-3d     kmeans          k=3 sigma=0 order=0,0,1
# tuned with the seed at 74,83,12 (the centre of the spleen in the last training slice); the held-out
# part is the next slices of the same volume, so the same point in its first slice, as a user would click
spleen-ct-3d     region-growing  seeds=74,83,0 sigma=0.7949 tolerance=30 order=0,1
spleen-ct-3d     watershed       markers=extrema objects=bright sigma=0.7949 order=0,0
spleen-ct-3d     edges           sigma=0.7949 close=0 order=0,0
"""


def parse_params(table):
    """{data set: {method: [--param words]}} from the rows of a table like PARAMS_TABLE ('#' starts a comment)."""
    params = {}
    for line in table.splitlines():
        if line.strip() and not line.startswith("#"):
            dataset, method, *words = line.split()
            params.setdefault(dataset, {})[method] = words
    return params


PARAMS = parse_params(PARAMS_TABLE)


def read_png(path):
    from PIL import Image
    a = np.array(Image.open(path))
    return a if a.ndim == 2 else a[..., :3].mean(-1)


def read_any(path):
    """A label or image file as a numpy array in (z,) y, x order."""
    if path.endswith(".png"):
        return read_png(path)
    if path.endswith(".tif") or path.endswith(".tiff"):
        import tifffile
        return tifffile.imread(path)
    import nibabel
    return np.asarray(nibabel.load(path).dataobj).T  # NIfTI x, y, z -> z, y, x


class Case:
    """One image: a file the command line reads, and its true labels (z, y, x) as 0..C-1."""

    def __init__(self, name, path, truth):
        self.name, self.path, self.truth = name, path, truth


def nuclei_2d(data, work):
    folder = os.path.join(data, "nuclei-2d")
    ids = sorted(os.path.basename(p)[:-4] for p in glob.glob(os.path.join(folder, "images", "*.png")))
    cases = [Case(i, os.path.join(folder, "images", i + ".png"),
                  (read_png(os.path.join(folder, "masks_binary", i + ".png")) > 127).astype(np.uint8)) for i in ids]
    return cases[:-10], cases[-10:]


def em_membranes_2d(data, work):
    folder = os.path.join(data, "em-membranes-2d")
    cases = [Case("%02d" % i, os.path.join(folder, "images", "%02d.png" % i),
                  (read_png(os.path.join(folder, "labels", "%02d.png" % i)) > 127).astype(np.uint8)) for i in range(24)]
    return cases[:20], cases[20:]


def axon_myelin_2d(data, work):
    folder = os.path.join(data, "axon-myelin-2d")
    train, held = [], []
    for image in sorted(glob.glob(os.path.join(folder, "sub-*", "**", "*_SEM.png"), recursive=True)):
        stem = os.path.relpath(image, folder)[:-len(".png")]
        labels = os.path.join(folder, "derivatives", "labels", stem)
        truth = np.zeros(read_png(image).shape, np.uint8)
        truth[read_png(labels + "_seg-myelin-manual.png") > 127] = 1
        truth[read_png(labels + "_seg-axon-manual.png") > 127] = 2
        case = Case(os.path.basename(stem), image, truth)
        (held if "sub-rat2_sample-data5" in stem else train).append(case)
    return train, held


def nuclei_3d(data, work):
    import tifffile
    folder = os.path.join(data, "nuclei-3d")
    out = {}
    for name in ("16_cell_stage", "8_cell_stage"):
        truth = (tifffile.imread(os.path.join(folder, "masks", name + ".tif")) > 127).astype(np.uint8)
        out[name] = Case(name, os.path.join(folder, "images", name + ".tif"), truth)
    return [out["16_cell_stage"]], [out["8_cell_stage"]]


def spleen_ct_3d(data, work):
    # One volume: z slices 0-12 train, 13-25 held out. Each part is written as its own NIfTI (geometry kept).
    import nibabel
    image = nibabel.load(os.path.join(data, "spleen-ct-3d", "image.nii.gz"))
    label = np.asarray(nibabel.load(os.path.join(data, "spleen-ct-3d", "label.nii.gz")).dataobj)
    parts = []
    for name, z in (("slices-00-12", slice(0, 13)), ("slices-13-25", slice(13, 26))):
        path = os.path.join(work, "spleen-" + name + ".nii.gz")
        crop = image.slicer[:, :, z]
        nibabel.save(crop, path)
        parts.append(Case(name, path, (label[:, :, z] > 0).astype(np.uint8).T))
    return [parts[0]], [parts[1]]


DATASETS = {
    # name: (loader, class names in label order, extra command line arguments, finest voxel size)
    "nuclei-2d": (nuclei_2d, ["background", "nucleus"], [], 1.0),
    "em-membranes-2d": (em_membranes_2d, ["membrane", "cell"], [], 1.0),
    "axon-myelin-2d": (axon_myelin_2d, ["background", "myelin", "axon"], [], 1.0),
    # the TIFFs do not record their spacing; the data set's README gives it
    "nuclei-3d": (nuclei_3d, ["background", "nucleus"], ["--spacing", "0.8,0.8,1.75", "--unit", "um"], 0.8),
    "spleen-ct-3d": (spleen_ct_3d, ["background", "spleen"], [], 0.7949),
}

LINE = re.compile(r"^(.*) -> (.*) \(classic:[a-z-]+, whole image, .*, ([0-9.]+) s\)$")


def segment(method, params, cases, extra, work, warmup=None):
    """Runs the command line on the cases (one JVM); returns {case name: (labels, seconds)}.

    warmup: a case segmented first and left out, so that the timed images do not pay the JVM's warm-up."""
    inputs = tempfile.mkdtemp(dir=work)
    outputs = tempfile.mkdtemp(dir=work)
    by_link = {}
    for c in ([warmup] if warmup else []) + cases:
        ext = ".nii.gz" if c.path.endswith(".nii.gz") else os.path.splitext(c.path)[1]
        # '!' sorts before digits and letters: the warm-up case goes first
        link = os.path.join(inputs, ("!warmup" if c is warmup else c.name) + ext)
        os.symlink(os.path.abspath(c.path), link)
        by_link[link] = c
    cmd = [os.path.join(REPO, "scripts", "tessera"), "segment", "-m", "classic:" + method, "-i", inputs, "-o", outputs]
    for p in params:
        cmd += ["--param", p]
    run = subprocess.run(cmd + extra, capture_output=True, text=True)
    if run.returncode != 0:
        sys.exit("failed: %s\n%s%s" % (" ".join(cmd + extra), run.stdout, run.stderr))
    results = {}
    for line in run.stdout.splitlines():
        m = LINE.match(line.strip())
        if not m:
            continue
        c = by_link[m.group(1)]
        if c is not warmup:
            results[c.name] = (read_any(m.group(2)).astype(np.int64), float(m.group(3)))
    if len(results) != len(cases):
        sys.exit("expected %d outputs, got %d:\n%s%s" % (len(cases), len(results), run.stdout, run.stderr))
    return results


def confusion(results, cases, ranks, classes):
    """Voxel counts: rows the method's class (as written), columns the true class; summed over the cases."""
    m = np.zeros((ranks, classes), np.int64)
    for c in cases:
        pred, truth = results[c.name][0], c.truth
        if pred.shape != truth.shape:
            sys.exit("shape of %s: prediction %s, truth %s" % (c.name, pred.shape, truth.shape))
        np.add.at(m, (pred.ravel(), truth.ravel()), 1)
    return m


def dice_of(m):
    """Dice per true class from a confusion matrix whose rows are already labels."""
    tp = np.diag(m).astype(float)
    return 2 * tp / np.maximum(m.sum(0) + m.sum(1), 1)


def best_order(m, classes):
    """The mapping of the method's classes onto labels with the best mean Dice over all classes."""
    best = None
    for order in itertools.product(range(classes), repeat=m.shape[0]):
        mapped = np.zeros((classes, classes), np.int64)
        for rank, label in enumerate(order):
            mapped[label] += m[rank]
        score = dice_of(mapped).mean()
        if best is None or score > best[0]:
            best = (score, order)
    return best


def grid(method, finest, dataset, train):
    """The settings tried for a method (the order is fitted separately); lengths scale with the voxel size."""
    s = lambda k: "sigma=%g" % round(k * finest, 4)
    if method == "otsu":
        return [[s(k)] for k in (0, 1, 2)]
    if method == "multi-otsu":
        return [["thresholds=%d" % n, s(k)] for n in (2, 3, 4) for k in (0, 1)]
    if method == "kmeans":
        return [["k=%d" % n, s(k)] for n in (2, 3, 4, 5) for k in (0, 1)]
    if method == "region-growing":
        settings = [["objects=" + o, "seed-percent=%g" % p, s(k)]
                    for o in ("bright", "dark") for p in (1, 5) for k in (0, 1)]
        if dataset == "spleen-ct-3d":
            # a seed point, as a user would click one: the centre of the spleen in the last training slice. In the
            # held-out part (the next slices of the same volume) PARAMS_TABLE puts it at the same x, y in slice 0.
            truth = train[0].truth
            z = max(np.nonzero(truth.sum((1, 2)))[0])
            ys, xs = np.nonzero(truth[z])
            point = "seeds=%d,%d,%d" % (round(xs.mean()), round(ys.mean()), z)
            settings += [[point, s(k)] for k in (0, 1)] + [[point, s(1), "tolerance=%d" % t] for t in (30, 60, 90)]
        return settings
    if method == "watershed":
        return [["markers=" + mk, "objects=" + o, s(k)] for mk in ("extrema", "distance") for o in ("bright", "dark")
                for k in (1, 2)]
    if method == "edges":
        return [[s(k), "close=%d" % c] for k in (1, 2, 4) for c in (0, 1, 2)]
    raise ValueError(method)


def ranks_of(params, method):
    """How many classes a method makes with these parameters."""
    values = dict(p.split("=", 1) for p in params)
    if method == "multi-otsu":
        return int(values.get("thresholds", 2)) + 1
    if method == "kmeans":
        return int(values.get("k", 2))
    return 2


def tune(datasets, methods, data, work):
    table = {}
    for name in datasets:
        loader, classes, extra, finest = DATASETS[name]
        train, _ = loader(data, work)
        table[name] = {}
        for method in methods:
            best = None
            for params in grid(method, finest, name, train):
                results = segment(method, params, train, extra, work)
                score, order = best_order(confusion(results, train, ranks_of(params, method), len(classes)), len(classes))
                print("  %-15s %-15s %-55s order=%s  training mean Dice %.4f" % (name, method, " ".join(params),
                      ",".join(map(str, order)), score), flush=True)
                if best is None or score > best[0]:
                    best = (score, params + ["order=" + ",".join(map(str, order))])
            table[name][method] = best[1]
            print("%s %s: %s (training mean Dice %.4f)" % (name, method, " ".join(best[1]), best[0]), flush=True)
    print("rows for PARAMS_TABLE:")
    for name, best in table.items():
        for method, words in best.items():
            print("%-16s %-15s %s" % (name, method, " ".join(words)))


def held_out(datasets, methods, data, work, out, repeats):
    report = {"dice": {}, "ms_per_image": {}, "params": {}, "classes": {}, "held_out": {}, "dice_per_case": {}}
    if os.path.exists(out):
        with open(out) as f:
            old = json.load(f)
        for key in report:
            report[key].update(old.get(key, {}))
    for name in datasets:
        loader, classes, extra, _ = DATASETS[name]
        train, held = loader(data, work)
        report["classes"][name] = classes
        report["held_out"][name] = [c.name for c in held]
        for key in ("dice", "ms_per_image", "params", "dice_per_case"):
            report[key].setdefault(name, {})
        for method in methods:
            params = PARAMS[name][method]
            results = segment(method, params, held, extra, work, warmup=train[0])
            times = [np.mean([results[c.name][1] for c in held])]
            for _ in range(repeats - 1):  # the time varies with the machine's load: the median of several runs
                again = segment(method, params, held, extra, work, warmup=train[0])
                if any(not np.array_equal(again[c.name][0], results[c.name][0]) for c in held):
                    sys.exit("%s %s: a second run gave other labels" % (name, method))
                times.append(np.mean([again[c.name][1] for c in held]))
            m = confusion(results, held, len(classes), len(classes))
            dice = dice_of(m)
            key = "classic:" + method
            report["dice"][name][key] = {c: round(float(d), 4) for c, d in zip(classes, dice)}
            report["ms_per_image"][name][key] = round(1000 * float(np.median(times)), 1)
            report["params"][name][key] = params
            report["dice_per_case"][name][key] = {
                c.name: [round(float(d), 4) for d in dice_of(confusion(results, [c], len(classes), len(classes)))]
                for c in held}
            print("%-15s %-15s %s  %.1f ms/image" % (name, method, "  ".join("%s %.3f" % (c, d) for c, d in
                  zip(classes, dice)), report["ms_per_image"][name][key]), flush=True)
    report["about"] = ("Classic baselines, held-out Dice per class pooled over the held-out voxels; parameters chosen "
                       "on the training cases only (scripts/classic_baselines.py --tune); ms_per_image: the method's "
                       "wall-clock time per held-out image as 'tessera segment' reports it (one thread, no file I/O, "
                       "after a warm-up image; the median of %d runs, which give the same labels)." % repeats)
    os.makedirs(os.path.dirname(out), exist_ok=True)
    with open(out, "w") as f:
        json.dump(report, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data"), help="the data sets' folder")
    ap.add_argument("--datasets", nargs="+", default=list(DATASETS), choices=list(DATASETS))
    ap.add_argument("--methods", nargs="+", default=METHODS, choices=METHODS)
    ap.add_argument("--tune", action="store_true", help="choose the parameters on the training cases")
    ap.add_argument("--out", default=os.path.join(REPO, "docs", "comparison", "classic.json"))
    ap.add_argument("--repeats", type=int, default=3, help="held-out runs per method; the time is their median")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory(prefix="tessera-classic-") as work:
        if args.tune:
            tune(args.datasets, args.methods, args.data, work)
        else:
            held_out(args.datasets, args.methods, args.data, work, args.out, args.repeats)


if __name__ == "__main__":
    main()
