#!/usr/bin/env bash
# labels: node slow
# yarn 1, yarn 2+ and pnpm projects with esbuild (arch-specific) and a dev dependency: each
# target's layer holds only that target's platform package and no dev dependency, and the
# x86_64 artifacts run the handler (an ES module for pnpm). Missing package managers are
# installed from the npm registry into the test's scratch folder.
. "${LPACK_TEST_LIB:-$(dirname "$0")/lib.sh}"
. "$(dirname "${BASH_SOURCE[0]}")/node_lib.sh"

need node npm python3 unzip
npm view ms@2.1.3 version >/dev/null 2>&1 || skip "the npm registry is not reachable"

# install_tool DIR PACKAGE: installs PACKAGE from npm into DIR and sets TOOL_BIN to its bin
# folder; skips the test when that fails (not in a subshell, so the skip ends the test).
install_tool() {
  npm install --prefix "$1" --no-audit --no-fund --loglevel=error "$2" >"$TEST_TMP/tool.log" 2>&1 ||
    skip "cannot install $2 from npm: $(tail -1 "$TEST_TMP/tool.log")"
  TOOL_BIN="$1/node_modules/.bin"
}
version_at_least() {  # version_at_least HAVE WANT (dotted numbers)
  [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -1)" == "$2" ]
}

classic_bin=""
v=$(yarn --version 2>/dev/null || true)
case "$v" in
  1.*) ;;
  *) install_tool "$TEST_TMP/tools/yarn1" yarn@1; classic_bin=$TOOL_BIN ;;
esac
pnpm_bin=""
v=$(pnpm --version 2>/dev/null || true)
# --cpu/--os/--libc on `pnpm install` arrived in pnpm 10.14.
if [ -z "$v" ] || ! version_at_least "$v" 10.14.0; then
  install_tool "$TEST_TMP/tools/pnpm" pnpm@10
  pnpm_bin=$TOOL_BIN
fi
install_tool "$TEST_TMP/tools/berry" @yarnpkg/cli-dist@4
berry_bin=$TOOL_BIN

# check_manager FIXTURE BIN_DIR MODULE EXPECTED_BODY
check_manager() {
  local fixture=$1 bin=$2 module=$3 body=$4 path=$PATH arch
  [ -n "$bin" ] && path="$bin:$PATH"
  echo "--- $fixture (yarn $(PATH=$path yarn --version 2>/dev/null || echo -), pnpm $(PATH=$path pnpm --version 2>/dev/null || echo -))"
  for arch in arm64 x86_64; do
    local out=$TEST_TMP/$fixture-$arch
    expect_exit 0 "lpack build $fixture --arch $arch" -- env PATH="$path" \
      "$LPACK" build "$LPACK_FIXTURES/$fixture" --arch "$arch" --out "$out" --cache-dir "$TEST_TMP/cache"
    [ -f "$out/layer.zip" ] || { fail "$fixture $arch: no layer.zip"; continue; }
    check_target_layer "$out/layer.zip" "$arch"
    zip_lacks "$out/layer.zip" "^nodejs/node_modules/\.(bin|yarn-integrity|yarn-state\.yml|modules\.yaml|pnpm)"
    zip_lacks "$out/function.zip" "node_modules|\.lock$|lock\.yaml$|^\."
  done
  if [ "$(uname -m)" == "x86_64" ]; then
    expect_eq "$fixture: the x86_64 handler runs" \
      "$(run_handler "$TEST_TMP/$fixture-x86_64/function.zip" "$TEST_TMP/$fixture-x86_64/layer.zip" "$module")" "$body"
  fi
}

check_manager node-yarn "$classic_bin" index.js '{"manager":"yarn","timeout":3600000}'
check_manager node-pnpm "$pnpm_bin" index.mjs '{"manager":"pnpm","timeout":86400000}'
check_manager node-yarn-berry "$berry_bin" index.js '{"manager":"yarn-berry","timeout":10000}'

finish
