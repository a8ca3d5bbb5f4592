"""Writes nnU-Net v2's trained-model layout (nnunet-v2-spec.md section 15), as nnUNetv2_predict reads it:
RESULTS/<dataset_name>/<trainer>__<plans_name>__<configuration>/ with dataset.json, plans.json,
dataset_fingerprint.json and fold_<f>/checkpoint_final.pth, a torch.save dict with the keys nnU-Net's trainer
writes (network_weights, optimizer_state, grad_scaler_state, logging, _best_ema, current_epoch, init_args,
trainer_name, inference_allowed_mirroring_axes)."""
import json
import os

import numpy as np
import torch

TRAINER = "nnUNetTrainer"


def model_folder(results, plans, configuration, trainer=TRAINER):
    return os.path.join(results, plans["dataset_name"], "%s__%s__%s" % (trainer, plans["plans_name"], configuration))


def write_json(obj, path):
    with open(path, "w") as f:
        json.dump(obj, f, indent=4)
        f.write("\n")


def write_folder_files(folder, plans, dataset_json, fingerprint):
    os.makedirs(folder, exist_ok=True)
    write_json(plans, os.path.join(folder, "plans.json"))
    write_json(dataset_json, os.path.join(folder, "dataset.json"))
    if fingerprint is not None:
        write_json(fingerprint, os.path.join(folder, "dataset_fingerprint.json"))


def save_checkpoint(folder, fold, network_weights, plans, configuration, dataset_json, mirror_axes, epoch,
                    optimizer_state=None, losses=(), name="checkpoint_final.pth", trainer=TRAINER):
    """fold_<fold>/<name> in folder. The logging holds numpy floats, as nnU-Net's logger does."""
    fold_dir = os.path.join(folder, "fold_%s" % fold)
    os.makedirs(fold_dir, exist_ok=True)
    losses = [np.float64(v) for v in losses]
    checkpoint = {
        "network_weights": network_weights,
        "optimizer_state": optimizer_state if optimizer_state is not None else {"state": {}, "param_groups": []},
        "grad_scaler_state": None,
        "logging": {"mean_fg_dice": [], "ema_fg_dice": [], "dice_per_class_or_region": [], "train_losses": losses,
                    "val_losses": [], "lrs": [], "epoch_start_timestamps": [], "epoch_end_timestamps": []},
        "_best_ema": None,
        "current_epoch": epoch,
        "init_args": {"plans": plans, "configuration": configuration, "fold": fold, "dataset_json": dataset_json,
                      "device": torch.device("cpu")},
        "trainer_name": trainer,
        "inference_allowed_mirroring_axes": tuple(mirror_axes) if mirror_axes is not None else None,
    }
    path = os.path.join(fold_dir, name)
    torch.save(checkpoint, path)
    return path
