#!/usr/bin/env python3
"""Tune a boundary model's instance parameters (the card's `instances` block) on TRAINING images of
nuclei-2d-dsb, scored by mean AP@0.5, and write the best into the card. The validation split is never read.

The objects are made as Tessera's Java InstanceLabels.fromProbabilities makes them: foreground = P(interior) +
P(boundary) >= foregroundThreshold; seeds = face-connected parts of the foreground with P(interior) >=
seedThreshold, at least minSeedArea pixels; a seeded flood of the foreground, highest P(interior) first (ties
first in, first out); objects under minArea pixels dropped. Hole filling is left out here (it changes an
object's area by its holes only); the card keeps fillHoles true. AP@0.5 per image: TP / (TP + FP + FN) with
objects matched at IoU >= 0.5, averaged over images, as `tessera evaluate --instances` reports it.

  python3 scripts/tune_instances.py --id nuclei-2d-dsb-unet --checkpoint /tmp/tessera-train/nuclei-2d-dsb-unet.pt
  python3 scripts/tune_instances.py --id nuclei-2d-he-unet     (no checkpoint: the model's own model.onnx)

A model with colour input (three channels) is tuned on training histology images, a gray one on fluorescence.
"""
import argparse
import itertools
import json
import os
import sys

import numpy as np
import torch
from scipy import ndimage
from skimage.segmentation import watershed

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from datasets import dsb_case, dsb_case_rgb, dsb_index  # noqa: E402
from train import warm_start  # noqa: E402
from tessera_common import MODELS, REPO, build_model, write_json  # noqa: E402


def tuning_ids(root, count=40, modality="fluorescence"):
    """Every step-th training image of the modality (sorted by id), `count` of them: a fixed, spread-out subset;
    returns (ids, step)."""
    ids = sorted(r["id"] for r in dsb_index(root, (modality,)) if r["split"] == "train")
    step = max(1, len(ids) // count)
    return ids[::step][:count], step


@torch.no_grad()
def probabilities(model, img, div):
    """Softmax of the whole image, zero-padded at the high end to the divisibility and cropped back."""
    h, w = img.shape[-2:]
    pad = [(0, 0)] * (img.ndim - 2) + [(0, (-h) % div[0]), (0, (-w) % div[1])]
    x = torch.from_numpy(np.pad(img, pad))
    p = model(x[None] if img.ndim == 3 else x[None, None])[0].softmax(0).numpy()
    return p[:, :h, :w]


def remove_small(labels, minimum):
    """Labels with the objects under `minimum` pixels set to 0."""
    size = np.bincount(labels.ravel())
    out = labels.copy()
    out[size[labels] < minimum] = 0
    return out


def instances(interior, boundary, seed_t, fg_t, min_seed, min_area):
    fg = interior + boundary >= fg_t
    seeds = remove_small(ndimage.label(fg & (interior >= seed_t))[0], min_seed)  # face-connected, raster order
    # A seeded flood of the foreground, highest P(interior) first, ties first in, first out (as Java's).
    labels = watershed(-interior, markers=seeds, mask=fg, connectivity=1)
    return remove_small(labels, min_area)


def ap50(pred, truth):
    """TP / (TP + FP + FN) at IoU >= 0.5 (a match at IoU > 0.5 is one to one; = 0.5 counts as in StarDist)."""
    t, p = truth.ravel().astype(np.int64), pred.ravel().astype(np.int64)
    nt, np_ = int(t.max()), int(p.max())
    ids_t, ids_p = np.unique(t), np.unique(p)
    n_true, n_pred = int((ids_t > 0).sum()), int((ids_p > 0).sum())
    if n_true + n_pred == 0:
        return 1.0
    both = (t > 0) & (p > 0)
    pairs, inter = np.unique(t[both] * (np_ + 1) + p[both], return_counts=True)
    at, apred = np.bincount(t, minlength=nt + 1), np.bincount(p, minlength=np_ + 1)
    ti, pi = pairs // (np_ + 1), pairs % (np_ + 1)
    iou = inter / (at[ti] + apred[pi] - inter)
    tp = int((iou >= 0.5).sum())
    return tp / (n_true + n_pred - tp)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--id", required=True)
    ap.add_argument("--checkpoint", help="the PyTorch checkpoint (default: the model's own model.onnx, loaded into "
                                        "the same network; exact in eval mode)")
    ap.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data"))
    ap.add_argument("--out", default=MODELS)
    ap.add_argument("--count", type=int, default=40, help="training images to tune on")
    args = ap.parse_args()
    torch.set_num_threads(2)
    card_path = os.path.join(args.out, args.id, "card.json")
    card = json.load(open(card_path))
    net = card["network"]
    colour = len(card["input"]["channels"]) == 3
    model = build_model(card["architecture"], 2, len(card["output"]["classes"]), net["baseWidth"],
                        [tuple(reversed(p)) for p in net["poolKernels"]], in_channels=3 if colour else 1)
    if args.checkpoint:
        model.load_state_dict(torch.load(args.checkpoint))
    else:
        warm_start(model, os.path.join(args.out, args.id, "model.onnx"), [torch.zeros((1, 3 if colour else 1, 64, 64))])
    model.eval()
    modality = "histology" if colour else "fluorescence"
    classes = card["output"]["classes"]
    ci, cb = classes.index(card["instances"]["interior"]), classes.index(card["instances"]["boundary"])
    div = list(reversed(card["divisibility"]))
    ids, step = tuning_ids(args.data, args.count, modality)
    cases = []
    for i in ids:
        img, truth = (dsb_case_rgb if colour else dsb_case)(args.data, i)
        p = probabilities(model, img, div)
        cases.append((p[ci], p[cb], truth))
    print("tuning on %d training %s images" % (len(cases), modality), flush=True)

    def score(seed_t, fg_t, min_seed, min_area):
        return float(np.mean([ap50(instances(pi, pb, seed_t, fg_t, min_seed, min_area), t) for pi, pb, t in cases]))

    best = None
    # Thresholds first (with Java's default areas), then the areas at the best thresholds.
    for seed_t, fg_t in itertools.product([0.5, 0.6, 0.7, 0.8, 0.9, 0.95], [0.4, 0.5, 0.6, 0.7]):
        s = score(seed_t, fg_t, 4, 12)
        print("seedThreshold %.2f foregroundThreshold %.2f minSeedArea 4 minArea 12: AP@0.5 %.4f"
              % (seed_t, fg_t, s), flush=True)
        if best is None or s > best[0]:
            best = (s, seed_t, fg_t, 4, 12)
    _, seed_t, fg_t, _, _ = best
    for min_seed, min_area in itertools.product([2, 4, 8], [8, 12, 20]):
        if (min_seed, min_area) == (4, 12):
            continue
        s = score(seed_t, fg_t, min_seed, min_area)
        print("seedThreshold %.2f foregroundThreshold %.2f minSeedArea %d minArea %d: AP@0.5 %.4f"
              % (seed_t, fg_t, min_seed, min_area, s), flush=True)
        if s > best[0]:
            best = (s, seed_t, fg_t, min_seed, min_area)
    s, seed_t, fg_t, min_seed, min_area = best
    print("best: seedThreshold %.2f foregroundThreshold %.2f minSeedArea %d minArea %d, AP@0.5 %.4f"
          % (seed_t, fg_t, min_seed, min_area, s), flush=True)
    card["instances"].update(seedThreshold=seed_t, foregroundThreshold=fg_t, minSeedArea=min_seed,
                             minArea=min_area, fillHoles=True)
    card["training"]["instanceTuning"] = (
        "instances block chosen by scripts/tune_instances.py on %d training %s images (every %d-th "
        "training id, sorted; seen in training), mean AP@0.5 %.4f there; no validation image used"
        % (len(ids), modality, step, s))
    write_json(card, card_path)


if __name__ == "__main__":
    main()
