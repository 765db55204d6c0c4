#!/usr/bin/env bash
# labels: go slow
# Bad Go input fails with the message that names the problem: the compiler's own line for a
# compile error, go's own "no required module provides package" for an import no module
# provides (exit 1, a failed build), and lpack's for a folder without go.mod (exit 2, bad input).
. "${LPACK_TEST_LIB:-$(dirname "$0")/lib.sh}"
trap 'chmod -R u+w "$TEST_TMP" 2>/dev/null; rm -rf "$TEST_TMP"' EXIT

need go
unset GOFLAGS GOPROXY || true
export XDG_CACHE_HOME="$TEST_TMP/xdg"

expect_exit 1 "go-compile-error fails" -- \
  "$LPACK" build "$LPACK_FIXTURES/go-compile-error" --arch arm64 --out "$TEST_TMP/out1" --cache-dir "$TEST_TMP/cache"
expect_output_contains "the compiler's message is shown" "main.go:8:14: undefined: undefinedHelper"
[ ! -e "$TEST_TMP/out1/function.zip" ] && pass "no function.zip after a failed build" || fail "a failed build left function.zip"

# --offline: the module must not be looked for on the network (GOPROXY=off).
expect_exit 1 "go-missing-module fails" -- \
  "$LPACK" build "$LPACK_FIXTURES/go-missing-module" --arch x86_64 --out "$TEST_TMP/out2" --cache-dir "$TEST_TMP/cache" --offline
expect_output_contains "go's message is shown" \
  "no required module provides package github.com/lpack-fixtures/not-a-real-module/greeting"

mkdir -p "$TEST_TMP/nomod"
printf 'package main\n\nfunc main() {}\n' >"$TEST_TMP/nomod/main.go"
expect_exit 2 "Go files without go.mod are bad input" -- \
  "$LPACK" build "$TEST_TMP/nomod" --out "$TEST_TMP/out3" --cache-dir "$TEST_TMP/cache"
expect_output_contains "the message says how to fix it" "go mod init"

printf 'go 1.19\n' >"$TEST_TMP/nomod/go.mod"
expect_exit 2 "go.mod without a module line is bad input" -- \
  "$LPACK" build "$TEST_TMP/nomod" --out "$TEST_TMP/out4" --cache-dir "$TEST_TMP/cache"
expect_output_contains "the message names go.mod" "go.mod: no module line"

finish
