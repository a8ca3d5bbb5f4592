#!/usr/bin/env python3
"""nnU-Net v2-style training from a plan, held-out evaluation, and export of a Tessera nnU-Net bundle
(docs/nnunet-bundle.md): model.onnx, plans.json, dataset.json, card.json, golden pair.

Input: an nnU-Net raw data set (DIR/dataset.json, DIR/imagesTr + labelsTr = training cases, DIR/imagesTs +
labelsTs = held-out cases, as to_nnunet.py writes) and plans.json from `tessera plan`. Example:

  python3 scripts/nnunet/train.py --raw D --plans D/plans.json --configuration 3d_fullres \
      --id spleen-ct-nnunet --features-base 8 --features-max 48 --patch-size 14,128,128 --minutes 11

The network is the one the plans name (networks.py): PlainConvUNet for the default planner, ResidualEncoderUNet
for the residual-encoder presets (`tessera plan --planner nnUNetPlannerResEncM|L|XL`). --results-out also writes
the trained network in nnU-Net's own results layout (fold_F/checkpoint_final.pth with nnU-Net's checkpoint keys,
plans.json, dataset.json and, with --fingerprint, dataset_fingerprint.json), which `tessera import nnunet` and
nnU-Net's own predictor read.

CPU overrides (--features-base/--features-max, --patch-size, --batch) are written into the bundle's
plans.json (plans_name gets a suffix, default "_cpu"), so that the bundle's plans always describe the network
actually trained. Training: Dice (foreground classes, batch Dice per the plan) + cross-entropy on every
deep-supervision output (weights 1/2^i, lowest output 0, normalized), SGD Nesterov momentum 0.99, lr 1e-2
with poly decay (exponent 0.9) over the budget, weight decay 3e-5, gradient norm clipped at 12; 33% of each
batch centred on a foreground voxel; spatial (rotation, scaling, mirroring) and intensity (noise, blur,
brightness, contrast, gamma) augmentation. Stops at --iters or --minutes, whichever comes first.
"""
import argparse
import json
import math
import os
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F
from scipy import ndimage

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.append(os.path.dirname(HERE))  # scripts/, for tessera_common
import preprocess as P  # noqa: E402
import networks as U  # noqa: E402
import bundle  # noqa: E402
import results_folder  # noqa: E402
from tessera_common import MODELS, TrainingBudget  # noqa: E402


# ---------------------------------------------------------------- data
def load_split(raw, dj, plans, config_name, split, out_dir):
    """Preprocess every case of imagesTr/labelsTr (split 'Tr') or imagesTs/labelsTs ('Ts'); keep the npz."""
    files = P.case_files(os.path.join(raw, "images" + split), dj["file_ending"], len(dj["channel_names"]))
    cases = []
    for case, chans in files.items():
        lab = os.path.join(raw, "labels" + split, case + dj["file_ending"])
        data, seg, spacing = P.load_case(chans, lab)
        d, s, props = P.preprocess_case(data, seg, spacing, plans, config_name)
        np.savez_compressed(os.path.join(out_dir, case + ".npz"), data=d, seg=s, properties=json.dumps(props))
        cases.append(dict(name=case, data=d, seg=s, props=props, raw_seg=seg[0]))
        print("%s %s: preprocessed %s -> %s" % (split, case, list(data.shape[1:]), list(d.shape[1:])), flush=True)
    return cases


def fg_locations(seg, rng, n_max=10000):
    locs = {}
    for c in np.unique(seg):
        if c <= 0:
            continue
        idx = np.argwhere(seg[0] == c)
        if len(idx) > n_max:
            idx = idx[rng.choice(len(idx), n_max, replace=False)]
        locs[int(c)] = idx
    return locs


def rotation_matrix(dims, rng, dummy_2d, p_rot):
    if dims == 2 or dummy_2d:
        a = rng.uniform(-math.pi, math.pi) if rng.random() < p_rot else 0.0
        r2 = np.array([[math.cos(a), -math.sin(a)], [math.sin(a), math.cos(a)]])
        if dims == 2:
            return r2
        r = np.eye(3)
        r[1:, 1:] = r2
        return r
    r = np.eye(3)
    if rng.random() < p_rot:
        for ax in range(3):
            a = rng.uniform(-math.pi / 6, math.pi / 6)
            o = [i for i in range(3) if i != ax]
            m = np.eye(3)
            m[o[0], o[0]], m[o[0], o[1]], m[o[1], o[0]], m[o[1], o[1]] = math.cos(a), -math.sin(a), math.sin(a), math.cos(a)
            r = r @ m
    return r


def sample_patch(case, patch, rng, force_fg, dummy_2d):
    """Spatially augmented patch: centre (random, or a random foreground voxel), rotation (p 0.2), scaling
    (p 0.2, 0.7-1.4), mirroring (p 0.5 per axis). Outside the image: data 0, label 0."""
    data, seg = case["data"], case["seg"]
    shape = np.array(data.shape[1:])
    patch = np.array(patch)
    dims = len(patch)
    if force_fg and case["fg"]:
        c = list(case["fg"])[rng.integers(len(case["fg"]))]
        locs = case["fg"][c]
        centre = locs[rng.integers(len(locs))].astype(float)
    else:
        lo = np.minimum(patch / 2.0, shape / 2.0)
        hi = np.maximum(shape - patch / 2.0, shape / 2.0)
        centre = np.array([rng.uniform(a, b) for a, b in zip(lo, hi)])
    rot = rotation_matrix(dims, rng, dummy_2d, 0.2)
    scale = rng.uniform(0.7, 1.4) if rng.random() < 0.2 else 1.0
    if np.allclose(rot, np.eye(dims)) and scale == 1.0:
        start = np.round(centre - patch / 2.0).astype(int)
        pads = [(max(0, -a), max(0, a + p - s)) for a, p, s in zip(start, patch, shape)]
        d = np.pad(data, [(0, 0)] + pads)
        s = np.pad(seg, [(0, 0)] + pads)
        sl = tuple(slice(a + pb[0], a + pb[0] + p) for a, pb, p in zip(start, pads, patch))
        d, s = d[(slice(None),) + sl], s[(slice(None),) + sl]
    else:
        # sampling coordinates: centre + R * scale * (patch voxel - patch centre); mode: linear / nearest
        grids = np.meshgrid(*[np.arange(p) - (p - 1) / 2.0 for p in patch], indexing="ij")
        off = np.stack([g.ravel() for g in grids])
        coords = (rot * scale) @ off + centre[:, None]
        norm = 2 * coords / np.maximum(shape[:, None] - 1, 1) - 1
        grid = torch.from_numpy(norm[::-1].T.reshape(*patch, dims).astype(np.float32))[None]
        d = F.grid_sample(torch.from_numpy(data)[None], grid, mode="bilinear", padding_mode="zeros",
                          align_corners=True)[0].numpy()
        s = F.grid_sample(torch.from_numpy(seg.astype(np.float32))[None], grid, mode="nearest",
                          padding_mode="zeros", align_corners=True)[0].numpy()
    for ax in range(dims):
        if rng.random() < 0.5:
            d, s = np.flip(d, ax + 1), np.flip(s, ax + 1)
    s = np.maximum(np.rint(s), 0).astype(np.int64)  # -1 (outside the nonzero mask) -> background
    return np.ascontiguousarray(d, dtype=np.float32), np.ascontiguousarray(s)


def intensity_aug(d, rng, dummy_2d):
    """Gaussian noise (p 0.1), blur (p 0.2), brightness (p 0.15), contrast (p 0.15), gamma (p 0.3, and
    inverted p 0.1), per channel, as nnU-Net's default transforms (no low-resolution simulation)."""
    for c in range(d.shape[0]):
        x = d[c]
        if rng.random() < 0.1:
            x = x + rng.normal(0, math.sqrt(rng.uniform(0, 0.1)), x.shape).astype(np.float32)
        if rng.random() < 0.2:
            sig = rng.uniform(0.5, 1.0)
            x = ndimage.gaussian_filter(x, [0 if (dummy_2d and a == 0) else sig for a in range(x.ndim)])
        if rng.random() < 0.15:
            x = x * rng.uniform(0.75, 1.25)
        if rng.random() < 0.15:
            m, lo, hi = x.mean(), x.min(), x.max()
            x = np.clip((x - m) * rng.uniform(0.75, 1.25) + m, lo, hi)
        for invert, p in ((True, 0.1), (False, 0.3)):
            if rng.random() < p:
                g = rng.uniform(0.7, 1.0) if rng.random() < 0.5 else rng.uniform(1.0, 1.5)
                y = -x if invert else x
                mean, std = y.mean(), y.std()
                lo, rngv = y.min(), y.max() - y.min()
                y = np.power((y - lo) / (rngv + 1e-7), g) * (rngv + 1e-7) + lo
                y = (y - y.mean()) / (y.std() + 1e-8) * std + mean
                x = -y if invert else y
        d[c] = x
    return d


# ---------------------------------------------------------------- loss
def ds_weights(n):
    w = np.array([1 / 2 ** i for i in range(n)])
    w[-1] = 0
    return w / w.sum()


def dc_ce(logits, target, batch_dice):
    """nnU-Net DC_and_CE_loss: CE + (-soft Dice over foreground classes, smooth 1e-5)."""
    ce = F.cross_entropy(logits, target)
    prob = logits.softmax(1)[:, 1:]
    onehot = F.one_hot(target, logits.shape[1]).movedim(-1, 1)[:, 1:].float()
    axes = list(range(2, logits.dim()))
    inter, sp, sg = (prob * onehot).sum(axes), prob.sum(axes), onehot.sum(axes)
    if batch_dice:
        inter, sp, sg = inter.sum(0), sp.sum(0), sg.sum(0)
    dc = (2 * inter + 1e-5) / torch.clamp(sg + sp + 1e-5, min=1e-8)
    return ce - dc.mean()


def ds_targets(y, outputs):
    """Nearest-neighbour downsampled targets for each deep-supervision output."""
    res = []
    for o in outputs:
        f = [a // b for a, b in zip(y.shape[1:], o.shape[2:])]
        sl = (slice(None),) + tuple(slice(k // 2, None, k) for k in f)
        res.append(y[sl][(slice(None),) + tuple(slice(0, n) for n in o.shape[2:])])
    return res


# ---------------------------------------------------------------- sliding window + evaluation
def tile_starts(size, patch, step=0.5):
    if size <= patch:
        return [0]
    n = int(math.ceil((size - patch) / (patch * step))) + 1
    a = (size - patch) / (n - 1)
    return [int(round(a * i)) for i in range(n)]


def gaussian_map(patch):
    g = np.ones(patch)
    for d, n in enumerate(patch):
        x = np.arange(n) - n // 2
        shape = [1] * len(patch)
        shape[d] = n
        g = g * np.exp(-x ** 2 / (2 * (n / 8.0) ** 2)).reshape(shape)
    g = (g / g.max() * 10).astype(np.float16)
    g[g == 0] = g[g > 0].min()
    return torch.from_numpy(g.astype(np.float32))


@torch.no_grad()
def sliding_window(model, data, patch, n_classes, mirror=True, mirror_axes=None):
    """nnU-Net sliding window: pad axes smaller than the patch (half below), tiles at step 0.5, Gaussian
    weights, optional mirroring over every subset of the mirror axes (default: every spatial axis), the
    passes averaged per tile."""
    shape = data.shape[1:]
    pads = [((max(p - s, 0)) // 2, max(p - s, 0) - (max(p - s, 0)) // 2) for p, s in zip(patch, shape)]
    x = torch.from_numpy(np.pad(data, [(0, 0)] + pads))
    full = x.shape[1:]
    g = gaussian_map(patch)
    acc = torch.zeros((n_classes,) + tuple(full))
    wsum = torch.zeros(tuple(full))
    dims = len(patch)
    flips = [()]
    if mirror:
        axes = list(range(dims)) if mirror_axes is None else list(mirror_axes)
        flips = [tuple(a + 2 for i, a in enumerate(axes) if (m >> i) & 1) for m in range(2 ** len(axes))]
    import itertools
    for st in itertools.product(*[tile_starts(s, p) for s, p in zip(full, patch)]):
        sl = tuple(slice(a, a + p) for a, p in zip(st, patch))
        t = x[(slice(None),) + sl][None]
        out = 0
        for fl in flips:
            o = model(torch.flip(t, fl) if fl else t)
            out = out + (torch.flip(o, fl) if fl else o)
        out = out[0] / len(flips)
        acc[(slice(None),) + sl] += out * g
        wsum[sl] += g
    res = acc / wsum
    crop = tuple(slice(a, a + s) for (a, _), s in zip(pads, shape))
    return res[(slice(None),) + crop].numpy()


def predict_case(model, case, plans, config_name, n_classes, mirror):
    """Logits on the preprocessed case -> resampled back (probabilities kwargs) -> argmax -> uncropped ->
    transposed back to the file's array order."""
    config = plans["configurations"][config_name]
    props = case["props"]
    logits = sliding_window(model, case["data"], config["patch_size"], n_classes, mirror)
    pk = {k: v for k, v in config.get("resampling_fn_probabilities_kwargs", {"order": 1}).items() if k != "is_seg"}
    logits = P.resample(logits.astype(np.float32), props["shape_after_cropping_and_before_resampling"],
                        props["target_spacing"], props["spacing_transposed"], is_seg=False, **pk)
    seg = logits.argmax(0).astype(np.uint8)
    full = np.zeros(props["shape_before_cropping"], np.uint8)
    full[tuple(slice(a, b) for a, b in props["bbox"])] = seg
    return full.transpose(plans["transpose_backward"])


def dice_per_class(pred, ref, classes):
    res = {}
    for c, name in enumerate(classes):
        a, b = pred == c, ref == c
        t, fp, fn = (a & b).sum(), (a & ~b).sum(), (~a & b).sum()
        res[name] = round(float(2 * t / max(2 * t + fp + fn, 1)), 4)
    return res


def counts(pred, ref, n):
    return np.array([[((pred == c) & (ref == c)).sum(), ((pred == c) & (ref != c)).sum(),
                      ((pred != c) & (ref == c)).sum()] for c in range(n)], float)


# ---------------------------------------------------------------- plans overrides
def apply_overrides(plans, config_name, args):
    plans = json.loads(json.dumps(plans))
    config = plans["configurations"][config_name]
    a = config["architecture"]["arch_kwargs"]
    over = {}
    if args.features_base or args.features_max:
        base = args.features_base or 32
        fmax = args.features_max or (320 if len(config["patch_size"]) == 3 else 512)
        a["features_per_stage"] = [min(base * 2 ** s, fmax) for s in range(a["n_stages"])]
        over["features_per_stage"] = a["features_per_stage"]
    div = [1] * len(config["patch_size"])
    for s in a["strides"]:
        div = [x * y for x, y in zip(div, s)]
    if args.patch_size:
        patch = [int(v) for v in args.patch_size.split(",")]
        assert len(patch) == len(div) and all(p % d == 0 for p, d in zip(patch, div)), \
            "patch %s must be a multiple of the divisibility %s (array order)" % (patch, div)
        config["patch_size"] = patch
        over["patch_size"] = patch
    if args.batch:
        config["batch_size"] = args.batch
        over["batch_size"] = args.batch
    if over:
        plans["plans_name"] = plans.get("plans_name", "nnUNetPlans") + args.plans_suffix
        config["data_identifier"] = plans["plans_name"] + "_" + config_name
    plans["configurations"] = {config_name: config}
    return plans, over, div


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--raw", required=True, help="nnU-Net raw data set folder (dataset.json, imagesTr, labelsTr, "
                                                 "imagesTs, labelsTs)")
    ap.add_argument("--plans", required=True)
    ap.add_argument("--configuration", default="3d_fullres")
    ap.add_argument("--id", required=True)
    ap.add_argument("--out", default=MODELS, help="parent folder of the bundle")
    ap.add_argument("--features-base", type=int, help="override: features of stage s = min(base*2^s, max)")
    ap.add_argument("--features-max", type=int)
    ap.add_argument("--patch-size", help="override, array order after transpose, e.g. 14,128,128")
    ap.add_argument("--batch", type=int, help="override the plan's batch size")
    ap.add_argument("--plans-suffix", default="_cpu")
    ap.add_argument("--iters", type=int, default=100000)
    ap.add_argument("--minutes", type=float, default=10.0)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-mirror-eval", action="store_true", help="evaluate without mirroring")
    ap.add_argument("--preset", help="card texts (name, data provenance) from bundle.PRESETS")
    ap.add_argument("--results-out", help="also write an nnU-Net results folder under this folder")
    ap.add_argument("--fold", default="0", help="the fold name in the results folder (default 0)")
    ap.add_argument("--fingerprint", help="dataset_fingerprint.json for the results folder (tessera fingerprint)")
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "tessera-nnunet"),
                    help="folder for preprocessed npz and the checkpoint (outside the project)")
    args = ap.parse_args()
    raw = os.path.abspath(args.raw)
    command = "python3 scripts/nnunet/train.py " + " ".join(a.replace(raw, "$D") for a in sys.argv[1:])

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    dj = json.load(open(os.path.join(raw, "dataset.json")))
    plans_in = json.load(open(args.plans))
    plans, over, div = apply_overrides(plans_in, args.configuration, args)
    config = plans["configurations"][args.configuration]
    classes = [k for k, v in sorted(dj["labels"].items(), key=lambda kv: kv[1])]
    n_classes, n_in = len(classes), len(dj["channel_names"])
    work = os.path.join(args.work, args.id)
    os.makedirs(os.path.join(work, "train"), exist_ok=True)
    os.makedirs(os.path.join(work, "heldout"), exist_ok=True)
    train = load_split(raw, dj, plans, args.configuration, "Tr", os.path.join(work, "train"))
    held = load_split(raw, dj, plans, args.configuration, "Ts", os.path.join(work, "heldout"))
    for c in train:
        c["fg"] = fg_locations(c["seg"], rng)

    model = U.build(config, n_in, n_classes, deep_supervision=True)
    n_params = sum(p.numel() for p in model.parameters())
    patch = config["patch_size"]
    batch = config["batch_size"]
    dims = len(patch)
    dummy_2d = dims == 3 and max(patch) / patch[0] > P.ANISO_THRESHOLD
    print("%s: features %s, patch %s, batch %d, divisibility %s, parameters %d, dummy-2D aug %s"
          % (model.kind, config["architecture"]["arch_kwargs"]["features_per_stage"], patch, batch, div, n_params,
             dummy_2d), flush=True)
    opt = torch.optim.SGD(model.parameters(), lr=1e-2, momentum=0.99, nesterov=True, weight_decay=3e-5)
    n_fg = batch - int(round(batch * (1 - 0.33)))
    weights = None
    losses = []
    budget = TrainingBudget(args.iters, args.minutes)
    model.train()
    for step, progress in budget:
        for g in opt.param_groups:
            g["lr"] = 1e-2 * (1 - progress) ** 0.9
        xs, ys = [], []
        for b in range(batch):
            case = train[rng.integers(len(train))]
            d, s = sample_patch(case, patch, rng, b >= batch - n_fg, dummy_2d)
            xs.append(intensity_aug(d, rng, dummy_2d))
            ys.append(s[0])
        x = torch.from_numpy(np.stack(xs))
        y = torch.from_numpy(np.stack(ys))
        outs = model(x)
        if weights is None:
            weights = ds_weights(len(outs))
        loss = sum(w * dc_ce(o, t, config.get("batch_dice", False))
                   for w, o, t in zip(weights, outs, ds_targets(y, outs)) if w > 0)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 12)
        opt.step()
        losses.append(loss.item())
        if step % 20 == 0:
            print("iter %d  %.0fs  lr %.5f  loss %.4f" % (step, budget.elapsed(), opt.param_groups[0]["lr"],
                                                           loss.item()), flush=True)
    it, minutes = budget.done, budget.elapsed() / 60
    print("trained %d iterations in %.1f min" % (it, minutes), flush=True)
    torch.save(model.state_dict(), os.path.join(work, "checkpoint.pt"))
    if args.results_out:
        folder = results_folder.model_folder(args.results_out, plans, args.configuration)
        fingerprint = json.load(open(args.fingerprint)) if args.fingerprint else None
        results_folder.write_folder_files(folder, plans, dj, fingerprint)
        # nnU-Net's trainer allows mirroring along every spatial axis at inference
        path = results_folder.save_checkpoint(folder, int(args.fold) if args.fold.isdigit() else args.fold,
                                              model.state_dict(), plans, args.configuration, dj, tuple(range(dims)),
                                              it, opt.state_dict(), losses)
        print("wrote nnU-Net results folder %s (%s)" % (folder, os.path.relpath(path, folder)), flush=True)

    model.deep_supervision = False
    model.eval()
    tot = np.zeros((n_classes, 3))
    per_case = {}
    for c in held:
        pred = predict_case(model, c, plans, args.configuration, n_classes, not args.no_mirror_eval)
        ref = np.maximum(c["raw_seg"], 0)
        per_case[c["name"]] = dice_per_class(pred, ref, classes)
        tot += counts(pred, ref, n_classes)
        print("held-out %s: %s" % (c["name"], json.dumps(per_case[c["name"]])), flush=True)
    pooled = {name: round(float(2 * t / max(2 * t + fp + fn, 1)), 4) for name, (t, fp, fn) in zip(classes, tot)}
    print("held-out Dice (pooled):", json.dumps(pooled), flush=True)

    info = dict(id=args.id, preset=args.preset, plans=plans, config_name=args.configuration, dataset_json=dj,
                classes=classes, over=over, div=div, n_params=n_params, train=[c["name"] for c in train],
                held=held, command=command, seed=args.seed, iterations=it, minutes=minutes,
                pooled=pooled, per_case=per_case, mirror=not args.no_mirror_eval, dummy_2d=dummy_2d, threads=args.threads)
    bundle.export_bundle(model, os.path.join(args.out, args.id), info)


if __name__ == "__main__":
    main()
