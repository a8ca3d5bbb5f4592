#!/usr/bin/env python3
"""Train every architecture of the comparison on every data set with one fixed budget, then write the table.

  python3 scripts/compare.py train            # all trainings (resumable: finished ones are kept)
  python3 scripts/compare.py time             # CPU ms per tile of every row, side by side in one process
  python3 scripts/compare.py table            # docs/comparison/networks.json + the README table + montages

Budget (the same for every row): ITERATIONS[dims] iterations of train.py with the data set's preset patch,
batch, augmentation, Adam schedule, loss and seed 0; only the architecture changes (and what it needs: U-Net++
depth 4, CE-Net its five strides). The trained folders and checkpoints go to --work (outside the project);
`--ship DATASET:ARCH` copies those model folders into the shipped zoo.
"""
import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import numpy as np
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import tessera_common as common  # noqa: E402
import train  # noqa: E402
from datasets import LOADERS  # noqa: E402

REPO = common.REPO
DATASETS = ["em-membranes-2d", "nuclei-2d", "axon-myelin-2d", "nuclei-3d", "spleen-ct-3d"]
ARCHS = [("unet", "unet", "U-Net"), ("attention-unet", "attention-unet", "Attention U-Net"),
         ("unet++", "unetpp", "U-Net++"), ("cenet", "cenet", "CE-Net"), ("fcn32s", "fcn32s", "FCN-32s"),
         ("fcn16s", "fcn16s", "FCN-16s"), ("fcn8s", "fcn8s", "FCN-8s"), ("segnet", "segnet", "SegNet"),
         ("deconvnet", "deconvnet", "DeconvNet"), ("deeplabv3+", "deeplabv3plus", "DeepLabv3+"), ("pspnet", "pspnet", "PSPNet"),
         ("fc-densenet", "fcdensenet", "FC-DenseNet"), ("refinenet", "refinenet", "RefineNet"),
         ("dilated", "dilated", "Dilated context")]
ITERATIONS = {2: 150, 3: 80}
SEED = 0
OUT_JSON = os.path.join(REPO, "docs", "comparison", "networks.json")
README = os.path.join(REPO, "README.md")
MARK = ("<!-- comparison table: written by scripts/compare.py table -->", "<!-- end of comparison table -->")


def supports(arch, dataset):
    """Whether the architecture exists for the data set's dimensionality (PSPNet is 2D only)."""
    return common.PRESETS[dataset]["dims"] in common.ARCHS[arch].get("dims", (2, 3))


def model_id(dataset, slug):
    return "%s-%s" % (dataset, slug)


def folders(work, dataset, arch, slug):
    """The model folders one training writes (U-Net++: one per pruning level)."""
    base = model_id(dataset, slug)
    if arch == "unet++":
        return [os.path.join(work, "models", "%s-l%d" % (base, k)) for k in range(1, 5)]
    return [os.path.join(work, "models", base)]


def cmd_train(args):
    for dataset in args.datasets:
        dims = common.PRESETS[dataset]["dims"]
        for arch, slug, _ in ARCHS:
            if (args.archs and arch not in args.archs) or not supports(arch, dataset):
                continue
            if all(os.path.exists(os.path.join(f, "card.json")) for f in folders(args.work, dataset, arch, slug)):
                print("done already: %s %s" % (dataset, arch), flush=True)
                continue
            cmd = [sys.executable, os.path.join(REPO, "scripts", "train.py"), "--dataset", dataset, "--arch", arch,
                   "--id", model_id(dataset, slug), "--iters", str(ITERATIONS[dims]), "--minutes", "1000",
                   "--seed", str(SEED), "--data", args.data, "--out", os.path.join(args.work, "models"),
                   "--checkpoint", os.path.join(args.work, "checkpoints")]
            print("+", " ".join(cmd[1:]), flush=True)
            t = time.time()
            with open(os.path.join(args.work, "logs", model_id(dataset, slug) + ".log"), "w") as log:
                subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, check=True)
            print("  %.1f min" % ((time.time() - t) / 60), flush=True)


def build(dataset, arch):
    """The architecture exactly as train.py builds it for this data set (random weights)."""
    pre = common.PRESETS[dataset]
    spec = common.ARCHS[arch]
    dims = pre["dims"]
    pools = common.parse_pools(common.arch_pools(pre, arch) or spec["pools"][dims] or pre["pools"])
    patch = [int(v) for v in pre["patch"].split(",")]
    return common.build_model(arch, dims, len(pre["classes"]), spec["base"][dims] or pre["base"], pools, patch)


def rows_of(dataset, arch):
    """(row name, model) per table row: U-Net++ gives one row per pruning level."""
    model = build(dataset, arch)
    if arch == "unet++":
        return [("U-Net++ L%d" % k, model.prune(k)) for k in range(1, 5)]
    return [(dict((a, n) for a, _, n in ARCHS)[arch], model)]


@torch.no_grad()
def cmd_time(args):
    """Median ms of one forward pass per row (256x256 in 2D, 64^3 in 3D, batch 1, 2 threads), all rows of one
    data set timed round-robin in one process so that machine load hits them alike."""
    torch.set_num_threads(2)
    out = {}
    for dataset in args.datasets:
        dims = common.PRESETS[dataset]["dims"]
        size = 256 if dims == 2 else 64
        x = torch.randn((1, 1) + (size,) * dims)
        rows = [(name, m.eval()) for arch, _, _ in ARCHS if supports(arch, dataset) for name, m in rows_of(dataset, arch)]
        times = {name: [] for name, _ in rows}
        for r in range(args.repeats + 1):
            for name, m in rows:
                t = time.perf_counter()
                m(x)
                if r > 0:  # the first round warms up
                    times[name].append((time.perf_counter() - t) * 1000)
        out[dataset] = {name: round(float(np.median(v)), 1) for name, v in times.items()}
        print(dataset, json.dumps(out[dataset]), flush=True)
    path = os.path.join(args.work, "times.json")
    with open(path, "w") as f:
        json.dump({"tile": {"2": "256x256", "3": "64x64x64"}, "repeats": args.repeats, "ms": out}, f, indent=2)
    print("wrote", path)


def load_cards(work):
    results = {}
    for dataset in DATASETS:
        for arch, slug, _ in ARCHS:
            for folder in folders(work, dataset, arch, slug):
                path = os.path.join(folder, "card.json")
                if not os.path.exists(path):
                    continue
                card = json.load(open(path))
                net = card["network"]
                name = dict((a, n) for a, _, n in ARCHS)[arch]
                if arch == "unet++":
                    name += " L%d" % net["prunedLevel"]
                results.setdefault(dataset, {})[name] = {
                    "id": card["id"], "dice": card["quality"]["perClass"], "parameters": net["parameters"],
                    "trainedParameters": net.get("trainedParameters", net["parameters"]),
                    "halo": card["halo"], "divisibility": card["divisibility"],
                    "budget": card["training"]["budget"], "command": card["training"]["command"]}
    return results


def fmt_dice(dice, classes):
    fg = [c for c in classes if c not in ("background", "cell")] or classes
    return " / ".join("%.3f" % dice[c] for c in fg)


def cmd_table(args):
    results = load_cards(args.work)
    times = json.load(open(os.path.join(args.work, "times.json")))["ms"] if os.path.exists(
        os.path.join(args.work, "times.json")) else {}
    names = [n for _, _, n in ARCHS if n != "U-Net++"]
    names = names[:2] + ["U-Net++ L%d" % k for k in range(1, 5)] + names[2:]
    doc = {"budget": {"iterations2d": ITERATIONS[2], "iterations3d": ITERATIONS[3], "seed": SEED},
           "results": results, "msPerTile": times}
    os.makedirs(os.path.dirname(OUT_JSON), exist_ok=True)
    common.write_json(doc, OUT_JSON)
    head = ["model"]
    for d in DATASETS:
        pre = common.PRESETS[d]
        fg = [c for c in pre["classes"] if c not in ("background", "cell")]
        head.append("%s (%s)" % (d, " / ".join(fg)))
    head += ["parameters 2D / 3D", "ms per tile 2D / 3D"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    def fg_mean(dice, classes):
        fg = [c for c in classes if c not in ("background", "cell")]
        return sum(dice[c] for c in fg) / len(fg)
    best = {d: max((fg_mean(r["dice"], common.PRESETS[d]["classes"]), n) for n, r in results.get(d, {}).items())[1]
            for d in DATASETS if results.get(d)}
    for n in names:
        cells = [n]
        for d in DATASETS:
            r = results.get(d, {}).get(n)
            if r is None:
                arch = next((a for a, _, name in ARCHS if n.startswith(name)), None)
                cells.append("not trained" if arch is None or supports(arch, d) else "2D only")
                continue
            text = fmt_dice(r["dice"], common.PRESETS[d]["classes"])
            cells.append("**%s**" % text if best.get(d) == n else text)
        p2 = results.get("nuclei-2d", {}).get(n, {}).get("parameters")
        p3 = results.get("nuclei-3d", {}).get(n, {}).get("parameters")
        cells.append("%s / %s" % ("{:,}".format(p2) if p2 else "-", "{:,}".format(p3) if p3 else "-"))
        t2 = times.get("nuclei-2d", {}).get(n)
        t3 = times.get("nuclei-3d", {}).get(n)
        cells.append("%s / %s" % (t2 if t2 is not None else "-", t3 if t3 is not None else "-"))
        lines.append("| " + " | ".join(cells) + " |")
    # The classic baselines (scripts/classic_baselines.py) on the same held-out cases, when their numbers exist.
    classic_path = os.path.join(REPO, "docs", "comparison", "classic.json")
    if os.path.exists(classic_path):
        classic = json.load(open(classic_path))
        methods = sorted({m for d in classic["dice"].values() for m in d})
        lines.append("| *classic baselines (no training; ms per whole image, 1 thread)* |" + " |" * (len(head) - 1))
        for m in methods:
            cells = [m]
            for d in DATASETS:
                dice = classic["dice"].get(d, {}).get(m)
                cells.append(fmt_dice(dice, common.PRESETS[d]["classes"]) if dice else "not run")
            t = [classic["ms_per_image"].get(d, {}).get(m) for d in ("nuclei-2d", "nuclei-3d")]
            cells += ["0 / 0", " / ".join("-" if v is None else "%.0f" % v for v in t)]
            lines.append("| " + " | ".join(cells) + " |")
    table = "\n".join(lines)
    print(table)
    text = open(README).read()
    if MARK[0] in text:
        a, b = text.index(MARK[0]) + len(MARK[0]), text.index(MARK[1])
        text = text[:a] + "\n" + table + "\n" + text[b:]
        with open(README, "w") as f:
            f.write(text)
        print("README table rewritten")
    montages(args, results)


def montages(args, results):
    """One PNG per data set: the held-out image, the truth and every row's prediction (PyTorch, whole image)."""
    from PIL import Image, ImageDraw
    palette = np.array([[0, 0, 0], [255, 64, 64], [64, 160, 255], [255, 220, 0]], np.float32)
    for dataset in args.datasets:
        pre = common.PRESETS[dataset]
        _, held = LOADERS[dataset](args.data)
        name, img, lab = held[0]
        if pre["dims"] == 3:  # the middle z slice of the held-out volume, predicted in 3D
            zs = img.shape[0] // 2
        panels = [("image", None), ("truth", lab)]
        for arch, slug, _ in ARCHS:
            ckpt = os.path.join(args.work, "checkpoints", model_id(dataset, slug) + ".pt")
            if not os.path.exists(ckpt):
                continue
            for row, model in rows_of(dataset, arch):
                full = build(dataset, arch)
                full.load_state_dict(torch.load(ckpt))
                if arch == "unet++":
                    model = full.prune(int(row[-1]))
                else:
                    model = full
                model.eval()
                panels.append((row, train.predict_whole(model, img, model.divisibility())))
        gray = np.clip(img if pre["dims"] == 2 else img[zs], 0, 1)
        tiles = []
        for title, pred in panels:
            rgb = np.repeat(gray[..., None] * 255, 3, -1)
            if pred is not None:
                p = pred if pre["dims"] == 2 else pred[zs]
                rgb = np.where(p[..., None] > 0, 0.45 * rgb + 0.55 * palette[np.minimum(p, 3)], rgb)
            tile = Image.fromarray(rgb.astype(np.uint8))
            if pre["dims"] == 3 and pre["spacing"]:  # show the slice with square pixels
                pass
            tile = tile.resize((256, int(256 * tile.height / tile.width)))
            canvas = Image.new("RGB", (256, tile.height + 18), (255, 255, 255))
            canvas.paste(tile, (0, 18))
            ImageDraw.Draw(canvas).text((4, 3), title, fill=(0, 0, 0))
            tiles.append(canvas)
        cols = 5
        rows = (len(tiles) + cols - 1) // cols
        h = max(t.height for t in tiles)
        sheet = Image.new("RGB", (cols * 260, rows * (h + 4)), (255, 255, 255))
        for i, t in enumerate(tiles):
            sheet.paste(t, ((i % cols) * 260, (i // cols) * (h + 4)))
        path = os.path.join(REPO, "docs", "images", "comparison-%s.png" % dataset)
        tmp = path + ".tmp.png"
        sheet.save(tmp)
        os.replace(tmp, path)
        print("wrote", path, "(%s)" % name)


def cmd_ship(args):
    for item in args.items:
        dataset, arch = item.split(":")
        slug = dict((a, s) for a, s, _ in ARCHS)[arch]
        for folder in folders(args.work, dataset, arch, slug):
            dest = os.path.join(common.MODELS, os.path.basename(folder))
            shutil.rmtree(dest, ignore_errors=True)
            shutil.copytree(folder, dest)
            print("shipped", dest)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["train", "time", "table", "ship"])
    ap.add_argument("items", nargs="*", help="ship: DATASET:ARCH pairs")
    ap.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "tessera-compare"))
    ap.add_argument("--data", default=os.path.join(REPO, "..", "shared", "data"))
    ap.add_argument("--datasets", nargs="+", default=DATASETS, choices=DATASETS)
    ap.add_argument("--archs", nargs="+", choices=[a for a, _, _ in ARCHS])
    ap.add_argument("--repeats", type=int, default=10)
    args = ap.parse_args()
    for sub in ("models", "checkpoints", "logs"):
        os.makedirs(os.path.join(args.work, sub), exist_ok=True)
    {"train": cmd_train, "time": cmd_time, "table": cmd_table, "ship": cmd_ship}[args.command](args)


if __name__ == "__main__":
    main()
