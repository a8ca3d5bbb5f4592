#!/usr/bin/env bash
# Peak memory of 'tessera segment' on a 512 x 512 x 256 uint16 volume against the bound input + labels + 300 MB,
# with nuclei-3d-unet (2 classes) and with the same network's head doubled to 4 classes (a memory fixture made
# here, not a model: memory does not depend on the weights), at the image's spacing (--no-resampling) and, for
# nuclei-3d-unet, resampled to its training spacing. Needs GNU time (apt: time) and /usr/bin/python3 with onnx.
#
# Usage: scripts/bench-memory.sh [--out DIR] [--size X,Y,Z]
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/out/bench-memory"
size="512,512,256"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) out="$2"; shift 2 ;;
    --size) size="$2"; shift 2 ;;
    *) echo "usage: $0 [--out DIR] [--size X,Y,Z]" >&2; exit 2 ;;
  esac
done
t="$root/scripts/tessera"
mkdir -p "$out"
[ -f "$out/volume.tif" ] || "$t" phantom --size "$size" --nuclei 600 -o "$out/volume.tif" >/dev/null
fixture="$out/models/memory-4class-3d"
if [ ! -f "$fixture/model.onnx" ]; then
  rm -rf "$fixture" && mkdir -p "$fixture"
  src="$root/unet-family/src/main/resources/org/tessera/unet/models/nuclei-3d-unet"
  /usr/bin/python3 - "$src" "$fixture" <<'PY'
import json, sys
import numpy as np
import onnx
from onnx import numpy_helper
src, dst = sys.argv[1], sys.argv[2]
m = onnx.load(src + "/model.onnx")
head = [n for n in m.graph.node if n.op_type == "Conv"][-1]
inits = {i.name: i for i in m.graph.initializer}
cast = {n.output[0]: n.input[0] for n in m.graph.node if n.op_type == "Cast"}
for name in head.input[1:]:  # weights and bias of the 1x1 head, each output channel twice
    t = inits[cast.get(name, name)]
    a = numpy_helper.to_array(t)
    t.CopyFrom(numpy_helper.from_array(np.concatenate([a, a], 0), t.name))
for o in m.graph.output:  # the graph's declared output channels
    o.type.tensor_type.shape.dim[1].dim_value = 4
onnx.save(m, dst + "/model.onnx")
card = json.load(open(src + "/card.json"))
card.update(id="memory-4class-3d", name="memory fixture: nuclei-3d-unet with its head doubled to 4 classes (not a model)")
card["output"]["classes"] = ["background", "nucleus", "copy-a", "copy-b"]
card.pop("golden", None)
json.dump(card, open(dst + "/card.json", "w"), indent=2)
PY
fi
input_mb=$(stat -c %s "$out/volume.tif" | awk '{ printf "%.0f", $1 / 1e6 }')
voxels=$(echo "$size" | awk -F, '{ print $1 * $2 * $3 }')
labels_mb=$(awk -v v="$voxels" 'BEGIN { printf "%.0f", v / 1e6 }')
bound=$((input_mb + labels_mb + 300))
printf "%-20s %-16s %-10s %-12s %s\n" model resampling "peak MB" "bound MB" "wall s"
for run in "nuclei-3d-unet:--no-resampling" "memory-4class-3d:--no-resampling" "nuclei-3d-unet:"; do
  model="${run%%:*}"; opt="${run#*:}"
  log="$out/$model${opt:+-no-resampling}.log"
  # shellcheck disable=SC2086
  /usr/bin/time -v "$t" segment --models "$out/models" -m "$model" -i "$out/volume.tif" -o "$out/labels-$model" \
    $opt --overwrite >"$log" 2>&1 || { echo "segment failed: see $log" >&2; exit 1; }
  peak=$(awk '/Maximum resident set size/ { printf "%.0f", $6 / 1024 }' "$log")
  wall=$(awk '/Elapsed \(wall clock\)/ { n = split($8, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; print s }' "$log")
  printf "%-20s %-16s %-10s %-12s %s\n" "$model" "${opt:-to training}" "$peak" "$bound" "$wall"
done
