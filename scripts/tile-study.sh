#!/usr/bin/env bash
# Tiling study: held-out Dice of each shipped U-Net against tile size, step and stitching mode (Gaussian vs
# halo crop at the card's receptive field), and CPU throughput per tile size. Results: docs/tiling-study.md.
#
# Usage: scripts/tile-study.sh [--out DIR] [--data DIR] [--dice-only | --bench-only] [--repeats N] [--quick]
#   --repeats N  timed runs per bench (after one warm-up); default 3 for 2D, 1 for 3D (BENCH3D_REPEATS)
#   --quick      only the priority part: nuclei-2d-dsb-unet (fluorescence), em-membranes-2d-unet,
#                nuclei-3d-mixed-unet, and the throughput of nuclei-2d-dsb-unet and nuclei-3d-mixed-unet
#   --parts LIST comma-separated parts to run, appending to the tables (to resume): dsb-fluo, em, 3d-mixed,
#                dsb-bf, he, nuclei2d, 3d-unet, bench-dsb, bench-3d, bench-em, bench-nuclei2d
# Writes DIR/dice.tsv (model, set, setting, metric columns, wall seconds), DIR/bench.tsv (tile, mode, tiles,
# ms per tile, engine ms, pipeline ms, peak RSS) and DIR/logs/. Runs one thing at a time (CPU, all cores).
# Needs the data beside the project (../shared/data: nuclei-2d-dsb, em-membranes-2d, nuclei-3d) and
# /usr/bin/time (package 'time') for the peak RSS; python3 with numpy and Pillow for the EM scores and
# scripts/tile_study_tables.py (markdown tables into DIR/tables.md).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/out/tile-study"
data="$root/../shared/data"
do_dice=1
do_bench=1
quick=0
parts=""
repeats2d=3
repeats3d="${BENCH3D_REPEATS:-1}"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --data) data="$2"; shift 2 ;;
    --dice-only) do_bench=0; shift ;;
    --bench-only) do_dice=0; shift ;;
    --repeats) repeats2d="$2"; repeats3d="$2"; shift 2 ;;
    --quick) quick=1; shift ;;
    --parts) parts=",$2,"; shift 2 ;;
    *) echo "unknown option $1; see the header of $0" >&2; exit 2 ;;
  esac
done
t="$root/scripts/tessera"
# a Python with numpy and Pillow (for the EM scores): $PYTHON, else the first python3 on PATH or the system's
py="${PYTHON:-}"
if [ -z "$py" ]; then
  for c in python3 /usr/bin/python3; do
    if command -v "$c" >/dev/null && "$c" -c 'import numpy, PIL' 2>/dev/null; then py="$c"; break; fi
  done
fi
mkdir -p "$out/logs"
dice_tsv="$out/dice.tsv"
bench_tsv="$out/bench.tsv"
common=(--device cpu)

# settings: "name|segment options". The first of each list is today's default (gaussian, step 0.5, patch size).
settings_2d() { # $1 patch size (one axis), $2 halo
  local p="$1" h="$2"
  echo "default gaussian ${p} s0.5|"
  for s in 256 384 512 768 1024; do
    [ "$s" -gt $((2 * h)) ] && echo "halo ${s}|--mode halo --tile $s,$s"
  done
  echo "gaussian 512 s0.5|--tile 512,512"
  echo "gaussian 1024 s0.5|--tile 1024,1024"
  echo "gaussian ${p} s0.75|--step 0.75"
  echo "gaussian ${p} s1.0|--step 1.0"
}
settings_3d() {
  echo "default gaussian 64x64x32 s0.5|"
  echo "halo 128x128x64|--mode halo --tile 128,128,64"
  echo "halo 160x160x96|--mode halo --tile 160,160,96"
  echo "halo 192x192x96|--mode halo --tile 192,192,96"
  echo "gaussian 128x128x64 s0.5|--tile 128,128,64"
  echo "gaussian 64x64x32 s0.75|--step 0.75"
  echo "gaussian 64x64x32 s1.0|--step 1.0"
}

now() { date +%s%N; }
secs() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", (b - a) / 1e9 }'; }

# nuclei-2d-dsb validation split, one modality: foreground Dice, AP@0.5, DSB score
dice_dsb() { # model modality patch halo [skip-regex]
  local model="$1" modality="$2" p="$3" h="$4" skip="${5:-^$}"
  settings_2d "$p" "$h" | while IFS='|' read -r name opts; do
    [[ "$name" =~ $skip ]] && { printf "%s\t%s\t%s\tskipped\n" "$model" "$modality" "$name" >>"$dice_tsv"; continue; }
    local s log="$out/logs/${model}_${modality}_${name// /_}.log"
    s=$(now)
    # shellcheck disable=SC2086
    "$root/scripts/eval-nuclei-dsb.sh" --data "$data/nuclei-2d-dsb" --out "$out/dsb" --modality "$modality" "$model" \
      -- "${common[@]}" $opts </dev/null >"$log" 2>&1 || { echo "failed: $model $modality $name (see $log)" >&2; exit 1; }
    read -r fg ap dsb < <(awk -v m="$modality" '$1 == m { print $4, $5, $6 }' "$log")
    printf "%s\t%s\t%s\tfg=%s\tap50=%s\tdsb=%s\t%ss\n" "$model" "$modality" "$name" "$fg" "$ap" "$dsb" "$(secs "$s")" |
      tee -a "$dice_tsv"
  done
}

# em-membranes-2d held-out slices 20-23 (the card's split): Dice of membrane and cell, pooled over the slices
dice_em() {
  local model=em-membranes-2d-unet dir="$out/em"
  rm -rf "$dir/inputs"; mkdir -p "$dir/inputs"
  for s in 20 21 22 23; do ln -s "$data/em-membranes-2d/images/$s.png" "$dir/inputs/$s.png"; done
  settings_2d 256 112 | while IFS='|' read -r name opts; do
    local s log="$out/logs/${model}_${name// /_}.log"
    s=$(now)
    # shellcheck disable=SC2086
    "$t" segment -m "$model" -i "$dir/inputs" -o "$dir/pred" --overwrite "${common[@]}" $opts </dev/null >"$log" 2>&1 ||
      { echo "failed: $model $name (see $log)" >&2; exit 1; }
    local scores
    scores=$("$py" - "$dir/pred" "$data/em-membranes-2d/labels" <<'EOF'
import sys, numpy as np
from PIL import Image
pred_dir, truth_dir = sys.argv[1:3]
tp = [0, 0]; ps = [0, 0]; ts = [0, 0]
for s in ("20", "21", "22", "23"):
    p = np.asarray(Image.open(f"{pred_dir}/{s}_labels.png")).astype(np.int64)
    t = (np.asarray(Image.open(f"{truth_dir}/{s}.png")) > 127).astype(np.int64)  # 255 = cell (1), 0 = membrane (0)
    for c in (0, 1):
        tp[c] += int(((p == c) & (t == c)).sum()); ps[c] += int((p == c).sum()); ts[c] += int((t == c).sum())
d = [2 * tp[c] / (ps[c] + ts[c]) for c in (0, 1)]
print(f"membrane={d[0]:.4f}\tcell={d[1]:.4f}")
EOF
)
    printf "%s\t%s\t%s\t%s\t%ss\n" "$model" "slices20-23" "$name" "$scores" "$(secs "$s")" | tee -a "$dice_tsv"
  done
}

# 3D: shipped sample, held-out 8-cell stack, phantoms 901-905 (scripts/eval-nuclei-3d.sh)
dice_3d() {
  local model="$1"
  settings_3d | while IFS='|' read -r name opts; do
    local s log="$out/logs/${model}_${name// /_}.log"
    s=$(now)
    # shellcheck disable=SC2086
    "$root/scripts/eval-nuclei-3d.sh" --data "$data" --out "$out/3d" "$model" -- "${common[@]}" $opts </dev/null >"$log" 2>&1 ||
      { echo "failed: $model $name (see $log)" >&2; exit 1; }
    local scores
    scores=$(awk '$1 == "sample" || $1 == "stack" || $1 == "phantoms" { printf "%s=%s\t", $1, $3 }' "$log")
    printf "%s\t%s\t%s\t%s%ss\n" "$model" "3d-sets" "$name" "$scores" "$(secs "$s")" | tee -a "$dice_tsv"
  done
}

# Throughput: 'tessera bench' on a phantom. Gaussian step 0.5 tiles of each size, so that every size is timed
# on a handful of tiles; a setting's engine time is then its tile count times the ms per tile (the engine's
# cost of a tile depends on its shape only). Also times the halo grid itself where it has few tiles.
bench() { # model size tile mode repeats
  local model="$1" size="$2" tile="$3" mode="$4" reps="$5"
  local log="$out/logs/bench_${model}_${size//,/x}_${tile//,/x}_${mode}.log" rss=""
  local cmd=("$t" bench -m "$model" --size "$size" --tile "$tile" --mode "$mode" --repeats "$reps" "${common[@]}")
  if [ -x /usr/bin/time ]; then
    /usr/bin/time -f "peakRSS_KB %M" "${cmd[@]}" >"$log" 2>&1 || { echo "bench failed: $model $tile $mode (see $log)" >&2; printf "%s\t%s\t%s\t%s\trejected\n" "$model" "$size" "$tile" "$mode" >>"$bench_tsv"; return 0; }
    rss=$(awk '/^peakRSS_KB/ { printf "%.0f", $2 / 1024 }' "$log")
  else
    "${cmd[@]}" >"$log" 2>&1 || { echo "bench failed: $model $tile $mode (see $log)" >&2; printf "%s\t%s\t%s\t%s\trejected\n" "$model" "$size" "$tile" "$mode" >>"$bench_tsv"; return 0; }
  fi
  # "...; 225 tiles of 256x256 in batches of 4 (gaussian mode); ..." / "engine alone: median X ms (Y ms per tile)"
  local tiles eng per pipe
  tiles=$(sed -n 's/.*; \([0-9]*\) tiles of .*/\1/p' "$log" | head -1)
  eng=$(awk '/^engine alone:/ { print $4 }' "$log")
  per=$(awk '/^engine alone:/ { gsub(/\(/, "", $6); print $6 }' "$log")
  pipe=$(awk '/^whole pipeline:/ { print $4 }' "$log")
  printf "%s\t%s\t%s\t%s\ttiles=%s\tms_per_tile=%s\tengine_ms=%s\tpipeline_ms=%s\tpeak_rss_MiB=%s\n" \
    "$model" "$size" "$tile" "$mode" "$tiles" "$per" "$eng" "$pipe" "$rss" | tee -a "$bench_tsv"
}

bench_2d() { # model reps sizes...
  local model="$1" reps="$2"; shift 2
  for s in "$@"; do bench "$model" 2048,2048 "$s,$s" gaussian "$reps"; done
}
bench_3d() {
  local model="$1" reps="$2"
  for s in 64,64,32 128,128,64 160,160,96 192,192,96; do bench "$model" 256,256,96 "$s" gaussian "$reps"; done
}

# part NAME DEFAULT: whether to run a part (DEFAULT 1: always, 0: not with --quick); --parts overrides
part() {
  if [ -n "$parts" ]; then [[ "$parts" == *",$1,"* ]]; return; fi
  [ "$2" = 1 ] || [ "$quick" = 0 ]
}
if [ -z "$parts" ]; then
  [ "$do_dice" = 0 ] || : >"$dice_tsv"
  [ "$do_bench" = 0 ] || : >"$bench_tsv"
fi
if [ "$do_dice" = 1 ]; then
  # halo 256 leaves a 32-pixel core: 64x the network work on the DSB sets' larger images; measured on EM only
  if part dsb-fluo 1; then dice_dsb nuclei-2d-dsb-unet fluorescence 256 112 '^halo 256$'; fi
  if part em 1; then
    [ -n "$py" ] || { echo "no python3 with numpy and Pillow for the EM scores: set PYTHON" >&2; exit 2; }
    dice_em
  fi
  if part 3d-mixed 1; then dice_3d nuclei-3d-mixed-unet; fi
  if part dsb-bf 0; then dice_dsb nuclei-2d-dsb-unet brightfield 256 112 '^halo 256$'; fi
  if part he 0; then dice_dsb nuclei-2d-he-unet histology 256 112; fi
  if part nuclei2d 0; then dice_dsb nuclei-2d-unet fluorescence 192 56; fi
  if part 3d-unet 0; then dice_3d nuclei-3d-unet; fi
fi
if [ "$do_bench" = 1 ]; then
  if part bench-dsb 1; then bench_2d nuclei-2d-dsb-unet "$repeats2d" 256 384 512 768 1024; fi
  if part bench-3d 1; then bench_3d nuclei-3d-mixed-unet "$repeats3d"; fi
  if part bench-em 0; then bench_2d em-membranes-2d-unet 1 256 512 1024; fi
  if part bench-nuclei2d 0; then bench_2d nuclei-2d-unet 1 192 256 512 1024; fi
fi
if [ -n "$py" ]; then "$py" "$root/scripts/tile_study_tables.py" "$out" >"$out/tables.md"; fi
echo "results: $dice_tsv $bench_tsv${py:+ $out/tables.md}"
