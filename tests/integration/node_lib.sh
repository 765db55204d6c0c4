# Helpers of the Node integration tests (sourced after lib.sh).
#
# check_target_layer ZIP ARCH: the layer holds esbuild's package for ARCH only, no dev
# dependency, and no ELF file of another machine.
check_target_layer() {
  local zip=$1 arch=$2 want other machine
  if [ "$arch" == arm64 ]; then want=linux-arm64 other=linux-x64 machine=183; else want=linux-x64 other=linux-arm64 machine=62; fi
  zip_has "$zip" "nodejs/node_modules/@esbuild/$want/bin/esbuild"
  zip_has "$zip" "nodejs/node_modules/ms/index.js"
  zip_lacks "$zip" "^nodejs/node_modules/@esbuild/$other"
  zip_lacks "$zip" "^nodejs/node_modules/is-number"
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
