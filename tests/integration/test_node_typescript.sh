#!/usr/bin/env bash
# labels: node slow
# A build script ([node] build_script = "build", output_dir = "dist" in lpack.toml): the
# function step installs the dev dependencies (typescript) for the host, runs `npm run build`
# and packs dist/ alone; the layer holds only the runtime dependency. The x86_64 artifacts
# run the compiled handler.
. "${LPACK_TEST_LIB:-$(dirname "$0")/lib.sh}"
. "$(dirname "${BASH_SOURCE[0]}")/node_lib.sh"

need node npm python3 unzip
npm view ms@2.1.3 version >/dev/null 2>&1 || skip "the npm registry is not reachable"

for arch in arm64 x86_64; do
  out=$TEST_TMP/$arch
  expect_exit 0 "lpack build node-typescript --arch $arch" -- \
    "$LPACK" build "$LPACK_FIXTURES/node-typescript" --arch "$arch" --out "$out" --cache-dir "$TEST_TMP/cache"
  expect_eq "$arch function.zip is the compiled output" "$(zip_names "$out/function.zip" | tr '\n' ' ')" "index.js "
  zip_has "$out/layer.zip" "nodejs/node_modules/ms/index.js"
  zip_lacks "$out/layer.zip" "typescript"
  expect_eq "$arch manifest runtime (from lpack.toml)" \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["runtime"])' "$out/manifest.json")" "nodejs20.x"
done
expect_eq "function.zip does not depend on the arch" \
  "$(sha256sum <"$TEST_TMP/arm64/function.zip")" "$(sha256sum <"$TEST_TMP/x86_64/function.zip")"
expect_eq "the compiled handler runs" \
  "$(run_handler "$TEST_TMP/x86_64/function.zip" "$TEST_TMP/x86_64/layer.zip" index.js)" \
  '{"compiled":"typescript","timeout":300000}'

# A build script that fails shows the compiler's own error and exits 1.
copy_fixture node-typescript "$TEST_TMP/broken"
echo 'export const oops: number = "not a number";' >>"$TEST_TMP/broken/src/index.ts"
expect_exit 1 "a type error fails the build" -- \
  "$LPACK" build "$TEST_TMP/broken" --arch x86_64 --out "$TEST_TMP/broken-out" --cache-dir "$TEST_TMP/cache"
expect_output_contains "tsc's message is shown" "error TS2322"

finish
