#!/usr/bin/env bash
# labels: node slow
# The Node plugin with npm and a real arch-specific dependency (esbuild) from the registry:
# the arm64 layer holds @esbuild/linux-arm64 and no linux-x64, no dev dependency and no
# x86-64 ELF; the function zip has no node_modules; the x86_64 artifacts, unzipped the way
# Lambda lays them out (/var/task, /opt), load and run the handler, esbuild's native binary
# included. Editing the handler leaves the layer's key alone.
. "${LPACK_TEST_LIB:-$(dirname "$0")/lib.sh}"

need node npm python3 unzip
npm view ms@2.1.3 version >/dev/null 2>&1 || skip "the npm registry is not reachable"

. "$(dirname "${BASH_SOURCE[0]}")/node_lib.sh"

build() {  # build FIXTURE_DIR ARCH OUT
  expect_exit 0 "lpack build $(basename "$1") --arch $2" -- \
    "$LPACK" build "$1" --arch "$2" --out "$3" --cache-dir "$TEST_TMP/cache"
}

# --- arm64: cross-built on an x86_64 host (or natively on arm64) ---------------------------
build "$LPACK_FIXTURES/node-esbuild" arm64 "$TEST_TMP/arm64"
layer=$TEST_TMP/arm64/layer.zip
zip_has "$layer" "nodejs/node_modules/@esbuild/linux-arm64/bin/esbuild"
zip_has "$layer" "nodejs/node_modules/esbuild/package.json"
zip_has "$layer" "nodejs/node_modules/ms/index.js"
zip_lacks "$layer" "^nodejs/node_modules/@esbuild/linux-x64"
zip_lacks "$layer" "^nodejs/node_modules/is-number"   # a devDependency
zip_lacks "$layer" "^nodejs/node_modules/\.(bin|package-lock\.json)"
expect_eq "every layer entry is under nodejs/" "$(zip_names "$layer" | grep -v '^nodejs/' | head -3)" ""
x86_elves=$(elf_machines "$layer" | awk '$2 == 62' | head -3)
expect_eq "no x86-64 ELF in the arm64 layer" "$x86_elves" ""
arm_elves=$(elf_machines "$layer" | awk '$2 == 183' | wc -l)
expect_eq "one AArch64 ELF (esbuild) in the arm64 layer" "$arm_elves" "1"
fn=$TEST_TMP/arm64/function.zip
expect_eq "function.zip entries" "$(zip_names "$fn" | sort | tr '\n' ' ')" "index.js package.json "
expect_eq "manifest runtime" \
  "$(python3 -c 'import json,sys; m=json.load(open(sys.argv[1])); print(m["plugin"], m["runtime"], m["arch"])' "$TEST_TMP/arm64/manifest.json")" \
  "node nodejs22.x arm64"

# --- x86_64: unzip Lambda-style and run the handler ----------------------------------------
build "$LPACK_FIXTURES/node-esbuild" x86_64 "$TEST_TMP/x86"
zip_has "$TEST_TMP/x86/layer.zip" "nodejs/node_modules/@esbuild/linux-x64/bin/esbuild"
zip_lacks "$TEST_TMP/x86/layer.zip" "^nodejs/node_modules/@esbuild/linux-arm64"
arm_in_x86=$(elf_machines "$TEST_TMP/x86/layer.zip" | awk '$2 == 183' | head -3)
expect_eq "no AArch64 ELF in the x86_64 layer" "$arm_in_x86" ""
if [ "$(uname -m)" == "x86_64" ]; then
  # Lambda puts /opt/nodejs/node_modules on NODE_PATH for CommonJS handlers.
  expect_eq "the x86_64 handler runs (ms + esbuild's native binary)" \
    "$(run_handler "$TEST_TMP/x86/function.zip" "$TEST_TMP/x86/layer.zip" index.js)" \
    '{"timeout":120000,"code":"let x = 1;","esbuild":"0.28.2"}'
else
  echo "note: not an x86_64 host; the run check is skipped"
fi

# --- the same build twice gives the same bytes; the layer ignores handler edits -------------
# (without the cache, another umask, time zone and locale)
expect_exit 0 "lpack build node-esbuild --arch arm64 --no-cache" -- bash -c 'umask 077; exec "$@"' _ \
  env TZ=Asia/Tokyo LANG=de_DE.UTF-8 "$LPACK" build "$LPACK_FIXTURES/node-esbuild" --arch arm64 \
  --out "$TEST_TMP/arm64-again" --no-cache
expect_eq "arm64 layer.zip is reproducible" \
  "$(sha256sum <"$TEST_TMP/arm64-again/layer.zip")" "$(sha256sum <"$layer")"
layer_key() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["artifacts"]["layer"]["key"])' "$1"; }
copy_fixture node-esbuild "$TEST_TMP/edited"
echo "// an edit" >>"$TEST_TMP/edited/index.js"
build "$TEST_TMP/edited" arm64 "$TEST_TMP/edited-out"
expect_eq "editing the handler keeps the layer key" \
  "$(layer_key "$TEST_TMP/edited-out/manifest.json")" "$(layer_key "$TEST_TMP/arm64/manifest.json")"

# --- a function without dependencies: no layer ----------------------------------------------
build "$LPACK_FIXTURES/node-nodeps" arm64 "$TEST_TMP/nodeps"
[ -e "$TEST_TMP/nodeps/layer.zip" ] && fail "node-nodeps has a layer.zip" || pass "node-nodeps has no layer"
expect_eq "node-nodeps function entries" \
  "$(zip_names "$TEST_TMP/nodeps/function.zip" | sort | tr '\n' ' ')" "index.js package.json "

finish
