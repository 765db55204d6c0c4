# Helpers of the Node integration tests (sourced after lib.sh).
#
# lib.sh's zip_has / zip_lacks pipe the zip's names into `grep -q`, which may exit before
# reading everything: under pipefail the writer's SIGPIPE then turns a match into a
# "no match" on large zips. These read the names in full first.
has_entry() {  # has_entry ZIP NAME
  local names
  names=$(zip_names "$1")
  if grep -qxF -- "$2" <<<"$names"; then pass "$(basename "$1") has $2"; else fail "$(basename "$1") lacks $2"; fi
}
lacks_entry() {  # lacks_entry ZIP ERE
  local names hits
  names=$(zip_names "$1")
  hits=$(grep -E -- "$2" <<<"$names" | head -3 | tr '\n' ' ' || true)
  if [ -z "$hits" ]; then pass "$(basename "$1") has nothing matching $2"; else fail "$(basename "$1") has $hits"; fi
}

# check_target_layer ZIP ARCH: the layer holds esbuild's package for ARCH only, no dev
# dependency, and no ELF file of another machine.
check_target_layer() {
  local zip=$1 arch=$2 want other machine
  if [ "$arch" == arm64 ]; then want=linux-arm64 other=linux-x64 machine=183; else want=linux-x64 other=linux-arm64 machine=62; fi
  has_entry "$zip" "nodejs/node_modules/@esbuild/$want/bin/esbuild"
  has_entry "$zip" "nodejs/node_modules/ms/index.js"
  lacks_entry "$zip" "^nodejs/node_modules/@esbuild/$other"
  lacks_entry "$zip" "^nodejs/node_modules/is-number"
  local foreign
  foreign=$(elf_machines "$zip" | awk -v m="$machine" '$2 != m' | head -3)
  expect_eq "$(basename "$(dirname "$zip")")/$(basename "$zip"): every ELF is $arch" "$foreign" ""
}

# run_handler FUNCTION_ZIP LAYER_ZIP MODULE: unzips both as Lambda does (/var/task, /opt) and
# prints the body the handler returns. ES modules ignore NODE_PATH, so for them the layer's
# node_modules is linked beside the task.
run_handler() {
  local dir
  dir=$(mktemp -d "$TEST_TMP/run.XXXXXX")
  mkdir -p "$dir/task" "$dir/opt"
  unzip -q "$1" -d "$dir/task"
  [ -n "$2" ] && unzip -q "$2" -d "$dir/opt"
  case "$3" in *.mjs) ln -s "$dir/opt/nodejs/node_modules" "$dir/task/node_modules" ;; esac
  (cd "$dir/task" && NODE_PATH="$dir/opt/nodejs/node_modules" node --input-type=module -e "
    const m = await import(process.cwd() + '/$3');
    const r = await (m.handler ?? m.default.handler)({});
    console.log(r.body);" 2>&1) || true
}
