#!/usr/bin/env python3
"""Rewrites existing model folders so that model.onnx stores its weights as float16 (weights_to_float16 in
onnx_check.py: a Cast to float32 after each weight, the computation stays float32) and the golden pair belongs to
the rewritten graph. New exports get the same with `export.py --fp16-weights` / `train.py --fp16-weights`.

Per folder: the golden input becomes a centre crop of the old one at the smaller golden shape of tessera_common
(golden_shape; nnU-Net bundles and fixed-input networks keep theirs), the golden output is the float16-weight
graph run on it (onnx_check.run_graph), the card's network block records "weightsStorage": "float16" and its
golden block the new shapes. Printed per model: max |float16 - float32 graph| on the old golden input and on the
new one. With --dice DATA the held-out Dice of the float32 and the float16 graph is measured the way train.py
measures it (whole images; not for nnU-Net bundles) and the card is left as it is when every class changes by
less than 0.001; otherwise the script stops.

  python3 scripts/fp16_weights.py [--dice ../shared/data] [--report FILE.json] FOLDER...
"""
import argparse
import json
import os
import sys

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from onnx_check import run_graph, weights_storage, weights_to_float16, write_golden  # noqa: E402
from tessera_common import PRESETS, golden_shape, write_json  # noqa: E402

DICE_CHANGE = 1e-3


def read_floats(path, shape):
    return torch.from_numpy(np.fromfile(path, "<f4").reshape(shape).copy())


def centre_crop(x, spatial):
    start = [(s - g) // 2 for s, g in zip(x.shape[2:], spatial)]
    return x[(slice(None), slice(None)) + tuple(slice(a, a + g) for a, g in zip(start, spatial))].contiguous()


def dataset_of(card):
    return card["trainingData"]["name"].split(" ")[0]


def new_golden_spatial(card, old_spatial):
    if card.get("nnunet") or card.get("fixedInputSize"):
        return list(old_spatial)
    div = list(reversed(card["divisibility"]))
    return [min(s, g) for s, g in zip(old_spatial, golden_shape(PRESETS[dataset_of(card)]["golden"], div))]


class Graph:
    """An ONNX graph behind train.py's model interface (model(x) -> logits; eval(); fixed_input)."""

    def __init__(self, m, card):
        self.m = m
        fixed = card.get("fixedInputSize")
        self.fixed_input = list(reversed(fixed)) if fixed else None

    def eval(self):
        return self

    def __call__(self, x):
        outputs, _ = run_graph(self.m, x)
        return outputs[0]


def held_out_dice(m32, m16, card, data):
    from datasets import LOADERS
    import train
    _, held = LOADERS[dataset_of(card)](data)
    classes = card["output"]["classes"]
    div = list(reversed(card["divisibility"]))
    d32, _ = train.evaluate(Graph(m32, card), held, classes, div)
    d16, _ = train.evaluate(Graph(m16, card), held, classes, div)
    return d32, d16


def convert(folder, data=None):
    card_path = os.path.join(folder, "card.json")
    card = json.load(open(card_path))
    m32 = onnx.load(os.path.join(folder, "model.onnx"))
    if weights_storage(m32) == "float16":
        print("%s: weights already float16, skipped" % card["id"], flush=True)
        return None
    m16 = weights_to_float16(m32)
    g = card["golden"]
    x_old = read_floats(os.path.join(folder, "golden-input.bin"), g["inputShape"])
    y_old = read_floats(os.path.join(folder, "golden-output.bin"), g["outputShape"])
    with torch.no_grad():
        y32_old, runner = run_graph(m32, x_old)
        y16_old, _ = run_graph(m16, x_old)
        x = centre_crop(x_old, new_golden_spatial(card, x_old.shape[2:]))
        y32, _ = run_graph(m32, x)
        y16, _ = run_graph(m16, x)
    r = {"id": card["id"], "runner": runner,
         "oldGoldenShape": g["inputShape"], "newGoldenShape": list(x.shape),
         "float32GraphVsOldGolden": float((y32_old[0] - y_old).abs().max()),
         "float16VsFloat32OldGoldenInput": float((y16_old[0] - y32_old[0]).abs().max()),
         "float16VsFloat32NewGoldenInput": float((y16[0] - y32[0]).abs().max()),
         "logitRangeNewGolden": [float(y32[0].min()), float(y32[0].max())]}
    assert r["float32GraphVsOldGolden"] <= g["tolerance"], r
    if data and not card.get("nnunet"):
        d32, d16 = held_out_dice(m32, m16, card, data)
        r.update(diceFloat32Graph=d32, diceFloat16Graph=d16, diceCard=card["quality"]["perClass"])
        change = max(abs(d16[c] - d32[c]) for c in d32)
        assert change < DICE_CHANGE, r
    golden = write_golden(folder, x, y16[0], g["tolerance"])
    card["golden"] = dict(g, inputShape=golden["inputShape"], outputShape=golden["outputShape"])
    card["network"]["weightsStorage"] = "float16"
    onnx.save(m16, os.path.join(folder, "model.onnx"))
    write_json(card, card_path)
    print(json.dumps(r), flush=True)
    return r


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folders", nargs="+", help="model folders (card.json, model.onnx, golden pair)")
    ap.add_argument("--dice", metavar="DATA", help="data folder: re-measure the held-out Dice (float32 vs float16)")
    ap.add_argument("--report", help="append each model's numbers to this JSON-lines file")
    args = ap.parse_args()
    torch.set_num_threads(2)
    for folder in args.folders:
        r = convert(folder, args.dice)
        if r and args.report:
            with open(args.report, "a") as f:
                f.write(json.dumps(r) + "\n")


if __name__ == "__main__":
    main()
