#!/usr/bin/env bash
# labels: cache slow python
# Many lpack processes on one cache, and lpack killed at random moments:
#  1. 8 builds of python-cext (arm64) at once on one cold --cache-dir, each with its own
#     --out: all succeed, all zips are identical, `lpack cache verify` is clean.
#  2. ~20 builds SIGKILLed after a random delay (the cache cleared now and then so that some
#     die while storing): the cache stays sound, a normal build afterwards gives the
#     reference bytes, and --out holds nothing a user or a script could take for an artifact.
# Temporary files a killed process leaves in --out are dot-files (.function.zip.tmp.*); their
# number is printed, not judged: see the report at the end of the log.
. "${LPACK_TEST_LIB:-$(dirname "$0")/lib.sh}"

need python3 cmp sha256sum timeout
use_python_wheelhouse aarch64

mkdir -p "$TEST_TMP/bin" "$TEST_TMP/tmp"
# lpack's scratch folders: here, so that what killed builds leave behind can be counted.
export TMPDIR="$TEST_TMP/tmp"

src="$TEST_TMP/src"
copy_fixture python-cext "$src"
cache="$TEST_TMP/cache"
build() {  # build OUT [ARGS...]
  local out=$1
  shift
  "$LPACK" build "$src" --arch arm64 --out "$out" --cache-dir "$cache" -q "$@"
}

# --- 1. eight builds at once on a cold cache ---
pids=()
for i in 1 2 3 4 5 6 7 8; do
  build "$TEST_TMP/par/$i" >"$TEST_TMP/par-$i.log" 2>&1 &
  pids+=($!)
done
for i in 1 2 3 4 5 6 7 8; do
  rc=0
  wait "${pids[$((i - 1))]}" || rc=$?
  if [ "$rc" == 0 ]; then pass "concurrent build $i (exit 0)"; else
    fail "concurrent build $i: exit $rc:"
    sed 's/^/    /' "$TEST_TMP/par-$i.log" >&2
  fi
done
for i in 2 3 4 5 6 7 8; do
  for zip in function.zip layer.zip; do
    if cmp -s "$TEST_TMP/par/1/$zip" "$TEST_TMP/par/$i/$zip"; then pass "concurrent build $i: same $zip"; else
      fail "concurrent build $i: $zip differs from build 1's"; fi
  done
done
expect_exit 0 "cache verify after 8 concurrent builds" -- timeout 120 "$LPACK" cache verify --cache-dir "$cache"
expect_output_contains "cache verify: nothing corrupt" ", 0 corrupt"
stats=$("$LPACK" cache stats --json --cache-dir "$cache" | python3 -c 'import json, sys; s = json.load(sys.stdin); print(s["records"], s["blobs"], s["hits"] + s["misses"])' || true)
expect_eq "8 concurrent builds: 2 records, 2 blobs, 16 lookups counted" "$stats" "2 2 16"
expect_eq "8 concurrent builds: no temporary file left in the cache" "$(find "$cache/tmp" -type f | wc -l)" "0"

reference="$TEST_TMP/reference"
mkdir -p "$reference"
cp "$TEST_TMP/par/1/function.zip" "$TEST_TMP/par/1/layer.zip" "$reference/"

# --- 2. builds killed at random moments ---
# One --out for every killed build, as a user's lpack-out would be.
out="$TEST_TMP/killed-out"
seed=${LPACK_TEST_SEED:-$RANDOM}   # printed, so that a failure can be replayed
RANDOM=$seed
echo "kill delays from seed $seed (LPACK_TEST_SEED=$seed replays them)"
for i in $(seq 1 20); do
  # A cold cache every third round, so that some builds die while running pip or storing.
  if [ $((i % 3)) == 1 ]; then
    timeout 60 "$LPACK" cache clear --cache-dir "$cache" >/dev/null 2>&1 \
      || fail "round $i: cache clear failed or hung (a killed build's child holding the lock?)"
  fi
  delay_ms=$((RANDOM % 1500))
  # lpack itself in the background (not a shell function: $! must be lpack's pid).
  "$LPACK" build "$src" --arch arm64 --out "$out" --cache-dir "$cache" -q >"$TEST_TMP/killed-$i.log" 2>&1 &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay_ms / 1000)) $((delay_ms % 1000)))"
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
done
pass "20 builds killed after 0-1.5 s"
# SIGKILL does not reach a killed build's children (pip): they run on as orphans. Let them end
# before the scratch folders they write to are counted.
sleep 3

expect_exit 0 "cache verify after the killed builds" -- timeout 120 "$LPACK" cache verify --cache-dir "$cache"
expect_output_contains "cache verify: nothing corrupt after the kills" ", 0 corrupt"

expect_exit 0 "a normal build after the killed ones" -- build "$out"
for zip in function.zip layer.zip; do
  if cmp -s "$reference/$zip" "$out/$zip"; then pass "after the kills: $zip has the reference bytes"; else
    fail "after the kills: $zip differs from the reference"; fi
done
expect_exit 0 "a normal build after the killed ones, fresh --out" -- build "$TEST_TMP/after-out"
for zip in function.zip layer.zip; do
  if cmp -s "$reference/$zip" "$TEST_TMP/after-out/$zip"; then pass "after the kills, fresh --out: $zip has the reference bytes"; else
    fail "after the kills, fresh --out: $zip differs from the reference"; fi
done
expect_exit 0 "cache verify at the end" -- timeout 120 "$LPACK" cache verify --cache-dir "$cache"

# Nothing in --out that looks like an artifact: every name that is not a dot-file is one of
# the build's own, and every zip there is a complete, valid one.
visible=$(cd "$out" && ls | tr '\n' ' ')
expect_eq "--out holds only the artifacts and the manifest (dot-files aside)" "$visible" "function.zip layer.zip manifest.json "
if python3 -c '
import sys, zipfile
for p in sys.argv[1:]:
    assert zipfile.ZipFile(p).testzip() is None, p' "$out"/*.zip 2>/dev/null; then
  pass "every zip in --out is complete"; else fail "a zip in --out is damaged"; fi
python3 -c 'import json, sys; json.load(open(sys.argv[1]))' "$out/manifest.json" 2>/dev/null \
  && pass "manifest.json in --out is complete" || fail "manifest.json in --out is damaged"

# gc sweeps the temporary files killed processes left in the cache.
expect_exit 0 "cache gc after the kills" -- timeout 120 "$LPACK" cache gc --max-size 10G --cache-dir "$cache"
expect_eq "after gc: no temporary file left in the cache" "$(find "$cache/tmp" -type f | wc -l)" "0"

# Report, not judge: what the killed builds left outside the cache.
stale_out=$(find "$out" -maxdepth 1 -name '.*.tmp.*' | wc -l)
stale_scratch=$(find "$TMPDIR" -mindepth 1 -maxdepth 1 | wc -l)
echo "report: killed builds left $stale_out temporary file(s) in --out ($(find "$out" -maxdepth 1 -name '.*.tmp.*' -printf '%f ' | cut -c1-200)) and $stale_scratch scratch folder(s) in \$TMPDIR"

finish
