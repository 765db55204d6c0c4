# Shared helpers for integration tests. Source it: `. "$LPACK_TEST_LIB"` (CTest sets it) or
# `. "$(dirname "$0")/lib.sh"`. Tests run the real lpack binary ($LPACK) on fixtures
# ($LPACK_FIXTURES) and exit 0 (pass), 1 (fail) or 77 (skipped, with the reason printed).

set -euo pipefail

: "${LPACK:?LPACK must point at the lpack binary (CTest sets it)}"
: "${LPACK_FIXTURES:?LPACK_FIXTURES must point at fixtures/ (CTest sets it)}"

# A scratch folder removed when the test exits.
TEST_TMP=$(mktemp -d "${TMPDIR:-/tmp}/lpack-test.XXXXXX")
trap 'rm -rf "$TEST_TMP"' EXIT

# Keep the tests independent of the machine's pip configuration.
unset PIP_INDEX_URL PIP_EXTRA_INDEX_URL PIP_FIND_LINKS PIP_NO_INDEX PIP_CONFIG_FILE || true

failures=0

skip() { echo "SKIP: $*"; exit 77; }
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
pass() { echo "ok: $*"; }

# need TOOL...: skip the test, naming the missing tool, unless every tool is on PATH.
need() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null 2>&1 || skip "$tool is not installed"
  done
}

# expect_eq WHAT ACTUAL EXPECTED
expect_eq() {
  if [ "$2" == "$3" ]; then pass "$1"; else fail "$1: got '$2', expected '$3'"; fi
}

# expect_exit CODE WHAT -- CMD...: runs CMD, capturing stdout+stderr in $TEST_TMP/last.log.
expect_exit() {
  local code=$1 what=$2
  shift 3
  local rc=0
  "$@" >"$TEST_TMP/last.log" 2>&1 || rc=$?
  if [ "$rc" == "$code" ]; then
    pass "$what (exit $rc)"
  else
    fail "$what: exit $rc, expected $code; output:"
    sed 's/^/    /' "$TEST_TMP/last.log" >&2
  fi
}

# expect_output_contains WHAT TEXT: the last expect_exit's output contains TEXT.
expect_output_contains() {
  if grep -qF -- "$2" "$TEST_TMP/last.log"; then pass "$1"; else
    fail "$1: output lacks '$2':"
    sed 's/^/    /' "$TEST_TMP/last.log" >&2
  fi
}

# copy_fixture NAME DEST: a private, writable copy of a fixture.
copy_fixture() {
  mkdir -p "$2"
  cp -a "$LPACK_FIXTURES/$1/." "$2/"
}

# zip_names ZIP: entry names, one per line, in the zip's own order (Python's zipfile).
zip_names() {
  python3 -c 'import sys, zipfile; print("\n".join(i.filename for i in zipfile.ZipFile(sys.argv[1]).infolist()))' "$1"
}

# zip_has ZIP NAME / zip_lacks ZIP PATTERN (grep -E on names)
# (grep reads everything, not -q: an early exit would fail the writer under pipefail.)
zip_has() { if zip_names "$1" | grep -xF -- "$2" >/dev/null; then pass "$(basename "$1") has $2"; else fail "$(basename "$1") lacks $2"; fi; }
zip_lacks() { if zip_names "$1" | grep -E -- "$2" >/dev/null; then fail "$(basename "$1") has entries matching $2: $(zip_names "$1" | grep -E -- "$2" | head -3 | tr '\n' ' ')"; else pass "$(basename "$1") has nothing matching $2"; fi; }

# elf_machines ZIP: "name machine" for every ELF entry (machine: 62 x86-64, 183 aarch64).
elf_machines() {
  python3 - "$1" <<'PY'
import struct, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
for info in z.infolist():
    if info.is_dir():
        continue
    head = z.open(info).read(20)
    if len(head) == 20 and head[:4] == b"\x7fELF":
        endian = "<" if head[5] == 1 else ">"
        print(info.filename, struct.unpack(endian + "H", head[18:20])[0])
PY
}

# python_for VERSION: the path of a real python3.X interpreter (not a pyenv shim), or "".
python_for() {
  local v=$1 candidate
  if command -v pyenv >/dev/null 2>&1; then
    for candidate in "$(pyenv root)"/versions/"$v".*/bin/python"$v"; do
      [ -x "$candidate" ] && { echo "$candidate"; return; }
    done
  fi
  candidate=$(command -v "python$v" 2>/dev/null || true)
  if [ -n "$candidate" ] && "$candidate" -c 'import sys' >/dev/null 2>&1; then echo "$candidate"; return; fi
  echo ""
}

# use_python_wheelhouse [ARCH...]: the set-up the Python tests share. Skips without a real
# python3.12; builds the fixtures' wheelhouse into $wheels ($TEST_TMP/wheelhouse), failing if
# the generator fails and skipping when the C-extension wheel of a listed ARCH (x86_64,
# aarch64) could not be built; points pip at the wheelhouse alone; puts that python3.12 first
# on PATH, whatever pyenv has active ($PY312 is its path); keeps lpack's default cache under
# TEST_TMP.
use_python_wheelhouse() {
  need python3
  PY312=$(python_for 3.12)
  [ -n "$PY312" ] || skip "no working python3.12 (on PATH or under \`pyenv root\`/versions/3.12*)"
  wheels="$TEST_TMP/wheelhouse"
  python3 "$LPACK_SOURCE_DIR/fixtures/wheelhouse/make_wheelhouse.py" "$wheels" >"$TEST_TMP/wheelhouse.log" 2>&1 \
    || { cat "$TEST_TMP/wheelhouse.log" >&2; echo "FAIL: make_wheelhouse.py failed" >&2; exit 1; }
  local arch
  for arch in "$@"; do
    ls "$wheels"/lpack_fixture_cext-1.0.0-cp312-cp312-*"$arch"*.whl >/dev/null 2>&1 \
      || skip "the $arch C-extension wheel could not be built (gcc, gcc-aarch64-linux-gnu, libc6-dev-arm64-cross): $(cat "$TEST_TMP/wheelhouse.log")"
  done
  export PIP_NO_INDEX=1 PIP_FIND_LINKS="$wheels"
  mkdir -p "$TEST_TMP/bin"
  ln -sf "$PY312" "$TEST_TMP/bin/python3.12"
  export PATH="$TEST_TMP/bin:$PATH"
  export XDG_CACHE_HOME="$TEST_TMP/xdg"
}

# finish: exit 1 when any check failed.
finish() {
  if [ "$failures" -gt 0 ]; then echo "$failures check(s) failed" >&2; exit 1; fi
  echo "all checks passed"
  exit 0
}
