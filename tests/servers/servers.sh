# Test servers for lpack's integration tests, on 127.0.0.1 and free ports, stopped when the
# test exits. Source it after lib.sh:
#     . "$LPACK_TEST_LIB"; . "$LPACK_SOURCE_DIR/tests/servers/servers.sh"
#
#   start_moto          moto's server (S3, STS, IAM, Lambda) with SigV4 enforced; sets
#                       MOTO_ENDPOINT, MOTO_PORT, MOTO_ACCESS_KEY_ID, MOTO_SECRET_ACCESS_KEY
#                       (an IAM user allowed everything). Skips the test (77) when pyenv's
#                       Python 3.11.7 with moto is missing. One per test: moto counts its free
#                       bootstrap requests per process.
#   start_nginx_dav     nginx with WebDAV PUT/DELETE as a dumb HTTP cache; sets NGINX_URL,
#                       NGINX_PORT, NGINX_ROOT (the served folder) and NGINX_ACCESS_LOG.
#                       Skips when nginx is missing.
#   start_fault_server [MODE]
#                       tests/servers/fault_server.py; sets FAULT_URL, FAULT_PORT, FAULT_LOG
#                       (one "METHOD PATH" line per request). fault_mode MODE switches it.
#   moto_python         prints the Python that has moto (for boto3 one-liners in tests)
#
# Every server's pid is remembered and killed (by pid) on exit; their folders live in
# $TEST_TMP, which lib.sh removes.

SERVERS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SERVER_PIDS=()

stop_servers() {
  local pid
  for pid in "${SERVER_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${SERVER_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  SERVER_PIDS=()
}
trap 'stop_servers; rm -rf "$TEST_TMP"' EXIT

# wait_for_file FILE SECONDS PID: waits until FILE exists, failing early if PID died.
wait_for_file() {
  local i
  for ((i = 0; i < $2 * 10; i++)); do
    [ -s "$1" ] && return 0
    kill -0 "$3" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

moto_python() {
  local root
  root=$(pyenv root 2>/dev/null || echo "$HOME/.pyenv")
  local py="${LPACK_MOTO_PYTHON:-$root/versions/3.11.7/bin/python}"
  if [ -x "$py" ] && "$py" -c 'import moto.server, boto3' 2>/dev/null; then echo "$py"; fi
}

start_moto() {
  local py
  py=$(moto_python)
  [ -n "$py" ] || skip "pyenv's Python 3.11.7 with moto is not installed"
  local dir="$TEST_TMP/moto.$RANDOM"
  mkdir -p "$dir"
  "$py" "$SERVERS_DIR/moto_server.py" "$dir/state" >"$dir/out.log" 2>&1 &
  local pid=$!
  SERVER_PIDS+=("$pid")
  if ! wait_for_file "$dir/state" 60 "$pid"; then
    echo "moto did not start:" >&2
    tail -20 "$dir/out.log" >&2
    return 1
  fi
  # shellcheck disable=SC1091
  . "$dir/state"
  MOTO_LOG="$dir/out.log"
}

start_nginx_dav() {
  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || skip "nginx is not installed (apt-get install nginx-full)"
  local nginx
  nginx=$(command -v nginx || echo /usr/sbin/nginx)
  local dir="$TEST_TMP/nginx.$RANDOM"
  mkdir -p "$dir/data" "$dir/tmp"
  NGINX_PORT=$(free_port)
  NGINX_ROOT="$dir/data"
  NGINX_ACCESS_LOG="$dir/access.log"
  cat >"$dir/nginx.conf" <<CONF
daemon off;
master_process off;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 64; }
http {
  access_log $dir/access.log;
  client_body_temp_path $dir/tmp/body;
  proxy_temp_path $dir/tmp/proxy;
  fastcgi_temp_path $dir/tmp/fastcgi;
  uwsgi_temp_path $dir/tmp/uwsgi;
  scgi_temp_path $dir/tmp/scgi;
  client_max_body_size 0;
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $dir/data;
    location / {
      dav_methods PUT DELETE;
      create_full_put_path on;
      dav_access user:rw group:r all:r;
    }
  }
}
CONF
  "$nginx" -p "$dir" -c "$dir/nginx.conf" >"$dir/out.log" 2>&1 &
  local pid=$!
  SERVER_PIDS+=("$pid")
  local i
  for ((i = 0; i < 100; i++)); do
    curl -s -o /dev/null "http://127.0.0.1:$NGINX_PORT/" && break
    kill -0 "$pid" 2>/dev/null || { cat "$dir/out.log" "$dir/error.log" >&2; return 1; }
    sleep 0.1
  done
  NGINX_URL="http://127.0.0.1:$NGINX_PORT"
}

start_fault_server() {
  local dir="$TEST_TMP/fault.$RANDOM"
  mkdir -p "$dir"
  FAULT_LOG="$dir/requests.log"
  python3 "$SERVERS_DIR/fault_server.py" --state "$dir/state" --log "$FAULT_LOG" --mode "${1:-ok}" >"$dir/out.log" 2>&1 &
  local pid=$!
  SERVER_PIDS+=("$pid")
  wait_for_file "$dir/state" 20 "$pid" || { cat "$dir/out.log" >&2; return 1; }
  # shellcheck disable=SC1091
  . "$dir/state"
  FAULT_URL="http://127.0.0.1:$FAULT_PORT"
}

fault_mode() {
  curl -sf -X POST "$FAULT_URL/__fault__?mode=$1" >/dev/null
}
