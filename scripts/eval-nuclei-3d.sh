#!/usr/bin/env bash
# Scores 3D nuclei models (and classic methods) on three held-out sets, foreground Dice of 'tessera evaluate'
# (per image, averaged over the set):
#   sample   the shipped sample-volumes/nuclei-3d-phantom.nii.gz (phantom seed 2026)
#   stack    the 8-cell stack of nuclei-3d beside the project (../shared/data; never trained on)
#   phantoms five more phantoms, seeds 901-905 (no model trains on these seeds)
# (The phantoms' truth has one class for all nuclei, not one id per nucleus, so no instance scores here.)
#
# Usage: scripts/eval-nuclei-3d.sh [--data DIR] [--out DIR] MODEL... [-- SEGMENT_OPTIONS]
#   e.g. scripts/eval-nuclei-3d.sh nuclei-3d nuclei-3d-unet classic:otsu
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$root/../shared/data"
out="$root/out/eval-nuclei-3d"
models=()
while [ $# -gt 0 ]; do
  case "$1" in
    --data) data="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --) shift; break ;;
    *) models+=("$1"); shift ;;
  esac
done
[ ${#models[@]} -gt 0 ] || { echo "usage: $0 [--data DIR] [--out DIR] MODEL... [-- SEGMENT_OPTIONS]" >&2; exit 2; }
t="$root/scripts/tessera"
rm -rf "$out"
mkdir -p "$out/sample/inputs" "$out/sample/truth" "$out/phantoms/inputs" "$out/phantoms/truth" "$out/stack/inputs" "$out/stack/truth"
ln -s "$root/sample-volumes/nuclei-3d-phantom.nii.gz" "$out/sample/inputs/nuclei-3d-phantom.nii.gz"
ln -s "$root/sample-volumes/nuclei-3d-phantom_truth.nii.gz" "$out/sample/truth/nuclei-3d-phantom.nii.gz"
for seed in 901 902 903 904 905; do
  "$t" phantom --size 150,140,37 --nuclei 14 --seed "$seed" -o "$out/phantoms/inputs/phantom_$seed.nii.gz" >/dev/null
  mv "$out/phantoms/inputs/phantom_${seed}_truth.nii.gz" "$out/phantoms/truth/phantom_$seed.nii.gz"
done
if [ -f "$data/nuclei-3d/images/8_cell_stage.tif" ]; then
  ln -s "$data/nuclei-3d/images/8_cell_stage.tif" "$out/stack/inputs/8_cell_stage.tif"
  ln -s "$data/nuclei-3d/masks/8_cell_stage.tif" "$out/stack/truth/8_cell_stage.tif"
fi
printf "%-9s %-26s %s\n" set model dice
for set in sample phantoms stack; do
  [ -n "$(ls "$out/$set/inputs")" ] || continue
  for model in "${models[@]}"; do
    pred="$out/$set/${model//:/_}"
    "$t" segment -m "$model" -i "$out/$set/inputs" -o "$pred" "$@" >"$pred.log" 2>&1 ||
      { echo "segment failed for $model on $set: see $pred.log" >&2; exit 1; }
    # foreground Dice per image, averaged over the set
    dice=$(for f in "$out/$set/truth"/*; do
        name=$(basename "$f"); base=${name%%.*}; ext=${name#*.}
        "$t" evaluate -p "$pred/${base}_labels.$ext" -t "$f" | awk '/^mean dice:/ { print $3 }'
      done | awk '{ s += $1; n++ } END { printf "%.4f", s / n }')
    printf "%-9s %-26s %s\n" "$set" "$model" "$dice"
  done
done
