#!/usr/bin/env bash
# labels: remote
# A remote cache that is stopped, never answers, trickles, drops connections, refuses
# credentials, fails, throttles or serves wrong bytes: every lookup ends as a miss (exit 3 of
# the probe, never an error), with one warning naming the cause, and the remote is switched
# off; wrong bytes are never stored. Read-only mode sends no write request (the server's log).
. "$LPACK_TEST_LIB"
. "$LPACK_SOURCE_DIR/tests/servers/servers.sh"
: "${LPACK_REMOTE_PROBE:?set by CTest}"
need curl

probe() { "$LPACK_REMOTE_PROBE" "$@"; }
export HOME="$TEST_TMP/home"
mkdir -p "$HOME"
KEY=$(printf 'fault action' | sha256sum | cut -d' ' -f1)
head -c 50000 /dev/urandom >"$TEST_TMP/artifact.zip"

# Stopped: nothing listens on the port.
DEAD=$(free_port)
expect_exit 3 "stopped remote is a miss" -- probe cache get --local "$TEST_TMP/c0" --remote "http://127.0.0.1:$DEAD" "$KEY" "$TEST_TMP/x"
expect_output_contains "switched off, named" "remote cache http://127.0.0.1:$DEAD switched off for this run (error)"

start_fault_server ok
expect_exit 0 "seed the fault server" -- probe cache put --write --local "$TEST_TMP/seed" --remote "$FAULT_URL" "$KEY" "$TEST_TMP/artifact.zip"
expect_exit 0 "it serves a hit when healthy" -- probe cache get --local "$TEST_TMP/c1" --remote "$FAULT_URL" "$KEY" "$TEST_TMP/ok.zip"
expect_output_contains "healthy hit" "hit remote"

check_mode() {  # MODE EXPECTED-KIND [probe options]
  local mode=$1 kind=$2
  shift 2
  fault_mode "$mode"
  local start=$SECONDS
  expect_exit 3 "$mode: a miss" -- probe cache get "$@" --local "$TEST_TMP/c-$mode" --remote "$FAULT_URL" "$KEY" "$TEST_TMP/out-$mode"
  expect_output_contains "$mode: switched off ($kind)" "switched off for this run ($kind)"
  expect_eq "$mode: one warning" "$(grep -c '^warning:' "$TEST_TMP/last.log")" "1"
  [ ! -e "$TEST_TMP/out-$mode" ] && pass "$mode: no artifact" || fail "$mode: an artifact was written"
  echo "    ($mode took $((SECONDS - start)) s)"
}
check_mode "status:401" unauthorized
check_mode "status:403" unauthorized
check_mode "status:500" error --attempts 2
check_mode "429:1" error --attempts 2
check_mode drop error --attempts 2
check_mode hang timeout --timeout 2 --attempts 1
check_mode slow timeout --timeout 3 --attempts 1

# 429 with Retry-After is retried after the pause, then succeeds when the server recovers.
fault_mode "429:1"
( sleep 0.5; fault_mode ok ) &
recover=$!
expect_exit 0 "throttled then recovered" -- probe cache get --attempts 3 --local "$TEST_TMP/c-429ok" --remote "$FAULT_URL" "$KEY" "$TEST_TMP/ok2.zip"
expect_output_contains "hit after the pause" "hit remote"
wait "$recover"

for mode in corrupt truncate; do
  fault_mode "$mode"
  expect_exit 3 "$mode: a miss" -- probe cache get --attempts 1 --local "$TEST_TMP/c-$mode" --remote "$FAULT_URL" "$KEY" "$TEST_TMP/out-$mode"
  [ ! -e "$TEST_TMP/out-$mode" ] && pass "$mode: no artifact" || fail "$mode: an artifact was written"
  ls "$TEST_TMP/c-$mode/cas" 2>/dev/null | grep -q . && fail "$mode: something reached the local CAS" || pass "$mode: local CAS empty"
done
fault_mode corrupt
expect_exit 3 "corrupt" -- probe cache get --local "$TEST_TMP/c-corrupt2" --remote "$FAULT_URL" "$KEY" "$TEST_TMP/x"
expect_output_contains "corrupt is counted, not a switch-off" "corrupt=1"
expect_output_contains "remote stays on" "enabled=1"

# Read-only mode: a miss and a local store make no write request.
fault_mode ok
: >"$FAULT_LOG"
KEY2=$(printf 'other action' | sha256sum | cut -d' ' -f1)
expect_exit 3 "read-only miss" -- probe cache get --local "$TEST_TMP/ro" --remote "$FAULT_URL" "$KEY2" "$TEST_TMP/x"
expect_exit 0 "read-only store" -- probe cache put --local "$TEST_TMP/ro" --remote "$FAULT_URL" "$KEY2" "$TEST_TMP/artifact.zip"
if grep -vE '^(GET|HEAD) ' "$FAULT_LOG"; then fail "read-only mode made a write request"; else pass "no write request in read-only mode ($(wc -l <"$FAULT_LOG") reads)"; fi

exit $((failures > 0))
