#!/usr/bin/env python3
"""ONNX export of a trained U-Net (plain, Attention U-Net, or a pruned U-Net++ level) plus its card and golden
input/output pair.

Used by train.py after training; can also re-export a saved checkpoint:
  python3 scripts/export.py --dataset nuclei-2d --id nuclei-2d-unet --checkpoint FILE.pt
(re-export writes only model.onnx and the golden pair and keeps the existing card's other fields; the
architecture comes from the card; --with-attention adds an Attention U-Net's gate coefficients as extra graph
outputs attention_1 .. attention_n after "logits", each resampled to the input's spatial size, and declares
them in the card's "attentionOutputs").
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from torch.onnx import symbolic_helper

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from datasets import LOADERS  # noqa: E402
from onnx_check import (OPSET, check_against_torch, export_graph, graph_ops, run_graph, weights_to_float16,  # noqa: E402
                        write_golden)
from tessera_common import MODELS, PRESETS, REPO, build_model, qualifier, write_json  # noqa: E402
from tessera_common import golden_shape as golden_shape_for  # noqa: E402
from tessera_models.unet import UNet  # noqa: E402

# Largest |difference| allowed: the exported graph against PyTorch here, Tessera against the golden output later.
GOLDEN_TOLERANCE = 1e-4


def in_channels(model):
    return getattr(model, "in_channels", None) or model.down[0][0].in_channels


def output_names(model):
    """logits, plus attention_1 .. attention_n when an Attention U-Net returns its gates' coefficients."""
    if getattr(model, "return_attention", False):
        return ["logits"] + ["attention_%d" % (i + 1) for i in range(len(model.pools))]
    return ["logits"]


def fold_transposed_batchnorm(model):
    """A copy of the model with every BatchNorm that directly follows a transposed conv (in a Sequential) folded
    into it; the exporter folds BatchNorm only after ordinary convolutions."""
    import copy
    model = copy.deepcopy(model).eval()
    for seq in [m for m in model.modules() if isinstance(m, torch.nn.Sequential)]:
        items = list(seq)
        for i in range(len(items) - 1):
            up, bn = items[i], items[i + 1]
            if isinstance(up, torch.nn.modules.conv._ConvTransposeNd) and isinstance(bn, torch.nn.modules.batchnorm._BatchNorm):
                scale = bn.weight / torch.sqrt(bn.running_var + bn.eps)
                shape = (1, -1) + (1,) * (up.weight.dim() - 2)  # weight is (in, out, k...)
                bias = up.bias if up.bias is not None else torch.zeros_like(bn.running_mean)
                with torch.no_grad():
                    up.weight.mul_(scale.reshape(shape))
                    up.bias = torch.nn.Parameter((bias - bn.running_mean) * scale + bn.bias)
                seq[i + 1] = torch.nn.Identity()
    return model


class AttentionAtInputSize(torch.nn.Module):
    """An Attention U-Net returning (logits, attention_1 .. attention_n), each gate's coefficients resampled
    (bi/trilinear, half-pixel, like the gates' own resampling) from its skip's grid to the input's: every
    output then has the input tile's shape and tiles and stitches like the logits. The logits are untouched."""

    def __init__(self, net):
        super().__init__()
        self.net = net
        net.return_attention = True
        self.return_attention = True
        self.dims, self.pools, self.in_channels = net.dims, net.pools, net.in_channels

    def divisibility(self):
        return self.net.divisibility()

    def forward(self, x):
        logits, *alphas = self.net(x)
        mode = "bilinear" if self.dims == 2 else "trilinear"
        out, stride = [logits], [1] * self.dims
        for alpha, pool in zip(alphas, self.pools):   # alpha_k sits on skip k's grid: input / stride
            if any(s > 1 for s in stride):
                alpha = F.interpolate(alpha, scale_factor=[float(s) for s in stride], mode=mode, align_corners=False)
            out.append(alpha)
            stride = [s * p for s, p in zip(stride, pool)]
        return tuple(out)


@symbolic_helper.parse_args("v", "is", "is", "is", "is", "i")
def _max_pool_with_indices(g, x, kernel, stride, pads, dilation, ceil_mode):
    """ONNX MaxPool with its Indices output in ONNX's own convention (flattened over N x C x spatial; PyTorch's
    exporter would convert them to its per-plane convention, which ONNX's MaxUnpool does not read)."""
    assert not ceil_mode and set(dilation) <= {1}, (ceil_mode, dilation)
    return g.op("MaxPool", x, kernel_shape_i=kernel, strides_i=stride or kernel, pads_i=list(pads) * 2, outputs=2)


def _max_unpool(g, x, indices, *size_stride_pads):
    """ONNX MaxUnpool (PyTorch 1.13 exports none) reading the indices of the MaxPool that made them, with that
    pool's kernel and strides. No output_shape input: with kernel == stride and no padding the default output,
    (in - 1) * stride + kernel, is the pooled tensor's shape, as the divisibility guarantees."""
    pool = indices.node()
    assert pool.kind() == "onnx::MaxPool", pool
    ints = getattr(pool, "is")  # Node.is (a Python keyword): an int-list attribute
    kernel, stride = ints("kernel_shape"), ints("strides")
    assert kernel == stride and not any(ints("pads")), pool
    return g.op("MaxUnpool", x, indices, kernel_shape_i=kernel, strides_i=stride)


UNPOOLING_SYMBOLICS = {"aten::max_pool2d_with_indices": _max_pool_with_indices,
                       "aten::max_pool3d_with_indices": _max_pool_with_indices,
                       "aten::max_unpool2d": _max_unpool, "aten::max_unpool3d": _max_unpool}


def to_onnx(model, path):
    model = fold_transposed_batchnorm(model)
    fixed = getattr(model, "fixed_input", None)  # PSPNet: one tile size, static spatial axes
    dummy = torch.zeros((1, in_channels(model)) + tuple(fixed or (2 * d for d in model.divisibility())))
    # Only SegNet / DeconvNet pool with indices; the symbolics are registered for this export alone.
    for name, fn in UNPOOLING_SYMBOLICS.items():
        torch.onnx.register_custom_op_symbolic(name, fn, OPSET)
    try:
        m = export_graph(model, path, dummy, output_names(model), dynamic_spatial=not fixed)
    finally:
        for name in UNPOOLING_SYMBOLICS:
            torch.onnx.unregister_custom_op_symbolic(name, OPSET)
    # FC-DenseNet's BatchNorm comes before its convs (pre-activation): nothing to fold it into.
    assert "BatchNormalization" not in graph_ops(m) or hasattr(model, "growth"), graph_ops(m)
    return m


def golden_input(held, shape):
    """A deterministic crop from the centre of the first held-out case (already normalized)."""
    img = held[0][1]
    spatial = img.shape[-len(shape):]  # after a leading channel axis, for colour images
    start = [(s - g) // 2 for s, g in zip(spatial, shape)]
    crop = img[(Ellipsis,) + tuple(slice(a, a + g) for a, g in zip(start, shape))]
    return np.ascontiguousarray(crop, dtype=np.float32).reshape((1, -1) + tuple(shape))


def measured_reach(model, shape):
    """Per tensor spatial axis: (largest reach towards lower, towards higher indices) from an output voxel to
    the input voxels that influence it, by gradient support at output positions over every pooling phase."""
    model = model.eval()
    dims = model.dims
    x = torch.randn((1, in_channels(model)) + tuple(shape), requires_grad=True)
    y = model(x)
    if isinstance(y, (tuple, list)):
        y = y[0]
    lo, hi = [0] * dims, [0] * dims
    centre = [s // 2 for s in shape]
    for shift in range(max(model.divisibility())):
        pos = [c + shift for c in centre]
        x.grad = None
        y[(0, 1) + tuple(pos)].backward(retain_graph=True)
        nz = torch.nonzero(x.grad[0].abs().sum(0) > 0)
        for a in range(dims):
            lo[a] = max(lo[a], int(pos[a] - nz[:, a].min()))
            hi[a] = max(hi[a], int(nz[:, a].max() - pos[a]))
    return lo, hi


@torch.no_grad()
def structural_reach(model):
    """Per tensor spatial axis: (reach towards lower, towards higher indices) of the network's structure, for
    receptive fields too large for gradient probing (CE-Net's ResNet-34 + DAC + RMP; 3D U-Net++). Not for
    attention gates: a sigmoid is never zero, so the probe would not see what the gate depends on. In a width-1 copy with
    every weight 1, zero biases, identity BatchNorm and every layer's output set to 1 where it is positive, all
    values are non-negative and bounded, so no ReLU or max pooling hides a path: the outputs that a one-voxel
    input reaches are exactly those that depend on it. Each axis is probed on a field long along that axis and
    short across it, with one batch item per pooling phase."""
    if hasattr(model, "full_depth"):  # a pruned U-Net++: the same level of a width-1 network
        from tessera_models.unet_plus_plus import UNetPlusPlus
        pools = list(model.pools) + [model.pools[-1]] * (model.full_depth - len(model.pools))
        probe = UNetPlusPlus(model.dims, 1, 1, 1, pools).prune(model.level).eval()
    elif hasattr(model, "width_one"):  # networks whose structure depends on more than the pooling (DeepLabv3+)
        probe = model.width_one().eval()
    elif hasattr(model, "skip"):  # FCN-32s/16s/8s
        probe = type(model)(model.dims, 1, 1, 1, model.pools, model.skip).eval()
    else:
        probe = type(model)(model.dims, 1, 1, 1, model.pools).eval()
    binarize = lambda module, inputs, output: (output > 0).float()
    # Max unpooling (SegNet, DeconvNet) writes each pooled value at its window's argmax: where that is depends on
    # every input of the window and on the weights, which neither a gradient (one input's argmax) nor this probe's
    # own argmax (ties between binarised values) shows. So the probe unpools as nearest upsampling, the value at
    # every position of its window: a superset of the true dependency, for any weights and input.
    nearest = lambda module, inputs, output: F.interpolate(inputs[0], scale_factor=[float(s) for s in module.stride])
    for m in probe.modules():
        if isinstance(m, torch.nn.modules.pooling._MaxUnpoolNd):
            m.register_forward_hook(nearest)
        elif isinstance(m, torch.nn.modules.conv._ConvNd):
            m.weight.fill_(1.0)
            if m.bias is not None:
                m.bias.zero_()
            m.register_forward_hook(binarize)
        elif isinstance(m, torch.nn.modules.batchnorm._BatchNorm):
            m.running_mean.zero_(); m.running_var.fill_(1.0 - m.eps); m.weight.fill_(1.0); m.bias.zero_()
    div = model.divisibility()
    lo, hi = [0] * model.dims, [0] * model.dims
    for a in range(model.dims):
        length = 64 * div[a]
        while True:
            shape = [max(2 * d, 8) for d in div]
            shape[a] = length
            centre = [s // 2 for s in shape]
            x = torch.zeros((div[a], 1) + tuple(shape))
            for shift in range(div[a]):
                pos = list(centre)
                pos[a] += shift
                x[(shift, 0) + tuple(pos)] = 1.0
            y = probe(x)[:, 0] > 0
            reach_lo = reach_hi = 0
            for shift in range(div[a]):
                hit = torch.nonzero(y[shift])[:, a]
                # output o depends on input i for every o the delta at i reaches
                i = centre[a] + shift
                reach_lo, reach_hi = max(reach_lo, int(hit.max()) - i), max(reach_hi, i - int(hit.min()))
            if max(reach_lo, reach_hi) + 2 * div[a] < length // 2:
                break
            length *= 2
        lo[a], hi[a] = reach_lo, reach_hi
    return lo, hi


STRUCTURAL_NOTE = ("size and radius: structural reach (lower + higher + 1; largest one-sided), probed with a width-1 "
                   "copy whose values stay non-negative (see structural_reach in scripts/export.py), over all "
                   "pooling phases; halo = radius rounded up to the divisibility")


def structural(model):
    """CE-Net, pruned U-Net++, FCN, SegNet, DeconvNet, DeepLabv3+, FC-DenseNet, RefineNet and the dilated network
    get the structural probe; attention gates (sigmoids) need gradients."""
    return any(hasattr(model, a) for a in ("rmp", "full_depth", "skip", "unpool", "width_one", "growth", "refine",
                                           "context"))


FIXED_INPUT_NOTE = ("a fixed-size network (global pyramid pooling): every output depends on the whole tile, so the "
                    "receptive field is the tile; halo = a quarter of the tile rounded down to the divisibility, "
                    "context for halo mode rather than a bound")


def halo_for(model):
    """Receptive-field radius (measured by gradient support), rounded up to the divisibility."""
    div = model.divisibility()
    fixed = getattr(model, "fixed_input", None)
    if fixed:
        return list(fixed), [t - 1 for t in fixed], [max(d, t // 4 // d * d) for t, d in zip(fixed, div)]
    if structural(model):
        lo, hi = structural_reach(model)
        radius = [max(l, h) for l, h in zip(lo, hi)]
        halo = [int(math.ceil(r / d) * d) for r, d in zip(radius, div)]
        return [l + h + 1 for l, h in zip(lo, hi)], radius, halo
    if not isinstance(model, UNet):
        # No analytic formula here (attention gates, nested skips): measure on a field large enough that
        # the support does not reach the border; size = the measured extent (lower + higher reach + 1).
        shape = [max(128, 16 * d) for d in div]
        while True:
            lo, hi = measured_reach(model, shape)
            if all(l + 1 < s // 2 and h + max(div) < s // 2 for l, h, s in zip(lo, hi, shape)):
                break
            shape = [2 * s for s in shape]
        radius = [max(l, h) for l, h in zip(lo, hi)]
        halo = [int(math.ceil(r / d) * d) for r, d in zip(radius, div)]
        return [l + h + 1 for l, h in zip(lo, hi)], radius, halo
    rf = model.receptive_field()
    # rf + 4*div leaves room on both sides: the one-sided reach is about half the size.
    shape = [r + 4 * d for d, r in zip(div, rf)]
    shape = [int(math.ceil(s / d) * d) for s, d in zip(shape, div)]
    lo, hi = measured_reach(model, shape)
    radius = [max(l, h) for l, h in zip(lo, hi)]
    assert all(2 * r < s for r, s in zip(radius, shape)), (radius, shape)
    halo = [int(math.ceil(r / d) * d) for r, d in zip(radius, div)]
    return rf, radius, halo


def ms_per_tile(model, size=256, repeats=10):
    """Median wall time in ms of one PyTorch forward pass (eval mode, no gradients) on a 1-channel tile of
    size^dims, batch 1, on the current number of threads (2 here)."""
    model = model.eval()
    x = torch.randn((1, in_channels(model)) + (size,) * model.dims)
    times = []
    with torch.no_grad():
        for i in range(repeats + 2):
            t = time.perf_counter()
            model(x)
            if i >= 2:
                times.append(time.perf_counter() - t)
    return round(float(np.median(times)) * 1000, 1)


def write_model_files(model, folder, golden_shape, held, fp16_weights=False):
    """model.onnx and the golden pair; with fp16_weights the graph stores its weights as float16 (weights_to_float16
    in onnx_check.py) and the golden output is what that stored graph computes."""
    os.makedirs(folder, exist_ok=True)
    path = os.path.join(folder, "model.onnx")
    m = to_onnx(model, path)
    golden_shape = getattr(model, "fixed_input", None) or golden_shape_for(golden_shape, model.divisibility())
    x = torch.from_numpy(golden_input(held, golden_shape))
    expected, actual, diffs = check_against_torch(model, m, x, GOLDEN_TOLERANCE)
    for name, a in zip(output_names(model)[1:], actual[1:]):
        # Stitched like the logits: one channel at the input's spatial size, coefficients in [0, 1].
        assert tuple(a.shape) == (x.shape[0], 1) + tuple(x.shape[2:]), (name, a.shape)
        assert 0 <= float(a.min()) and float(a.max()) <= 1, name
    if fp16_weights:
        m = weights_to_float16(m)
        onnx.save(m, path)
        actual, runner = run_graph(m, x)
        d = float((actual[0] - expected[0]).abs().max())
        print("float16 weights: graph (%s) vs float32 PyTorch max |diff| %.2e" % (runner, d), flush=True)
        expected, diffs = actual, [d] + diffs[1:]
    # logits first; extra outputs (attention maps) are not golden
    return write_golden(folder, x, expected[0], GOLDEN_TOLERANCE), diffs[0]


def network_block(model, info, rev):
    if isinstance(model, UNet):
        return {"depth": len(model.pools), "baseWidth": model.down[0][0].out_channels,
                "poolKernels": [rev(p) for p in model.pools], "parameters": info["n_params"],
                "convs": "two 3x3 (3x3x3) zero-padded convs + BatchNorm + ReLU per level; max pooling; "
                         "transposed-conv up; concatenated skips; 1x1 head (logits)"}
    net = model.card_network()
    net.update({"poolKernels": [rev(p) for p in model.pools], "parameters": info["n_params"]})
    if "trained_params" in info:
        net["trainedParameters"] = info["trained_params"]
    return net


def export_model(model, folder, info):
    pre = info["pre"]
    model.eval()
    golden, diff = write_model_files(model, folder, pre["golden"], info["held"], info.get("fp16_weights", False))
    rf, radius, halo = halo_for(model)
    rev = lambda v: list(reversed(list(v)))  # tensor ((z,) y, x) -> card (x, y[, z])
    classes = pre["classes"]
    pooled = info["pooled"]
    held_names = [c[0] for c in info["held"]]
    q = qualifier(pooled)
    dice_text = ", ".join("%s %.3f" % (c, pooled[c]) for c in classes)
    arch = info.get("arch", "unet")
    card = {
        "id": info["id"],
        "name": info.get("name", pre["name"]),
        "architecture": arch,
        "dimensionality": pre["dims"],
        "input": {"name": "input", "channels": pre["channels"]},
        "output": {"name": "logits", "kind": "logits", "classes": classes},
        "normalization": {"scheme": "percentile", "lower": 1.0, "upper": 99.8},
        "trainingSpacing": rev(pre["spacing"]) if pre["spacing"] else None,
        "spacingUnit": pre["unit"],
        "patchSize": rev(info["patch"]),
        "divisibility": rev(model.divisibility()),
        "fixedInputSize": rev(model.fixed_input) if getattr(model, "fixed_input", None) else None,
        "halo": rev(halo),
        "receptiveField": {
            "size": rev(rf), "radius": rev(radius),
            "note": FIXED_INPUT_NOTE if getattr(model, "fixed_input", None) else STRUCTURAL_NOTE if structural(model) else
                    ("size: analytic (each 3-conv adds 2*stride, each pooling (k-1)*stride, transposed convs "
                     "with kernel == stride add nothing); " if isinstance(model, UNet) else
                     "size: measured extent of the gradient support (lower + higher reach + 1); ") +
                    "radius: largest one-sided reach measured by gradient "
                    "support over all pooling phases; halo = radius rounded up to the divisibility"},
        "network": dict(network_block(model, info, rev),
                        weightsStorage="float16" if info.get("fp16_weights") else "float32"),
        "instances": dict(pre["instances"], **info.get("instances", {})) if "instances" in pre else None,
        "trainingData": dict(pre["data"], trainCases=[c[0] for c in info["train"]], heldOutCases=held_names),
        "training": {"script": "scripts/train.py", "command": info["command"], "seed": info["seed"],
                     "budget": ("continued from %s (its training: startedFrom) for " % info["started_from"]["model"]
                                if info.get("started_from") else "") +
                               "%d iterations (batch %d, patch %s, Adam lr %g with cosine decay) in %.1f min "
                               "on %s; stops at --iters or --minutes, whichever comes first"
                               % (info["iterations"], info["batch"], "x".join(map(str, rev(info["patch"]))),
                                  info["lr"], info["minutes"], info.get("device", "2 CPU threads")),
                     **({"startedFrom": info["started_from"]} if info.get("started_from") else {}),
                     "loss": ("cross-entropy (class weights %s) + soft Dice (all classes)"
                              % dict(zip(classes, map(float, info["class_weights"].split(","))))
                              if info.get("class_weights") else "cross-entropy + soft Dice (all classes)") + (
                         ", on each of the 4 deep-supervision heads (X^{0,1..4}), averaged" if arch == "unet++"
                         else ""),
                     "augmentation": ("random crops" + (
                         " (%d%% centred near a random foreground pixel)" % round(100 * info["fg_fraction"])
                         if info.get("fg_fraction") else "") + (
                         ", zoom by 1/%g..%g (linear image, nearest labels)" % (info["zoom"], info["zoom"])
                         if info.get("zoom", 1) > 1 else "") +
                         ", in-plane 90-degree rotations, flips on every axis, intensity gamma/scale/shift, "
                         "Gaussian noise" + (", each colour channel scaled by 0.85..1.15"
                                             if len(pre["channels"]) > 1 else ""))},
        "quality": {"metric": "dice", "heldOutCases": held_names, "perClass": pooled,
                    "perCase": info["per_case"],
                    "evaluation": ("tiles of the fixed input size at half-tile steps, probabilities averaged"
                                   if getattr(model, "fixed_input", None) else
                                   "whole images, zero-padded at the high end to the divisibility and cropped back")
                                  + "; Dice pooled over all held-out voxels; measured by scripts/train.py",
                    "summary": "%s: held-out Dice %s over %d held-out case(s)."
                               % (q, dice_text, len(held_names))},
        "golden": golden,
    }
    if card["instances"] is None:
        del card["instances"]
    if "ms" in info:
        card["quality"]["msPerTile256" if pre["dims"] == 2 else "msPerTile64"] = info["ms"]  # train.py's tile
        card["quality"]["timing"] = ("median PyTorch forward time (eval mode, BatchNorm not folded, batch 1) "
                                     "of one %s tile on 2 CPU threads, on the training machine"
                                     % ("256x256" if pre["dims"] == 2 else "64x64x64"))
    if "pruning" in info:
        pr = info["pruning"]
        card["quality"]["pruningLevels"] = pr["levels"]
        card["quality"]["summary"] += (
            " U-Net++ pruned to level L%d: the sub-network up to X^{0,%d} of one trained depth-4 U-Net++ "
            "(%d parameters in training, deep supervision); the same network gives %s. Speed/accuracy: %s."
            % (pr["level"], pr["level"], info["trained_params"], ", ".join(pr["family"]),
               "; ".join("%s %s %.3f, %.1f ms/tile, %d parameters"
                         % (k, classes[-1], v["dice"][classes[-1]],
                            next(t for key, t in v.items() if key.startswith("msPerTile")), v["parameters"])
                         for k, v in pr["levels"].items())))
    write_json(card, os.path.join(folder, "card.json"))
    print("wrote %s (halo %s, divisibility %s)" % (folder, card["halo"], card["divisibility"]), flush=True)
    return card


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dataset", required=True, choices=sorted(PRESETS))
    ap.add_argument("--id", required=True)
    ap.add_argument("--checkpoint", required=True)
    ap.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data"))
    ap.add_argument("--out", default=MODELS)
    ap.add_argument("--fp16-weights", action="store_true",
                    help="store the weights as float16 (Cast to float32 after each; the computation stays float32)")
    ap.add_argument("--with-attention", action="store_true",
                    help="attention-unet: add each gate's coefficients as graph outputs attention_1 (finest) ..")
    args = ap.parse_args()
    torch.set_num_threads(2)
    folder = os.path.join(args.out, args.id)
    card = json.load(open(os.path.join(folder, "card.json")))
    net = card["network"]
    pre = PRESETS[args.dataset]
    arch = card.get("architecture", "unet")
    pools = [tuple(reversed(p)) for p in net["poolKernels"]]
    if arch == "unet++":
        # The checkpoint is the whole trained network; the card says which level this folder holds.
        full = build_model(arch, pre["dims"], len(pre["classes"]), net["baseWidth"],
                           pools + [pools[-1]] * (net["trainedDepth"] - len(pools)))
        full.load_state_dict(torch.load(args.checkpoint))
        model = full.prune(net["prunedLevel"])
    else:
        model = build_model(arch, pre["dims"], len(pre["classes"]), net["baseWidth"], pools,
                            list(reversed(card["patchSize"])))
        model.load_state_dict(torch.load(args.checkpoint))
    card.pop("attentionOutputs", None)
    if args.with_attention:
        assert arch == "attention-unet", arch
        model = AttentionAtInputSize(model)
        declared = {}
        for k, v in card.items():
            declared[k] = v
            if k == "output":   # right after the graph output they accompany
                declared["attentionOutputs"] = output_names(model)[1:]
        card = declared
    _, held = LOADERS[args.dataset](args.data)
    card["golden"], _ = write_model_files(model, folder, pre["golden"], held, args.fp16_weights)
    card["network"]["weightsStorage"] = "float16" if args.fp16_weights else "float32"
    write_json(card, os.path.join(folder, "card.json"))


if __name__ == "__main__":
    main()
