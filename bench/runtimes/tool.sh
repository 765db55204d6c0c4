#!/usr/bin/env bash
# The package manager alone, doing what lpack's plugin runs for a fixture (the argv of
# `lpack explain`, kept in <runtime>.commands), with the clean environment lpack's builder
# gives its commands: PATH, a fresh HOME and TMPDIR, C.UTF-8, UTC, SOURCE_DATE_EPOCH.
# bench/runtimes.sh times it against `lpack build --no-cache` on the same tool caches.
#
#   tool.sh [--zip] node|go|java PROJECT TOOLCACHE OUT [MAVEN_SETTINGS]
#
# PROJECT is a fresh copy of the fixture (written to, as lpack's staged copy is); TOOLCACHE
# is the plugin's tool cache lpack used (npm cache, GOCACHE/GOPATH, Maven repository); the
# artifacts land in OUT (node_modules stays in PROJECT, as lpack packs it from its {work}).
# --zip then zips them as a hand-written deploy script would (Info-ZIP `zip -X -6`, the same
# entries and prefixes as lpack's function.zip and layer.zip): the tool's share of a build
# that ends, like lpack's, with zips.
set -euo pipefail
zip=0
if [[ ${1:-} == --zip ]]; then
  zip=1
  shift
fi
runtime=$1 project=$2 toolcache=$3 out=$4 settings=${5:-}
cd "$project"
mkdir -p .bench-home .bench-tmp "$out"
base=(env -i "PATH=$PATH" "HOME=$project/.bench-home" "TMPDIR=$project/.bench-tmp"
      LANG=C.UTF-8 LC_ALL=C.UTF-8 TZ=UTC SOURCE_DATE_EPOCH=315532800)
# A CA bundle the environment names is passed through by lpack's node plugin too.
[[ -n ${NODE_EXTRA_CA_CERTS:-} ]] && base+=("NODE_EXTRA_CA_CERTS=$NODE_EXTRA_CA_CERTS")

case $runtime in
  node)
    npm_env=("npm_config_cache=$toolcache/npm" npm_config_update_notifier=false)
    "${base[@]}" "${npm_env[@]}" npm ci --omit=dev --no-audit --no-fund --os=linux --cpu=x64 \
      --libc=glibc --ignore-scripts >/dev/null 2>&1
    "${base[@]}" "${npm_env[@]}" npm rebuild --no-audit --no-fund >/dev/null 2>&1
    ;;
  go)
    "${base[@]}" CGO_ENABLED=0 GOOS=linux GOARCH=amd64 GOFLAGS=-mod=vendor GOTOOLCHAIN=local \
      GOWORK=off "GOCACHE=$toolcache/go-build" "GOPATH=$toolcache/gopath" \
      go build -trimpath -buildvcs=false '-ldflags=-s -w -buildid=' -o "$out/bootstrap" .
    ;;
  java)
    [[ -n $settings ]] || { echo "tool.sh: java needs a Maven settings file" >&2; exit 2; }
    mvn=(mvn -B -ntp -q -s "$settings" "-Dmaven.repo.local=$toolcache/m2")
    "${base[@]}" "${mvn[@]}" org.apache.maven.plugins:maven-dependency-plugin:3.5.0:copy-dependencies \
      -DincludeScope=runtime "-DoutputDirectory=$out"
    "${base[@]}" "${mvn[@]}" -Dproject.build.outputTimestamp=1980-01-01T00:00:02Z \
      -Dmaven.compiler.release=17 -Dmaven.compiler.source=17 -Dmaven.compiler.target=17 process-classes
    ;;
  *)
    echo "tool.sh: unknown runtime $runtime (node, go or java)" >&2
    exit 2
    ;;
esac

((zip)) || exit 0
case $runtime in
  node)
    zip -X -q -6 "$out/function.zip" index.js package.json
    mkdir -p .bench-layer/nodejs
    mv node_modules .bench-layer/nodejs/
    (cd .bench-layer && zip -X -q -r -6 "$out/layer.zip" nodejs -x '*/.bin/*' '*/.package-lock.json')
    ;;
  go)
    (cd "$out" && zip -X -q -6 function.zip bootstrap)
    ;;
  java)
    mkdir -p .bench-layer/java
    mv "$out" .bench-layer/java/lib
    mkdir -p "$out"
    (cd .bench-layer && zip -X -q -r -6 "$out/layer.zip" java)
    (cd target/classes && zip -X -q -r -6 "$out/function.zip" .)
    ;;
esac
