#!/usr/bin/env bash
# labels: java slow
# Builds the Maven fixture offline against Debian's on-disk Maven repository, reached the way
# a user with a company mirror reaches theirs: a mirror in ~/.m2/settings.xml (in a HOME of
# the test's own) whose URL comes from an environment variable. Checks the layout (classes
# at the function's root, runtime jars under the layer's java/lib/, no test-scoped junit),
# runs the handler with `java -cp` over the unzipped function + layer as Lambda lays them
# out (/var/task, /opt), byte-identical zips from two folders (one offline with a cache, one
# online without), the layer key's independence from handler code, and the failure
# messages of a compile error and of a dependency no repository has.
. "${LPACK_TEST_LIB:-$(dirname "$0")/lib.sh}"

need java javac mvn python3 unzip
debian_repo=/usr/share/maven-repo
for artifact in \
  org/apache/maven/plugins/maven-dependency-plugin/3.5.0 \
  org/apache/maven/plugins/maven-compiler-plugin/3.10.1 \
  org/apache/maven/plugins/maven-resources-plugin/3.3.0 \
  org/apache/commons/commons-lang3/3.12.0 \
  junit/junit/4.13.2; do
  [ -d "$debian_repo/$artifact" ] || skip "$debian_repo/$artifact is missing; apt-get install maven \
libmaven-compiler-plugin-java libmaven-resources-plugin-java libmaven-dependency-plugin-java libcommons-lang3-java junit4"
done

export HOME="$TEST_TMP/home"
export XDG_CACHE_HOME="$TEST_TMP/xdg"  # the tool cache of --no-cache builds
unset MAVEN_OPTS MAVEN_ARGS JAVA_TOOL_OPTIONS || true
mkdir -p "$HOME/.m2"
# The mirror's URL comes from the environment, as CI settings often take credentials: lpack
# must carry ${env.X} references into its clean build environment.
export LPACK_TEST_MAVEN_REPO="file://$debian_repo"
cat >"$HOME/.m2/settings.xml" <<'EOF'
<settings>
  <mirrors>
    <mirror>
      <id>debian</id>
      <mirrorOf>*</mirrorOf>
      <url>${env.LPACK_TEST_MAVEN_REPO}</url>
    </mirror>
  </mirrors>
</settings>
EOF

key() { python3 -c 'import json, sys; print(json.load(open(sys.argv[1]))["artifacts"][sys.argv[2]]["key"])' "$1/manifest.json" "$2"; }

copy_fixture java-maven "$TEST_TMP/a/src"
copy_fixture java-maven "$TEST_TMP/b/another/place/src"
out_a="$TEST_TMP/out-a"
out_b="$TEST_TMP/out-b"

expect_exit 0 "java-maven builds offline with a cache" -- \
  "$LPACK" build "$TEST_TMP/a/src" --arch arm64 --out "$out_a" --cache-dir "$TEST_TMP/cache-a" --offline -q
expect_exit 0 "java-maven builds elsewhere without a cache, online" -- \
  env TZ=America/Los_Angeles LC_ALL=C bash -c 'umask 077; exec "$@"' _ \
  "$LPACK" build "$TEST_TMP/b/another/place/src" --arch arm64 --out "$out_b" --no-cache -j 1 -q
[ -f "$out_a/function.zip" ] && [ -f "$out_a/layer.zip" ] || { fail "java-maven: zips missing"; finish; }

for zip in function.zip layer.zip; do
  expect_eq "$zip is byte-identical across folders and caches" \
    "$(sha256sum <"$out_a/$zip")" "$(sha256sum <"$out_b/$zip")"
done

zip_has "$out_a/layer.zip" "java/lib/commons-lang3-3.12.0.jar"
zip_lacks "$out_a/layer.zip" "junit|hamcrest"
expect_eq "the layer holds only java/lib/ jars" \
  "$(zip_names "$out_a/layer.zip" | grep -v '/$' | grep -cvE '^java/lib/[^/]+\.jar$')" "0"
zip_has "$out_a/function.zip" "example/Handler.class"
zip_has "$out_a/function.zip" "example/Messages.class"
zip_has "$out_a/function.zip" "banner.txt"
zip_lacks "$out_a/function.zip" '\.java$|HandlerTest|^target/|pom\.xml'
grep -q '"handler": "example.Handler::handleRequest"' "$out_a/manifest.json" && pass "the handler was found" \
  || fail "manifest.json lacks handler example.Handler::handleRequest"
grep -q '"runtime": "java17"' "$out_a/manifest.json" && pass "runtime java17" || fail "manifest.json lacks runtime java17"

# Dependency jars are the repository's bytes, untouched.
mkdir -p "$TEST_TMP/opt" "$TEST_TMP/task"
unzip -q -o "$out_a/layer.zip" -d "$TEST_TMP/opt"
unzip -q -o "$out_a/function.zip" -d "$TEST_TMP/task"
expect_eq "commons-lang3 jar is as published" \
  "$(sha256sum <"$TEST_TMP/opt/java/lib/commons-lang3-3.12.0.jar")" \
  "$(sha256sum <"$debian_repo/org/apache/commons/commons-lang3/3.12.0/commons-lang3-3.12.0.jar")"

# The handler runs over the unzipped function (/var/task) and layer (/opt) with its dependency.
expect_eq "java -cp task:opt/java/lib/* example.Handler" \
  "$(java -cp "$TEST_TMP/task:$TEST_TMP/opt/java/lib/*" example.Handler 2>&1)" "Hello, Lpack! (built by lpack)"

# The layer depends on pom.xml only: editing the handler rebuilds the function, not the layer.
sed -i 's/"Hello, "/"Hi, "/' "$TEST_TMP/a/src/src/main/java/example/Handler.java"
expect_exit 0 "rebuild after editing Handler.java" -- \
  "$LPACK" build "$TEST_TMP/a/src" --arch arm64 --out "$TEST_TMP/out-edit" --cache-dir "$TEST_TMP/cache-a" --offline -q
expect_eq "layer key unchanged by a handler edit" "$(key "$TEST_TMP/out-edit" layer)" "$(key "$out_a" layer)"
[ "$(key "$TEST_TMP/out-edit" function)" != "$(key "$out_a" function)" ] && pass "function key follows the handler" \
  || fail "editing Handler.java did not change the function key"
expect_eq "layer.zip unchanged by a handler edit" \
  "$(sha256sum <"$TEST_TMP/out-edit/layer.zip")" "$(sha256sum <"$out_a/layer.zip")"

# Bad input: javac's message; Maven's message for an artifact no repository has.
expect_exit 1 "java-compile-error fails" -- \
  "$LPACK" build "$LPACK_FIXTURES/java-compile-error" --out "$TEST_TMP/out-err1" --cache-dir "$TEST_TMP/cache-a" --offline
expect_output_contains "javac's message is shown" "Handler.java:[7,16] cannot find symbol"
expect_output_contains "the missing symbol is named" "undefinedHelper"
[ ! -e "$TEST_TMP/out-err1/function.zip" ] && pass "no function.zip after a failed build" || fail "a failed build left function.zip"

expect_exit 1 "java-missing-dependency fails" -- \
  "$LPACK" build "$LPACK_FIXTURES/java-missing-dependency" --out "$TEST_TMP/out-err2" --cache-dir "$TEST_TMP/cache-a" --offline
expect_output_contains "Maven's message names the artifact" "org.lpack.fixtures:no-such-library:jar:9.9.9"

finish
