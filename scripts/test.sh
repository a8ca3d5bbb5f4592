#!/usr/bin/env bash
# Runs every test of the project. Tests that need the real data sets beside the project (../shared/data)
# skip with a message when it is absent; the NIfTI and classic-method cross-checks need Debian's
# python3-nibabel and python3-skimage. With TESSERA_FUZZ set to a duration (e.g. 30s), each reader is also
# fuzzed for that long after the tests pass (scripts/fuzz.sh); unset, nothing is fuzzed.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if ! /usr/bin/python3 -c 'import nibabel, skimage' 2>/dev/null && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing python3-nibabel and python3-skimage for the cross-checks..." >&2
  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-nibabel python3-skimage) >&2
fi
cd "$root"
if [ -z "${TESSERA_FUZZ:-}" ]; then
  exec mvn -B verify "$@"
fi
mvn -B verify "$@"
exec scripts/fuzz.sh "$TESSERA_FUZZ"
