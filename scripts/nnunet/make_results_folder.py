#!/usr/bin/env python3
"""Writes a tiny UNTRAINED nnU-Net v2 results folder (random weights, nnU-Net's checkpoint format, several
folds) for tests and examples of `tessera import nnunet`, and, with --cases, test volumes with the
probabilities that nnU-Net's prediction rules give for them, computed here in PyTorch.

  /usr/bin/python3 scripts/nnunet/make_results_folder.py --out RESULTS --network residual --configuration 3d_fullres \
      --cases CASES

Reference prediction (nnunet-v2-spec.md sections 8, 9, 11), per case: preprocessing as plans.json says
(preprocess.py: transpose, crop to nonzero, normalization, resampling), then for EACH fold separately a sliding
window (train.sliding_window: tiles at step 0.5, Gaussian importance sigma 1/8 of the patch, every non-empty subset
of the checkpoint's mirroring axes averaged per tile), the folds' logits summed and divided by their number, as
nnU-Net's predict_logits_from_preprocessed_data does; a 2d configuration runs slice by slice along the first axis.
Then the logits are resampled back, softmaxed, pasted into the uncropped volume (background 1 outside) and
transposed back. CASES/<name>.npy holds the image (z, y, x) float32, <name>.json its spacing (z, y, x),
<name>_probabilities.npy the probabilities (classes, z, y, x) float32.

--break unexpected-key|missing-key damages the last fold's network_weights, for the strict-loading tests.
"""
import argparse
import json
import os
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]
import networks as N  # noqa: E402
import preprocess as P  # noqa: E402
import results_folder as R  # noqa: E402
from train import sliding_window  # noqa: E402

CLASSES = ["background", "cell", "nucleus"]
CT_PROPERTIES = {"0": {"max": 900.0, "mean": 210.0, "median": 200.0, "min": -50.0, "percentile_00_5": 10.0,
                       "percentile_99_5": 600.0, "std": 95.0}}


def ops(dims):
    return {"conv_op": "torch.nn.modules.conv.Conv%dd" % dims,
            "norm_op": "torch.nn.modules.instancenorm.InstanceNorm%dd" % dims,
            "norm_op_kwargs": {"eps": 1e-05, "affine": True}, "dropout_op": None, "dropout_op_kwargs": None,
            "nonlin": "torch.nn.LeakyReLU", "nonlin_kwargs": {"inplace": True}}


def architecture(network, dims):
    if dims == 3:
        kernels, strides = [[1, 3, 3], [3, 3, 3], [3, 3, 3]], [[1, 1, 1], [1, 2, 2], [2, 2, 2]]
    else:
        kernels, strides = [[3, 3], [3, 3], [3, 3]], [[1, 1], [2, 2], [2, 2]]
    a = {"n_stages": 3, "features_per_stage": [4, 8, 16], **ops(dims), "kernel_sizes": kernels, "strides": strides,
         "n_conv_per_stage_decoder": [1, 1] if network == "residual" else [2, 2], "conv_bias": True}
    if network == "residual":
        a["n_blocks_per_stage"] = [1, 3, 4]
        name = N.RESIDUAL
    else:
        a["n_conv_per_stage"] = [2, 2, 2]
        name = N.PLAIN
    return {"network_class_name": "dynamic_network_architectures.architectures.unet." + name, "arch_kwargs": a,
            "_kw_requires_import": ["conv_op", "norm_op", "dropout_op", "nonlin"]}


def configuration(network, name, scheme):
    dims = 2 if name == "2d" else 3
    resampling = lambda seg, order: {"is_seg": seg, "order": order, "order_z": 0, "force_separate_z": None}  # noqa: E731
    return {
        "data_identifier": "nnUNetPlans_" + name, "preprocessor_name": "DefaultPreprocessor", "batch_size": 2,
        "patch_size": [8, 32, 32] if dims == 3 else [32, 32],
        "median_image_size_in_voxels": [12.0, 48.0, 40.0] if dims == 3 else [48.0, 40.0],
        "spacing": [2.0, 1.0, 1.0] if dims == 3 else [1.0, 1.0],
        "normalization_schemes": [scheme], "use_mask_for_norm": [False],
        "resampling_fn_data": "resample_data_or_seg_to_shape", "resampling_fn_seg": "resample_data_or_seg_to_shape",
        "resampling_fn_data_kwargs": resampling(False, 3), "resampling_fn_seg_kwargs": resampling(True, 1),
        "resampling_fn_probabilities": "resample_data_or_seg_to_shape",
        "resampling_fn_probabilities_kwargs": resampling(False, 1),
        "architecture": architecture(network, dims), "batch_dice": False}


def plans_for(network, config_name, scheme):
    plans_name = "nnUNetResEncUNetMPlans" if network == "residual" else "nnUNetPlans"
    return {"dataset_name": "Dataset990_TinyCells", "plans_name": plans_name,
            "original_median_spacing_after_transp": [2.0, 1.0, 1.0],
            "original_median_shape_after_transp": [12, 48, 40], "image_reader_writer": "SimpleITKIO",
            "transpose_forward": [0, 1, 2], "transpose_backward": [0, 1, 2],
            "configurations": {config_name: configuration(network, config_name, scheme)},
            "experiment_planner_used": "nnUNetPlannerResEncM" if network == "residual" else "ExperimentPlanner",
            "label_manager": "LabelManager", "foreground_intensity_properties_per_channel": CT_PROPERTIES}


def dataset_json(channel):
    return {"channel_names": {"0": channel}, "labels": {c: i for i, c in enumerate(CLASSES)}, "numTraining": 4,
            "file_ending": ".nii.gz", "name": "TinyCells"}


def fingerprint():
    return {"foreground_intensity_properties_per_channel": CT_PROPERTIES,
            "median_relative_size_after_cropping": 1.0, "shapes_after_crop": [[12, 48, 40]] * 4,
            "spacings": [[2.0, 1.0, 1.0]] * 4}


def random_weights(net, seed):
    """He-initialized weights plus random norm affines and biases, so every parameter matters."""
    g = torch.Generator().manual_seed(seed)
    sd = net.state_dict()
    for k, v in sd.items():
        if k.endswith("bias") or ".norm." in k or "all_modules.1" in k:
            v.copy_(0.2 * torch.randn(v.shape, generator=g) + (1.0 if k.endswith("weight") else 0.0))
    net.load_state_dict(sd)
    return net


def reference_probabilities(nets, image, spacing, plans, config_name, mirror_axes):
    config = plans["configurations"][config_name]
    data, _, props = P.preprocess_case(image[None].astype(np.float32), None, list(spacing), plans, config_name)
    patch = config["patch_size"]
    total = None
    for net in nets:  # nnU-Net: one sliding window per fold, logits summed
        if len(patch) == 2:
            logits = np.stack([sliding_window(net, data[:, z], patch, len(CLASSES), True, mirror_axes)
                               for z in range(data.shape[1])], axis=1)
        else:
            logits = sliding_window(net, data, patch, len(CLASSES), True, mirror_axes)
        total = logits if total is None else total + logits
    logits = (total / len(nets)).astype(np.float32)
    pk = {k: v for k, v in config["resampling_fn_probabilities_kwargs"].items() if k != "is_seg"}
    logits = P.resample(logits, props["shape_after_cropping_and_before_resampling"], props["target_spacing"],
                        props["spacing_transposed"], is_seg=False, **pk)
    soft = torch.softmax(torch.from_numpy(logits.astype(np.float64)), 0).numpy()
    full = np.zeros([len(CLASSES)] + props["shape_before_cropping"])
    full[0] = 1
    full[(slice(None),) + tuple(slice(a, b) for a, b in props["bbox"])] = soft
    return full.transpose([0] + [i + 1 for i in plans["transpose_backward"]]).astype(np.float32)


def test_image(shape, seed, margin):
    """Smooth blobs plus noise on a zero margin (cropped away by the preprocessing), values in [20, 400]."""
    rng = np.random.default_rng(seed)
    z, y, x = np.meshgrid(*[np.arange(n, dtype=np.float64) for n in shape], indexing="ij")
    v = 200 + 120 * np.sin(x / 4.0) * np.cos(y / 5.0) + 40 * np.sin(z / 2.0) + rng.normal(0, 10, shape)
    v = np.clip(v, 20, 400)
    inside = np.zeros(shape, bool)
    inside[tuple(slice(m, n - m) for m, n in zip(margin, shape))] = True
    return np.where(inside, v, 0).astype(np.float32)


CASES = {  # name: shape (z, y, x), spacing (z, y, x), zero margin (z, y, x)
    "one-tile": ((8, 30, 28), (2.0, 1.0, 1.0), (0, 2, 1)),
    "several-tiles": ((20, 70, 50), (2.0, 1.0, 1.0), (1, 3, 2)),
    "resampled": ((10, 40, 36), (2.5, 0.8, 0.8), (1, 2, 2)),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True, help="results folder (RESULTS); the model folder goes below it")
    ap.add_argument("--network", choices=["plain", "residual"], default="plain")
    ap.add_argument("--configuration", choices=["3d_fullres", "2d"], default="3d_fullres")
    ap.add_argument("--channel", default="CT", help="channel name: CT -> CTNormalization, else ZScoreNormalization")
    ap.add_argument("--folds", default="0,1")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--cases", help="also write test volumes and their reference probabilities here")
    ap.add_argument("--break", dest="damage", choices=["unexpected-key", "missing-key"])
    ap.add_argument("--mirror-axes", help="the checkpoints' inference_allowed_mirroring_axes, e.g. 0,1,2, or none "
                                          "(default: 0,1 in 2d, 1,2 for the residual net, else 0,1,2)")
    args = ap.parse_args()
    torch.set_num_threads(1)
    scheme = "CTNormalization" if args.channel.lower() == "ct" else "ZScoreNormalization"
    plans = plans_for(args.network, args.configuration, scheme)
    dj = dataset_json(args.channel)
    config = plans["configurations"][args.configuration]
    folder = R.model_folder(args.out, plans, args.configuration)
    R.write_folder_files(folder, plans, dj, fingerprint())
    dims = len(config["patch_size"])
    mirror_axes = (0, 1) if dims == 2 else ((1, 2) if args.network == "residual" else (0, 1, 2))
    if args.mirror_axes:
        mirror_axes = None if args.mirror_axes == "none" else tuple(int(a) for a in args.mirror_axes.split(","))
    folds = args.folds.split(",")
    nets = []
    for i, fold in enumerate(folds):
        torch.manual_seed(args.seed + i)
        net = random_weights(N.build(config, 1, len(CLASSES), deep_supervision=False), args.seed + 100 + i).eval()
        weights = net.state_dict()
        if args.damage and i == len(folds) - 1:
            weights = dict(weights)
            if args.damage == "unexpected-key":
                weights["decoder.seg_layers.9.weight"] = torch.zeros(1)
            else:
                del weights["decoder.seg_layers.0.bias"]
        R.save_checkpoint(folder, int(fold) if fold.isdigit() else fold, weights, plans, args.configuration, dj,
                          mirror_axes, epoch=1000, losses=[0.9, 0.5, 0.3])
        nets.append(net)
    print(folder, flush=True)
    if args.cases:
        os.makedirs(args.cases, exist_ok=True)
        for name, (shape, spacing, margin) in CASES.items():
            image = test_image(shape, args.seed + len(name), margin)
            probs = reference_probabilities(nets, image, spacing, plans, args.configuration, mirror_axes or ())
            np.save(os.path.join(args.cases, name + ".npy"), image)
            with open(os.path.join(args.cases, name + ".json"), "w") as f:
                json.dump({"spacing": list(spacing)}, f)
            np.save(os.path.join(args.cases, name + "_probabilities.npy"), probs)
            print("%s: %s -> probabilities %s" % (name, list(shape), list(probs.shape)), flush=True)


if __name__ == "__main__":
    main()
