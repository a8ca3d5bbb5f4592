#!/usr/bin/env bash
# Trains nuclei-3d-mixed-unet: the nuclei-3d preset's 3D U-Net on the real 16-cell stack plus 12 synthetic
# phantoms from 'tessera phantom' (seeds 101-112, smaller nuclei than the embryo's, 0.5 x 0.5 x 2 um spacing,
# resampled to the preset's 0.8 x 0.8 x 1.75 um), so that the network sees more than one nucleus size and
# imaging; the 8-cell stack stays held out. The shipped samples use seed 2026, and the held-out phantoms of
# scripts/eval-nuclei-3d.sh seeds 901-905: neither is trained on.
#
# Usage: scripts/train-nuclei-3d-mixed.sh [--data DIR] [train.py options, e.g. --minutes 25 --device cuda]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
data="$root/../shared/data"
if [ "${1:-}" = "--data" ]; then data="$2"; shift 2; fi
phantoms="$(mktemp -d)"
trap 'rm -rf "$phantoms"' EXIT
for seed in $(seq 101 112); do
  # sizes and counts vary with the seed: 144-192 voxels in x and y, 36-48 slices, 10-21 nuclei
  x=$((144 + (seed * 16) % 64)); y=$((144 + (seed * 24) % 64)); z=$((36 + seed % 13)); n=$((10 + (seed * 7) % 12))
  "$root/scripts/tessera" phantom --size "$x,$y,$z" --nuclei "$n" --seed "$seed" -o "$phantoms/phantom_$seed.nii.gz" >/dev/null
done
/usr/bin/python3 "$root/scripts/train.py" --dataset nuclei-3d --data "$data" --extra-train "$phantoms" \
  --id nuclei-3d-mixed-unet "$@"
