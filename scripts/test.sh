#!/usr/bin/env bash
# Installs the test dependencies, builds lpack and runs the whole test suite with CTest.
#   scripts/test.sh              everything
#   scripts/test.sh -L fast      only the fast suites (any ctest arguments pass through)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --tests
ctest --test-dir build --output-on-failure -j2 "$@"
