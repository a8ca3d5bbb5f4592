"""Markdown tables of scripts/tile-study.sh's results: Dice per setting with deltas, and throughput per setting.

Usage: python3 scripts/tile_study_tables.py OUT_DIR   (reads OUT_DIR/dice.tsv and bench.tsv, prints markdown)
Throughput: ms per tile from the Gaussian benches; each setting's tile count follows TileGrid's rules."""
import math
import os
import sys
from collections import OrderedDict

out = sys.argv[1]


def dice_tables(path):
    groups = OrderedDict()
    for line in open(path):
        r = line.rstrip("\n").split("\t")
        if len(r) > 3 and r[3] != "skipped":
            groups.setdefault((r[0], r[1]), []).append(r)
    for (model, data), rs in groups.items():
        metrics = [a.split("=")[0] for a in rs[0][3:-1]]
        vals = [{a.split("=")[0]: float(a.split("=")[1]) for a in r[3:-1]} for r in rs]
        base = vals[0]
        dice_keys = [k for k in metrics if k not in ("ap50", "dsb")]
        print(f"\n**{model}**, {data}\n")
        print("| setting | " + " | ".join(f"{k} (Δ)" for k in metrics) + " | wall s | within 0.002 |")
        print("|---" * (len(metrics) + 3) + "|")
        for i, (r, v) in enumerate(zip(rs, vals)):
            cells = [f"{v[k]:.4f}" if i == 0 else f"{v[k]:.4f} ({v[k] - base[k]:+.4f})" for k in metrics]
            worst = min(v[k] - base[k] for k in dice_keys)
            verdict = "—" if i == 0 else ("yes" if worst >= -0.002 - 1e-9 else f"**no** ({worst:+.4f})")
            print(f"| {r[2]} | " + " | ".join(cells) + f" | {r[-1].rstrip('s')} | {verdict} |")


def sliding(size, tile, step):
    return 1 if size <= tile else math.ceil((size - tile) / (tile * step)) + 1


def halo_count(size, tile, h, div):
    return 1 if -(-size // div) * div <= tile else math.ceil(size / (tile - 2 * h))


# model, bench volume, halo, divisibility, patch
MODELS = [
    ("nuclei-2d-dsb-unet", (2048, 2048), (112, 112), (16, 16), (256, 256)),
    ("em-membranes-2d-unet", (2048, 2048), (112, 112), (16, 16), (256, 256)),
    ("nuclei-2d-unet", (2048, 2048), (56, 56), (8, 8), (192, 192)),
    ("nuclei-3d-mixed-unet", (256, 256, 96), (56, 56, 28), (8, 8, 4), (64, 64, 32)),
]


def throughput_tables(path):
    bench = {}
    for line in open(path):
        r = line.rstrip("\n").split("\t")
        if len(r) > 4 and r[4] != "rejected":
            bench[(r[0], tuple(int(x) for x in r[2].split(",")))] = {a.split("=")[0]: a.split("=")[1] for a in r[4:]}
    for model, shape, halo, div, patch in MODELS:
        tiles = sorted(t for (m, t) in bench if m == model)
        if not tiles:
            continue
        fmt = lambda t: "x".join(map(str, t))
        settings = [(f"gaussian {fmt(patch)} s{s}" + (" (default)" if s == 0.5 else ""), patch, "g", s)
                    for s in (0.5, 0.75, 1.0)]
        settings += [(f"halo {fmt(t)}", t, "h", 0) for t in tiles if all(t[d] > 2 * halo[d] for d in range(len(t)))]
        settings += [(f"gaussian {fmt(t)} s0.5", t, "g", 0.5) for t in tiles if t != patch]
        print(f"\n**{model}** on a {fmt(shape)} phantom\n")
        print("| setting | tiles | ms per tile | evaluated voxels (M) | ns per evaluated voxel | engine ms | vs default | peak RSS MiB |")
        print("|---|---|---|---|---|---|---|---|")
        base = None
        for name, tile, mode, step in settings:
            b = bench.get((model, tile))
            if b is None:
                continue
            n = 1
            for d in range(len(shape)):
                n *= sliding(shape[d], tile[d], step) if mode == "g" else halo_count(shape[d], tile[d], halo[d], div[d])
            vox = math.prod(tile)
            ms = float(b["ms_per_tile"])
            measured = mode == "g" and step == 0.5 and int(b["tiles"]) == n
            engine = float(b["engine_ms"]) if measured else n * ms
            base = base or engine
            rss = b.get("peak_rss_MiB", "")
            print(f"| {name} | {n} | {ms:.1f} | {n * vox / 1e6:.1f} | {ms * 1e6 / vox:.0f} | "
                  f"{engine:.0f}{' (measured)' if measured else ''} | {engine / base:.2f} | "
                  f"{rss if measured else '(' + rss + ')'} |")


if os.path.exists(os.path.join(out, "dice.tsv")):
    print("## Dice per setting")
    dice_tables(os.path.join(out, "dice.tsv"))
if os.path.exists(os.path.join(out, "bench.tsv")):
    print("\n## Throughput")
    throughput_tables(os.path.join(out, "bench.tsv"))
