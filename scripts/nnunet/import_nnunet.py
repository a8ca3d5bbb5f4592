#!/usr/bin/env python3
"""Converts a trained nnU-Net v2 results folder into a Tessera nnU-Net bundle (docs/nnunet-bundle.md); the
Python step of `tessera import nnunet`, which checks the folder first and passes the configuration and folds.

  python3 scripts/nnunet/import_nnunet.py --folder RESULTS/Dataset004_Hippocampus/nnUNetTrainer__nnUNetPlans__3d_fullres \
      --configuration 3d_fullres --folds fold_0,fold_1 --checkpoint checkpoint_final.pth --id hippocampus --out DIR

For each fold it rebuilds the network that plans.json describes (networks.py: PlainConvUNet or
ResidualEncoderUNet with nnU-Net's module names), loads the checkpoint's `network_weights` strictly, and exports
one ONNX graph whose output is the mean of the folds' logits. That is nnU-Net's ensemble: its predictor runs the
sliding window once per fold and divides the sum of the logits by the number of folds
(nnunetv2/inference/predict_from_raw_data.py, predict_logits_from_preprocessed_data); the Gaussian weighting and
the mirroring are linear in the logits, so averaging inside each tile gives the same result. The bundle keeps
nnU-Net's plans.json and dataset.json unchanged and records the checkpoint's inference_allowed_mirroring_axes.

A bad folder exits with status 2 and one line "error: ..." on stderr.
"""
import argparse
import json
import os
import shutil
import sys
import warnings

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]  # networks.py beside this file; onnx_check.py here or in scripts/
import networks as N  # noqa: E402
from onnx_check import check_against_torch, export_graph, graph_ops, write_golden  # noqa: E402

# onnxruntime differs from PyTorch by up to about 2e-4 through InstanceNorm (as bundle.py)
GOLDEN_TOLERANCE = 1e-3
CHECKPOINT_KEYS = ("network_weights", "init_args", "trainer_name", "inference_allowed_mirroring_axes")


class FolderError(Exception):
    pass


def resolved(plans, name):
    """The configuration with what it inherits ("inherits_from") filled in, as nnU-Net's plans manager does."""
    config = plans["configurations"][name]
    seen = {name}
    while "inherits_from" in config:
        parent = config["inherits_from"]
        if parent in seen or parent not in plans["configurations"]:
            raise FolderError("plans.json: configuration %r inherits from %r, which is missing or a cycle" % (name, parent))
        seen.add(parent)
        merged = dict(plans["configurations"][parent])
        merged.update({k: v for k, v in config.items() if k != "inherits_from"})
        if "inherits_from" in plans["configurations"][parent]:
            merged["inherits_from"] = plans["configurations"][parent]["inherits_from"]
        config = merged
    return config


class FoldMean(torch.nn.Module):
    """The mean of the folds' logits."""

    def __init__(self, nets):
        super().__init__()
        self.folds = torch.nn.ModuleList(nets)

    def forward(self, x):
        out = self.folds[0](x)
        for net in self.folds[1:]:
            out = out + net(x)
        return out / len(self.folds) if len(self.folds) > 1 else out


def read_checkpoint(path, configuration):
    try:
        # a checkpoint is a pickle (nnU-Net writes numpy values into its logging): import folders you trust
        ckpt = torch.load(path, map_location="cpu")
    except Exception as e:  # noqa: BLE001 - any unreadable file is the same refusal
        raise FolderError("%s is not a readable PyTorch checkpoint (%s: %s)" % (path, type(e).__name__, e))
    if not isinstance(ckpt, dict) or "network_weights" not in ckpt:
        raise FolderError("%s is not an nnU-Net checkpoint: it has no 'network_weights' (nnU-Net writes %s)"
                          % (path, ", ".join(CHECKPOINT_KEYS)))
    trained_for = (ckpt.get("init_args") or {}).get("configuration")
    if trained_for is not None and trained_for != configuration:
        raise FolderError("%s was trained for configuration %r, not %r; import it with --configuration %s"
                          % (path, trained_for, configuration, trained_for))
    return ckpt


def mirror_axes(ckpts, paths, dims):
    """The checkpoints' inference_allowed_mirroring_axes (None: no mirroring) as a sorted list; they must agree."""
    found = []
    for ckpt in ckpts:
        axes = ckpt.get("inference_allowed_mirroring_axes")
        found.append(sorted(int(a) for a in axes) if axes is not None else [])
    if any(f != found[0] for f in found):
        raise FolderError("the folds allow different mirroring axes (%s); nnU-Net's ensemble assumes one set"
                          % ", ".join("%s: %s" % (os.path.basename(os.path.dirname(p)), f) for p, f in zip(paths, found)))
    if any(a < 0 or a >= dims for a in found[0]):
        raise FolderError("%s: inference_allowed_mirroring_axes %s do not fit a %dD network" % (paths[0], found[0], dims))
    return found[0]


def golden_shape(div, patch, target=16):
    """Per axis the smallest multiple of the divisibility >= target, at most the patch."""
    return [min(max(d, -(-target // d) * d), max(p, d)) for d, p in zip(div, patch)]


def convert(args):
    folder = os.path.abspath(args.folder)
    with open(os.path.join(folder, "plans.json")) as f:
        plans = json.load(f)
    with open(os.path.join(folder, "dataset.json")) as f:
        dj = json.load(f)
    config = resolved(plans, args.configuration)
    n_in = len(dj["channel_names"])
    labels = sorted(dj["labels"].items(), key=lambda kv: kv[1])
    classes = [name for name, _ in labels]
    try:
        kind = N.network_class(config)
        kwargs = N.arch_kwargs(config)
    except N.ArchitectureError as e:
        raise FolderError("plans.json, configuration %r: %s" % (args.configuration, e))
    except KeyError as e:
        raise FolderError("plans.json, configuration %r: the architecture lacks %s" % (args.configuration, e))

    paths = [os.path.join(folder, fold, args.checkpoint) for fold in args.folds.split(",")]
    ckpts, nets = [], []
    for path in paths:
        ckpt = read_checkpoint(path, args.configuration)
        try:
            net = N.UNet(kind, n_in, len(classes), kwargs, deep_supervision=False)
        except (KeyError, TypeError, ValueError) as e:
            raise FolderError("plans.json, configuration %r: cannot build %s from arch_kwargs (%s: %s)"
                              % (args.configuration, kind, type(e).__name__, e))
        try:
            N.load_strict(net, ckpt["network_weights"], path)
        except ValueError as e:
            raise FolderError(str(e))
        print("%s: %s, epoch %s, %d parameters, loaded strictly"
              % (os.path.relpath(path, folder), kind, ckpt.get("current_epoch"), sum(p.numel() for p in net.parameters())),
              flush=True)
        ckpts.append(ckpt)
        nets.append(net.eval())
    dims = nets[0].dims
    axes = mirror_axes(ckpts, paths, dims)
    model = FoldMean(nets).eval()

    os.makedirs(args.out, exist_ok=True)
    div = nets[0].divisibility()
    patch = list(config["patch_size"])
    m = export_graph(model, os.path.join(args.out, "model.onnx"), torch.zeros((1, n_in) + tuple(2 * d for d in div)))
    g = torch.Generator().manual_seed(0)
    x = torch.randn((1, n_in) + tuple(golden_shape(div, patch)), generator=g)
    expected, _, diffs = check_against_torch(model, m, x, GOLDEN_TOLERANCE)
    golden = write_golden(args.out, x, expected[0], GOLDEN_TOLERANCE)
    shutil.copyfile(os.path.join(folder, "plans.json"), os.path.join(args.out, "plans.json"))
    shutil.copyfile(os.path.join(folder, "dataset.json"), os.path.join(args.out, "dataset.json"))

    tb = plans["transpose_backward"]

    def xyz(v):
        """plan list (array order after transpose_forward) -> file array order -> reversed (x, y[, z])."""
        v = list(v)
        if len(v) == len(tb):
            v = [v[i] for i in tb]
        return list(reversed(v))

    a = config["architecture"]["arch_kwargs"] if "architecture" in config else {}
    folds = args.folds.split(",")
    card = {
        "id": args.id,
        "name": "%s, nnU-Net %s (%s, %s)" % (plans.get("dataset_name", dj.get("name", "nnU-Net model")), kind,
                                             args.configuration, "folds " + ", ".join(f[5:] for f in folds)),
        "architecture": "nnunet-" + kind.lower(),
        "nnunet": {"plans": "plans.json", "datasetJson": "dataset.json", "configuration": args.configuration,
                   "mirrorAxes": axes},
        "dimensionality": dims,
        "input": {"name": "input", "channels": [dj["channel_names"][k] for k in sorted(dj["channel_names"], key=int)]},
        "output": {"name": "logits", "kind": "logits", "classes": classes},
        "normalization": {"scheme": "none"},
        "trainingSpacing": xyz(config["spacing"]),
        "spacingUnit": "",
        "patchSize": xyz(patch),
        "divisibility": xyz(div),
        "fixedInputSize": None,
        "halo": [0] * dims,
        "network": {
            "class": "%s (dynamic-network-architectures), rebuilt by scripts/nnunet/networks.py" % kind,
            "networkClassName": config.get("architecture", {}).get("network_class_name", kind),
            "nStages": a.get("n_stages"), "featuresPerStage": a.get("features_per_stage"),
            "strides": a.get("strides"), "kernelSizes": a.get("kernel_sizes"),
            "parametersPerFold": sum(p.numel() for p in nets[0].parameters()),
            "folds": len(nets), "onnxOps": graph_ops(m),
            "note": "one graph: the mean of the folds' logits (nnU-Net's ensemble); patch, strides and kernels in "
                    "the plan's array order (after transpose_forward %s)" % plans["transpose_forward"]},
        "trainingData": {"name": plans.get("dataset_name", ""), "source": "nnU-Net results folder "
                         + os.path.basename(folder), "trainCases": [], "heldOutCases": []},
        "training": {"script": "nnU-Net v2 (%s)" % ckpts[0].get("trainer_name", "unknown trainer"),
                     "command": "tessera import nnunet %s --folds %s --checkpoint %s"
                                % (os.path.basename(folder), ",".join(f[5:] for f in folds), args.checkpoint),
                     "budget": ", ".join("%s: epoch %s" % (f, c.get("current_epoch")) for f, c in zip(folds, ckpts))},
        "quality": {"metric": "none", "summary": "imported from nnU-Net; Tessera has not measured it. The graph "
                    "matches PyTorch within %.1e on a random input (max |diff| %.2e)" % (GOLDEN_TOLERANCE, diffs[0])},
        "golden": golden,
    }
    with open(os.path.join(args.out, "card.json"), "w") as f:
        json.dump(card, f, indent=2)
        f.write("\n")
    print("wrote %s (%d fold(s), mirroring axes %s)" % (args.out, len(nets), axes), flush=True)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--folder", required=True)
    ap.add_argument("--configuration", required=True)
    ap.add_argument("--folds", required=True, help="fold folder names, comma-separated (fold_0,fold_1 or fold_all)")
    ap.add_argument("--checkpoint", default="checkpoint_final.pth")
    ap.add_argument("--id", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--threads", type=int, default=1)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    # eval-mode export of InstanceNorm warns that it exports train=True: instance statistics, which is what it computes
    warnings.filterwarnings("ignore", message="ONNX export mode is set to TrainingMode.EVAL")
    np.random.seed(0)
    try:
        convert(args)
    except FolderError as e:
        print("error: %s" % e, file=sys.stderr, flush=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
