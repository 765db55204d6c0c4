#!/usr/bin/env bash
# labels: go slow
# The arm64 bootstrap of the vendored Go fixture is an AArch64 ELF that really runs: under
# qemu-aarch64-static (Debian: qemu-user-static) it prints the self-test line.
. "${LPACK_TEST_LIB:-$(dirname "$0")/lib.sh}"
trap 'chmod -R u+w "$TEST_TMP" 2>/dev/null; rm -rf "$TEST_TMP"' EXIT

need go python3 unzip
QEMU=""
if [ "$(uname -m)" = aarch64 ]; then
  QEMU="exec"  # native
else
  command -v qemu-aarch64-static >/dev/null 2>&1 \
    || skip "qemu-aarch64-static is not installed (apt-get install qemu-user-static); cannot run an arm64 binary on $(uname -m)"
  QEMU="qemu-aarch64-static"
fi
unset GOFLAGS GOPROXY || true
export XDG_CACHE_HOME="$TEST_TMP/xdg"

expect_exit 0 "go-vendored arm64 builds" -- \
  "$LPACK" build "$LPACK_FIXTURES/go-vendored" --arch arm64 --out "$TEST_TMP/out" --cache-dir "$TEST_TMP/cache" -q
[ -f "$TEST_TMP/out/function.zip" ] || finish
expect_eq "bootstrap is an AArch64 ELF" "$(elf_machines "$TEST_TMP/out/function.zip")" "bootstrap 183"

mkdir -p "$TEST_TMP/task"
unzip -q -o "$TEST_TMP/out/function.zip" -d "$TEST_TMP/task"
[ -x "$TEST_TMP/task/bootstrap" ] && pass "bootstrap is executable after unzip" || fail "bootstrap lost its exec bit"
actual=$(cd "$TEST_TMP/task" && $QEMU ./bootstrap --selftest 2>&1) || true
expect_eq "arm64 bootstrap --selftest under ${QEMU}" "$actual" 'selftest {"id":"416de294-e2a9-5a81-b476-22a04a8a6e9b"}'

finish
