#!/usr/bin/env bash
# labels: python slow
# Builds the Python fixtures for x86_64 and arm64 from a wheelhouse the test generates
# (fixtures/wheelhouse/make_wheelhouse.py), checks what the zips hold, runs the x86_64
# handlers the way Lambda loads them (/var/task first on sys.path, /opt/python second), and
# checks the bad-input fixtures fail with a message that names the problem.
. "${LPACK_TEST_LIB:-$(dirname "$0")/lib.sh}"

need python3
use_python_wheelhouse x86_64 aarch64

# The lockfile fixtures pin the pure wheels by sha256: the generator must still write them.
for name in pure devtool; do
  actual=$(sha256sum "$wheels/lpack_fixture_$name-1.0.0-py3-none-any.whl" | cut -d' ' -f1)
  grep -q "sha256:$actual" "$LPACK_FIXTURES/python-poetry/poetry.lock" \
    || fail "lpack_fixture_$name wheel hash $actual is not the one fixtures/python-*/ lockfiles pin; update them"
done

cache="$TEST_TMP/cache"

# build FIXTURE ARCH: builds into $TEST_TMP/out/FIXTURE-ARCH; returns lpack's exit status.
build() {
  "$LPACK" build "$LPACK_FIXTURES/$1" --arch "$2" --out "$TEST_TMP/out/$1-$2" --cache-dir "$cache" -q
}

# run_handler OUT: the handler's result as sorted JSON, with the function in a /var/task
# stand-in and the layer in /opt, as Lambda's Python bootstrap puts them on sys.path.
run_handler() {
  local root="$TEST_TMP/lambda" out=$1
  rm -rf "$root" && mkdir -p "$root/task" "$root/opt"
  python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$out/function.zip" "$root/task"
  if [ -f "$out/layer.zip" ]; then
    python3 -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extractall(sys.argv[2])' "$out/layer.zip" "$root/opt"
  fi
  (cd "$root/task" && env -i PATH=/usr/bin:/bin PYTHONPATH="$root/task:$root/opt/python" PYTHONDONTWRITEBYTECODE=1 \
    "$PY312" -s -c 'import json, app; print(json.dumps(app.lambda_handler({}, None), sort_keys=True))' 2>&1)
}

# has ZIP NAME / lacks ZIP REGEX: like lib.sh's zip_has/zip_lacks, but without `grep -q` on
# a pipe, whose early exit fails the writer under pipefail and turns the check around.
has() {
  if python3 -c 'import sys, zipfile; sys.exit(sys.argv[2] not in zipfile.ZipFile(sys.argv[1]).namelist())' "$1" "$2"; then
    pass "$(basename "$1") has $2"
  else
    fail "$(basename "$1") lacks $2"
  fi
}
lacks() {
  local found
  found=$(zip_names "$1" | grep -E -- "$2" || true)
  if [ -z "$found" ]; then pass "$(basename "$1") has nothing matching $2"; else
    fail "$(basename "$1") has entries matching $2: $(head -3 <<<"$found" | tr '\n' ' ')"
  fi
}

declare -A expected=(
  [python-nodeps]='{"ok": true, "value": "HELLO FROM LPACK!"}'
  [python-pure]='{"greeting": "hello, lambda", "ok": true, "value": 49}'
  [python-include]='{"greeting": "hello, lambda", "ok": true, "value": 49}'
  [python-cext]='{"machine": "x86_64", "ok": true, "value": 5}'
  [python-poetry]='{"devtool": false, "ok": true, "value": 36}'
  [python-pipfile]='{"devtool": false, "ok": true, "value": 36}'
  [python-uv]='{"devtool": false, "ok": true, "value": 36}'
)

for fixture in python-nodeps python-pure python-cext python-poetry python-pipfile python-uv python-include; do
  for arch in x86_64 arm64; do
    what="$fixture ($arch)"
    out="$TEST_TMP/out/$fixture-$arch"
    if ! build "$fixture" "$arch" >"$TEST_TMP/build.log" 2>&1; then
      fail "$what: lpack build failed:"; sed 's/^/    /' "$TEST_TMP/build.log" >&2
      continue
    fi
    pass "$what builds"
    fn="$out/function.zip"
    has "$fn" app.py
    lacks "$fn" '^python/|^lpack_(pure|cext|devtool)|__pycache__|\.pyc$'
    if [ "$fixture" == python-nodeps ]; then
      has "$fn" textutil.py
      has "$fn" data/greeting.txt
      [ -f "$out/layer.zip" ] && fail "$what: a layer without dependencies"
    else
      layer="$out/layer.zip"
      if [ ! -f "$layer" ]; then fail "$what: no layer.zip"; continue; fi
      lacks "$layer" '__pycache__|\.pyc$|^python/bin/|direct_url\.json$|lpack_devtool'
      outside=$(zip_names "$layer" | grep -v '^python/' || true)
      expect_eq "$what: every layer entry is under python/" "$outside" ""
      if [ "$fixture" == python-cext ]; then
        gnu=$([ "$arch" == arm64 ] && echo aarch64 || echo x86_64)
        so="python/lpack_cext.cpython-312-$gnu-linux-gnu.so"
        has "$layer" "$so"
        expect_eq "$what: ELF machine of the extension" "$(elf_machines "$layer")" \
          "$so $([ "$arch" == arm64 ] && echo 183 || echo 62)"
      else
        has "$layer" python/lpack_pure/__init__.py
        has "$layer" python/lpack_fixture_pure-1.0.0.dist-info/RECORD
        record=$(python3 -c 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read(sys.argv[2]).decode())' \
          "$layer" python/lpack_fixture_pure-1.0.0.dist-info/RECORD)
        if grep -qE '^\.\./|bin/|__pycache__|direct_url' <<<"$record"; then
          fail "$what: RECORD names files that are not in the layer: $record"
        else
          pass "$what: RECORD lists only packed files"
        fi
      fi
    fi
    if [ "$arch" == x86_64 ]; then
      expect_eq "$what: handler result" "$(run_handler "$out")" "${expected[$fixture]}"
    fi
  done
done

# Editing the handler rebuilds the function, never the layer.
src="$TEST_TMP/edit-src"
copy_fixture python-pure "$src"
key_of() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["artifacts"][sys.argv[2]]["key"])' "$1/manifest.json" "$2"; }
"$LPACK" build "$src" --out "$TEST_TMP/edit1" --cache-dir "$cache" -q >"$TEST_TMP/build.log" 2>&1 || fail "edit: first build"
echo "# edited" >>"$src/app.py"
"$LPACK" build "$src" --out "$TEST_TMP/edit2" --cache-dir "$cache" -q >"$TEST_TMP/build.log" 2>&1 || fail "edit: second build"
expect_eq "editing app.py keeps the layer key" "$(key_of "$TEST_TMP/edit2" layer)" "$(key_of "$TEST_TMP/edit1" layer)"
[ "$(key_of "$TEST_TMP/edit2" function)" != "$(key_of "$TEST_TMP/edit1" function)" ] \
  && pass "editing app.py changes the function key" || fail "editing app.py left the function key unchanged"
echo "lpack-fixture-devtool==1.0.0" >>"$src/requirements.txt"
"$LPACK" build "$src" --out "$TEST_TMP/edit3" --cache-dir "$cache" -q >"$TEST_TMP/build.log" 2>&1 || fail "edit: third build"
[ "$(key_of "$TEST_TMP/edit3" layer)" != "$(key_of "$TEST_TMP/edit2" layer)" ] \
  && pass "editing requirements.txt changes the layer key" || fail "editing requirements.txt left the layer key unchanged"

# Two uncached builds of a layer give the same bytes.
for n in 1 2; do
  "$LPACK" build "$LPACK_FIXTURES/python-cext" --arch arm64 --out "$TEST_TMP/repro$n" --no-cache -q \
    >"$TEST_TMP/build.log" 2>&1 || fail "reproducibility build $n"
done
expect_eq "python-cext arm64 layer is reproducible" "$(sha256sum <"$TEST_TMP/repro1/layer.zip")" \
  "$(sha256sum <"$TEST_TMP/repro2/layer.zip")"

# Bad inputs fail with a message that names the problem.
expect_exit 1 "python-missing-package fails" -- build python-missing-package x86_64
expect_output_contains "pip's error is shown" "lpack-fixture-missing==1.0.0"
expect_exit 2 "python-bad-handler is rejected" -- build python-bad-handler x86_64
expect_output_contains "the handler problem is named" "app.py does not define lambda_handler"
expect_exit 2 "python-editable is rejected" -- build python-editable x86_64
expect_output_contains "the editable line is named" "requirements.txt:2: -e .: editable"

finish
