#!/usr/bin/env bash
# Hashing throughput and the warm no-op build, against the tools a user would reach for.
# For each tree of bench/make_trees.sh, lpack hashes it as the function step's inputs of a
# small project (the tree hard-linked under it, so inodes match):
#   lpack cold      `lpack explain --no-cache`: every file read and hashed (XXH3-128, TBB)
#   lpack warm      `lpack explain` with a filled stat cache: stat only
#   xxhsum -H3 x1/x2  one and two xxhsum processes over the same files, listed beforehand
#   find | xxhsum x2  the same two processes fed by `find` as it lists the tree: what hashing
#                   a tree with xxhsum costs when nobody hands it the file list
#   sha256sum       one process
#   find -printf    a bare stat walk (the floor for "did anything change?")
#   no-op build     `lpack build` with everything cached, against the stat walk plus
#                   lpack's own start-up (`lpack --version`)
# Results go into docs/benchmarks.md between the cache markers. Page cache is warm for all.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
lpack=${LPACK:-$top/build/lpack}
work=$here/scratch/cache
trees_root=${LPACK_BENCH_WORK:-$here/scratch/pack}  # where bench/make_trees.sh puts the trees
runs=${RUNS:-5}
need() { command -v "$1" >/dev/null || { echo "bench/cache.sh: $1 is not installed (apt-get install $2)" >&2; exit 1; }; }
need hyperfine hyperfine
need xxhsum xxhash
"$here/make_trees.sh"

mkdir -p "$work"
declare -A trees=([node_modules]=$trees_root/node/node_modules [botocore]=$trees_root/botocore/tree [small_files]=$trees_root/small_files/tree)
results=$work/cache-results.md
{
  echo "| tree | files | MB | lpack cold | lpack warm | xxhsum -H3 x1 | xxhsum -H3 x2 | find \| xxhsum x2 | sha256sum | find -printf | no-op build | stat walk + start-up | no-op / (walk + start) |"
  echo "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
} >"$results"

mean_ms() { python3 -c 'import json,sys; print("%.0f" % (json.load(open(sys.argv[1]))["results"][0]["mean"]*1000))' "$1"; }
# time_ms NAME 'shell command': mean wall time in ms over $runs runs (through the shell, so
# pipes and redirections work; the shell's own start-up is in every number alike).
time_ms() {
  hyperfine --warmup 1 --runs "$runs" --export-json "$work/h-$1.json" "$2" >/dev/null
  mean_ms "$work/h-$1.json"
}

for name in node_modules botocore small_files; do
  tree=${trees[$name]}
  project=$work/cachebench/$name
  if [[ ! -f $project/.complete ]]; then
    rm -rf "$project"
    mkdir -p "$project"
    cp -al "$tree" "$project/tree"
    printf 'def lambda_handler(event, context):\n    return {}\n' >"$project/app.py"
    printf '[metadata]\nruntime = "python3.12"\nhandler = "app.lambda_handler"\n' >"$project/lpack.toml"
    touch "$project/.complete"
  fi
  files=$(find "$tree" -type f | wc -l)
  mb=$(du -sm "$tree" | cut -f1)
  list=$work/cachebench/$name.files
  (cd "$tree" && find . -type f -print0) >"$list"
  half=$(( (files + 1) / 2 ))
  cache=$work/cachebench/$name.cache
  out=$work/cachebench/$name.out
  rm -rf "$cache" "$out"

  cold=$(time_ms "$name-cold" "'$lpack' explain '$project' -q --no-cache >/dev/null")
  "$lpack" build "$project" -q --cache-dir "$cache" --out "$out" >/dev/null
  warm=$(time_ms "$name-warm" "'$lpack' explain '$project' -q --cache-dir '$cache' >/dev/null")
  x1=$(time_ms "$name-xxh1" "cd '$tree' && xargs -0 xxhsum -H3 <'$list' >/dev/null")
  x2=$(time_ms "$name-xxh2" "cd '$tree' && xargs -0 -P2 -n $half xxhsum -H3 <'$list' >/dev/null")
  fx2=$(time_ms "$name-fxxh2" "cd '$tree' && find . -type f -print0 | xargs -0 -P2 -n 2000 xxhsum -H3 >/dev/null")
  sha=$(time_ms "$name-sha" "cd '$tree' && xargs -0 sha256sum <'$list' >/dev/null")
  walk=$(time_ms "$name-walk" "find '$project' -printf '%s %T@ %C@ %i %p\\n' >/dev/null")
  noop=$(time_ms "$name-noop" "'$lpack' build '$project' -q --cache-dir '$cache' --out '$out' >/dev/null")
  start=$(time_ms "$name-start" "'$lpack' --version >/dev/null")
  ratio=$(python3 -c "print('%.2f' % ($noop / max(1, $walk + $start)))")
  echo "| $name | $files | $mb | $cold ms | $warm ms | $x1 ms | $x2 ms | $fx2 ms | $sha ms | $walk ms | $noop ms | $((walk + start)) ms | $ratio |" >>"$results"
done

machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(date -u +%Y-%m-%d)"
{ echo "Machine: $machine; mean of $runs runs (hyperfine), page cache warm."; echo; cat "$results"; } >"$work/block.md"
printf '## Hashing and the warm no-op build\n\nReproduce: `bench/cache.sh`.\n\n' >"$work/heading.md"
python3 "$here/doc_block.py" "$top/docs/benchmarks.md" cache bench/cache.sh "$work/block.md" "$work/heading.md"
cat "$results"
