#!/usr/bin/env bash
# labels: java slow
# Builds the Gradle fixture offline with the gradle on PATH (Debian's 4.4.1 works), its
# repository being Debian's on-disk Maven repository handed over as a project property
# through ORG_GRADLE_PROJECT_lpackRepo, which lpack passes through. Checks the same layout as
# Maven's (classes at the function's root, runtime jars under java/lib/, no junit), runs the
# handler with `java -cp`, compares two builds from two folders byte for byte, and checks
# that a build targeting a newer Java than the runtime fails with lpack's message.
. "${LPACK_TEST_LIB:-$(dirname "$0")/lib.sh}"

need java gradle python3 unzip
debian_repo=/usr/share/maven-repo
for artifact in org/apache/commons/commons-lang3/3.12.0 junit/junit/4.13.2; do
  [ -d "$debian_repo/$artifact" ] || skip "$debian_repo/$artifact is missing; apt-get install libcommons-lang3-java junit4"
done
export HOME="$TEST_TMP/home"
export XDG_CACHE_HOME="$TEST_TMP/xdg"
export ORG_GRADLE_PROJECT_lpackRepo="file://$debian_repo"
unset GRADLE_OPTS JAVA_TOOL_OPTIONS GRADLE_USER_HOME || true
mkdir -p "$HOME"

# A gradle that cannot even start here (too old for this JDK, say) is a missing tool.
gradle --no-daemon --version >"$TEST_TMP/gradle-version.log" 2>&1 \
  || skip "gradle on PATH does not run: $(tail -3 "$TEST_TMP/gradle-version.log")"

copy_fixture java-gradle "$TEST_TMP/a/src"
copy_fixture java-gradle "$TEST_TMP/b/elsewhere/src"
out_a="$TEST_TMP/out-a"
out_b="$TEST_TMP/out-b"
expect_exit 0 "java-gradle builds offline with a cache" -- \
  "$LPACK" build "$TEST_TMP/a/src" --arch arm64 --out "$out_a" --cache-dir "$TEST_TMP/cache-a" --offline -q
expect_exit 0 "java-gradle builds elsewhere without a cache" -- \
  env TZ=Europe/Paris LC_ALL=C bash -c 'umask 077; exec "$@"' _ \
  "$LPACK" build "$TEST_TMP/b/elsewhere/src" --arch arm64 --out "$out_b" --no-cache --offline -j 1 -q
[ -f "$out_a/function.zip" ] && [ -f "$out_a/layer.zip" ] || { fail "java-gradle: zips missing"; finish; }

for zip in function.zip layer.zip; do
  expect_eq "$zip is byte-identical across folders and caches" \
    "$(sha256sum <"$out_a/$zip")" "$(sha256sum <"$out_b/$zip")"
done
layer_names=$(zip_names "$out_a/layer.zip")
function_names=$(zip_names "$out_a/function.zip")
expect_eq "layer entries" "$layer_names" "$(printf 'java/\njava/lib/\njava/lib/commons-lang3-3.12.0.jar')"
expect_eq "function entries" "$function_names" \
  "$(printf 'banner.txt\nexample/\nexample/Handler.class\nexample/Messages.class')"

mkdir -p "$TEST_TMP/opt" "$TEST_TMP/task"
unzip -q -o "$out_a/layer.zip" -d "$TEST_TMP/opt"
unzip -q -o "$out_a/function.zip" -d "$TEST_TMP/task"
expect_eq "java -cp task:opt/java/lib/* example.Handler" \
  "$(java -cp "$TEST_TMP/task:$TEST_TMP/opt/java/lib/*" example.Handler 2>&1)" \
  "Hello, Lpack! (built by lpack with gradle)"

# Classes for a newer Java than the runtime would not load on Lambda: the build says so.
sed -i "s/targetCompatibility = '11'/targetCompatibility = '17'/; s/sourceCompatibility = '11'/sourceCompatibility = '17'/" \
  "$TEST_TMP/a/src/build.gradle"
expect_exit 1 "java-gradle targeting 17 fails for java11" -- \
  "$LPACK" build "$TEST_TMP/a/src" --runtime java11 --out "$TEST_TMP/out-old" --cache-dir "$TEST_TMP/cache-a" --offline
# (Gradle 4.4 reports any level past 11 as 12, so only the runtime's half is checked.)
expect_output_contains "the message names the task" "lpack: :compileJava targets Java"
expect_output_contains "the message names the runtime" "but the Lambda runtime is java11"

finish
