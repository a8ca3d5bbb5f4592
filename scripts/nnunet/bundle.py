"""Export of a trained PlainConvUNet or ResidualEncoderUNet as a Tessera nnU-Net bundle (docs/nnunet-bundle.md)."""
import os
import sys

import numpy as np
import torch

sys.path.append(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))  # scripts/, for the shared modules
from onnx_check import check_against_torch, export_graph, graph_ops, write_golden  # noqa: E402
from tessera_common import qualifier, write_json  # noqa: E402

# Largest |difference| allowed, the graph against PyTorch and Tessera against the golden output: onnxruntime differs
# from PyTorch by up to about 2e-4 through InstanceNorm.
GOLDEN_TOLERANCE = 1e-3
GOLDEN_NOTE = ("golden-input.bin: centre crop of the first held-out case after nnU-Net preprocessing (array order "
               "after transpose_forward); golden-output.bin: the full-resolution logits")

CONVERT = "python3 scripts/nnunet/to_nnunet.py %s $D"
FINGERPRINT = "scripts/tessera fingerprint $D -o $D/fingerprint.json"
PLAN = "scripts/tessera plan --fingerprint $D/fingerprint.json --dataset-json $D/dataset.json -o $D/plans.json"

PRESETS = {
    "spleen-ct-3d": dict(
        name="Spleen in abdominal CT, nnU-Net PlainConvUNet (3d_fullres, CPU-sized)", unit="mm",
        convert=CONVERT % "spleen-ct-3d",
        data=dict(name="spleen-ct-3d (Medical Segmentation Decathlon Task09, case spleen2)",
                  source="GitHub ivadomed/data-testing (MSD Task09 spleen2 crop, 164x166x26, 0.7949x0.7949x5.0 mm)",
                  licence="CC-BY-SA 4.0",
                  split="the only case, split along z into two 13-slice slabs: spleen2_zlo (slices 0-12) "
                        "trains, spleen2_zhi (slices 13-25) is held out; same patient and organ, adjacent "
                        "slabs, so the held-out Dice is optimistic and says little about other patients")),
    "nuclei-3d": dict(
        name="Fluorescence nuclei 3D, nnU-Net PlainConvUNet (3d_fullres, CPU-sized)", unit="um",
        convert=CONVERT % "nuclei-3d",
        data=dict(name="nuclei-3d (QCANet example data: mouse embryo nuclei, H2B-mRFP1)",
                  source="GitHub funalab/QCANet, example_datasets (images_raw, images_nsn); spacing 0.8x0.8x1.75 um "
                         "(x, y, z) written into the NIfTI headers by to_nnunet.py",
                  licence="MIT (QCANet, Tokuoka et al. 2020)",
                  split="16_cell_stage trains, 8_cell_stage is held out (the only two stacks)")),
    "phantom": dict(
        name="Phantom nuclei 3D, nnU-Net PlainConvUNet (smoke test)", unit="um",
        convert="scripts/tessera phantom --dataset $D --cases 6 --3d",
        data=dict(name="Tessera phantom nuclei (generated)", source="org.tessera.planner.PhantomDataset",
                  licence="project licence", split="imagesTs/labelsTs")),
}


def golden_input(data, div, target=32):
    """Centre crop of a preprocessed case: per axis the smallest multiple of the divisibility >= target,
    at most the largest multiple that fits the case."""
    shape = []
    for s, d in zip(data.shape[1:], div):
        k = max(1, min(-(-target // d), s // d))
        shape.append(k * d)
    start = [max((s - g) // 2, 0) for s, g in zip(data.shape[1:], shape)]
    crop = data[(slice(None),) + tuple(slice(a, a + g) for a, g in zip(start, shape))]
    pad = [(0, 0)] + [(0, g - c) for g, c in zip(shape, crop.shape[1:])]
    return np.ascontiguousarray(np.pad(crop, pad), dtype=np.float32)[None]


def write_model_files(model, folder, n_in, div, golden_src, golden_target=32):
    os.makedirs(folder, exist_ok=True)
    model.eval()
    m = export_graph(model, os.path.join(folder, "model.onnx"), torch.zeros((1, n_in) + tuple(2 * d for d in div)))
    x = torch.from_numpy(golden_input(golden_src, div, golden_target))
    expected, _, diffs = check_against_torch(model, m, x, GOLDEN_TOLERANCE)
    return write_golden(folder, x, expected[0], GOLDEN_TOLERANCE), diffs[0], graph_ops(m)


def export_bundle(model, folder, info):
    plans, cname = info["plans"], info["config_name"]
    config = plans["configurations"][cname]
    dj = info["dataset_json"]
    n_in = len(dj["channel_names"])
    div = info["div"]
    golden_src = info["held"][0]["data"] if info["held"] else None
    golden, diff, ops = write_model_files(model, folder, n_in, div, golden_src)
    write_json(plans, os.path.join(folder, "plans.json"))
    write_json(dj, os.path.join(folder, "dataset.json"))
    tb = plans["transpose_backward"]
    tf = plans["transpose_forward"]

    def untransposed_xyz(v):
        """plan list (array order after transpose_forward) -> file array order -> reversed (x, y[, z])."""
        v = list(v)
        if len(v) == len(tb):
            v = [v[i] for i in tb]
        return list(reversed(v))

    pre = PRESETS.get(info["preset"] or "", dict(name="%s, nnU-Net %s (%s)" % (info["id"], model.kind, cname), unit="",
                                                 convert="", data={}))
    classes = info["classes"]
    pooled = info["pooled"]
    q = qualifier(pooled)
    held_names = [c["name"] for c in info["held"]]
    a = config["architecture"]["arch_kwargs"]
    dice_text = ", ".join("%s %.3f" % (c, pooled[c]) for c in classes)
    commands = [c for c in (pre["convert"], FINGERPRINT, PLAN, info["command"]) if c]
    card = {
        "id": info["id"],
        "name": pre["name"],
        "architecture": "nnunet-" + model.kind.lower(),
        "nnunet": {"plans": "plans.json", "datasetJson": "dataset.json", "configuration": cname},
        "dimensionality": 3 if len(div) == 3 else 2,
        "input": {"name": "input", "channels": [dj["channel_names"][k] for k in sorted(dj["channel_names"], key=int)]},
        "output": {"name": "logits", "kind": "logits", "classes": classes},
        "normalization": {"scheme": "none"},
        "trainingSpacing": untransposed_xyz(config["spacing"]),
        "spacingUnit": pre["unit"],
        "patchSize": untransposed_xyz(config["patch_size"]),
        "divisibility": untransposed_xyz(div),
        "fixedInputSize": None,
        "halo": [0] * len(div),
        "network": {
            "class": "%s (dynamic-network-architectures), built by scripts/nnunet/networks.py" % model.kind,
            "nStages": a["n_stages"], "featuresPerStage": a["features_per_stage"],
            "strides": a["strides"], "kernelSizes": a["kernel_sizes"], "parameters": info["n_params"],
            "onnxOps": ops,
            "planOverrides": info["over"],
            "note": "strides/kernels/patch in the plan's array order (after transpose_forward %s). The CPU "
                    "overrides (features, patch, batch) were applied before training and are written into this "
                    "bundle's plans.json (plans_name %s), which therefore describes the network actually "
                    "trained; the other configurations of the original plan are dropped."
                    % (tf, plans["plans_name"])},
        "trainingData": dict(pre["data"], trainCases=info["train"], heldOutCases=held_names),
        "training": {"script": "scripts/nnunet/train.py", "command": info["command"], "commands": commands,
                     "commandsNote": "$D is a data-set folder outside the project (e.g. in the system temp "
                                     "folder); run from the repository root",
                     "goldenInput": GOLDEN_NOTE,
                     "seed": info["seed"],
                     "budget": "%d iterations (batch %d, patch %s in array order) in %.1f min on %d CPU thread(s); "
                               "stops at --iters or --minutes, whichever comes first"
                               % (info["iterations"], config["batch_size"], config["patch_size"], info["minutes"], info.get("threads", 2)),
                     "loss": "nnU-Net DC_and_CE: cross-entropy + soft Dice (foreground classes, smooth 1e-5, batch "
                             "Dice %s) on each deep-supervision output, weights 1/2^i with the lowest output 0, "
                             "normalized" % config.get("batch_dice", False),
                     "optimizer": "SGD Nesterov, momentum 0.99, lr 1e-2 with poly decay (exponent 0.9) over the "
                                  "budget, weight decay 3e-5, gradient norm clipped at 12",
                     "augmentation": "33%% of each batch centred on a foreground voxel; rotation p 0.2 (%s), "
                                     "scaling p 0.2 (0.7-1.4), mirroring p 0.5 per axis; Gaussian noise p 0.1, blur "
                                     "p 0.2, brightness p 0.15, contrast p 0.15, gamma p 0.3 (+ inverted p 0.1); no "
                                     "low-resolution simulation" % ("in-plane only, +-180 deg (anisotropic patch)"
                                                                    if info["dummy_2d"] else "+-30 deg per axis")},
        "quality": {"metric": "dice", "heldOutCases": held_names, "perClass": pooled, "perCase": info["per_case"],
                    "evaluation": "nnU-Net prediction in Python: preprocessing per the plan, sliding window (step "
                                  "0.5, Gaussian weights%s), logits resampled back (order 1), argmax, uncropped; "
                                  "Dice per class against the original labels, pooled over held-out voxels; "
                                  "measured by scripts/nnunet/train.py"
                                  % (", mirroring over all axes" if info["mirror"] else ""),
                    "summary": "%s: held-out Dice %s over %d held-out case(s) (%s). A CPU-sized network trained "
                               "for %.0f minutes; not comparable to a full nnU-Net training."
                               % (q, dice_text, len(held_names), pre["data"].get("split", ""), info["minutes"])},
        "golden": golden,
    }
    write_json(card, os.path.join(folder, "card.json"))
    print("wrote %s" % folder, flush=True)
    return card
