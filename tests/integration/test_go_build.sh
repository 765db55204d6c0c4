#!/usr/bin/env bash
# labels: go slow
# Builds the vendored Go fixture (github.com/google/uuid in vendor/) the way users meet
# reproducibility: two copies in different folders, one with a cache and one without, with
# different umask, TZ, locale and thread count, for arm64 and x86_64. Checks: the zips are
# byte-identical, bootstrap is the only entry, at the root, mode 0755, an ELF of the target
# machine, there is no layer, and the x86_64 binary runs here and prints the self-test line.
. "${LPACK_TEST_LIB:-$(dirname "$0")/lib.sh}"
# Go's module cache is read-only; make the scratch folder removable whatever it holds.
trap 'chmod -R u+w "$TEST_TMP" 2>/dev/null; rm -rf "$TEST_TMP"' EXIT

need go python3 unzip
unset GOFLAGS GOPROXY GOPRIVATE GONOSUMDB GONOPROXY GOSUMDB GOINSECURE || true
export XDG_CACHE_HOME="$TEST_TMP/xdg"   # where a --no-cache build keeps its tool cache

expected='selftest {"id":"416de294-e2a9-5a81-b476-22a04a8a6e9b"}'

copy_fixture go-vendored "$TEST_TMP/a/src"
copy_fixture go-vendored "$TEST_TMP/b/some/deeper/folder/src"

# zip_mode ZIP NAME: the entry's Unix permission bits, in octal.
zip_mode() {
  python3 -c 'import sys, zipfile; print(oct(zipfile.ZipFile(sys.argv[1]).getinfo(sys.argv[2]).external_attr >> 16 & 0o7777))' "$1" "$2"
}

for arch in arm64 x86_64; do
  out_a="$TEST_TMP/out-a-$arch"
  out_b="$TEST_TMP/out-b-$arch"
  expect_exit 0 "go-vendored $arch builds with a cache" -- \
    "$LPACK" build "$TEST_TMP/a/src" --arch "$arch" --out "$out_a" --cache-dir "$TEST_TMP/cache-a" -q
  expect_exit 0 "go-vendored $arch builds elsewhere without a cache" -- \
    env TZ=Asia/Tokyo LANG=de_DE.UTF-8 LC_ALL=C bash -c 'umask 077; exec "$@"' _ \
    "$LPACK" build "$TEST_TMP/b/some/deeper/folder/src" --arch "$arch" --out "$out_b" --no-cache -j 1 -q
  [ -f "$out_a/function.zip" ] && [ -f "$out_b/function.zip" ] || { fail "$arch: function.zip missing"; continue; }

  expect_eq "$arch function.zip is byte-identical across folders and caches" \
    "$(sha256sum <"$out_a/function.zip")" "$(sha256sum <"$out_b/function.zip")"
  expect_eq "$arch function.zip holds only bootstrap" "$(zip_names "$out_a/function.zip")" "bootstrap"
  expect_eq "$arch bootstrap mode" "$(zip_mode "$out_a/function.zip" bootstrap)" "0o755"
  machine=$([ "$arch" = arm64 ] && echo 183 || echo 62)
  expect_eq "$arch bootstrap is an ELF for e_machine $machine" "$(elf_machines "$out_a/function.zip")" "bootstrap $machine"
  [ ! -e "$out_a/layer.zip" ] && pass "$arch: no layer for Go" || fail "$arch: a Go build wrote layer.zip"
  grep -q '"runtime": "provided.al2023"' "$out_a/manifest.json" && pass "$arch manifest runtime" \
    || fail "$arch manifest.json lacks runtime provided.al2023: $(cat "$out_a/manifest.json")"
done

# A rebuild from the cache gives the same bytes.
expect_exit 0 "go-vendored arm64 rebuild from the cache" -- \
  "$LPACK" build "$TEST_TMP/a/src" --arch arm64 --out "$TEST_TMP/out-a-again" --cache-dir "$TEST_TMP/cache-a" -q
expect_eq "cached arm64 function.zip is the same" \
  "$(sha256sum <"$TEST_TMP/out-a-again/function.zip")" "$(sha256sum <"$TEST_TMP/out-a-arm64/function.zip")"

# The x86_64 binary runs natively on an x86_64 host.
if [ "$(uname -m)" = x86_64 ]; then
  mkdir -p "$TEST_TMP/task"
  unzip -q -o "$TEST_TMP/out-a-x86_64/function.zip" -d "$TEST_TMP/task"
  expect_eq "x86_64 bootstrap --selftest" "$("$TEST_TMP/task/bootstrap" --selftest 2>&1)" "$expected"
else
  echo "note: host is $(uname -m), the x86_64 binary is not run"
fi

# Editing a README changes nothing; editing Go code changes the key.
key() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["artifacts"]["function"]["key"])' "$1/manifest.json"; }
echo "# docs" >"$TEST_TMP/a/src/README.md"
expect_exit 0 "build after adding a README" -- \
  "$LPACK" build "$TEST_TMP/a/src" --arch arm64 --out "$TEST_TMP/out-readme" --cache-dir "$TEST_TMP/cache-a" -q
expect_eq "a README is not an input" "$(key "$TEST_TMP/out-readme")" "$(key "$TEST_TMP/out-a-arm64")"
sed -i 's/"hello":"lpack"/"hello":"edited"/' "$TEST_TMP/a/src/main.go"
expect_exit 0 "build after editing main.go" -- \
  "$LPACK" build "$TEST_TMP/a/src" --arch arm64 --out "$TEST_TMP/out-edit" --cache-dir "$TEST_TMP/cache-a" -q
[ "$(key "$TEST_TMP/out-edit")" != "$(key "$TEST_TMP/out-a-arm64")" ] && pass "main.go is an input" \
  || fail "editing main.go did not change the function key"

# The module without dependencies builds too.
expect_exit 0 "go-nodeps x86_64 builds" -- \
  "$LPACK" build "$LPACK_FIXTURES/go-nodeps" --arch x86_64 --out "$TEST_TMP/out-nodeps" --cache-dir "$TEST_TMP/cache-a" -q
if [ "$(uname -m)" = x86_64 ] && [ -f "$TEST_TMP/out-nodeps/function.zip" ]; then
  mkdir -p "$TEST_TMP/nodeps"
  unzip -q -o "$TEST_TMP/out-nodeps/function.zip" -d "$TEST_TMP/nodeps"
  expect_eq "go-nodeps bootstrap --selftest" "$("$TEST_TMP/nodeps/bootstrap" --selftest 2>&1)" 'selftest {"echo":"nodeps"}'
fi

finish
