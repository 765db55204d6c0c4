#!/usr/bin/env bash
# labels: node
# Node projects the user must fix: each fails with the documented exit code (2: the
# project is wrong; 1: the install failed) and one clear line naming the file and the fix,
# or the package manager's own error.
. "${LPACK_TEST_LIB:-$(dirname "$0")/lib.sh}"

need node npm

build() {  # build SRC
  "$LPACK" build "$1" --arch arm64 --out "$TEST_TMP/out" --cache-dir "$TEST_TMP/cache"
}
error_lines() { grep -c '^lpack: error:' "$TEST_TMP/last.log" || true; }

expect_exit 2 "dependencies without a lockfile" -- build "$LPACK_FIXTURES/node-no-lockfile"
expect_output_contains "says how to make one" \
  'lpack: error: package.json: no lockfile; run `npm install` (or yarn/pnpm) to create package-lock.json, then build again'
expect_eq "one error line" "$(error_lines)" "1"

expect_exit 2 "a lockfile cut short" -- build "$LPACK_FIXTURES/node-broken-lockfile"
expect_output_contains "names the lockfile" "lpack: error: package-lock.json: not valid JSON"
expect_output_contains "says how to regenerate it" 'npm install --package-lock-only'
expect_eq "one error line" "$(error_lines)" "1"

copy_fixture node-esbuild "$TEST_TMP/conflict"
printf '<<<<<<< HEAD\n' >"$TEST_TMP/conflict/yarn.lock"
expect_exit 2 "two package managers' lockfiles" -- build "$TEST_TMP/conflict"
expect_output_contains "names both" "package-lock.json and yarn.lock"

copy_fixture node-nodeps "$TEST_TMP/handler"
printf 'module.exports = { main: async () => 1 };\n' >"$TEST_TMP/handler/index.js"
expect_exit 2 "a handler that is not exported" -- build "$TEST_TMP/handler"
expect_output_contains "names the file and the export" 'index.js does not export `handler`'

expect_exit 2 "an unsupported runtime" -- \
  "$LPACK" build "$LPACK_FIXTURES/node-nodeps" --runtime nodejs16.x --out "$TEST_TMP/out" --cache-dir "$TEST_TMP/cache"

# An unresolvable dependency: npm's own 404 reaches the user (needs the registry).
if npm view ms@2.1.3 version >/dev/null 2>&1; then
  expect_exit 1 "a locked version that does not exist" -- build "$LPACK_FIXTURES/node-missing-dep"
  expect_output_contains "npm's error is shown" "404 Not Found - GET https://registry.npmjs.org/ms/-/ms-99.99.99.tgz"
  expect_eq "one lpack error line" "$(error_lines)" "1"
else
  echo "note: the npm registry is not reachable; the missing-dependency case is skipped"
fi

finish
