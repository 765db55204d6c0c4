#!/usr/bin/env bash
# labels: fast remote
# The http(s):// remote cache against nginx with WebDAV (a real dumb HTTP cache server): two
# "machines" share it; the bytes under /ac/ are a REAPI ActionResult naming both CAS blobs
# (checked with protoc --decode_raw when installed); Basic credentials from the URL and from
# ~/.netrc never appear in output or logs lpack writes.
. "$LPACK_TEST_LIB"
. "$LPACK_SOURCE_DIR/tests/servers/servers.sh"
: "${LPACK_REMOTE_PROBE:?set by CTest}"
need curl

start_nginx_dav
probe() { "$LPACK_REMOTE_PROBE" "$@"; }
export HOME="$TEST_TMP/home-a"
mkdir -p "$HOME"

KEY=$(printf 'http action' | sha256sum | cut -d' ' -f1)
head -c 2000000 /dev/urandom >"$TEST_TMP/artifact.zip"
BLOB=$(sha256sum "$TEST_TMP/artifact.zip" | cut -d' ' -f1)
REMOTE="http://ci:hunter2-pass@127.0.0.1:$NGINX_PORT/team-cache"

expect_exit 0 "machine A uploads" -- probe cache put --write --local "$TEST_TMP/cache-a" --remote "$REMOTE" "$KEY" "$TEST_TMP/artifact.zip"
expect_output_contains "one upload" "uploads=1"
[ -f "$NGINX_ROOT/team-cache/ac/$KEY" ] && pass "ac/<key> stored" || fail "no ac/$KEY on the server"
cmp -s "$TEST_TMP/artifact.zip" "$NGINX_ROOT/team-cache/cas/$BLOB" && pass "cas/<sha256> holds the artifact" || fail "cas blob missing or different"

if command -v protoc >/dev/null; then
  protoc --decode_raw <"$NGINX_ROOT/team-cache/ac/$KEY" >"$TEST_TMP/decoded.txt"
  grep -q '1: "lpack/artifact.zip"' "$TEST_TMP/decoded.txt" && grep -q "1: \"$BLOB\"" "$TEST_TMP/decoded.txt" &&
    grep -q '2: 2000000' "$TEST_TMP/decoded.txt" && pass "protoc reads an ActionResult naming the artifact" ||
    { fail "protoc --decode_raw:"; cat "$TEST_TMP/decoded.txt" >&2; }
  RECORD=$(grep -A3 '1: "lpack/record"' "$TEST_TMP/decoded.txt" | sed -n 's/.*1: "\([0-9a-f]\{64\}\)"/\1/p')
  [ -n "$RECORD" ] && [ "$(sha256sum <"$NGINX_ROOT/team-cache/cas/$RECORD" | cut -d' ' -f1)" == "$RECORD" ] &&
    head -1 "$NGINX_ROOT/team-cache/cas/$RECORD" | grep -q '^lpack-record 2$' &&
    pass "the record text is a CAS blob named by its hash" || fail "record blob $RECORD"
else
  echo "protoc not installed: ActionResult bytes not cross-checked"
fi

export HOME="$TEST_TMP/home-b"
mkdir -p "$HOME"
printf 'machine 127.0.0.1 login ci password hunter2-pass\n' >"$HOME/.netrc"
expect_exit 0 "machine B (credentials from ~/.netrc) gets a remote hit" -- probe cache get --local "$TEST_TMP/cache-b" --remote "http://127.0.0.1:$NGINX_PORT/team-cache" "$KEY" "$TEST_TMP/b.zip"
expect_output_contains "remote hit" "hit remote"
cmp -s "$TEST_TMP/artifact.zip" "$TEST_TMP/b.zip" && pass "same bytes on B" || fail "B's bytes differ"

# Content-Length on every PUT: nginx logs the request length; a chunked PUT would be refused
# by bazel-remote. (nginx's access log: "PUT /team-cache/cas/<sha> HTTP/1.1" 201 ...)
PUTS=$(grep -c '"PUT /team-cache/' "$NGINX_ACCESS_LOG" || true)
expect_eq "three PUTs: artifact, record text, action result" "$PUTS" "3"
grep -q '"PUT /team-cache/cas/'"$BLOB" "$NGINX_ACCESS_LOG" && pass "artifact PUT logged" || fail "no artifact PUT"
ORDER=$(grep '"PUT /team-cache/' "$NGINX_ACCESS_LOG" | sed 's/.*"PUT \/team-cache\/\([a-z]*\)\/.*/\1/' | tr '\n' ' ')
expect_eq "blobs before the record" "$ORDER" "cas cas ac "

# A second upload of the same entry finds the blob and does not send it again.
expect_exit 0 "machine B re-uploads" -- probe cache put --write --local "$TEST_TMP/cache-b" --remote "$REMOTE" "$KEY" "$TEST_TMP/artifact.zip"
expect_eq "the blob is not sent twice" "$(grep -c '"PUT /team-cache/cas/'"$BLOB" "$NGINX_ACCESS_LOG")" "1"

# No secret in anything lpack printed or stored.
if grep -rqF "hunter2-pass" "$TEST_TMP/cache-a" "$TEST_TMP/cache-b" "$TEST_TMP/last.log"; then
  fail "the password reached a cache file or the output"
else pass "the password is in no cache file or output"; fi

# Corrupted bytes on the server: a miss, a warning, nothing stored locally.
printf 'X' | dd of="$NGINX_ROOT/team-cache/cas/$BLOB" bs=1 seek=1000 conv=notrunc 2>/dev/null
expect_exit 3 "poisoned blob is a miss" -- probe cache get --local "$TEST_TMP/cache-c" --remote "$REMOTE" "$KEY" "$TEST_TMP/c.zip"
expect_output_contains "corrupt counted" "corrupt=1"
expect_output_contains "warned" "do not match"
[ ! -e "$TEST_TMP/c.zip" ] && pass "no artifact written" || fail "an artifact was written from poisoned bytes"

exit $((failures > 0))
