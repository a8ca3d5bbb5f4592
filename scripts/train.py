#!/usr/bin/env python3
"""Train a Tessera U-Net on one of the labelled sets, evaluate it on the held-out cases (whole
images), and export the model folder (model.onnx, card.json, golden pair).

Needs PyTorch 1.13 and onnx 1.12 (Debian: python3-torch, python3-onnx). Example:
  python3 scripts/train.py --dataset nuclei-2d --id nuclei-2d-unet --minutes 11
"""
import argparse
import itertools
import json
import math
import os
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from datasets import LOADERS, extra_cases  # noqa: E402
import export  # noqa: E402
from tessera_common import (ARCHS, MODELS, PRESETS, REPO, TrainingBudget, arch_pools, build_model,  # noqa: E402
                            parse_pools)


def augment(img, lab, rng, dims):
    """Random in-plane 90-degree rotation, flips on every axis, intensity scale/shift/gamma, noise."""
    k = rng.integers(4)
    img, lab = np.rot90(img, k, axes=(-2, -1)), np.rot90(lab, k, axes=(-2, -1))
    channel_axes = img.ndim - dims  # a leading channel axis (colour images) is not flipped
    for ax in range(dims):
        if rng.random() < 0.5:
            img, lab = np.flip(img, channel_axes + ax), np.flip(lab, ax)
    img = np.ascontiguousarray(img)
    # Gamma on the [0, 1] part keeps dark backgrounds dark; scale/shift/noise cover other scanners.
    g = math.exp(rng.uniform(-0.5, 0.5))
    img = np.sign(img) * np.abs(img) ** g
    img = img * rng.uniform(0.7, 1.3) + rng.uniform(-0.15, 0.15)
    if channel_axes:  # colour: each channel scaled on its own, for stains of other strengths
        img = img * rng.uniform(0.85, 1.15, (img.shape[0],) + (1,) * dims)
    if rng.random() < 0.5:
        img = img + rng.normal(0, rng.uniform(0, 0.08), img.shape)
    return img.astype(np.float32), np.ascontiguousarray(lab)


def random_crop(img, lab, patch, rng, centre=None):
    """A patch at a random place, or around `centre` (a voxel position) where given, kept inside the image.
    Images smaller than the patch are zero-padded at the high end (as inference pads). A leading channel axis
    of img (colour) is kept whole."""
    pad = [(0, max(0, p - s)) for p, s in zip(patch, lab.shape)]
    if any(p[1] for p in pad):
        img, lab = np.pad(img, [(0, 0)] * (img.ndim - lab.ndim) + pad), np.pad(lab, pad)
    if centre is None:
        start = [rng.integers(s - p + 1) for s, p in zip(lab.shape, patch)]
    else:
        start = [min(max(c - p // 2 + rng.integers(-(p // 4), p // 4 + 1), 0), s - p)
                 for c, s, p in zip(centre, lab.shape, patch)]
    sl = tuple(slice(a, a + p) for a, p in zip(start, patch))
    return img[(Ellipsis,) + sl], lab[sl]


def sample_patch(case, foreground, patch, rng, fg_fraction, max_zoom):
    """One training patch: centred near a random foreground voxel with probability fg_fraction (`foreground`:
    the case's flat foreground indices), and zoomed by a factor drawn log-uniformly from [1/max_zoom, max_zoom]
    (a region of patch/zoom voxels resampled to the patch: linear for the image, nearest for the labels)."""
    _, img, lab = case
    zoom = math.exp(rng.uniform(-math.log(max_zoom), math.log(max_zoom))) if max_zoom > 1 else 1.0
    region = [max(1, int(round(p / zoom))) for p in patch]
    centre = None
    if len(foreground) and rng.random() < fg_fraction:
        centre = np.unravel_index(foreground[rng.integers(len(foreground))], lab.shape)
    img, lab = random_crop(img, lab, region, rng, centre)
    if region != list(patch):
        mode = "bilinear" if len(patch) == 2 else "trilinear"
        x = torch.from_numpy(np.ascontiguousarray(img, dtype=np.float32)).reshape((1, -1) + img.shape[-len(patch):])
        img = F.interpolate(x, size=patch, mode=mode, align_corners=False)[0].numpy().reshape(
            img.shape[:-len(patch)] + tuple(patch))
        y = torch.from_numpy(np.ascontiguousarray(lab).astype(np.float32))[None, None]
        lab = F.interpolate(y, size=patch, mode="nearest")[0, 0].numpy().astype(np.int64)
    return img, lab


def loss_fn(logits, target, n_classes, weight=None):
    if isinstance(logits, (list, tuple)):  # deep supervision (U-Net++): the same loss on every head, averaged
        return sum(_loss(o, target, n_classes, weight) for o in logits) / len(logits)
    return _loss(logits, target, n_classes, weight)


def _loss(logits, target, n_classes, weight=None):
    """Cross-entropy (optionally class-weighted) + soft Dice averaged over all classes."""
    ce = F.cross_entropy(logits, target, weight=weight)
    prob = logits.softmax(1)
    onehot = F.one_hot(target, n_classes).movedim(-1, 1).float()
    axes = [0] + list(range(2, logits.dim()))
    inter = (prob * onehot).sum(axes)
    denom = prob.sum(axes) + onehot.sum(axes)
    dice = (2 * inter + 1) / (denom + 1)
    return ce + (1 - dice.mean())


@torch.no_grad()
def predict_whole(model, img, div):
    """Whole-image inference: zero-pad at the high end to the divisibility, crop back. A network with one fixed
    input size (PSPNet) gets tiles of that size at half-tile steps, their probabilities averaged."""
    if getattr(model, "fixed_input", None):
        return predict_fixed_tiles(model, img, model.fixed_input)
    shape = img.shape[-len(div):]
    channel_axes = img.ndim - len(div)  # a leading channel axis for colour images
    pad = [(0, 0)] * channel_axes + [(0, (-s) % d) for s, d in zip(shape, div)]
    x = torch.from_numpy(np.pad(img, pad)).reshape((1, -1) + tuple(s + p[1] for s, p in zip(shape, pad[channel_axes:])))
    logits = model(x)[0]
    sl = (slice(None),) + tuple(slice(0, s) for s in shape)
    return logits[sl].argmax(0).numpy()


def predict_fixed_tiles(model, img, tile):
    pad = [(0, max(0, t - s)) for s, t in zip(img.shape, tile)]
    padded = np.pad(img, pad)
    starts = [sorted({min(a, s - t) for a in range(0, s - t + t // 2, t // 2)}) for s, t in zip(padded.shape, tile)]
    prob, count = None, np.zeros(padded.shape, np.float32)
    for start in itertools.product(*starts):
        sl = tuple(slice(a, a + t) for a, t in zip(start, tile))
        p = model(torch.from_numpy(np.ascontiguousarray(padded[sl]))[None, None])[0].softmax(0).numpy()
        if prob is None:
            prob = np.zeros((p.shape[0],) + padded.shape, np.float32)
        prob[(slice(None),) + sl] += p
        count[sl] += 1
    crop = tuple(slice(0, s) for s in img.shape)
    return (prob / count)[(slice(None),) + crop].argmax(0)


def evaluate(model, cases, classes, div):
    model.eval()
    tp = np.zeros(len(classes)); fp = np.zeros(len(classes)); fn = np.zeros(len(classes))
    per_case = {}
    for name, img, lab in cases:
        pred = predict_whole(model, img, div)
        d = []
        for c in range(len(classes)):
            a, b = pred == c, lab == c
            t, p_, n_ = (a & b).sum(), (a & ~b).sum(), (~a & b).sum()
            tp[c] += t; fp[c] += p_; fn[c] += n_
            d.append(2 * t / max(2 * t + p_ + n_, 1))
        per_case[name] = [round(float(v), 4) for v in d]
    pooled = {c: round(float(2 * tp[i] / max(2 * tp[i] + fp[i] + fn[i], 1)), 4) for i, c in enumerate(classes)}
    return pooled, per_case


def warm_start(model, onnx_path, batches):
    """Load an exported model.onnx into `model` (the same architecture) to go on training it. The exporter folded
    each BatchNorm into the conv before it, so here each conv takes the folded weights and bias, and each
    BatchNorm becomes the identity on the statistics of its input over `batches` (training patches): exact in
    eval mode, and close to it in training mode, where BatchNorm normalizes by the batch's own statistics."""
    import onnx
    from onnx import numpy_helper
    graph = onnx.load(onnx_path).graph
    init = {i.name: numpy_helper.to_array(i) for i in graph.initializer}
    cast = {n.output[0]: n.input[0] for n in graph.node if n.op_type == "Cast"}  # float16 weights are cast up
    tensors = [[init[cast.get(name, name)].astype(np.float32) for name in n.input[1:]]
               for n in graph.node if n.op_type in ("Conv", "ConvTranspose")]
    convs = []
    hooks = [m.register_forward_hook(lambda m, i, o: convs.append(m)) for m in model.modules()
             if isinstance(m, (torch.nn.modules.conv._ConvNd,))]
    model.eval()
    with torch.no_grad():
        model(batches[0][:1])
    for h in hooks:
        h.remove()
    if len(convs) != len(tensors):
        raise SystemExit("--init %s: %d convolutions there, %d in this network" % (onnx_path, len(tensors), len(convs)))
    following = {}  # conv -> the BatchNorm right after it in its Sequential
    for seq in model.modules():
        if isinstance(seq, torch.nn.Sequential):
            kids = list(seq)
            for a, b in zip(kids, kids[1:]):
                if isinstance(b, torch.nn.modules.batchnorm._BatchNorm):
                    following[a] = b
    bias_of = {}
    with torch.no_grad():
        for conv, t in zip(convs, tensors):
            if tuple(conv.weight.shape) != t[0].shape:
                raise SystemExit("--init %s: weights %s where this network has %s"
                                 % (onnx_path, t[0].shape, tuple(conv.weight.shape)))
            conv.weight.copy_(torch.from_numpy(t[0]))
            b = torch.from_numpy(t[1]) if len(t) > 1 else torch.zeros(conv.weight.shape[1 if isinstance(
                conv, torch.nn.modules.conv._ConvTransposeNd) else 0])
            if conv.bias is not None:
                conv.bias.copy_(b)
            elif conv in following:
                bias_of[following[conv]] = b
            elif b.abs().max() > 0:
                raise SystemExit("--init %s: a bias for a conv without one" % onnx_path)
        norms = list(following.values())
        stats = {bn: [] for bn in norms}
        hooks = [bn.register_forward_hook(lambda m, i, o: stats[m].append(i[0].transpose(0, 1).flatten(1)))
                 for bn in norms]
        for bn in norms:  # the folded network exactly while the statistics are gathered
            bn.running_mean.zero_(); bn.running_var.fill_(1 - bn.eps); bn.weight.fill_(1)
            bn.bias.copy_(bias_of.get(bn, torch.zeros(1)).expand_as(bn.bias))
        for x in batches:
            model(x)
        for h in hooks:
            h.remove()
        for bn in norms:
            v = torch.cat(stats[bn], 1)
            mean, var = v.mean(1), v.var(1, unbiased=False)
            bn.running_mean.copy_(mean); bn.running_var.copy_(var)
            bn.weight.copy_((var + bn.eps).sqrt()); bn.bias.copy_(mean + bias_of.get(bn, 0))
    model.train()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", required=True, choices=sorted(PRESETS))
    ap.add_argument("--id", required=True, help="model id (folder name)")
    ap.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data"), help="data folder")
    ap.add_argument("--out", default=MODELS, help="parent folder of the model folder")
    ap.add_argument("--arch", default="unet", choices=sorted(ARCHS),
                    help="unet; attention-unet (Oktay et al. 2018); unet++ (Zhou et al. 2018, deep supervision, "
                         "exported as one model folder per pruning level: ID-l1 .. ID-l4); cenet (Gu et al. 2019); "
                         "fcn8s / fcn16s / fcn32s (Long et al. 2015); segnet (Badrinarayanan et al. 2017); deconvnet "
                         "(Noh et al. 2015); deeplabv3+ (Chen et al. 2018); pspnet (Zhao et al. 2017, 2D, fixed tile); "
                         "fc-densenet (Jegou et al. 2017); refinenet (Lin et al. 2017); dilated (front end + context "
                         "module, Yu and Koltun 2016)")
    ap.add_argument("--base", type=int)
    ap.add_argument("--pools", help="pooling kernels per level, tensor order, e.g. '1,2,2;2,2,2'")
    ap.add_argument("--patch", help="training patch, tensor order, e.g. '32,64,64'")
    ap.add_argument("--batch", type=int)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--iters", type=int, default=100000, help="iteration cap")
    ap.add_argument("--minutes", type=float, default=10.0, help="wall-time cap for training")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu", help="cpu or cuda (evaluation and export run on the CPU)")
    ap.add_argument("--class-weights", help="cross-entropy weight per class, e.g. '1,1,3' (default: all 1)")
    ap.add_argument("--fg-fraction", type=float, default=0.0,
                    help="fraction of patches centred near a random foreground voxel (the rest: anywhere)")
    ap.add_argument("--zoom", type=float, default=1.0,
                    help="scale augmentation: patches zoomed by a factor in [1/ZOOM, ZOOM] (1: none)")
    ap.add_argument("--extra-train", metavar="DIR",
                    help="more training cases: NAME.nii.gz + NAME_truth.nii.gz pairs (e.g. from tessera phantom), "
                         "resampled to the preset's spacing; the card lists them among its training cases")
    ap.add_argument("--checkpoint", default=os.path.join(tempfile.gettempdir(), "tessera-train"),
                    help="folder for the PyTorch checkpoint (kept out of the project)")
    ap.add_argument("--init", metavar="MODEL_ONNX",
                    help="go on training an exported model of the same architecture (its model.onnx); the "
                         "card's budget counts only this run's iterations and names the starting model")
    ap.add_argument("--fp16-weights", action="store_true",
                    help="export with the weights stored as float16 (see export.py)")
    args = ap.parse_args()
    # Where files are read and written is this machine's business: --data, --out and --checkpoint are left
    # out of the recorded command (the card names the data set).
    argv, skip, local = [], False, ("--data", "--out", "--checkpoint", "--extra-train")
    for a in sys.argv[1:]:
        if skip or a in local or a.startswith(tuple(o + "=" for o in local)):
            skip = a in local
            continue
        argv.append(a)
    started_from = None
    if args.init:  # the recorded command names the starting model by id; the card keeps its training record
        card_path = os.path.join(os.path.dirname(os.path.abspath(args.init)), "card.json")
        prev = json.load(open(card_path)) if os.path.exists(card_path) else {}
        model_id = prev.get("id", os.path.basename(os.path.dirname(os.path.abspath(args.init))))
        argv = [model_id + "/model.onnx" if a == args.init else
                "--init=%s/model.onnx" % model_id if a == "--init=" + args.init else a for a in argv]
        started_from = dict(model=model_id, **{k: prev["training"][k] for k in ("command", "budget", "startedFrom")
                                               if k in prev.get("training", {})})
    command = "python3 scripts/train.py " + " ".join(argv)

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = np.random.default_rng(args.seed)
    pre = PRESETS[args.dataset]
    dims, classes = pre["dims"], pre["classes"]
    arch = ARCHS[args.arch]
    pools = parse_pools(args.pools or arch_pools(pre, args.arch) or arch["pools"][dims] or pre["pools"])
    patch = [int(v) for v in (args.patch or pre["patch"]).split(",")]
    base = args.base or arch["base"][dims] or pre["base"]
    batch = args.batch or pre["batch"]

    train, held = LOADERS[args.dataset](args.data)
    if args.extra_train:
        if not pre["spacing"]:
            ap.error("--extra-train needs a preset with a training spacing")
        train = train + extra_cases(args.extra_train, pre["spacing"])
    print("train cases: %d, held-out cases: %d" % (len(train), len(held)), flush=True)
    if dims not in arch.get("dims", (2, 3)):
        ap.error("--arch %s is %s only" % (args.arch, " / ".join("%dD" % d for d in arch["dims"])))
    model = build_model(args.arch, dims, len(classes), base, pools, patch, in_channels=len(pre["channels"]))
    patch = list(getattr(model, "fixed_input", None) or patch)  # PSPNet trains on its one tile size
    n_params = sum(p.numel() for p in model.parameters())
    print("parameters: %d, divisibility %s" % (n_params, model.divisibility()), flush=True)
    foreground = [np.flatnonzero(lab) if args.fg_fraction > 0 else [] for _, _, lab in train]
    if args.init:
        def patches():
            i = rng.integers(len(train))
            img, lab = sample_patch(train[i], foreground[i], patch, rng, args.fg_fraction, args.zoom)
            img = augment(img, lab, rng, dims)[0]
            return img if img.ndim == dims + 1 else img[None]
        warm_start(model, args.init, [torch.from_numpy(np.stack([patches() for _ in range(batch)]))
                                      for _ in range(4)])
        print("warm start from %s" % args.init, flush=True)
    device = torch.device(args.device)
    model.to(device)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    weight = None
    if args.class_weights:
        weight = torch.tensor([float(v) for v in args.class_weights.split(",")], device=device)
        if len(weight) != len(classes):
            ap.error("--class-weights needs %d values (%s)" % (len(classes), ", ".join(classes)))

    budget = TrainingBudget(args.iters, args.minutes)
    model.train()
    for step, progress in budget:
        for g in opt.param_groups:  # cosine decay over whichever budget runs out first
            g["lr"] = args.lr * 0.5 * (1 + math.cos(math.pi * progress))
        xs, ys = [], []
        for _ in range(batch):
            i = rng.integers(len(train))
            img, lab = sample_patch(train[i], foreground[i], patch, rng, args.fg_fraction, args.zoom)
            img, lab = augment(img, lab, rng, dims)
            xs.append(img); ys.append(lab)
        x = np.stack(xs)
        x = torch.from_numpy(x if x.ndim == dims + 2 else x[:, None]).to(device)
        y = torch.from_numpy(np.stack(ys)).to(device)
        loss = loss_fn(model(x), y, len(classes), weight)
        opt.zero_grad()
        loss.backward()
        opt.step()
        if step % 20 == 0:
            print("iter %d  %.0fs  loss %.4f" % (step, budget.elapsed(), loss.item()), flush=True)
    it, minutes = budget.done, budget.elapsed() / 60
    print("trained %d iterations in %.1f min" % (it, minutes), flush=True)
    os.makedirs(args.checkpoint, exist_ok=True)
    model.cpu()
    torch.save(model.state_dict(), os.path.join(args.checkpoint, args.id + ".pt"))

    name = pre["name"].replace("U-Net", arch["words"])
    run = dict(pre=pre, patch=patch, n_params=n_params, train=train, held=held, arch=args.arch,
               fp16_weights=args.fp16_weights,
               command=command, seed=args.seed, iterations=it, minutes=minutes, batch=batch, lr=args.lr,
               device="2 CPU threads" if device.type == "cpu" else "GPU (%s)" % args.device,
               class_weights=args.class_weights, fg_fraction=args.fg_fraction, zoom=args.zoom,
               started_from=started_from)
    if args.arch == "unet++":
        # One trained network, one model folder per pruning level (the level-L sub-network).
        levels = {}
        tile = 256 if dims == 2 else 64  # 256^3 voxels would take minutes per pass on 2 CPU threads
        for level in range(1, model.depth + 1):
            sub = model.prune(level).eval()
            pooled, per_case = evaluate(sub, held, classes, sub.divisibility())
            ms = export.ms_per_tile(sub, size=tile)
            levels[level] = dict(pooled=pooled, per_case=per_case, ms=ms,
                                 n_params=sum(p.numel() for p in sub.parameters()))
            print("L%d held-out Dice %s, %.1f ms per %d^%d tile, %d parameters"
                  % (level, json.dumps(pooled), ms, tile, dims, levels[level]["n_params"]), flush=True)
        for level, r in levels.items():
            sub = model.prune(level).eval()
            card_info = dict(run, id="%s-l%d" % (args.id, level), name="%s L%d (pruned)" % (name, level),
                             pooled=r["pooled"], per_case=r["per_case"], ms=r["ms"], n_params=r["n_params"],
                             trained_params=n_params, pruning={"level": level, "levels": {
                                 "L%d" % k: {"dice": v["pooled"], "msPerTile%d" % tile: v["ms"], "parameters": v["n_params"]}
                                 for k, v in levels.items()}, "family": ["%s-l%d" % (args.id, k) for k in levels]})
            export.export_model(sub, os.path.join(args.out, card_info["id"]), card_info)
        return
    div = model.divisibility()
    pooled, per_case = evaluate(model, held, classes, div)
    print("held-out Dice (pooled over cases):", json.dumps(pooled))
    print("held-out Dice per case:", json.dumps(per_case))
    tile = 256 if dims == 2 else 64
    ms = export.ms_per_tile(model, size=tile)
    print("%.1f ms per %d^%d tile" % (ms, tile, dims), flush=True)
    card_info = dict(run, id=args.id, name=name, pooled=pooled, per_case=per_case, ms=ms)
    export.export_model(model, os.path.join(args.out, args.id), card_info)


if __name__ == "__main__":
    main()
