#!/usr/bin/env bash
# Installs Tessera into a Fiji installation:
#   plugins/  the Tessera plugins jar (menu Plugins > Tessera, macro functions, SciJava commands)
#   jars/     the Tessera core jars, ONNX Runtime (CPU, or the CUDA build with --gpu) and Jackson
# Fiji already ships ImageJ, ImgLib2 and SciJava: those are not copied.
#
# Usage: scripts/install-into-fiji.sh /path/to/Fiji.app [--gpu]
# Run from the Tessera source tree; it builds what is missing (tests skipped). Maven options, e.g. a local
# repository, go in MAVEN_ARGS (read here on every Maven version).
set -euo pipefail

usage() { echo "usage: $0 /path/to/Fiji.app [--gpu]" >&2; exit 2; }
[ $# -ge 1 ] || usage
FIJI=$1; shift
ORT=onnxruntime
for arg in "$@"; do
  case "$arg" in
    --gpu) ORT=onnxruntime_gpu ;;
    *) usage ;;
  esac
done
[ -d "$FIJI/jars" ] && [ -d "$FIJI/plugins" ] || { echo "$FIJI is not a Fiji installation (no jars/ and plugins/ folders)" >&2; exit 2; }

ROOT=$(cd "$(dirname "$0")/.." && pwd)
# The jars and their runtime dependencies, without what Fiji has, into a staging folder. The sibling modules
# come from this build (-am), so nothing needs to be installed into the local Maven repository first.
STAGE="$ROOT/plugins/target/fiji-jars"
rm -rf "$STAGE"
build() {
  # shellcheck disable=SC2086 # MAVEN_ARGS holds several words on purpose
  (cd "$ROOT" && mvn -q -B ${MAVEN_ARGS:-} "$@" -pl plugins -am package dependency:copy-dependencies -DskipTests \
      -Donnxruntime.artifact="$ORT" -DincludeScope=runtime -DoutputDirectory="$STAGE" \
      -DexcludeGroupIds=net.imagej,net.imglib2,org.scijava,info.picocli)
}
# From the local Maven repository first, quietly; download only what is missing (e.g. onnxruntime_gpu the first time).
build -o >/dev/null 2>&1 || build \
  || { echo "Could not build Tessera or collect its dependencies with Maven (see the messages above)" >&2; exit 1; }
PLUGIN_JAR=$(ls "$ROOT"/plugins/target/plugins-*.jar 2>/dev/null | grep -v -e sources -e javadoc | head -n 1 || true)
[ -n "$PLUGIN_JAR" ] || { echo "No plugins jar in $ROOT/plugins/target after the build" >&2; exit 1; }

# Never keep both ONNX Runtime builds: they hold the same classes.
rm -f "$FIJI"/jars/onnxruntime-[0-9]*.jar "$FIJI"/jars/onnxruntime_gpu-[0-9]*.jar
# Older Tessera jars go too.
rm -f "$FIJI"/plugins/plugins-*.jar "$FIJI"/plugins/Tessera_Plugins-*.jar \
      "$FIJI"/jars/volume-ops-*.jar "$FIJI"/jars/unet-family-*.jar "$FIJI"/jars/nnunet-planner-*.jar \
      "$FIJI"/jars/bioimageio-*.jar

echo "Copying into $FIJI:"
target="$FIJI/plugins/Tessera_Plugins-$(basename "$PLUGIN_JAR" | sed 's/^plugins-//')"
cp "$PLUGIN_JAR" "$target"
echo "  plugins/$(basename "$target")"
for jar in "$STAGE"/*.jar; do
  name=$(basename "$jar")
  case "$name" in
    jackson-*|snakeyaml-*) # Fiji ships Jackson and SnakeYAML (2.5 in pom-scijava 44): keep its copy when it has one
      base=${name%-[0-9]*.jar}
      if ls "$FIJI"/jars/"$base"-[0-9]*.jar >/dev/null 2>&1; then echo "  (Fiji has $base already, kept)"; continue; fi ;;
  esac
  cp "$jar" "$FIJI/jars/"
  echo "  jars/$name"
done
echo "ONNX Runtime: $ORT$( [ "$ORT" = onnxruntime_gpu ] && echo ' (needs CUDA 12 and cuDNN 9 on this computer; falls back to the CPU otherwise)')"
echo "Restart Fiji; the commands are under Plugins > Tessera."
