#!/usr/bin/env bash
# Packing benchmark: lpack's zip writer against the tools users would otherwise zip a
# Lambda bundle with, on three trees (see bench/make_trees.sh):
#   lpack    bench/zip_bench (walk_tree + write_zip, libdeflate at the default level 5, all cores)
#   zip      Info-ZIP `zip -X -6 -r -q`
#   python   Python's zipfile, ZIP_DEFLATED level 6, one file at a time (what SAM does)
#   bsdtar   libarchive's `bsdtar --format zip -cf`
# Reports mean wall time (hyperfine when installed, else a timing loop) and output size, and
# writes the table into the "Packing" section of docs/benchmarks.md.
#
#   bench/pack.sh      # RUNS=5 by default; ZIP_BENCH=path to the driver (default
#                      # build/bench/zip_bench); LPACK_LEVEL=n to try another level;
#                      # PACK_NO_HYPERFINE=1 to time with a plain loop
# The driver is built with the project: ninja -C build zip_bench.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
work=${LPACK_BENCH_WORK:-$here/scratch/pack}
runs=${RUNS:-5}
zip_bench=${ZIP_BENCH:-$root/build/bench/zip_bench}
doc=$root/docs/benchmarks.md

for tool in zip bsdtar python3; do
  if ! command -v "$tool" >/dev/null; then
    echo "pack.sh: $tool is not on PATH (apt-get install zip libarchive-tools python3)" >&2
    exit 1
  fi
done
if [[ ! -x $zip_bench ]]; then
  echo "pack.sh: $zip_bench not found; build it (ninja -C build zip_bench) or set ZIP_BENCH" >&2
  exit 1
fi
# The interpreter itself, not a version manager's shim that adds its own start-up time.
python=$(python3 -c 'import sys; print(sys.executable)')

"$here/make_trees.sh"

out=$work/out
results=$work/results
mkdir -p "$out" "$results"

# SAM's packaging loop, reduced to its zipfile calls: walk, write each file deflated.
cat >"$work/python_zip.py" <<'EOF'
import os, sys, zipfile
src, dst = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
    for folder, dirs, files in os.walk(src):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(folder, name)
            zf.write(full, os.path.relpath(full, src))
EOF

# Times `command` (run in `dir`, after `prepare`); prints the mean wall time, its standard
# deviation and the mean CPU time (user + system, all threads) in seconds.
time_command() {
  local name=$1 dir=$2 prepare=$3 command=$4
  if command -v hyperfine >/dev/null && [[ -z ${PACK_NO_HYPERFINE:-} ]]; then
    hyperfine --style none --warmup 1 --runs "$runs" --prepare "$prepare" \
      --export-json "$results/$name.json" "cd '$dir' && $command" >&2
    "$python" -c 'import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print("%.3f %.3f %.3f" % (r["mean"], r["stddev"] or 0, r["user"] + r["system"]))' "$results/$name.json"
  else
    # No hyperfine: a plain loop, wall time only.
    local times=() start end
    bash -c "$prepare" && (cd "$dir" && bash -c "$command")  # warm-up
    for _ in $(seq "$runs"); do
      bash -c "$prepare"
      start=$(date +%s%N)
      (cd "$dir" && bash -c "$command")
      end=$(date +%s%N)
      times+=("$((end - start))")
    done
    "$python" -c 'import statistics, sys
t = [int(x) / 1e9 for x in sys.argv[1:]]
print("%.3f %.3f -" % (statistics.mean(t), statistics.stdev(t) if len(t) > 1 else 0))' "${times[@]}"
  fi
}

declare -A trees=(
  [node_modules]=$work/node/node_modules
  [botocore]=$work/botocore/tree
  [small_files]=$work/small_files/tree
)
table=$results/packing_table.md
{
  echo "| tree | files | tool | wall (s) | ± | cpu (s) | size (bytes) | zip wall / tool wall | zip cpu / tool cpu | size / zip size |"
  echo "| --- | ---: | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
} >"$table"

for tree in node_modules botocore small_files; do
  src=${trees[$tree]}
  files=$(find "$src" -type f | wc -l)
  echo "== $tree: $files files ($(du -sh "$src" | cut -f1))" >&2
  declare -A mean=() spread=() cpu_time=() size=()
  for tool in lpack zip python bsdtar; do
    zip_path=$out/$tree.$tool.zip
    case $tool in
      lpack) command="'$zip_bench' -q ${LPACK_LEVEL:+-l $LPACK_LEVEL} . '$zip_path'" ;;
      zip) command="zip -X -6 -r -q '$zip_path' ." ;;
      python) command="'$python' '$work/python_zip.py' . '$zip_path'" ;;
      bsdtar) command="bsdtar --format zip -cf '$zip_path' ." ;;
    esac
    read -r m s c < <(time_command "$tree.$tool" "$src" "rm -f '$zip_path'" "$command")
    mean[$tool]=$m
    spread[$tool]=$s
    cpu_time[$tool]=$c
    size[$tool]=$(stat -c %s "$zip_path")
    echo "   $tool: ${m}s ± ${s}s (cpu ${c}s), ${size[$tool]} bytes" >&2
  done
  unzip -tq "$out/$tree.lpack.zip" >/dev/null
  for tool in lpack zip python bsdtar; do
    ratio_time=$("$python" -c 'import sys; print("%.1f×" % (float(sys.argv[1]) / float(sys.argv[2])))' "${mean[zip]}" "${mean[$tool]}")
    ratio_cpu=$("$python" -c 'import sys; a = sys.argv[1:]; print("-" if "-" in a else "%.1f×" % (float(a[0]) / float(a[1])))' "${cpu_time[zip]}" "${cpu_time[$tool]}")
    ratio_size=$("$python" -c 'import sys; print("%.3f" % (int(sys.argv[1]) / int(sys.argv[2])))' "${size[$tool]}" "${size[zip]}")
    echo "| $tree | $files | $tool | ${mean[$tool]} | ${spread[$tool]} | ${cpu_time[$tool]} | ${size[$tool]} | $ratio_time | $ratio_cpu | $ratio_size |" >>"$table"
  done
  unset mean spread cpu_time size
done

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
section=$results/packing_section.md
{
  echo "Machine: $(nproc) cores, $cpu, $(uname -sr). Load average when the run ended:"
  echo "$(cut -d' ' -f1-3 /proc/loadavg). Mean of $runs runs after a warm-up (page cache warm). Tools:"
  echo "$(zip -v | sed -n 2p | sed 's/^ *This is //;s/ (.*//'), $(bsdtar --version | cut -d' ' -f1-2),"
  echo "Python $("$python" -c 'import platform; print(platform.python_version())'), libdeflate $(pkg-config --modversion libdeflate 2>/dev/null || echo '?')."
  echo
  cat "$table"
} >"$section"

# Replace the generated block of the Packing section in docs/benchmarks.md; the prose around
# it and the other sections stay as written.
printf '## Packing\n\n' >"$results/packing_heading.md"
"$python" "$here/doc_block.py" "$doc" packing bench/pack.sh "$section" "$results/packing_heading.md"
echo "pack.sh: results in $doc" >&2
cat "$table"
