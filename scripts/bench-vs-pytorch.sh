#!/usr/bin/env bash
# Side by side: Tessera's command line (its defaults) against a PyTorch sliding window (scripts/bench_vs_pytorch.py)
# over the same architecture and weights, as nnU-Net predicts: the card's patch size, step 0.5, Gaussian blending,
# batches of 4. Each side is timed end to end as a fresh process (start, read, normalize, tiles, stitch, write),
# the two alternating. Prints per side the median wall time, peak RSS and tile count, the ratio pytorch/tessera
# and the Dice between the two label images, in 2D and in 3D. --same-tiles gives PyTorch Tessera's tiles and step
# instead (engine against engine).
#
# Usage: scripts/bench-vs-pytorch.sh [--repeats N] [--only 2d|3d] [--model2d ID] [--model3d ID] [--threads N]
#                                    [--same-tiles] [-- TESSERA_SEGMENT_OPTIONS]     e.g. -- --mode gaussian
# Inputs are phantoms made by 'tessera phantom' under out/bench-vs-pytorch (ignored by git). PYTHON: an
# interpreter with torch, onnx, nibabel, skimage (default /usr/bin/python3).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
repeats=3 only="" model2d=nuclei-2d-unet model3d=nuclei-3d-unet threads=2 same=0 extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    --repeats) repeats="$2"; shift 2 ;;
    --only) only="$2"; shift 2 ;;
    --model2d) model2d="$2"; shift 2 ;;
    --model3d) model3d="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --same-tiles) same=1; shift ;;
    --) shift; extra=("$@"); break ;;
    *) sed -n '9,11p' "$0" >&2; exit 2 ;;
  esac
done
case "$only" in ""|2d|3d) ;; *) echo "--only takes 2d or 3d" >&2; exit 2 ;; esac
py="${PYTHON:-/usr/bin/python3}"
helper="$root/scripts/bench_vs_pytorch.py"
tessera="$root/scripts/tessera"
out="$root/out/bench-vs-pytorch"
mkdir -p "$out"

# GNU time gives the peak RSS of the process it starts (the launcher execs java, so that is the JVM's).
if [ ! -x /usr/bin/time ]; then
  [ "$(id -u)" = 0 ] || { echo "needs GNU time: apt-get install time" >&2; exit 2; }
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq time) >&2
fi

# Build the jar now, so that no timed run includes the build.
"$tessera" --version >/dev/null

median() { printf '%s\n' "$@" | sort -g | awk '{v[NR]=$1} END {printf "%.2f\n", (NR % 2 ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2)}'; }
maxof() { printf '%s\n' "$@" | sort -g | tail -1; }

# timed LOG CMD...: runs CMD with its output in LOG; sets secs and rss_mb.
timed() {
  local log="$1"; shift
  if ! /usr/bin/time -f '%M %e' -o "$log.time" "$@" >"$log" 2>&1; then
    echo "failed: $* (see $log)" >&2; tail -5 "$log" >&2; exit 1
  fi
  read -r kb secs <"$log.time"
  rss_mb=$((kb / 1024))
}

results=()
bench() {  # bench CASE MODEL INPUT LABELS_EXT
  local case="$1" model="$2" input="$3" ext="$4" dir="$out/$1"
  mkdir -p "$dir"
  "$py" "$helper" check "$model"        # the PyTorch network must reproduce the card's golden output
  local name; name="$(basename "$input")"; name="${name%%.*}"
  local t_secs=() t_rss=() p_secs=() p_rss=() t_tiles="" p_tiles="" tile="" step=""
  for r in $(seq 1 "$repeats"); do
    # Odd rounds Tessera first, even rounds PyTorch first; Tessera runs before the first PyTorch run, whose
    # tiles and step are read from it.
    local sides=(tessera pytorch)
    [ $((r % 2)) = 0 ] && sides=(pytorch tessera)
    for side in "${sides[@]}"; do
      if [ "$side" = tessera ]; then
        # --no-resampling: both sides run at the file's own spacing (PyTorch does not resample).
        timed "$dir/tessera.log" "$tessera" segment -m "$model" -i "$input" -o "$dir/tessera" --overwrite \
          --threads "$threads" --device cpu --no-resampling ${extra[@]+"${extra[@]}"}
        t_secs+=("$secs"); t_rss+=("$rss_mb")
        t_tiles="$(grep -oE '[0-9]+ tiles of [0-9]+( ?x ?[0-9]+)+' "$dir/tessera.log" | head -1 | tr -d ' ' |
          sed 's/tilesof/ tiles of /')"
        tile="$(sed 's/.* of //; s/x/,/g' <<<"$t_tiles")"
        # the step Tessera used: the record's (--mode gaussian), else the card's tilingStep (auto), else 0.75
        step="$(grep -oE '"step" : [0-9.]+' "$dir/tessera/${name}_tessera.json" | grep -oE '[0-9.]+$' || true)"
        [ -n "$step" ] || step="$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("tilingStep") or 0.75)' \
          "$root/unet-family/src/main/resources/org/tessera/unet/models/$model/card.json")"
      else
        local window=(--step 0.5)
        [ "$same" = 1 ] && window=(--tile "$tile" --step "$step")
        timed "$dir/pytorch.log" "$py" "$helper" run "$model" "$input" "$dir/pytorch_labels.$ext" \
          "${window[@]}" --batch 4 --threads "$threads"
        p_secs+=("$secs"); p_rss+=("$rss_mb")
        p_tiles="$(grep -oE '[0-9]+ tiles of [0-9x]+' "$dir/pytorch.log" | head -1)"
      fi
      echo "  $case round $r: $side ${secs} s, ${rss_mb} MB" >&2
    done
  done
  local tm pm dice mb
  tm="$(median "${t_secs[@]}")"; pm="$(median "${p_secs[@]}")"
  dice="$("$py" "$helper" dice "$dir/tessera/${name}_labels.$ext" "$dir/pytorch_labels.$ext")"
  mb="$(awk -v b="$(stat -c %s "$input")" 'BEGIN {printf "%.1f", b / 1e6}')"
  results+=("$(printf '%-3s %-16s %8s  %-8s %-20s %9s %9s' "$case" "$model" "$mb" tessera "$t_tiles" "$tm" \
    "$(maxof "${t_rss[@]}")")")
  results+=("$(printf '%-3s %-16s %8s  %-8s %-20s %9s %9s' "" "" "" pytorch "$p_tiles" "$pm" "$(maxof "${p_rss[@]}")")")
  results+=("$(printf '%-3s pytorch/tessera wall: %s   Dice tessera vs pytorch (class:dice): %s' "" \
    "$(awk -v p="$pm" -v t="$tm" 'BEGIN {printf "%.2f", p / t}')" "$dice")")
}

# phantom SIZE NUCLEI EXT: a phantom input (deterministic, seed 1), made once.
phantom() {
  local f="$out/phantom-${1//,/x}.$3"
  [ -f "$f" ] || "$tessera" phantom --size "$1" --nuclei "$2" --seed 1 -o "$f" >/dev/null
  echo "$f"
}

[ "$only" = 3d ] || bench 2d "$model2d" "$(phantom 2048,2048 400 tif)" tif
[ "$only" = 2d ] || bench 3d "$model3d" "$(phantom 256,256,96 60 nii.gz)" nii.gz

echo
echo "Tessera CLI vs PyTorch sliding window ($([ "$same" = 1 ] && echo "Tessera's tiles" || echo "nnU-Net's: patch, step 0.5")), $threads threads, CPU, $repeats round(s), median wall s end to end"
[ ${#extra[@]} = 0 ] || echo "Tessera options: ${extra[*]}"
printf '%-3s %-16s %8s  %-8s %-20s %9s %9s\n' case model "input MB" side tiles "wall s" "peak MB"
printf '%s\n' "${results[@]}"
