#!/usr/bin/env bash
# labels: fast python
# Mistakes a user makes, each met the way the README promises: the right exit code (2: bad
# usage or input, 1: the build or a check failed), ONE line starting "lpack: error:" that
# names the file or option and says what to do (a tool's own output may follow it), and
# nothing half-written in --out: a fresh --out holds no file at all afterwards, and a failed
# build into an --out that held a good build leaves the good build as it was.
. "${LPACK_TEST_LIB:-$(dirname "$0")/lib.sh}"

need python3
use_python_wheelhouse

cache="$TEST_TMP/cache"
n=0

# try WHAT CODE SRC [ARGS...]: builds SRC into a fresh --out ($out) and checks the exit code,
# that exactly one stderr line starts with "lpack: error:", and that $out holds nothing.
# The error and what follows it are in $TEST_TMP/error for mentions.
try() {
  local what=$1 code=$2 src=$3
  shift 3
  n=$((n + 1))
  out="$TEST_TMP/out-$n"
  try_in "$what" "$code" "$out" "$src" "$@"
  local left
  left=$( { ls -A "$out" 2>/dev/null || true; } | tr '\n' ' ')
  if [ -z "$left" ]; then pass "$what: nothing written in --out"; else
    fail "$what: --out holds: $left"
  fi
}

# try_in WHAT CODE OUT SRC [ARGS...]: like try, into a given --out, without checking it.
try_in() {
  local what=$1 code=$2 out=$3 src=$4
  shift 4
  local rc=0
  "$LPACK" build "$src" --out "$out" --cache-dir "$cache" "$@" >"$TEST_TMP/stdout" 2>"$TEST_TMP/stderr" || rc=$?
  cp "$TEST_TMP/stderr" "$TEST_TMP/last.log"
  sed -n '/^lpack: error:/,$p' "$TEST_TMP/stderr" >"$TEST_TMP/error"
  if [ "$rc" == "$code" ]; then pass "$what (exit $rc)"; else
    fail "$what: exit $rc, expected $code; stderr:"
    sed 's/^/    /' "$TEST_TMP/stderr" >&2
  fi
  local count
  count=$(grep -c '^lpack: error:' "$TEST_TMP/stderr" || true)
  if [ "$count" == 1 ]; then pass "$what: one error line"; else
    fail "$what: $count lines start with 'lpack: error:'; stderr:"
    sed 's/^/    /' "$TEST_TMP/stderr" >&2
  fi
}

# mentions WHAT TEXT...: the error line (and what follows it) contains every TEXT.
mentions() {
  local what=$1 text
  shift
  for text in "$@"; do
    if grep -qF -- "$text" "$TEST_TMP/error"; then pass "$what: says '$text'"; else
      fail "$what: the error lacks '$text':"
      sed 's/^/    /' "$TEST_TMP/error" >&2
    fi
  done
}

# first_line_mentions WHAT TEXT: the "lpack: error:" line itself contains TEXT.
first_line_mentions() {
  if head -1 "$TEST_TMP/error" | grep -qF -- "$2"; then pass "$1: the error line names '$2'"; else
    fail "$1: the error line lacks '$2': $(head -1 "$TEST_TMP/error")"
  fi
}

# project NAME: a fresh copy of python-nodeps to break, at $TEST_TMP/src/NAME.
project() {
  rm -rf "$TEST_TMP/src/$1"
  copy_fixture python-nodeps "$TEST_TMP/src/$1"
  echo "$TEST_TMP/src/$1"
}

# --- the source folder ---
try "SRC does not exist" 2 "$TEST_TMP/no-such-folder"
first_line_mentions "SRC does not exist" "$TEST_TMP/no-such-folder"
mentions "SRC does not exist" "no such folder"

try "SRC is a file" 2 "$LPACK_FIXTURES/python-nodeps/app.py"
first_line_mentions "SRC is a file" "app.py"
mentions "SRC is a file" "not a folder"

mkdir -p "$TEST_TMP/src/nothing"
printf '# notes\n' >"$TEST_TMP/src/nothing/README.md"
try "no detectable runtime" 2 "$TEST_TMP/src/nothing"
first_line_mentions "no detectable runtime" "$TEST_TMP/src/nothing"
mentions "no detectable runtime" "no runtime detected" "requirements.txt" "package.json" "go.mod" "pom.xml" "--runtime"

try "--runtime nosuch" 2 "$LPACK_FIXTURES/python-nodeps" --runtime nosuch
first_line_mentions "--runtime nosuch" "nosuch"
mentions "--runtime nosuch" "python3.12" "nodejs20.x" "provided.al2023" "java21"

try "--arch bad" 2 "$LPACK_FIXTURES/python-nodeps" --arch mips
first_line_mentions "--arch bad" "--arch mips"
mentions "--arch bad" "x86_64 or arm64"

# --- configuration files ---
src=$(project toml-syntax)
printf '[metadata]\nname = "orders"\nhandler = \n' >"$src/lpack.toml"
try "lpack.toml syntax error" 2 "$src"
first_line_mentions "lpack.toml syntax error" "lpack.toml:3"

src=$(project toml-unknown-key)
printf '[metadata]\nhandlr = "app.lambda_handler"\n' >"$src/lpack.toml"
try "unknown key in lpack.toml" 2 "$src"
first_line_mentions "unknown key in lpack.toml" "lpack.toml:2"
mentions "unknown key in lpack.toml" '"handlr"' '"handler"'

src=$(project toml-wrong-type)
printf '[function]\nmemory_mb = "lots"\n' >"$src/lpack.toml"
try "wrong type in lpack.toml" 2 "$src"
first_line_mentions "wrong type in lpack.toml" "lpack.toml:2"
mentions "wrong type in lpack.toml" "memory_mb" "integer"

src=$(project toml-wrong-arch)
printf '[deployment]\narchitecture = "sparc"\n' >"$src/lpack.toml"
try "bad architecture in lpack.toml" 2 "$src"
first_line_mentions "bad architecture in lpack.toml" "lpack.toml"
mentions "bad architecture in lpack.toml" "architecture"

src=$(project json-syntax)
printf '{\n  "handler": "app.lambda_handler",\n}\n' >"$src/function.json"
try "function.json syntax error" 2 "$src"
first_line_mentions "function.json syntax error" "function.json:3"

src=$(project both-configs)
printf '[metadata]\nhandler = "app.lambda_handler"\n' >"$src/lpack.toml"
printf '{"handler": "app.lambda_handler"}\n' >"$src/function.json"
try "both lpack.toml and function.json" 2 "$src"
mentions "both lpack.toml and function.json" "lpack.toml and function.json" "keep one"
# The folder is named as a folder, not glued in front of the sentence ("SRC/both ...").
if grep -qF "$src/both" "$TEST_TMP/error"; then
  fail "both lpack.toml and function.json: the folder is glued to the message: $(head -1 "$TEST_TMP/error")"
else pass "both lpack.toml and function.json: the folder reads as a folder"; fi

# --- Python projects ---
try "a package missing from the index" 1 "$LPACK_FIXTURES/python-missing-package"
first_line_mentions "a package missing from the index" "pip install"
mentions "a package missing from the index" "No matching distribution found" "lpack-fixture-missing"

try "a handler that does not exist" 2 "$LPACK_FIXTURES/python-bad-handler"
first_line_mentions "a handler that does not exist" "app.py"
mentions "a handler that does not exist" "lambda_handler" "handler"

try "an editable requirement" 2 "$LPACK_FIXTURES/python-editable"
first_line_mentions "an editable requirement" "requirements.txt"
mentions "an editable requirement" "-e ."

# --- --out ---
printf 'not a folder\n' >"$TEST_TMP/file"
try_in "--out under a regular file" 2 "$TEST_TMP/file/out" "$LPACK_FIXTURES/python-nodeps"
first_line_mentions "--out under a regular file" "--out $TEST_TMP/file/out"
expect_eq "--out under a regular file: the file is untouched" "$(cat "$TEST_TMP/file")" "not a folder"

# --- symlinks and foreign binaries in SRC (made here: a fixture can't hold them portably) ---
src=$(project symlink-escape)
printf 'secret\n' >"$TEST_TMP/outside.txt"
ln -s "$TEST_TMP/outside.txt" "$src/data/leak.txt"
try "a symlink escaping SRC" 2 "$src"
first_line_mentions "a symlink escaping SRC" "data/leak.txt"
mentions "a symlink escaping SRC" "outside the source folder"

src=$(project symlink-escape-relative)
ln -s ../../outside.txt "$src/up.txt"
try "a relative symlink escaping SRC" 2 "$src"
first_line_mentions "a relative symlink escaping SRC" "up.txt"

src=$(project symlink-dangling)
ln -s missing-target.txt "$src/dangling.txt"
try "a dangling symlink" 2 "$src"
first_line_mentions "a dangling symlink" "dangling.txt"
mentions "a dangling symlink" "missing"

# A symlink inside SRC is followed and packed as a file: not an error.
src=$(project symlink-inside)
ln -s data/greeting.txt "$src/greeting-link.txt"
n=$((n + 1))
expect_exit 0 "a symlink to a file inside SRC builds" -- \
  "$LPACK" build "$src" --out "$TEST_TMP/out-$n" --cache-dir "$cache" -q
linked=$(python3 -c 'import sys, zipfile; print(zipfile.ZipFile(sys.argv[1]).read("greeting-link.txt").decode().strip())' \
  "$TEST_TMP/out-$n/function.zip" 2>&1 || true)
expect_eq "the symlink is packed as the file it points to" "$linked" "$(cat "$src/data/greeting.txt")"

# A host ELF in the function's sources, built for the other arch.
host_machine=$(python3 -c 'import struct,sys; d=open(sys.argv[1],"rb").read(20); print(struct.unpack("<H", d[18:20])[0])' /bin/true)
case "$host_machine" in
  62) other_arch=arm64 host_name=x86-64 ;;
  183) other_arch=x86_64 host_name=aarch64 ;;
  *) other_arch="" ;;
esac
if [ -n "$other_arch" ]; then
  src=$(project wrong-arch-elf)
  cp /bin/true "$src/lib.so"
  try "an ELF for another arch ($host_name in an $other_arch build)" 1 "$src" --arch "$other_arch"
  first_line_mentions "wrong-arch ELF" "function.zip"
  mentions "wrong-arch ELF" "lib.so ($host_name)" "$other_arch"
else
  echo "note: /bin/true is neither x86-64 nor aarch64 (machine $host_machine); wrong-arch ELF check not run"
fi

# --- a failed build after a good one, in the same --out ---
# The good build stays as it was: the same bytes, consistent with its manifest, and no
# temporary file of the failed build is left behind.
good="$TEST_TMP/good-out"
src=$(project then-broken)
expect_exit 0 "a good build" -- "$LPACK" build "$src" --out "$good" --cache-dir "$cache" -q
cp -a "$good" "$TEST_TMP/good-copy"

# check_good_out WHAT: $good is exactly the good build.
check_good_out() {
  local what=$1 left
  left=$(cd "$good" && ls -A | tr '\n' ' ')
  expect_eq "$what: --out holds only the good build" "$left" "function.zip manifest.json "
  if diff -r "$TEST_TMP/good-copy" "$good" >/dev/null; then pass "$what: the good build is unchanged"; else
    fail "$what: the good build changed: $(diff -r "$TEST_TMP/good-copy" "$good" | head -3)"
  fi
  local listed actual
  listed=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["artifacts"]["function"]["sha256"])' "$good/manifest.json")
  actual=$(sha256sum "$good/function.zip" | cut -d' ' -f1)
  expect_eq "$what: manifest.json still describes function.zip" "$listed" "$actual"
}

if [ -n "$other_arch" ]; then
  cp /bin/true "$src/lib.so"
  try_in "a failing check after a good build" 1 "$good" "$src" --arch "$other_arch"
  check_good_out "after a failing check"
  rm "$src/lib.so"
fi

ln -s missing-target.txt "$src/dangling.txt"
try_in "bad input after a good build" 2 "$good" "$src"
check_good_out "after bad input"
rm "$src/dangling.txt"

# A failing layer step (pip) after a good build of the same project with dependencies.
good="$TEST_TMP/good-layer-out"
src="$TEST_TMP/src/layer-then-broken"
copy_fixture python-pure "$src"
expect_exit 0 "a good build with a layer" -- "$LPACK" build "$src" --out "$good" --cache-dir "$cache" -q
rm -rf "$TEST_TMP/good-copy" && cp -a "$good" "$TEST_TMP/good-copy"
printf 'lpack-fixture-missing==1.0.0\n' >>"$src/requirements.txt"
try_in "a failing pip after a good build" 1 "$good" "$src"
left=$(cd "$good" && ls -A | tr '\n' ' ')
expect_eq "after a failing pip: --out holds only the good build" "$left" "function.zip layer.zip manifest.json "
if diff -r "$TEST_TMP/good-copy" "$good" >/dev/null; then pass "after a failing pip: the good build is unchanged"; else
  fail "after a failing pip: the good build changed: $(diff -r "$TEST_TMP/good-copy" "$good" | head -3)"
fi

# The layer comes out of the cache, then the function fails its check: the layer fetched for
# this failed build must neither replace the good one nor linger as a temporary file. The
# C-extension layer differs per arch, so the fetched layer is not the one already in --out.
if [ -n "$other_arch" ] && ls "$wheels"/lpack_fixture_cext-*x86_64*.whl "$wheels"/lpack_fixture_cext-*aarch64*.whl >/dev/null 2>&1; then
  src="$TEST_TMP/src/layer-hit-then-broken"
  copy_fixture python-cext "$src"
  expect_exit 0 "python-cext for $other_arch (fills the cache)" -- \
    "$LPACK" build "$src" --arch "$other_arch" --out "$TEST_TMP/out-other-arch" --cache-dir "$cache" -q
  good="$TEST_TMP/good-cext-out"
  expect_exit 0 "a good python-cext build for the host's arch" -- "$LPACK" build "$src" --out "$good" --cache-dir "$cache" -q
  rm -rf "$TEST_TMP/good-copy" && cp -a "$good" "$TEST_TMP/good-copy"
  cp /bin/true "$src/lib.so"
  try_in "a failing check after a cached $other_arch layer" 1 "$good" "$src" --arch "$other_arch"
  mentions "a failing check after a cached $other_arch layer" "lib.so ($host_name)"
  left=$(cd "$good" && ls -A | tr '\n' ' ')
  expect_eq "after a cached layer and a failing check: --out holds only the good build" "$left" "function.zip layer.zip manifest.json "
  if diff -r "$TEST_TMP/good-copy" "$good" >/dev/null; then pass "after a cached layer and a failing check: the good build is unchanged"; else
    fail "after a cached layer and a failing check: the good build changed: $(diff -r "$TEST_TMP/good-copy" "$good" | head -3)"
  fi
else
  echo "note: no wrong-arch ELF or no C-extension wheels; the cached-layer-then-failure check is not run"
fi

finish
