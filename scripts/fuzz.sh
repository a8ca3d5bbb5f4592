#!/usr/bin/env bash
# Fuzzes every reader with Jazzer, one fuzz test after another, each for DURATION (default 1m; e.g. 30s, 10m, 1h).
#   scripts/fuzz.sh [DURATION] [TARGET ...]     TARGET: Class#method, e.g. NiftiFuzzTest#niftiFile
# A finding stops that target and leaves its input as crash-<sha1> in the target's seed folder
# (src/test/resources/<package>/<Class>Inputs/<method>/), where every later `mvn verify` replays it; new
# coverage-increasing inputs go to .cifuzz-corpus/ (not committed). Exits non-zero when any target failed.
set -uo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
duration="${1:-1m}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(volume-ops:NiftiFuzzTest#niftiFile volume-ops:NiftiFuzzTest#niftiGzipContent
           volume-ops:TiffFuzzTest#tiffStructure volume-ops:TiffFuzzTest#tiffFile
           volume-ops:PngFuzzTest#pngStructure volume-ops:PngFuzzTest#pngFile volume-ops:NpyFuzzTest#npyFile
           unet-family:ModelCardFuzzTest#card
           nnunet-planner:PlansFuzzTest#plans nnunet-planner:PlansFuzzTest#fingerprint)
fi
cd "$root"
failed=()
for entry in "${targets[@]}"; do
  case "$entry" in
    *:*) module="${entry%%:*}"; test="${entry#*:}" ;;
    NiftiFuzzTest*|TiffFuzzTest*|PngFuzzTest*|NpyFuzzTest*) module=volume-ops; test="$entry" ;;
    ModelCardFuzzTest*) module=unet-family; test="$entry" ;;
    *) module=nnunet-planner; test="$entry" ;;
  esac
  echo "== fuzzing $test ($module) for $duration" >&2
  # ImageJ's TIFF decoder (ij.io) is instrumented too, so that coverage guides the fuzzer into it. JUnit's own
  # timeout would cover the whole run: it is off, and Jazzer applies each test's @Timeout to every input.
  if ! JAZZER_FUZZ=1 mvn -B -q -pl "$module" -am verify -Dtest="$test" -Dsurefire.failIfNoSpecifiedTests=false \
      -Djazzer.max_duration="$duration" -Djunit.jupiter.execution.timeout.mode=disabled \
      -Djazzer.instrumentation_includes='org.tessera.**:ij.io.**'; then
    failed+=("$test")
  fi
done
if [ ${#failed[@]} -gt 0 ]; then
  echo "Fuzzing found problems in: ${failed[*]}" >&2
  exit 1
fi
