#!/usr/bin/env bash
# labels: fast cli
# The command line as a user and a script meet it: --version, help, exit codes for bad
# usage, where progress and results go (stderr / stdout), the --json manifest and its
# documented keys (checked against the files themselves), the defaults (SRC ".", --out
# "lpack-out", the XDG cache folder) and that lpack's own output never ends up in the next
# function zip.
. "${LPACK_TEST_LIB:-$(dirname "$0")/lib.sh}"

need python3 sha256sum base64
use_python_wheelhouse

# Scratch folders, and the tool caches of --no-cache builds, stay in TEST_TMP too.
export TMPDIR="$TEST_TMP/tmp"
mkdir -p "$TMPDIR"
cache="$TEST_TMP/cache"

# run WHAT CODE -- CMD...: runs CMD with stdout in $TEST_TMP/stdout and stderr in
# $TEST_TMP/stderr (also both in last.log for expect_output_contains); checks the exit code.
run() {
  local what=$1 code=$2
  shift 3
  local rc=0
  "$@" >"$TEST_TMP/stdout" 2>"$TEST_TMP/stderr" || rc=$?
  cat "$TEST_TMP/stdout" "$TEST_TMP/stderr" >"$TEST_TMP/last.log"
  if [ "$rc" == "$code" ]; then pass "$what (exit $rc)"; else
    fail "$what: exit $rc, expected $code; stdout/stderr:"
    sed 's/^/    /' "$TEST_TMP/last.log" >&2
  fi
}
# stream_has WHAT stdout|stderr TEXT / stream_lacks WHAT stdout|stderr TEXT
stream_has() {
  if grep -qF -- "$3" "$TEST_TMP/$2"; then pass "$1"; else
    fail "$1: $2 lacks '$3':"
    sed 's/^/    /' "$TEST_TMP/$2" >&2
  fi
}
stream_lacks() {
  if grep -qF -- "$3" "$TEST_TMP/$2"; then
    fail "$1: $2 has '$3':"
    sed 's/^/    /' "$TEST_TMP/$2" >&2
  else pass "$1"; fi
}
stream_empty() {
  if [ -s "$TEST_TMP/$2" ]; then
    fail "$1: $2 is not empty:"
    sed 's/^/    /' "$TEST_TMP/$2" >&2
  else pass "$1"; fi
}

# --- --version and help ---
version=$(sed -n 's/^project(lpack VERSION \([0-9.]*\).*/\1/p' "$LPACK_SOURCE_DIR/CMakeLists.txt")
run "--version" 0 -- "$LPACK" --version
expect_eq "--version prints the project's version" "$(cat "$TEST_TMP/stdout")" "lpack $version"

run "lpack help" 0 -- "$LPACK" help
missing=""
for command in build layer explain verify cache; do
  grep -qE "^ +$command +" "$TEST_TMP/stdout" || missing+=" $command"
done
if [ -z "$missing" ]; then pass "lpack help lists every command"; else
  fail "lpack help does not list:$missing; it printed:"
  sed 's/^/    /' "$TEST_TMP/stdout" >&2
fi

run "lpack help build" 0 -- "$LPACK" help build
for option in --arch --runtime --out --cache-dir --no-cache --offline --json --jobs; do
  stream_has "lpack help build mentions $option" stdout "$option"
done
stream_has "lpack help build shows how to run it" stdout "Usage: lpack build"

run "lpack build --help" 0 -- "$LPACK" build --help
for option in --arch --out --cache-dir --json; do
  stream_has "lpack build --help mentions $option" stdout "$option"
done
stream_has "lpack build --help shows how to run it" stdout "Usage: lpack build"

run "lpack cache gc --help" 0 -- "$LPACK" cache gc --help
stream_has "lpack cache gc --help mentions --max-size" stdout "--max-size"

run "help for an unknown command" 2 -- "$LPACK" help nosuch
stream_has "names the unknown command" stderr "nosuch"

# --- bad usage: exit 2, the reason on stderr, nothing on stdout ---
run "an unknown command" 2 -- "$LPACK" frobnicate
stream_has "names the unknown command" stderr "frobnicate"
stream_empty "an unknown command prints nothing on stdout" stdout

run "an unknown option" 2 -- "$LPACK" build --frobnicate "$LPACK_FIXTURES/python-nodeps" --out "$TEST_TMP/o"
stream_has "names the unknown option" stderr "--frobnicate"
stream_empty "an unknown option prints nothing on stdout" stdout

run "--arch sparc" 2 -- "$LPACK" build "$LPACK_FIXTURES/python-nodeps" --arch sparc --out "$TEST_TMP/o-sparc" --cache-dir "$cache"
expect_eq "--arch sparc: one line on stderr" "$(wc -l <"$TEST_TMP/stderr")" "1"
stream_has "--arch sparc: the line names --arch" stderr "lpack: error: --arch sparc"
stream_has "--arch sparc: the line gives the choices" stderr "x86_64 or arm64"
expect_eq "--arch sparc: no --out folder" "$([ -e "$TEST_TMP/o-sparc" ] && echo created || echo absent)" "absent"

run "--jobs -1" 2 -- "$LPACK" build "$LPACK_FIXTURES/python-nodeps" -j -1 --out "$TEST_TMP/o" --cache-dir "$cache"
stream_has "--jobs -1 names the option" stderr "--jobs"

run "cache gc without --max-size" 2 -- "$LPACK" cache gc --cache-dir "$cache"
stream_has "names --max-size" stderr "--max-size"
run "cache gc with a bad size" 2 -- "$LPACK" cache gc --max-size lots --cache-dir "$cache"
stream_has "quotes the bad size" stderr "lots"

# --- a build: results on stdout, progress on stderr ---
out="$TEST_TMP/out"
run "build python-pure" 0 -- "$LPACK" build "$LPACK_FIXTURES/python-pure" --out "$out" --cache-dir "$cache"
stream_has "progress goes to stderr" stderr "detect: python"
stream_lacks "no progress on stdout" stdout "detect:"
stream_lacks "no pip output on stdout" stdout "pip install"
stream_has "stdout names function.zip" stdout "$out/function.zip"
stream_has "stdout names layer.zip" stdout "$out/layer.zip"
stream_has "stdout names manifest.json" stdout "$out/manifest.json"

run "build -q" 0 -- "$LPACK" build "$LPACK_FIXTURES/python-pure" --out "$out" --cache-dir "$cache" -q
stream_empty "-q: nothing on stderr" stderr
# More threads than cores is allowed (-j never changes the output) and still quiet.
many=$(( $(nproc 2>/dev/null || echo 2) * 4 ))
run "build -q -j $many --no-cache" 0 -- "$LPACK" build "$LPACK_FIXTURES/python-pure" --out "$TEST_TMP/out-many" --no-cache -q -j "$many"
stream_empty "-q -j $many (4 x the cores): nothing on stderr" stderr

# --- --json: the manifest on stdout, and the manifest tells the truth about the files ---
json_out="$TEST_TMP/json-out"
run "build --json" 0 -- "$LPACK" build "$LPACK_FIXTURES/python-pure" --out "$json_out" --cache-dir "$TEST_TMP/json-cache" --json
if python3 -m json.tool "$TEST_TMP/stdout" >/dev/null 2>&1; then pass "--json prints valid JSON"; else
  fail "--json: stdout is not valid JSON:"; sed 's/^/    /' "$TEST_TMP/stdout" >&2
fi
if cmp -s "$TEST_TMP/stdout" "$json_out/manifest.json"; then pass "--json prints manifest.json"; else
  fail "--json: stdout differs from $json_out/manifest.json"
fi
stream_has "--json: progress still on stderr" stderr "detect: python"
cp "$TEST_TMP/stdout" "$TEST_TMP/manifest-cold.json"

# check_manifest LABEL MANIFEST OUT CACHE_STATE: every documented key, each number checked against
# the file it describes. Prints one "ok: ..." or "FAIL: ..." line per check.
check_manifest() {
  python3 - "$@" "$version" "$TEST_TMP" <<'PY'
import base64, hashlib, json, os, re, sys, zipfile
label, manifest_path, out, cache_state, version, tmp = sys.argv[1:7]
text = open(manifest_path).read()
m = json.loads(text)
def check(what, ok, detail=""):
    print(("ok: " if ok else "FAIL: ") + label + ": " + what + ("" if ok else ": " + detail))
check("manifest: lpack_version", m.get("lpack_version") == version, repr(m.get("lpack_version")))
check("manifest: plugin", m.get("plugin") == "python", repr(m.get("plugin")))
check("manifest: runtime", m.get("runtime") == "python3.12", repr(m.get("runtime")))
check("manifest: arch", m.get("arch") == "x86_64", repr(m.get("arch")))
check("manifest: handler", m.get("handler") == "app.lambda_handler", repr(m.get("handler")))
check("manifest: compressor", isinstance(m.get("compressor"), str) and m["compressor"] != "", repr(m.get("compressor")))
check("manifest: source_date_epoch", m.get("source_date_epoch") == 315532800, repr(m.get("source_date_epoch")))
check("manifest: evidence is a list", isinstance(m.get("evidence"), list), repr(m.get("evidence")))
check("manifest: warnings is a list", isinstance(m.get("warnings"), list), repr(m.get("warnings")))
check("manifest: holds no path of this machine", tmp not in text, "mentions " + tmp)
arts = m.get("artifacts", {})
check("manifest: artifacts are function and layer", sorted(arts) == ["function", "layer"], repr(sorted(arts)))
for kind in sorted(arts):
    a = arts[kind]
    keys = {"file", "sha256", "code_sha256", "size", "unpacked_size", "entries", "key", "cache"}
    check(kind + ": has every documented key", keys <= set(a), repr(sorted(keys - set(a))))
    check(kind + ": file", a.get("file") == kind + ".zip", repr(a.get("file")))
    path = os.path.join(out, kind + ".zip")
    data = open(path, "rb").read()
    digest = hashlib.sha256(data).digest()
    check(kind + ": sha256 is the file's", a.get("sha256") == digest.hex(), "%r vs %s" % (a.get("sha256"), digest.hex()))
    check(kind + ": code_sha256 is base64(sha256(zip))", a.get("code_sha256") == base64.b64encode(digest).decode(),
          "%r vs %s" % (a.get("code_sha256"), base64.b64encode(digest).decode()))
    check(kind + ": size is the file's", a.get("size") == len(data), "%r vs %d" % (a.get("size"), len(data)))
    infos = zipfile.ZipFile(path).infolist()
    check(kind + ": entries is the zip's entry count", a.get("entries") == len(infos), "%r vs %d" % (a.get("entries"), len(infos)))
    unpacked = sum(i.file_size for i in infos)
    check(kind + ": unpacked_size is the entries' total", a.get("unpacked_size") == unpacked, "%r vs %d" % (a.get("unpacked_size"), unpacked))
    check(kind + ": key is 64 hex digits", re.fullmatch(r"[0-9a-f]{64}", str(a.get("key"))) is not None, repr(a.get("key")))
    check(kind + ": cache is " + cache_state, a.get("cache") == cache_state, repr(a.get("cache")))
PY
}
# Turn check_manifest's lines into pass/fail.
record_checks() {
  local line
  while IFS= read -r line; do
    case "$line" in
      ok:*) pass "${line#ok: }" ;;
      FAIL:*) fail "${line#FAIL: }" ;;
      *) fail "manifest check: $line" ;;
    esac
  done
}
record_checks < <(check_manifest cold "$TEST_TMP/manifest-cold.json" "$json_out" miss 2>&1)

run "build --json again (warm)" 0 -- "$LPACK" build "$LPACK_FIXTURES/python-pure" --out "$json_out" --cache-dir "$TEST_TMP/json-cache" --json -q
record_checks < <(check_manifest warm "$TEST_TMP/stdout" "$json_out" hit 2>&1)

run "build --json --no-cache" 0 -- "$LPACK" build "$LPACK_FIXTURES/python-pure" --out "$TEST_TMP/json-off" --no-cache --json -q
record_checks < <(check_manifest no-cache "$TEST_TMP/stdout" "$TEST_TMP/json-off" off 2>&1)

# --- --no-cache keeps tool caches and toolchain probe memos in a private scratch folder, and
# refuses one that another user could have planted or can write into ---
scratch="$TMPDIR/lpack-tools-$(id -u)"
expect_eq "the --no-cache scratch folder is created 0700" "700" "$(stat -c %a "$scratch" 2>&1)"
if ls "$scratch/probes"/* >/dev/null 2>&1; then pass "the toolchain probes are remembered there"; else
  fail "no probe memo under $scratch/probes"; fi
chmod 0777 "$scratch"
run "--no-cache with a scratch folder others can write" 2 -- "$LPACK" build "$LPACK_FIXTURES/python-pure" --out "$TEST_TMP/o-open" --no-cache -q
expect_output_contains "the error names the folder and the fix" "$scratch: not a private folder of yours"
expect_output_contains "the error says how to get out" "set TMPDIR"
if [ -e "$TEST_TMP/o-open" ]; then fail "--out was created by a refused build"; else pass "--out untouched"; fi
chmod 0700 "$scratch"
mv "$scratch" "$scratch.real"
ln -s "$scratch.real" "$scratch"
run "--no-cache with the scratch folder a symlink" 2 -- "$LPACK" build "$LPACK_FIXTURES/python-pure" --out "$TEST_TMP/o-link" --no-cache -q
expect_output_contains "a symlinked scratch folder is refused" "$scratch: not a private folder of yours"
rm "$scratch"
mv "$scratch.real" "$scratch"

# --- defaults: SRC ".", --out lpack-out, the cache under $XDG_CACHE_HOME ---
copy_fixture python-nodeps "$TEST_TMP/here"
run "build with every default" 0 -- bash -c 'cd "$1" && "$2" build -q' _ "$TEST_TMP/here" "$LPACK"
expect_eq "SRC defaults to . and --out to lpack-out" \
  "$(cd "$TEST_TMP/here/lpack-out" 2>/dev/null && ls | tr '\n' ' ')" "function.zip manifest.json "
expect_eq "the cache defaults to \$XDG_CACHE_HOME/lpack" "$([ -d "$XDG_CACHE_HOME/lpack/cas" ] && echo yes || echo no)" "yes"
cp "$TEST_TMP/here/lpack-out/function.zip" "$TEST_TMP/first-function.zip"
# The second build sees lpack-out/ inside SRC: lpack's own output must stay out of the zip.
run "build again with lpack-out inside SRC" 0 -- bash -c 'cd "$1" && "$2" build -q' _ "$TEST_TMP/here" "$LPACK"
if zip_names "$TEST_TMP/here/lpack-out/function.zip" | grep -q '^lpack-out/'; then
  fail "function.zip holds lpack's own output folder lpack-out/"
else pass "function.zip leaves lpack-out/ out"; fi
if cmp -s "$TEST_TMP/first-function.zip" "$TEST_TMP/here/lpack-out/function.zip"; then
  pass "the second build's function.zip is the first's"
else fail "function.zip changed after lpack-out/ appeared in SRC"; fi

# Relative SRC, --out and --cache-dir from another working folder.
mkdir -p "$TEST_TMP/cwd"
copy_fixture python-pure "$TEST_TMP/cwd/src"
run "relative SRC, --out and --cache-dir" 0 -- bash -c 'cd "$1" && "$2" build src --out out --cache-dir cache -q' _ "$TEST_TMP/cwd" "$LPACK"
expect_eq "relative --out is relative to the working folder" \
  "$(cd "$TEST_TMP/cwd/out" 2>/dev/null && ls | tr '\n' ' ')" "function.zip layer.zip manifest.json "
expect_eq "relative --cache-dir is relative to the working folder" "$([ -d "$TEST_TMP/cwd/cache/cas" ] && echo yes || echo no)" "yes"
if cmp -s "$TEST_TMP/cwd/out/layer.zip" "$json_out/layer.zip"; then pass "relative paths give the same layer.zip"; else
  fail "a build with relative paths gave another layer.zip"; fi

finish
