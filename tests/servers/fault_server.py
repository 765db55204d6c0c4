#!/usr/bin/env python3
"""An HTTP cache server that misbehaves on purpose, for lpack's remote-cache tests.

    fault_server.py --state FILE --log FILE [--mode MODE]

Listens on 127.0.0.1 on a free port, writes "FAULT_PORT=<port>" to the state file (then
prints the port), and logs every request as one line "METHOD PATH" to the log file, so a test
can assert, for example, that no PUT was made. Runs until killed.

It stores PUT bodies in memory and serves them back (GET, HEAD), like bazel-remote's HTTP
protocol, unless the mode says otherwise:

    ok            behave
    hang          accept the request and never answer
    slow          answer GETs correctly but one byte every 0.5 s
    drop          close the connection without an answer
    status:NNN    answer every request with status NNN (401, 403, 500, 503, 429...)
    429:SECONDS   answer 429 with Retry-After: SECONDS
    corrupt       serve stored bodies with one byte changed (same length)
    truncate      announce the full Content-Length, send half, close

The mode can be changed while it runs: POST /__fault__?mode=MODE (not logged).
"""
import argparse
import os
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

STORE = {}
LOCK = threading.Lock()
STATE = {"mode": "ok"}
LOG = {"path": None}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _log(self):
        with LOCK, open(LOG["path"], "a") as f:
            f.write(f"{self.command} {self.path}\n")

    def _body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, status, body=b"", headers=None, head=False):
        self.send_response(status)
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not head and body:
            self.wfile.write(body)

    def _fault(self):
        """Applies the mode; returns True when the request was handled by it."""
        mode = STATE["mode"]
        if mode == "hang":
            time.sleep(3600)
            return True
        if mode == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return True
        if mode.startswith("status:"):
            self._send(int(mode.split(":")[1]), b"<Error><Code>Injected</Code><Message>fault</Message></Error>")
            return True
        if mode.startswith("429:"):
            self._send(429, b"slow down", {"Retry-After": mode.split(":")[1]})
            return True
        return False

    def do_POST(self):
        url = urlparse(self.path)
        if url.path == "/__fault__":
            self._body()
            STATE["mode"] = parse_qs(url.query).get("mode", ["ok"])[0]
            self._send(200, b"ok")
            return
        self._log()
        self._body()
        if not self._fault():
            self._send(405)

    def do_PUT(self):
        self._log()
        body = self._body()
        if self._fault():
            return
        with LOCK:
            existed = self.path in STORE
            STORE[self.path] = body
        self._send(204 if existed else 201)

    def _get(self, head):
        self._log()
        if self._fault():
            return
        with LOCK:
            body = STORE.get(self.path)
        if body is None:
            self._send(404, b"not found", head=head)
            return
        mode = STATE["mode"]
        if mode == "corrupt" and body:
            body = bytes([body[0] ^ 0xFF]) + body[1:]
        if head:
            self._send(200, body, head=True)
            return
        if mode == "truncate":
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        if mode == "slow":
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            for i in range(len(body)):
                self.wfile.write(body[i : i + 1])
                self.wfile.flush()
                time.sleep(0.5)
            return
        self._send(200, body)

    def do_GET(self):
        self._get(head=False)

    def do_HEAD(self):
        self._get(head=True)

    def do_DELETE(self):
        self._log()
        if self._fault():
            return
        with LOCK:
            STORE.pop(self.path, None)
        self._send(204)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--state", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--mode", default="ok")
    args = parser.parse_args()
    STATE["mode"] = args.mode
    LOG["path"] = args.log
    open(args.log, "a").close()
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    port = server.server_address[1]
    with open(args.state + ".tmp", "w") as f:
        f.write(f"FAULT_PORT={port}\n")
    os.rename(args.state + ".tmp", args.state)
    print(port, flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
