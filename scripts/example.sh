#!/usr/bin/env bash
# Sets lpack up and builds the bundled example (examples/python-hello, a handler with a
# C-extension dependency) for arm64. The machine needs no PyPI access: the example's
# dependencies come from a local wheelhouse that this script generates first.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests >/dev/null
wheelhouse=build/example-wheelhouse
python3 fixtures/wheelhouse/make_wheelhouse.py "$wheelhouse" >/dev/null
PIP_NO_INDEX=1 PIP_FIND_LINKS="$PWD/$wheelhouse" \
  build/lpack build examples/python-hello --arch arm64 --out lpack-out "$@"
echo "example: the zips are in $PWD/lpack-out (function.zip, layer.zip, manifest.json)"
