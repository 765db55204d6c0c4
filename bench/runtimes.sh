#!/usr/bin/env bash
# Runtime builds: what lpack adds to a cold build over the package manager alone, and the
# node fixture against `serverless package` (Serverless Framework v3).
#
#   overhead    fixtures/node-esbuild, go-vendored and java-maven (x86_64): `lpack build
#               --no-cache` against bench/runtimes/tool.sh, the same tool commands (the argv of
#               `lpack explain`, checked against bench/runtimes/<runtime>.commands) in a fresh
#               copy. Both share one warm tool cache (npm cache, GOCACHE, Maven repository),
#               filled by a build before timing, so neither downloads nor compiles the
#               standard library; what differs is lpack's own work (toolchain probes, hashing,
#               staging, zipping). `lpack explain --no-cache` times the probes + hashing alone,
#               `tool.sh --zip` the tool followed by Info-ZIP zipping the same entries, and
#               "cache miss" lpack with a used cache folder emptied by `lpack cache gc`.
#               EMPTY_TOOL_CACHES=1 adds npm, Go and Maven rows with the tool cache emptied before
#               every run of both sides.
#   serverless  node-esbuild: cold `npm ci --omit=dev && serverless package` and warm
#               `serverless package` against lpack cold (--no-cache) and warm (a filled
#               --cache-dir, nothing changed), and whether repeated builds give the same bytes.
#
#   bench/runtimes.sh   # LPACK=binary (default build/lpack), RUNS=5, SLOW_RUNS=3 (Maven,
#                       # serverless), ONLY="node go java serverless" (a subset leaves the
#                       # docs untouched), EMPTY_TOOL_CACHES=1
# Needs hyperfine, and npm / go / mvn for their rows (a missing tool is reported in its row).
# Serverless v3 is installed from npm into bench/scratch/serverless on first use. Results go
# into docs/benchmarks.md between the runtimes markers.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(dirname "$here")
lpack=${LPACK:-$top/build/lpack}
base_work=${LPACK_BENCH_WORK:-$here/scratch}
work=$base_work/runtimes
runs=${RUNS:-5}
slow_runs=${SLOW_RUNS:-3}
only=${ONLY:-node go java serverless}
helpers=$here/runtimes
fixtures=$top/fixtures

die() { echo "bench/runtimes.sh: $*" >&2; exit 1; }
command -v hyperfine >/dev/null || die "hyperfine is not installed (apt-get install hyperfine)"
command -v python3 >/dev/null || die "python3 is not on PATH"
[[ -x $lpack ]] || die "$lpack not found; build it (ninja -C build lpack) or set LPACK"
lpack=$(cd "$(dirname "$lpack")" && pwd)/$(basename "$lpack")
wants() { [[ " $only " == *" $1 "* ]]; }

mkdir -p "$work/tmp" "$work/home/.m2" "$work/results"
# lpack reads the Maven settings (the mirror to Debian's repository) from $HOME/.m2.
cp "$helpers/maven-settings.xml" "$work/home/.m2/settings.xml"
# With --no-cache, lpack keeps its tool caches in a scratch folder under $TMPDIR
# (lpack-tools-<uid>/<plugin>): pointing TMPDIR here makes them ours, shared with tool.sh and
# untouched by other lpack users. locate_tools finds the folder after a --no-cache build.
export TMPDIR=$work/tmp
tools=""
locate_tools() {  # PLUGIN
  local d
  for d in "$TMPDIR/lpack-tools-$(id -u)" "$TMPDIR/lpack-tools"; do
    if [[ -d $d/$1 ]]; then
      tools=$d
      return
    fi
  done
  die "no tool cache of lpack's $1 plugin under $TMPDIR after a --no-cache build; update locate_tools"
}
results=$work/results
lp() { HOME=$work/home "$lpack" "$@"; }
SECONDS=0

# interleaved NAME WARMUP RUNS  NAME1 PREPARE1 COMMAND1  NAME2 PREPARE2 COMMAND2 ...
# Times the commands with hyperfine, one run at a time and in turns (each round runs every
# command once, starting one further along each time), so that a shared machine whose load
# drifts during the benchmark favours none of them; `hyperfine --runs N` on each command in
# sequence would. Writes "NAME mean stddev min" lines (seconds) to $results/NAME.stats.
interleaved() {
  local group=$1 warmup=$2 n=$3
  shift 3
  local names=() preps=() cmds=()
  while (($#)); do
    names+=("$1") preps+=("$2") cmds+=("$3")
    shift 3
  done
  local count=${#names[@]} round i k tag
  rm -rf "$results/$group.runs"
  mkdir -p "$results/$group.runs"
  : >"$results/$group.hyperfine.log"
  for ((round = 1 - warmup; round <= n; round++)); do
    tag=$round
    ((round >= 1)) || tag=warmup$((1 - round))
    for ((k = 0; k < count; k++)); do
      i=$(((k + round + warmup) % count))
      hyperfine --style none --runs 1 -n "${names[i]}" --prepare "${preps[i]}" "${cmds[i]}" \
        --export-json "$results/$group.runs/${names[i]}.$tag.json" >>"$results/$group.hyperfine.log" 2>&1 || return 1
    done
  done
  python3 - "$results/$group.runs" >"$results/$group.stats" <<'PY'
import glob, json, os, statistics, sys
times = {}
for f in sorted(glob.glob(os.path.join(sys.argv[1], "*.json"))):
    name, tag, _ = os.path.basename(f).rsplit(".", 2)
    if tag.startswith("warmup"):
        continue
    times.setdefault(name, []).extend(json.load(open(f))["results"][0]["times"])
for name, t in times.items():
    sd = statistics.stdev(t) if len(t) > 1 else 0.0
    print(name, "%.3f %.3f %.3f" % (statistics.mean(t), sd, min(t)))
PY
}
stat_of() { awk -v n="$2" -v f="$3" '$1 == n { print $f }' "$1"; }  # file name field(2-4)
pct() { python3 -c "import sys; a, b = map(float, sys.argv[1:]); print('%+.1f %%' % ((a - b) / b * 100))" "$1" "$2"; }
ratio() { python3 -c "import sys; a, b = map(float, sys.argv[1:]); print('%.2f×' % (a / b))" "$1" "$2"; }
fmt() { printf '%s ± %s s' "$(stat_of "$1" "$2" 2)" "$(stat_of "$1" "$2" 3)"; }
# Error text for the docs, without this machine's folders.
scrub() { sed -e "s|$top/||g" -e "s|$HOME|~|g" | tr '|' '/'; }
join_list() { local out="" x; for x in "$@"; do out+="${out:+, }$x"; done; printf '%s' "$out"; }
zip_sha() { sha256sum "$@" | cut -c1-12 | paste -sd+; }

# ---------------------------------------------------------------------------------------
# Overhead over the package manager alone.
time_rows=$results/overhead-times.md
ratio_rows=$results/overhead-ratios.md
: >"$time_rows"
: >"$ratio_rows"
met=()
missed=()

not_measured() {  # LABEL REASON
  echo "| $1 | not measured: $2 | | | | |" >>"$time_rows"
  echo "| $1 | not measured | | | | | |" >>"$ratio_rows"
}

# overhead_row LABEL RUNTIME FIXTURE TOOL RUNS EMPTY_CACHE
overhead_row() {
  local label=$1 runtime=$2 fixture=$3 tool=$4 n=$5 empty=$6
  local src=$work/src/$fixture copy=$work/copy/$fixture out=$work/out/$fixture
  local miss_cache=$work/miss-cache/$fixture
  local slug=${label//[^A-Za-z0-9-]/_}
  local log=$results/$slug.log
  if ! command -v "$tool" >/dev/null; then
    not_measured "$label" "\`$tool\` is not installed"
    return
  fi
  echo "bench/runtimes.sh: $label..." >&2
  rm -rf "$src" "$copy" "$out" "$miss_cache"
  mkdir -p "$(dirname "$src")" "$(dirname "$copy")" "$miss_cache"
  cp -r "$fixtures/$fixture" "$src"
  # The warm-up builds fill the tool cache; a plugin that does not work yet is reported.
  if ! lp build "$src" --no-cache -q --out "$out" >"$log" 2>&1; then
    not_measured "$label" "\`lpack build\` failed: $(tail -n1 "$log" | scrub)"
    return
  fi
  locate_tools "$runtime"
  local toolcache=$tools/$runtime
  # The cache-miss builds share the tool cache too (lpack keeps it in <cache>/tools).
  ln -s "$tools" "$miss_cache/tools"
  if ! lp build "$src" --cache-dir "$miss_cache" -q --out "$out.miss" >>"$log" 2>&1; then
    not_measured "$label" "\`lpack build --cache-dir\` failed: $(tail -n1 "$log" | scrub)"
    return
  fi
  local note=""
  if ! diff <(lp explain "$src" --no-cache | sed -n 's/^  command /command /p') \
      "$helpers/$runtime.commands" >"$results/$slug.commands.diff"; then
    note=" (lpack's commands differ from tool.sh's: $(echo "$results/$slug.commands.diff" | scrub))"
    echo "bench/runtimes.sh: $label: lpack runs other commands than bench/runtimes/$runtime.commands" >&2
  fi
  local settings=""
  [[ $runtime == java ]] && settings=$work/home/.m2/settings.xml
  local empty_prep=""
  [[ $empty == 1 ]] && empty_prep=" && rm -rf '$toolcache'"
  local fresh="rm -rf '$copy' && cp -r '$fixtures/$fixture' '$copy'$empty_prep"
  local build="env HOME='$work/home' '$lpack' build '$src' -q"
  local args=(tool "$fresh" "'$helpers/tool.sh' $runtime '$copy' '$toolcache' '$copy/.bench-out' $settings")
  # With emptied tool caches a run is the tool's full work (Go's standard library, a Maven
  # repository copied), so only the two main contenders run there, without a warm-up.
  local warmup=1
  if [[ $empty == 1 ]]; then
    warmup=0
  elif command -v zip >/dev/null; then
    args+=(tool-zip "$fresh" "'$helpers/tool.sh' --zip $runtime '$copy' '$toolcache' '$copy/.bench-out' $settings")
  fi
  args+=(lpack "rm -rf '$out'$empty_prep" "$build --no-cache --out '$out'")
  if [[ $empty != 1 ]]; then
    args+=(lpack-miss
      "rm -rf '$out.miss' && '$lpack' cache gc --cache-dir '$miss_cache' --max-size 0 >/dev/null"
      "$build --cache-dir '$miss_cache' --out '$out.miss'"
      explain "true" "env HOME='$work/home' '$lpack' explain '$src' --no-cache -q")
  fi
  if ! interleaved "$slug" "$warmup" "$n" "${args[@]}"; then
    not_measured "$label" "a timed command failed: $(grep -m1 -i 'error\|fail' "$results/$slug.hyperfine.log" | scrub)"
    return
  fi
  local s=$results/$slug.stats
  local over_mean over_min over_miss
  over_mean=$(pct "$(stat_of "$s" lpack 2)" "$(stat_of "$s" tool 2)")
  over_min=$(pct "$(stat_of "$s" lpack 4)" "$(stat_of "$s" tool 4)")
  local miss="–" over_miss="–" explain="–"
  if [[ -n $(stat_of "$s" lpack-miss 2) ]]; then
    miss=$(fmt "$s" lpack-miss)
    over_miss=$(pct "$(stat_of "$s" lpack-miss 2)" "$(stat_of "$s" tool 2)")
    explain=$(fmt "$s" explain)
  fi
  local verdict="no"
  if python3 -c "import sys; sys.exit(0 if float(sys.argv[1].split()[0]) <= 5 else 1)" "$over_mean"; then
    verdict="yes"
    met+=("$label")
  else
    missed+=("$label ($over_mean)")
  fi
  local with_zip="–" over_zip="–"
  if [[ -n $(stat_of "$s" tool-zip 2) ]]; then
    with_zip=$(fmt "$s" tool-zip)
    over_zip=$(pct "$(stat_of "$s" lpack 2)" "$(stat_of "$s" tool-zip 2)")
  fi
  echo "| $label | $(fmt "$s" tool) | $with_zip | $(fmt "$s" lpack) | $miss | $explain |" >>"$time_rows"
  local extra
  extra=$(python3 -c "import sys; print('%+.2f s' % (float(sys.argv[1]) - float(sys.argv[2])))" \
    "$(stat_of "$s" lpack 2)" "$(stat_of "$s" tool 2)")
  echo "| $label | $extra | $over_mean | $over_min | $over_miss | $over_zip | $verdict$note |" >>"$ratio_rows"
  [[ $empty == 1 ]] && lp build "$src" --no-cache -q --out "$out" >/dev/null 2>&1  # re-warm
  return 0
}

wants node && overhead_row node-esbuild node node-esbuild npm "$runs" 0
wants go && overhead_row go-vendored go go-vendored go "$runs" 0
wants java && overhead_row java-maven java java-maven mvn "$slow_runs" 0
if [[ ${EMPTY_TOOL_CACHES:-0} == 1 ]]; then
  wants node && overhead_row "node-esbuild (empty npm cache)" node node-esbuild npm "$slow_runs" 1
  wants go && overhead_row "go-vendored (empty GOCACHE)" go go-vendored go "$slow_runs" 1
  wants java && overhead_row "java-maven (empty Maven repository)" java java-maven mvn "$slow_runs" 1
fi

# ---------------------------------------------------------------------------------------
# node-esbuild against `serverless package`.
sls_block=$results/serverless.md
: >"$sls_block"
serverless_bench() {
  local sls_dir=$base_work/serverless
  local sls=$sls_dir/node_modules/.bin/serverless
  command -v npm >/dev/null || { echo "Not measured: npm is not installed." >"$sls_block"; return; }
  if [[ ! -x $sls ]]; then
    mkdir -p "$sls_dir"
    [[ -f $sls_dir/package.json ]] || echo '{ "private": true }' >"$sls_dir/package.json"
    if ! (cd "$sls_dir" && npm install --no-audit --no-fund serverless@3) >"$results/sls-install.log" 2>&1; then
      echo "Not measured: \`npm install serverless@3\` failed: $(tail -n1 "$results/sls-install.log" | scrub)" >"$sls_block"
      return
    fi
  fi
  echo "bench/runtimes.sh: node-esbuild against serverless package..." >&2
  local s=$work/sls
  rm -rf "$s"
  mkdir -p "$s/home"
  make_project() {  # DIR: the fixture plus serverless.yml
    cp -r "$fixtures/node-esbuild" "$1"
    cp "$helpers/serverless.yml" "$1/serverless.yml"
  }
  make_project "$s/project"
  cp -r "$fixtures/node-esbuild" "$s/src"
  # lpack's warm-up also fills the npm cache that serverless's `npm ci` shares.
  if ! lp build "$s/src" --runtime nodejs20.x -q --no-cache --out "$s/out-cold" >"$results/sls-lpack.log" 2>&1; then
    echo "Not measured: \`lpack build\` failed: $(tail -n1 "$results/sls-lpack.log" | scrub)" >"$sls_block"
    return
  fi
  locate_tools node
  # Serverless keeps its own caches (a compiled schema validator) under $HOME/.serverless:
  # a HOME of ours, warmed by the first run like the npm cache. No telemetry, no notices.
  local sls_env=("HOME=$s/home" SLS_TELEMETRY_DISABLED=1 SLS_NOTIFICATIONS_MODE=off
    "npm_config_cache=$tools/node/npm" npm_config_update_notifier=false)
  local version
  version=$(cd "$s" && env "${sls_env[@]}" "$sls" --version 2>&1 | sed -n 's/^Framework Core: \([^ ]*\).*/\1/p')
  [[ -n $version ]] || version="v3 (unknown version)"
  local install=(npm ci --omit=dev --no-audit --no-fund)
  local envq
  printf -v envq '%q ' "${sls_env[@]}"
  local pkg="env $envq'$sls' package"
  local lbuild="env HOME='$work/home' '$lpack' build '$s/src' --runtime nodejs20.x -q"
  # Warm-up: npm cache, serverless's own cache, lpack's tool cache and a filled lpack cache.
  if ! (cd "$s/project" && env "${sls_env[@]}" "${install[@]}" && env "${sls_env[@]}" "$sls" package) \
      >"$results/sls-warmup.log" 2>&1; then
    echo "Not measured: \`serverless package\` failed: $(tail -n3 "$results/sls-warmup.log" | tr '\n' ' ' | scrub)" >"$sls_block"
    return
  fi
  # Proof that it runs offline: one more package in a network namespace without interfaces.
  local offline="not checked (unshare -rn is not permitted here)"
  if unshare -rn true 2>/dev/null; then
    if (cd "$s/project" && env "${sls_env[@]}" unshare -rn "$sls" package) >"$results/sls-offline.log" 2>&1; then
      offline="yes (it succeeds under \`unshare -rn\`: no network interface at all)"
    else
      offline="no: \`serverless package\` fails without a network: $(tail -n1 "$results/sls-offline.log" | scrub)"
    fi
  fi
  lp build "$s/src" --runtime nodejs20.x -q --cache-dir "$s/lpack-cache" --out "$s/out-warm" >/dev/null
  if ! interleaved sls 1 "$slow_runs" \
      sls-cold "rm -rf '$s/project/node_modules' '$s/project/.serverless'" \
      "cd '$s/project' && env $envq${install[*]} >/dev/null 2>&1 && $pkg" \
      sls-warm "true" "cd '$s/project' && $pkg" \
      lpack-cold "rm -rf '$s/out-cold'" "$lbuild --no-cache --out '$s/out-cold'" \
      lpack-warm "true" "$lbuild --cache-dir '$s/lpack-cache' --out '$s/out-warm'"; then
    echo "Not measured: a timed command failed: $(grep -m1 -i 'error\|fail' "$results/sls.hyperfine.log" | scrub)" >"$sls_block"
    return
  fi
  local st=$results/sls.stats

  # Same bytes? serverless: package again in the same folder, then a fresh copy with its own
  # `npm ci`. lpack: a cold build of a second copy, and the warm build.
  local zip=.serverless/lpack-bench-node.zip
  (cd "$s/project" && env "${sls_env[@]}" "$sls" package) >/dev/null 2>&1
  local sls1 sls2 sls3
  sls1=$(zip_sha "$s/project/$zip")
  sleep 1
  (cd "$s/project" && env "${sls_env[@]}" "$sls" package) >/dev/null 2>&1
  sls2=$(zip_sha "$s/project/$zip")
  make_project "$s/project2"
  (cd "$s/project2" && umask 0077 && export TZ=Asia/Kolkata LC_ALL=C &&
    env "${sls_env[@]}" "${install[@]}" && env "${sls_env[@]}" "$sls" package) >/dev/null 2>&1
  sls3=$(zip_sha "$s/project2/$zip")
  cp -r "$fixtures/node-esbuild" "$s/src2"
  (umask 0077 && TZ=Asia/Kolkata LC_ALL=C lp build "$s/src2" --runtime nodejs20.x -q --no-cache -j1 --out "$s/out-cold2") >/dev/null
  local l1 l2 l3
  l1=$(zip_sha "$s/out-cold/function.zip" "$s/out-cold/layer.zip")
  l2=$(zip_sha "$s/out-warm/function.zip" "$s/out-warm/layer.zip")
  l3=$(zip_sha "$s/out-cold2/function.zip" "$s/out-cold2/layer.zip")
  same() { [[ $1 == "$2" && $2 == "$3" ]] && echo yes || echo no; }
  local sls_size lpack_size
  sls_size=$(stat -c %s "$s/project/$zip")
  lpack_size=$(( $(stat -c %s "$s/out-cold/function.zip") + $(stat -c %s "$s/out-cold/layer.zip") ))
  local bin_note=""
  if command -v unzip >/dev/null && unzip -Z1 "$s/project/$zip" | grep '^node_modules/\.bin/' >/dev/null; then
    bin_note="Serverless also packs \`node_modules/.bin\`, its links stored as copies of their targets."
  fi

  {
    echo "Serverless Framework $version, \`serverless.yml\`: bench/runtimes/serverless.yml"
    echo "(nodejs20.x, x86_64, \`package.individually: false\`); lpack builds the same fixture with"
    echo "\`--runtime nodejs20.x\`. Serverless zips the \`node_modules\` on disk, so its cold build is"
    echo "\`npm ci --omit=dev\` + \`serverless package\` (same warm npm cache as lpack's), its warm build"
    echo "\`serverless package\` alone. lpack cold: \`--no-cache\`; warm: a filled \`--cache-dir\`,"
    echo "nothing changed. Mean ± standard deviation of $slow_runs interleaved runs after a warm-up round."
    echo "Runs offline: $offline."
    echo
    echo "| build | serverless | lpack | serverless / lpack |"
    echo "| --- | ---: | ---: | ---: |"
    echo "| cold | $(fmt "$st" sls-cold) | $(fmt "$st" lpack-cold) | $(ratio "$(stat_of "$st" sls-cold 2)" "$(stat_of "$st" lpack-cold 2)") |"
    echo "| warm | $(fmt "$st" sls-warm) | $(fmt "$st" lpack-warm) | $(ratio "$(stat_of "$st" sls-warm 2)" "$(stat_of "$st" lpack-warm 2)") |"
    echo
    echo "Same bytes twice? SHA-256 prefixes; lpack: function.zip+layer.zip ($lpack_size bytes together),"
    echo "serverless: its one zip of code and dependencies ($sls_size bytes)."
    if [[ -n $bin_note ]]; then echo "$bin_note"; fi
    echo
    echo "| tool | first build | again, same folder | fresh copy, fresh install, umask 077, other TZ | identical |"
    echo "| --- | --- | --- | --- | --- |"
    echo "| serverless package | $sls1 | $sls2 (1 s later) | $sls3 | $(same "$sls1" "$sls2" "$sls3") |"
    echo "| lpack build | $l1 (--no-cache) | $l2 (warm cache) | $l3 (and -j1) | $(same "$l1" "$l2" "$l3") |"
  } >"$sls_block"
}
wants serverless && serverless_bench

# ---------------------------------------------------------------------------------------
minutes=$(python3 -c "print('%.1f' % ($SECONDS / 60))")
machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), Linux $(uname -r); run $(date -u +%Y-%m-%d)"
versions="node $(node --version 2>/dev/null || echo -), npm $(npm --version 2>/dev/null || echo -), $(go version 2>/dev/null | cut -d' ' -f3 || echo go -), $(mvn -B -v 2>/dev/null | sed -n '1s/\x1b\[[0-9;]*m//g;1p' || echo mvn -), $("$lpack" --version)"
load=$(cut -d' ' -f1-3 /proc/loadavg)
block=$results/runtimes.md
{
  echo "Machine: $machine; load average $load when it ended; the whole run took $minutes min."
  echo "Tools: $versions."
  echo
  if wants node || wants go || wants java; then
    echo "### lpack's overhead over the package manager alone"
    echo
    echo "Cold lpack (\`lpack build --no-cache\`: no action cache, no stat cache; like the tool caches,"
    echo "the toolchain checks are remembered in lpack's private scratch folder) against"
    echo "the same commands run by hand in a fresh copy (bench/runtimes/tool.sh). Both use one warm"
    echo "tool cache (npm cache, GOCACHE + GOPATH, Maven repository), filled by a build first, so"
    echo "neither downloads nor rebuilds Go's standard library. Columns:"
    echo
    echo "- **+ zip -X -6**: the tool, then Info-ZIP zipping the same entries (\`tool.sh --zip\`), what"
    echo "  a hand-written deploy script does; lpack zips too, so the overhead over it is lpack's own."
    echo "- **cache miss**: \`lpack build\` with a cache folder that has built before but holds no"
    echo "  artifact (\`lpack cache gc --max-size 0\` before each run): the toolchain probes and file"
    echo "  hashes are remembered, as on a developer's machine after a dependency change."
    echo "- **explain**: \`lpack explain --no-cache\`, the probes and input hashing that precede the tool."
    echo
    echo "Overhead = (lpack − tool) / tool, from the means (and from the best runs). The 5 % target is"
    echo "judged on the means of \`--no-cache\` against the package manager alone. Mean ± standard"
    echo "deviation of $runs runs ($slow_runs for Maven) after a warm-up round, interleaved: each round"
    echo "runs every command once, starting one further along each time, so a machine whose load"
    echo "drifts favours none of them."
    if [[ ${EMPTY_TOOL_CACHES:-0} == 1 ]]; then
      echo "Rows marked \"empty\": the tool cache emptied before every run of both sides, so the"
      echo "tool does its full work (npm downloads from the registry, Go builds its standard library,"
      echo "the Maven repository is copied from Debian's): a cold build in the full sense;"
      echo "$slow_runs rounds, no warm-up."
    fi
    echo
    echo "| fixture | package manager alone | + zip -X -6 | lpack --no-cache | lpack, cache miss | lpack explain |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: |"
    cat "$time_rows"
    echo
    echo "| fixture | lpack − tool | overhead, --no-cache | (best runs) | overhead, cache miss | --no-cache over tool + zip | ≤ 5 %? |"
    echo "| --- | ---: | ---: | ---: | ---: | ---: | --- |"
    cat "$ratio_rows"
    echo
    met_list=$(join_list ${met[@]+"${met[@]}"})
    missed_list=$(join_list ${missed[@]+"${missed[@]}"})
    if [[ -z $missed_list && -n $met_list ]]; then
      echo "Target \"lpack overhead ≤ 5 %\": **met** for $met_list."
    elif [[ -n $missed_list ]]; then
      echo "Target \"lpack overhead ≤ 5 %\": **not met** for $missed_list${met_list:+; met for $met_list}."
    fi
    echo
  fi
  if wants serverless; then
    echo "### node-esbuild against \`serverless package\`"
    echo
    cat "$sls_block"
    echo
  fi
} >"$block"

if [[ -z ${ONLY:-} ]]; then
  python3 "$here/doc_block.py" "$top/docs/benchmarks.md" runtimes bench/runtimes.sh "$block" "$helpers/doc-intro.md"
fi
cat "$block"
