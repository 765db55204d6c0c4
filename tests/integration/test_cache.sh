#!/usr/bin/env bash
# labels: cache slow python
# The cache as a user relies on it: `lpack verify` proves a build and catches a changed byte;
# keys change exactly when what they cover changes (app.py: the function only; the
# requirements, --arch, --runtime: the layer); a warm no-op build runs no package manager;
# `lpack explain` says what changed; a corrupted cache slows a build but never changes its
# output; gc, clear and stats do what they say; --no-cache leaves no trace.
. "${LPACK_TEST_LIB:-$(dirname "$0")/lib.sh}"

need python3 sha256sum
use_python_wheelhouse x86_64

# Scratch folders, and the tool caches of --no-cache builds, stay in TEST_TMP too.
export TMPDIR="$TEST_TMP/tmp"
mkdir -p "$TMPDIR"

# field MANIFEST ARTIFACT FIELD: one value of manifest.json's artifacts.
field() {
  python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["artifacts"][sys.argv[2]][sys.argv[3]])' "$@" 2>&1 || true
}
# stat_value CACHE NAME: one number of `lpack cache stats --json`.
stat_value() {
  "$LPACK" cache stats --json --cache-dir "$1" | python3 -c 'import json, sys; print(json.load(sys.stdin)[sys.argv[1]])' "$2" 2>&1 || true
}
# flip_entry_byte ZIP: changes one byte inside the data of the first non-empty stored entry
# (the bytes are the entry's content, so it now differs) and prints the entry's name.
flip_entry_byte() {
  python3 - "$1" <<'PY'
import struct, sys, zipfile
path = sys.argv[1]
with zipfile.ZipFile(path) as z:
    infos = [i for i in z.infolist() if i.compress_type == zipfile.ZIP_STORED and i.file_size > 0]
if not infos:
    sys.exit("no stored entry with data in " + path)
info = infos[0]
data = bytearray(open(path, "rb").read())
offset = info.header_offset
name_len, extra_len = struct.unpack("<HH", data[offset + 26:offset + 30])
start = offset + 30 + name_len + extra_len
data[start + info.file_size // 2] ^= 0x20
open(path, "wb").write(data)
print(info.filename)
PY
}
# flip_file_byte FILE: changes the middle byte of FILE in place.
flip_file_byte() {
  python3 -c '
import sys
p = sys.argv[1]
d = bytearray(open(p, "rb").read())
d[len(d) // 2] ^= 0x01
open(p, "wb").write(d)' "$1"
}

# ---------------------------------------------------------------------------------------------
# (a) lpack verify: passes after a build, fails naming the entry when one byte changed.
cache="$TEST_TMP/cache-a"
for fixture in python-nodeps python-pure python-cext; do
  out="$TEST_TMP/verify/$fixture"
  expect_exit 0 "$fixture builds" -- "$LPACK" build "$LPACK_FIXTURES/$fixture" --out "$out" --cache-dir "$cache" -q
  expect_exit 0 "lpack verify $fixture" -- "$LPACK" verify "$LPACK_FIXTURES/$fixture" --out "$out" -q
  expect_output_contains "lpack verify $fixture says so" "verified:"

  # One byte of one entry's content, in the layer when there is one.
  zip=function.zip
  [ -f "$out/layer.zip" ] && zip=layer.zip
  tampered="$TEST_TMP/verify/$fixture-tampered"
  cp -a "$out" "$tampered"
  if entry=$(flip_entry_byte "$tampered/$zip" 2>&1); then
    expect_exit 1 "lpack verify $fixture after one byte of $zip changed" -- \
      "$LPACK" verify "$LPACK_FIXTURES/$fixture" --out "$tampered" -q
    expect_output_contains "lpack verify $fixture names the changed entry" "$zip: $entry: content differs"
  else
    fail "$fixture: could not change a byte of $zip: $entry"
  fi
done

# The manifest alone is the reference when the zip is gone.
out="$TEST_TMP/verify/python-pure"
manifest_only="$TEST_TMP/verify/manifest-only"
mkdir -p "$manifest_only"
cp "$out/manifest.json" "$manifest_only/"
expect_exit 0 "lpack verify against manifest.json alone" -- \
  "$LPACK" verify "$LPACK_FIXTURES/python-pure" --out "$manifest_only" -q
expect_output_contains "both artifacts checked against the manifest" "function.zip, layer.zip"
python3 -c '
import json, sys
p = sys.argv[1]
m = json.load(open(p))
m["artifacts"]["layer"]["sha256"] = "0" * 64
json.dump(m, open(p, "w"), indent=2, sort_keys=True)' "$manifest_only/manifest.json"
expect_exit 1 "lpack verify against a manifest with another layer SHA-256" -- \
  "$LPACK" verify "$LPACK_FIXTURES/python-pure" --out "$manifest_only" -q
expect_output_contains "names the layer and the manifest" "layer.zip: SHA-256"
expect_output_contains "quotes the manifest's SHA-256" "$(printf '0%.0s' {1..64})"
expect_exit 2 "lpack verify with nothing to verify" -- \
  "$LPACK" verify "$LPACK_FIXTURES/python-pure" --out "$TEST_TMP/verify/empty" -q
expect_output_contains "says to build first" "lpack build"

# ---------------------------------------------------------------------------------------------
# (b) editing app.py rebuilds the function only; (e) explain says why.
cache="$TEST_TMP/cache-b"
src="$TEST_TMP/src-b"
out="$TEST_TMP/out-b"
copy_fixture python-pure "$src"
expect_exit 0 "build python-pure" -- "$LPACK" build "$src" --out "$out" --cache-dir "$cache" -q
cp "$out/manifest.json" "$TEST_TMP/m1.json"
expect_exit 0 "lpack explain before any change" -- "$LPACK" explain "$src" --cache-dir "$cache" -q
expect_output_contains "explain: nothing changed" "unchanged since the previous build"
expect_output_contains "explain: the function is in the cache" "(in the cache)"

printf '\n# edited\n' >>"$src/app.py"
expect_exit 0 "lpack explain after editing app.py" -- "$LPACK" explain "$src" --cache-dir "$cache" -q
expect_output_contains "explain names the edited file" "input app.py: content changed"
if grep -q '^function: key .*(not in the cache)' "$TEST_TMP/last.log"; then pass "explain: the function is not in the cache"; else
  fail "explain: the function should be 'not in the cache' after editing app.py"; fi
if grep -q '^layer: key .*(in the cache)' "$TEST_TMP/last.log"; then pass "explain: the layer is in the cache"; else
  fail "explain: the layer should be 'in the cache' after editing app.py"; fi
if grep -q 'input app.py' <(sed -n '/^layer:/,/^function:/p' "$TEST_TMP/last.log"); then
  fail "explain: the layer's key lists app.py"; else pass "explain: the layer's key does not cover app.py"; fi

expect_exit 0 "build after editing app.py" -- "$LPACK" build "$src" --out "$out" --cache-dir "$cache" -q
cp "$out/manifest.json" "$TEST_TMP/m2.json"
expect_eq "app.py edit: layer served from the cache" "$(field "$TEST_TMP/m2.json" layer cache)" "hit"
expect_eq "app.py edit: function rebuilt" "$(field "$TEST_TMP/m2.json" function cache)" "miss"
expect_eq "app.py edit: the layer key is unchanged" "$(field "$TEST_TMP/m2.json" layer key)" "$(field "$TEST_TMP/m1.json" layer key)"
if [ "$(field "$TEST_TMP/m2.json" function key)" != "$(field "$TEST_TMP/m1.json" function key)" ]; then
  pass "app.py edit: the function key changed"; else fail "app.py edit: the function key did not change"; fi
expect_exit 0 "lpack explain after the rebuild" -- "$LPACK" explain "$src" --cache-dir "$cache" -q
expect_output_contains "explain: nothing changed since the rebuild" "unchanged since the previous build"

# ---------------------------------------------------------------------------------------------
# (c) what changes the layer key: the requirements' bytes, --arch, --runtime.
layer_key_m2=$(field "$TEST_TMP/m2.json" layer key)
printf '# a comment is still a change of the file\n' >>"$src/requirements.txt"
expect_exit 0 "build after a comment in requirements.txt" -- "$LPACK" build "$src" --out "$out" --cache-dir "$cache" -q
cp "$out/manifest.json" "$TEST_TMP/m3.json"
if [ "$(field "$TEST_TMP/m3.json" layer key)" != "$layer_key_m2" ]; then
  pass "requirements.txt changed: the layer key changed"; else fail "requirements.txt changed but the layer key did not"; fi
expect_eq "requirements.txt changed: the layer was rebuilt" "$(field "$TEST_TMP/m3.json" layer cache)" "miss"
expect_eq "requirements.txt comment: same layer bytes" "$(field "$TEST_TMP/m3.json" layer sha256)" "$(field "$TEST_TMP/m2.json" layer sha256)"

expect_exit 0 "build for arm64" -- "$LPACK" build "$src" --arch arm64 --out "$TEST_TMP/out-c-arm64" --cache-dir "$cache" -q
if [ "$(field "$TEST_TMP/out-c-arm64/manifest.json" layer key)" != "$(field "$TEST_TMP/m3.json" layer key)" ]; then
  pass "--arch changes the layer key"; else fail "--arch arm64 gave the x86_64 layer key"; fi

PY311=$(python_for 3.11)
if [ -n "$PY311" ]; then
  ln -sf "$PY311" "$TEST_TMP/bin/python3.11"
  expect_exit 0 "build with --runtime python3.11" -- \
    "$LPACK" build "$src" --runtime python3.11 --out "$TEST_TMP/out-c-311" --cache-dir "$cache" -q
  if [ "$(field "$TEST_TMP/out-c-311/manifest.json" layer key)" != "$(field "$TEST_TMP/m3.json" layer key)" ]; then
    pass "--runtime python3.11 changes the layer key"; else fail "--runtime python3.11 gave the python3.12 layer key"; fi
else
  echo "note: no python3.11 here; the --runtime python3.11 key check is skipped"
fi

# ---------------------------------------------------------------------------------------------
# (d) a warm rebuild with nothing changed runs no package manager (nor any Python).
wrap="$TEST_TMP/wrap/bin"
calls="$TEST_TMP/wrap-calls.log"   # outside $wrap: lpack's probe memo watches that folder
mkdir -p "$wrap"
: >"$calls"
for tool in python3.12 python3 pip pip3; do
  case "$tool" in python*) run="exec \"$PY312\" \"\$@\"" ;; *) run="exec \"$PY312\" -m pip \"\$@\"" ;; esac
  printf '#!/bin/sh\necho "%s $*" >>"%s"\n%s\n' "$tool" "$calls" "$run" >"$wrap/$tool"
  chmod 755 "$wrap/$tool"
done
src="$TEST_TMP/src-d"
out="$TEST_TMP/out-d"
copy_fixture python-cext "$src"
wrapped() { PATH="$wrap:$PATH" "$LPACK" build "$src" --out "$1" --cache-dir "$TEST_TMP/cache-d" -q; }
expect_exit 0 "cold build through the wrappers" -- wrapped "$out"
if grep -q 'pip.* install' "$calls"; then pass "the cold build ran pip through the wrapper"; else
  fail "the cold build did not run pip through the wrapper on PATH; calls: $(cat "$calls")"; fi
: >"$calls"
expect_exit 0 "warm build, nothing changed" -- wrapped "$out"
expect_eq "the warm build ran no python or pip" "$(cat "$calls")" ""
expect_eq "warm build: layer hit" "$(field "$out/manifest.json" layer cache)" "hit"
expect_eq "warm build: function hit" "$(field "$out/manifest.json" function cache)" "hit"
expect_exit 0 "warm build into a fresh --out" -- wrapped "$TEST_TMP/out-d2"
expect_eq "the warm build into a fresh --out ran no python or pip" "$(cat "$calls")" ""
expect_eq "warm build, fresh --out: layer hit" "$(field "$TEST_TMP/out-d2/manifest.json" layer cache)" "hit"
expect_eq "warm build, fresh --out: function hit" "$(field "$TEST_TMP/out-d2/manifest.json" function cache)" "hit"
if cmp -s "$out/layer.zip" "$TEST_TMP/out-d2/layer.zip"; then pass "warm build, fresh --out: same layer.zip"; else
  fail "warm build, fresh --out: another layer.zip"; fi

# ---------------------------------------------------------------------------------------------
# (f) a corrupted cache slows a build, never changes its output.
cache="$TEST_TMP/cache-f"
expect_exit 0 "build python-pure (cache f)" -- "$LPACK" build "$LPACK_FIXTURES/python-pure" --out "$TEST_TMP/out-f1" --cache-dir "$cache" -q
function_sha=$(field "$TEST_TMP/out-f1/manifest.json" function sha256)
layer_sha=$(field "$TEST_TMP/out-f1/manifest.json" layer sha256)
blob="cas/${function_sha:0:2}/$function_sha"
if [ -f "$cache/$blob" ]; then pass "the function's blob is $blob"; else fail "no blob $blob in the cache"; fi
flip_file_byte "$cache/$blob"
expect_exit 1 "cache verify finds the corrupt blob" -- "$LPACK" cache verify --cache-dir "$cache"
expect_output_contains "cache verify names the blob" "corrupt: $blob"

expect_exit 0 "build with a corrupt blob" -- "$LPACK" build "$LPACK_FIXTURES/python-pure" --out "$TEST_TMP/out-f2" --cache-dir "$cache"
expect_eq "corrupt blob: function.zip has the right bytes" \
  "$(sha256sum "$TEST_TMP/out-f2/function.zip" | cut -d' ' -f1)" "$function_sha"
expect_eq "corrupt blob: the manifest has the right SHA-256" "$(field "$TEST_TMP/out-f2/manifest.json" function sha256)" "$function_sha"
expect_eq "corrupt blob: function rebuilt" "$(field "$TEST_TMP/out-f2/manifest.json" function cache)" "miss"
expect_output_contains "corrupt blob: a warning names it" "lpack: warning: cache: function.zip: cache blob $blob is corrupt"
expect_eq "corrupt blob: one warning about it" "$(grep -c "^lpack: warning: .*$function_sha" "$TEST_TMP/last.log" || true)" "1"
expect_exit 0 "cache verify is clean after the rebuild" -- "$LPACK" cache verify --cache-dir "$cache"

# A damaged action record is a miss too.
layer_key=$(field "$TEST_TMP/out-f1/manifest.json" layer key)
record="$cache/ac/${layer_key:0:2}/$layer_key"
if [ -f "$record" ]; then
  sed -i 's/^size \([0-9]*\)/size 1\1/' "$record"
  expect_exit 1 "cache verify finds the damaged record" -- "$LPACK" cache verify --cache-dir "$cache"
  expect_output_contains "cache verify names the record" "ac/${layer_key:0:2}/$layer_key"
  expect_exit 0 "build with a damaged record" -- "$LPACK" build "$LPACK_FIXTURES/python-pure" --out "$TEST_TMP/out-f3" --cache-dir "$cache" -q
  expect_eq "damaged record: layer.zip has the right bytes" "$(sha256sum "$TEST_TMP/out-f3/layer.zip" | cut -d' ' -f1)" "$layer_sha"
  expect_eq "damaged record: layer rebuilt" "$(field "$TEST_TMP/out-f3/manifest.json" layer cache)" "miss"
  expect_exit 0 "cache verify is clean after that build" -- "$LPACK" cache verify --cache-dir "$cache"
else
  fail "no action record $record for the layer"
fi

# Garbage in the stat cache and the counters: never fatal, same output.
printf 'garbage\n' >"$cache/statcache"
printf 'garbage\n' >"$cache/stats"
expect_exit 0 "build with a garbage stat cache and counters" -- "$LPACK" build "$LPACK_FIXTURES/python-pure" --out "$TEST_TMP/out-f4" --cache-dir "$cache" -q
expect_eq "garbage stat cache: function.zip has the right bytes" "$(sha256sum "$TEST_TMP/out-f4/function.zip" | cut -d' ' -f1)" "$function_sha"
expect_exit 0 "cache stats after garbage counters" -- "$LPACK" cache stats --cache-dir "$cache"

# ---------------------------------------------------------------------------------------------
# (g) stats, gc and clear.
cache="$TEST_TMP/cache-g"
expect_exit 0 "cold build (cache g)" -- "$LPACK" build "$LPACK_FIXTURES/python-cext" --out "$TEST_TMP/out-g" --cache-dir "$cache" -q
expect_eq "stats after a cold build: misses" "$(stat_value "$cache" misses)" "2"
expect_eq "stats after a cold build: hits" "$(stat_value "$cache" hits)" "0"
expect_eq "stats after a cold build: records" "$(stat_value "$cache" records)" "2"
expect_eq "stats after a cold build: blobs" "$(stat_value "$cache" blobs)" "2"
reference=$(sha256sum "$TEST_TMP/out-g/layer.zip" | cut -d' ' -f1)
expect_exit 0 "warm build (cache g)" -- "$LPACK" build "$LPACK_FIXTURES/python-cext" --out "$TEST_TMP/out-g" --cache-dir "$cache" -q
expect_eq "stats after a warm build: hits" "$(stat_value "$cache" hits)" "2"
expect_eq "stats after a warm build: misses" "$(stat_value "$cache" misses)" "2"
bytes=$(stat_value "$cache" bytes)
if [ "$bytes" -gt 0 ] 2>/dev/null; then pass "stats counts the bytes ($bytes)"; else fail "stats bytes: $bytes"; fi

expect_exit 0 "cache gc --max-size 1" -- "$LPACK" cache gc --max-size 1 --cache-dir "$cache"
expect_output_contains "gc says what it removed" "removed 2 records and 2 blobs"
expect_eq "after gc: records" "$(stat_value "$cache" records)" "0"
expect_eq "after gc: blobs" "$(stat_value "$cache" blobs)" "0"
expect_exit 0 "build after gc" -- "$LPACK" build "$LPACK_FIXTURES/python-cext" --out "$TEST_TMP/out-g2" --cache-dir "$cache" -q
expect_eq "build after gc: layer missed" "$(field "$TEST_TMP/out-g2/manifest.json" layer cache)" "miss"
expect_eq "build after gc: same layer.zip" "$(sha256sum "$TEST_TMP/out-g2/layer.zip" | cut -d' ' -f1)" "$reference"
expect_eq "stats after gc and a build: misses" "$(stat_value "$cache" misses)" "4"

expect_exit 0 "cache gc --max-size 1G keeps what fits" -- "$LPACK" cache gc --max-size 1G --cache-dir "$cache"
expect_eq "gc under the limit: records kept" "$(stat_value "$cache" records)" "2"

expect_exit 0 "cache clear" -- "$LPACK" cache clear --cache-dir "$cache"
expect_eq "after clear: records" "$(stat_value "$cache" records)" "0"
expect_eq "after clear: blobs" "$(stat_value "$cache" blobs)" "0"
expect_eq "after clear: no file left in ac/ and cas/" "$(find "$cache/ac" "$cache/cas" -type f 2>/dev/null | wc -l)" "0"
expect_eq "after clear: the counters are kept" "$(stat_value "$cache" hits) $(stat_value "$cache" misses)" "2 4"
expect_exit 0 "build after clear" -- "$LPACK" build "$LPACK_FIXTURES/python-cext" --out "$TEST_TMP/out-g3" --cache-dir "$cache" -q
expect_eq "build after clear: same layer.zip" "$(sha256sum "$TEST_TMP/out-g3/layer.zip" | cut -d' ' -f1)" "$reference"
expect_exit 0 "cache verify after all that" -- "$LPACK" cache verify --cache-dir "$cache"

# ---------------------------------------------------------------------------------------------
# (h) --no-cache reads and writes no cache folder, and says "off".
export XDG_CACHE_HOME="$TEST_TMP/xdg-h"
expect_exit 0 "build --no-cache --cache-dir" -- \
  "$LPACK" build "$LPACK_FIXTURES/python-cext" --no-cache --cache-dir "$TEST_TMP/cache-h" --out "$TEST_TMP/out-h" -q
expect_eq "--no-cache: the --cache-dir folder was not created" "$([ -e "$TEST_TMP/cache-h" ] && echo created || echo absent)" "absent"
expect_eq "--no-cache: function cache off" "$(field "$TEST_TMP/out-h/manifest.json" function cache)" "off"
expect_eq "--no-cache: layer cache off" "$(field "$TEST_TMP/out-h/manifest.json" layer cache)" "off"
expect_eq "--no-cache: same layer.zip" "$(sha256sum "$TEST_TMP/out-h/layer.zip" | cut -d' ' -f1)" "$reference"
expect_exit 0 "build --no-cache without --cache-dir" -- \
  "$LPACK" build "$LPACK_FIXTURES/python-cext" --no-cache --out "$TEST_TMP/out-h2" -q
expect_eq "--no-cache: the default cache folder was not created" "$([ -e "$XDG_CACHE_HOME/lpack" ] && echo created || echo absent)" "absent"

finish
