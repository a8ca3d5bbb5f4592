#!/usr/bin/env bash
# Scores models on the validation split of nuclei-2d-dsb (beside the project in ../shared/data), per modality:
# instance outputs of 'tessera segment --instances' against the true instance labels with
# 'tessera evaluate --instances' (foreground Dice, AP@0.5, DSB score), and the wall time per megapixel.
#
# Usage: scripts/eval-nuclei-dsb.sh [--data DIR] [--out DIR] [--modality M] MODEL... [-- SEGMENT_OPTIONS]
#   e.g. scripts/eval-nuclei-dsb.sh nuclei-2d classic:otsu
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$root/../shared/data/nuclei-2d-dsb"
out="$root/out/eval-nuclei-dsb"
modalities="fluorescence histology brightfield"
models=()
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --modality) modalities="$2"; shift 2 ;;
    --) shift; break ;;
    *) models+=("$1"); shift ;;
  esac
done
[ ${#models[@]} -gt 0 ] || { echo "usage: $0 [--data DIR] [--out DIR] [--modality M] MODEL... [-- SEGMENT_OPTIONS]" >&2; exit 2; }
[ -f "$data/index.csv" ] || { echo "$data/index.csv not found: give the nuclei-2d-dsb folder with --data" >&2; exit 2; }
t="$root/scripts/tessera"
printf "%-14s %-26s %-7s %-8s %-8s %-7s %s\n" modality model images fg-dice AP@0.5 DSB s/MP
for modality in $modalities; do
  split="$out/$modality"
  rm -rf "$split/inputs" "$split/truth"
  mkdir -p "$split/inputs" "$split/truth"
  # index.csv: id,width,height,channels,modality,nuclei,mean_intensity,split; links, not copies, of the data
  awk -F, -v m="$modality" 'NR > 1 && $8 == "validation" && $5 == m { print $1 }' "$data/index.csv" |
    while read -r id; do
      ln -s "$data/images/$id.png" "$split/inputs/$id.png"
      ln -s "$data/labels/$id.png" "$split/truth/$id.png"
    done
  n=$(find "$split/inputs" -name '*.png' | wc -l)
  megapixels=$(awk -F, -v m="$modality" 'NR > 1 && $8 == "validation" && $5 == m { s += $2 * $3 } END { print s / 1e6 }' "$data/index.csv")
  [ "$n" -gt 0 ] || continue
  for model in "${models[@]}"; do
    pred="$split/${model//:/_}"
    start=$(date +%s%N)
    "$t" segment -m "$model" -i "$split/inputs" -o "$pred" --instances --overwrite "$@" >"$pred.log" 2>&1 ||
      { echo "segment failed for $model on $modality: see $pred.log" >&2; exit 1; }
    # wall time of the whole command (Java start and model loading included), per megapixel of input
    per_mp=$(awk -v a="$start" -v b="$(date +%s%N)" -v mp="$megapixels" 'BEGIN { printf "%.2f", (b - a) / 1e9 / mp }')
    "$t" evaluate --instances -p "$pred" -t "$split/truth" >"$pred.scores.txt"
    fg=$(awk '/^foreground dice:/ { print $3 }' "$pred.scores.txt")
    dsb=$(awk '/^DSB score:/ { print $3 }' "$pred.scores.txt")
    ap=$(awk '/^mean AP@0.5:/ { print $3 }' "$pred.scores.txt")
    printf "%-14s %-26s %-7s %-8s %-8s %-7s %s\n" "$modality" "$model" "$n" "$fg" "$ap" "$dsb" "$per_mp"
  done
done
