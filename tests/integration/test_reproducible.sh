#!/usr/bin/env bash
# labels: reproducible slow
# Reproducibility the way a user meets it: each fixture is copied into two folders (different
# path lengths, file modes and mtimes) and built twice — A with umask 022, TZ=UTC, LC_ALL=C,
# -j 1 and its own cache; B with umask 077, TZ=Pacific/Kiritimati, LC_ALL=C.UTF-8, -j 8,
# another cache and another working folder. function.zip, layer.zip and manifest.json must be
# byte-identical. Then a warm rebuild of B (cache hit) gives the same bytes again, and
# SOURCE_DATE_EPOCH changes the bytes, is itself reproducible and dates every entry.
# Python fixtures must pass; a Node, Go or Java fixture whose first build fails (its plugin
# or toolchain not ready on this machine) is skipped with the reason.
. "${LPACK_TEST_LIB:-$(dirname "$0")/lib.sh}"
# Go's module cache is read-only; make the scratch folder removable whatever it holds.
trap 'chmod -R u+w "$TEST_TMP" 2>/dev/null; rm -rf "$TEST_TMP"' EXIT

need python3 cmp
use_python_wheelhouse aarch64

# A locale other than C for build B: C.UTF-8 where installed, else any other one.
other_locale=$(locale -a 2>/dev/null | grep -ixE 'c\.utf-?8' | head -1 || true)
[ -n "$other_locale" ] || other_locale=$(locale -a 2>/dev/null | grep -vxE 'C|POSIX' | head -1 || true)
[ -n "$other_locale" ] || other_locale=C.UTF-8   # not installed: the C library falls back to C
far_tz=Pacific/Kiritimati                        # UTC+14: any local-time leak shows
[ -e "/usr/share/zoneinfo/$far_tz" ] || far_tz="UTC-14"

unset SOURCE_DATE_EPOCH GOFLAGS GOPROXY GOSUMDB || true

sde=1700000000   # 2023-11-14 22:13:20 UTC

# explain_difference A B: diffoscope's report when installed, else the entries that differ.
explain_difference() {
  if command -v diffoscope >/dev/null 2>&1; then
    diffoscope "$1" "$2" 2>&1 | head -60 | sed 's/^/    /' >&2 || true
    return
  fi
  python3 - "$1" "$2" <<'PY' 2>&1 | head -40 | sed 's/^/    /' >&2 || true
import sys, zipfile
def entries(p):
    try:
        z = zipfile.ZipFile(p)
    except Exception as e:
        return {"<unreadable>": str(e)}
    return {i.filename: (i.file_size, i.CRC, i.date_time, oct(i.external_attr >> 16), i.compress_type,
                         i.compress_size, i.extra.hex()) for i in z.infolist()}
a, b = entries(sys.argv[1]), entries(sys.argv[2])
if list(a) != list(b):
    print("entry lists or order differ:", [n for n in a if n not in b][:5], [n for n in b if n not in a][:5])
for name in a:
    if name in b and a[name] != b[name]:
        print(name, a[name], "vs", b[name])
print("(size, crc, date, mode, method, compressed size, extra); install diffoscope for a full report")
PY
}

# same WHAT FILE_A FILE_B: byte-identical, else a failure with an explanation.
same() {
  if cmp -s "$2" "$3"; then pass "$1"; else
    fail "$1: $2 and $3 differ"
    explain_difference "$2" "$3"
    if [ "${2##*.}" == json ]; then diff "$2" "$3" | head -20 | sed 's/^/    /' >&2 || true; fi
  fi
}

# manifest_without_cache MANIFEST: the manifest with every artifact's "cache" field removed.
manifest_without_cache() {
  python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
for a in m.get("artifacts", {}).values():
    a.pop("cache", None)
print(json.dumps(m, sort_keys=True, indent=1))' "$1"
}

# cache_states MANIFEST: "function=hit layer=hit"
cache_states() {
  python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
print(" ".join("%s=%s" % (k, v["cache"]) for k, v in sorted(m["artifacts"].items())))' "$1"
}

# entry_dates ZIP: the distinct dates of ZIP's entries, as Python's zipfile reads them.
entry_dates() {
  python3 -c '
import sys, zipfile
dates = {"%04d-%02d-%02d %02d:%02d:%02d" % i.date_time for i in zipfile.ZipFile(sys.argv[1]).infolist()}
print(" ".join(sorted(dates)))' "$1" 2>&1 || true
}

# artifacts OUT: the zips in OUT, sorted
artifacts() { (cd "$1" && ls -- *.zip 2>/dev/null | tr '\n' ' ') || true; }

# build_a SRC_REL OUT CACHE [ENV...] / build_b SRC_ABS OUT CACHE [ENV...]: the two settings.
# A passes SRC relative to its working folder; B passes --out and --cache-dir relative to its
# own ($TEST_TMP/elsewhere): where a build runs from must not matter either.
build_a() {
  local src=$1 out=$2 cache=$3
  shift 3
  (cd "$TEST_TMP/a" && umask 022 && env TZ=UTC LC_ALL=C LANG=C "$@" \
    "$LPACK" build "$src" --arch "$arch" -j 1 --out "$out" --cache-dir "$cache" -q)
}
build_b() {
  local src=$1 out=$2 cache=$3
  shift 3
  (cd "$TEST_TMP/elsewhere" && umask 077 && env TZ="$far_tz" LC_ALL="$other_locale" LANG="$other_locale" "$@" \
    "$LPACK" build "$src" --arch "$arch" -j 8 --out "$out" --cache-dir "$cache" -q)
}

mkdir -p "$TEST_TMP/a" "$TEST_TMP/elsewhere"

# check_fixture NAME ARCH REQUIRED(yes|no)
check_fixture() {
  local name=$1 required=$3
  arch=$2
  local id="$name-$arch"
  local src_a="src-$id"                                                      # relative to $TEST_TMP/a
  local src_b="$TEST_TMP/b/a/much/longer/path/to/the/second/copy/of/$id"     # absolute
  local out="$TEST_TMP/out/$id"   # B writes to $TEST_TMP/elsewhere/out/$id, linked here
  local cache_a="$TEST_TMP/cache-a" cache_b="cache-b"   # cache_b: relative to $TEST_TMP/elsewhere

  copy_fixture "$name" "$TEST_TMP/a/$src_a"
  find "$TEST_TMP/a/$src_a" -exec touch -h -d '2001-02-03 04:05:06 UTC' {} +
  # B's copy made under umask 077 without keeping modes: files 0600, folders 0700.
  (umask 077 && mkdir -p "$(dirname "$src_b")" && cp -r "$LPACK_FIXTURES/$name" "$src_b")
  find "$src_b" -exec touch -h -d '2030-06-07 08:09:10 UTC' {} +

  echo "--- $id"
  mkdir -p "$out" "$TEST_TMP/elsewhere/out/$id"
  local b
  for b in b b-warm b-sde; do ln -sfn "$TEST_TMP/elsewhere/out/$id/$b" "$out/$b"; done
  local rc=0
  build_a "$src_a" "$out/a" "$cache_a" >"$TEST_TMP/build.log" 2>&1 || rc=$?
  if [ "$rc" != 0 ]; then
    if [ "$required" == yes ]; then
      fail "$id: build A failed (exit $rc):"
      sed 's/^/    /' "$TEST_TMP/build.log" >&2
    else
      echo "SKIP: $id: lpack build fails here (exit $rc), plugin or toolchain not ready: $(grep -m1 '^lpack: error:' "$TEST_TMP/build.log" || tail -1 "$TEST_TMP/build.log")"
      skipped+=" $id"
    fi
    return
  fi
  expect_exit 0 "$id: build B" -- build_b "$src_b" "out/$id/b" "$cache_b"
  [ -f "$out/b/manifest.json" ] || return 0   # the failure above says why; nothing to compare
  expect_eq "$id: A and B made the same artifacts" "$(artifacts "$out/b")" "$(artifacts "$out/a")"
  local zip
  for zip in $(artifacts "$out/a"); do
    same "$id: $zip is byte-identical (A vs B)" "$out/a/$zip" "$out/b/$zip"
  done
  same "$id: manifest.json is identical (A vs B)" "$out/a/manifest.json" "$out/b/manifest.json"

  # Warm: B again, into a fresh --out so every artifact comes out of the cache.
  expect_exit 0 "$id: build B again (warm cache)" -- build_b "$src_b" "out/$id/b-warm" "$cache_b"
  local states expected_states=""
  states=$(cache_states "$out/b-warm/manifest.json")
  for zip in $(artifacts "$out/a"); do expected_states+="${expected_states:+ }${zip%.zip}=hit"; done
  expect_eq "$id: the warm build is served from the cache" "$states" "$expected_states"
  for zip in $(artifacts "$out/a"); do
    same "$id: $zip is byte-identical (cold vs warm)" "$out/a/$zip" "$out/b-warm/$zip"
  done
  manifest_without_cache "$out/a/manifest.json" >"$TEST_TMP/m-cold.json"
  manifest_without_cache "$out/b-warm/manifest.json" >"$TEST_TMP/m-warm.json"
  same "$id: manifest.json is the same cold and warm (but for the cache states)" "$TEST_TMP/m-cold.json" "$TEST_TMP/m-warm.json"

  # SOURCE_DATE_EPOCH: other bytes than the default, reproducible, and the date of every entry.
  expect_exit 0 "$id: build A with SOURCE_DATE_EPOCH" -- build_a "$src_a" "$out/a-sde" "$cache_a" SOURCE_DATE_EPOCH=$sde
  expect_exit 0 "$id: build B with SOURCE_DATE_EPOCH" -- build_b "$src_b" "out/$id/b-sde" "$cache_b" SOURCE_DATE_EPOCH=$sde
  for zip in $(artifacts "$out/a"); do
    same "$id: $zip with SOURCE_DATE_EPOCH is byte-identical (A vs B)" "$out/a-sde/$zip" "$out/b-sde/$zip"
    if cmp -s "$out/a/$zip" "$out/a-sde/$zip"; then
      fail "$id: $zip: SOURCE_DATE_EPOCH=$sde did not change the bytes"
    else pass "$id: $zip: SOURCE_DATE_EPOCH changes the bytes"; fi
    expect_eq "$id: $zip: every entry is dated SOURCE_DATE_EPOCH (UTC)" "$(entry_dates "$out/a-sde/$zip")" "2023-11-14 22:13:20"
    expect_eq "$id: $zip: without it every entry is dated 1980-01-01" "$(entry_dates "$out/a/$zip")" "1980-01-01 00:00:00"
  done
  same "$id: manifest.json with SOURCE_DATE_EPOCH is identical (A vs B)" "$out/a-sde/manifest.json" "$out/b-sde/manifest.json"
  expect_eq "$id: the manifest records SOURCE_DATE_EPOCH" \
    "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["source_date_epoch"])' "$out/a-sde/manifest.json" 2>&1 || true)" "$sde"
}

skipped=""
check_fixture python-nodeps x86_64 yes
check_fixture python-pure arm64 yes
check_fixture python-cext arm64 yes
check_fixture python-cext x86_64 yes

if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1; then
  check_fixture node-esbuild arm64 no
else echo "SKIP: node-esbuild: node or npm is not installed"; skipped+=" node-esbuild"; fi
if command -v go >/dev/null 2>&1; then
  check_fixture go-vendored arm64 no
else echo "SKIP: go-vendored: go is not installed"; skipped+=" go-vendored"; fi
if command -v mvn >/dev/null 2>&1; then
  check_fixture java-maven arm64 no
else echo "SKIP: java-maven: mvn is not installed"; skipped+=" java-maven"; fi

[ -z "$skipped" ] || echo "skipped fixtures:$skipped"
finish
