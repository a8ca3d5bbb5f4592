#!/usr/bin/env python3
"""The PyTorch side of scripts/bench-vs-pytorch.sh: the network of a Tessera model card rebuilt in PyTorch with the
weights of its model.onnx, run as a sliding window the way nnU-Net runs one (half-tile steps, Gaussian blending of
the logits, argmax).

  bench_vs_pytorch.py check MODEL_ID                      golden pair through the PyTorch network: max |diff|
  bench_vs_pytorch.py run MODEL_ID INPUT OUTPUT [--tile X,Y[,Z]] [--step F] [--batch N] [--threads N]
  bench_vs_pytorch.py dice LABELS_A LABELS_B              Dice per foreground class between two label files

Spatial lists on the command line and in cards are x, y[, z]; arrays here are in tensor order ([z,] y, x).
"""
import argparse
import json
import math
import os
import sys

import numpy as np
import onnx
import torch
from onnx import numpy_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from tessera_common import ARCHS, MODELS, build_model  # noqa: E402

CONVS = (torch.nn.Conv2d, torch.nn.Conv3d, torch.nn.ConvTranspose2d, torch.nn.ConvTranspose3d)
NORMS = (torch.nn.BatchNorm2d, torch.nn.BatchNorm3d)


def card_of(model_id):
    with open(os.path.join(MODELS, model_id, "card.json")) as f:
        return json.load(f)


def fail(model_id, why):
    sys.exit("bench_vs_pytorch: cannot map %s's model.onnx onto a PyTorch network: %s" % (model_id, why))


def onnx_convs(model_id):
    """(weight, bias or None) of every Conv/ConvTranspose node in graph order, as float32 arrays; a weight stored
    as float16 is found behind its Cast."""
    g = onnx.load(os.path.join(MODELS, model_id, "model.onnx")).graph
    if any(n.op_type == "BatchNormalization" for n in g.node):
        fail(model_id, "the graph keeps BatchNormalization nodes (not folded into convs)")
    inits = {i.name: i for i in g.initializer}
    cast_of = {n.output[0]: n.input[0] for n in g.node if n.op_type == "Cast"}

    def tensor(name):
        while name not in inits and name in cast_of:
            name = cast_of[name]
        if name not in inits:
            fail(model_id, "conv input %s is not an initializer" % name)
        return numpy_helper.to_array(inits[name]).astype(np.float32)

    return [(tensor(n.input[1]), tensor(n.input[2]) if len(n.input) > 2 and n.input[2] else None)
            for n in g.node if n.op_type in ("Conv", "ConvTranspose")]


def network(model_id, card=None):
    """The card's architecture with BatchNorm replaced by Identity (the export folds it into the conv before it)
    and the ONNX weights loaded into the convs in the order they run."""
    card = card or card_of(model_id)
    arch, net, dims = card["architecture"], card["network"], card["dimensionality"]
    if arch not in ARCHS or "baseWidth" not in net or "poolKernels" not in net:
        fail(model_id, "architecture %r or its card's network block is not one tessera_common builds" % arch)
    pools = [tuple(reversed(p)) for p in net["poolKernels"]]
    patch = list(reversed(card["patchSize"]))
    model = build_model(arch, dims, len(card["output"]["classes"]), net["baseWidth"], pools, patch,
                        len(card["input"]["channels"])).eval()
    for parent in list(model.modules()):
        for name, child in parent.named_children():
            if isinstance(child, NORMS):
                setattr(parent, name, torch.nn.Identity())
    # The order the convs run in is the order the exporter wrote their nodes.
    order = []
    hooks = [m.register_forward_hook(lambda m, i, o: order.append(m) if m not in order else None)
             for m in model.modules() if isinstance(m, CONVS)]
    golden = card["golden"]["inputShape"]
    with torch.no_grad():
        model(torch.zeros(golden))
    for h in hooks:
        h.remove()
    weights = onnx_convs(model_id)
    if len(weights) != len(order):
        fail(model_id, "%d ONNX convs, %d PyTorch convs run" % (len(weights), len(order)))
    with torch.no_grad():
        for i, (m, (w, b)) in enumerate(zip(order, weights)):
            if tuple(m.weight.shape) != w.shape:
                fail(model_id, "conv %d: PyTorch %s, ONNX %s" % (i, tuple(m.weight.shape), w.shape))
            m.weight.copy_(torch.from_numpy(w))
            channels = m.out_channels
            m.bias = torch.nn.Parameter(torch.from_numpy(b) if b is not None else torch.zeros(channels))
    return model


def check(args):
    card = card_of(args.model)
    folder, golden = os.path.join(MODELS, args.model), card["golden"]
    x = np.fromfile(os.path.join(folder, "golden-input.bin"), "<f4").reshape(golden["inputShape"])
    y = np.fromfile(os.path.join(folder, "golden-output.bin"), "<f4").reshape(golden["outputShape"])
    with torch.no_grad():
        diff = float(np.abs(network(args.model, card)(torch.from_numpy(x)).numpy() - y).max())
    print("golden %s: max |pytorch - golden| = %.3g" % (args.model, diff))
    if not diff < 1e-3:
        sys.exit("bench_vs_pytorch: %s: the PyTorch network does not reproduce the golden output" % args.model)


def read_image(path, dims):
    """The image in tensor order, and what writing the labels needs (the NIfTI header)."""
    if path.endswith((".nii", ".nii.gz")):
        import nibabel
        img = nibabel.load(path)
        return np.asarray(img.dataobj).transpose(), img   # x, y, z -> z, y, x
    import skimage.io
    return skimage.io.imread(path), None


def write_labels(path, labels, img):
    if img is not None:
        import nibabel
        out = nibabel.Nifti1Image(labels.transpose(), img.affine, img.header)
        out.set_data_dtype(np.uint8)      # the input's header says its own type
        nibabel.save(out, path)
    else:
        import tifffile
        tifffile.imwrite(path, labels)


def normalize(x, norm):
    """Tessera's Normalization (percentile scheme): numpy percentiles over the whole image (an evenly strided sample
    of at most 2^24 voxels, x fastest, as Tessera takes), then (x - lo) * (1 / (hi - lo)) in float32."""
    if norm["scheme"] != "percentile":
        sys.exit("bench_vs_pytorch: only the percentile normalization is implemented, not %s" % norm["scheme"])
    flat = x.ravel()
    stride = max(1, -(-flat.size // (1 << 24)))
    lo, hi = np.percentile(flat[::stride].astype(np.float64), [norm["lower"], norm["upper"]])
    return (x.astype(np.float32) - np.float32(lo)) * np.float32(1 / max(hi - lo, 1e-8))


def steps(size, tile, step):
    """Tile starts along one axis: as few as keep consecutive starts at most tile*step apart, spread evenly."""
    n = math.ceil((size - tile) / (tile * step)) + 1
    return [0] if n == 1 else [round(i * (size - tile) / (n - 1)) for i in range(n)]


def gaussian(tile):
    """nnU-Net's importance map: a Gaussian (sigma = tile / 8 per axis) centred at tile // 2, maximum 1, zeros
    replaced by the smallest nonzero value so every voxel keeps some weight."""
    g = np.ones(tile, np.float32)
    for axis, n in enumerate(tile):
        t = np.arange(n) - n // 2
        shape = [1] * len(tile)
        shape[axis] = n
        g = g * np.exp(-t ** 2 / (2 * (n / 8) ** 2)).astype(np.float32).reshape(shape)
    g /= g.max()
    g[g == 0] = g[g > 0].min()
    return g


def run(args):
    torch.set_num_threads(args.threads)
    card = card_of(args.model)
    model = network(args.model, card)
    raw, img = read_image(args.input, card["dimensionality"])
    x = normalize(raw, card["normalization"])
    tile = list(reversed(args.tile or card["patchSize"]))
    if len(tile) != raw.ndim:
        sys.exit("bench_vs_pytorch: tile %s for a %d-D image" % (args.tile, raw.ndim))
    # Pad (zeros after normalization, split over both sides) to at least the tile.
    pads = [(max(0, t - s) // 2, max(0, t - s) - max(0, t - s) // 2) for s, t in zip(x.shape, tile)]
    x = np.pad(x, pads)
    starts = np.stack(np.meshgrid(*[steps(s, t, args.step) for s, t in zip(x.shape, tile)],
                                  indexing="ij"), -1).reshape(-1, len(tile))
    weight = gaussian(tile)
    classes = len(card["output"]["classes"])
    logits = np.zeros((classes,) + x.shape, np.float32)
    total = np.zeros(x.shape, np.float32)
    boxes = [tuple(slice(a, a + t) for a, t in zip(s, tile)) for s in starts]
    with torch.inference_mode():
        for b in range(0, len(boxes), args.batch):
            batch = boxes[b:b + args.batch]
            out = model(torch.from_numpy(np.stack([x[box][None] for box in batch]))).numpy()
            for box, o in zip(batch, out):
                logits[(slice(None),) + box] += o * weight
                total[box] += weight
    labels = (logits / total).argmax(0).astype(np.uint8)
    labels = labels[tuple(slice(p[0], p[0] + s) for p, s in zip(pads, raw.shape))]
    write_labels(args.output, labels, img)
    print("pytorch: %d tiles of %s" % (len(boxes), "x".join(str(t) for t in reversed(tile))))


def dice(args):
    a, b = (read_image(p, 0)[0] for p in (args.a, args.b))
    if a.shape != b.shape:
        sys.exit("bench_vs_pytorch: label shapes differ: %s and %s" % (a.shape, b.shape))
    scores = []
    for c in sorted((set(np.unique(a)) | set(np.unique(b))) - {0}):
        inter, size = np.sum((a == c) & (b == c)), np.sum(a == c) + np.sum(b == c)
        scores.append("%d:%.4f" % (c, 2 * inter / size))
    print("%s (%d of %d voxels differ)" % (" ".join(scores) or "no foreground", np.sum(a != b), a.size))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("check")
    c.add_argument("model")
    r = sub.add_parser("run")
    r.add_argument("model")
    r.add_argument("input")
    r.add_argument("output")
    r.add_argument("--tile", type=lambda s: [int(v) for v in s.split(",")], help="x,y[,z]; default: the card's patch")
    r.add_argument("--step", type=float, default=0.5)
    r.add_argument("--batch", type=int, default=4)
    r.add_argument("--threads", type=int, default=2)
    d = sub.add_parser("dice")
    d.add_argument("a")
    d.add_argument("b")
    args = ap.parse_args()
    {"check": check, "run": run, "dice": dice}[args.cmd](args)


if __name__ == "__main__":
    main()
