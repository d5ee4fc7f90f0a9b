#!/usr/bin/env python3
"""A tiny HTTP responder for client tests: answers canned responses and records requests.

  api_responder.py --routes ROUTES.json --log REQUESTS.jsonl --port-file PORT

Binds 127.0.0.1 on a free port and writes the port to PORT once it listens. ROUTES.json is
a list of routes, matched by method and path (the query is ignored, but recorded):
  {"method": "GET", "path": "/api/v1/runs", "status": 200,
   "json": {...} | "body": "text" | "body_file": "path", "content_type": "text/plain",
   "headers": {"Retry-After": "5"},
   "snapshot_ps": true,          # record `ps -eo args` while answering (argv leak checks)
   "sse": {"events": [{"id": "1", "event": "log", "data": "..."}, ...],
           "drop_after": 2,      # first connection: 2 events, then the connection breaks
           "every_time": false}} # true: every connection breaks so
An unknown route answers 404 {"message": "Not Found"}. Every request is appended to
REQUESTS.jsonl as {"method", "target", "path", "headers", "body"[, "ps"]}.
"""
import argparse
import json
import os
import socket
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

args = None
routes = []
log_lock = threading.Lock()
connections = {}  # route index -> SSE connections served


def record(entry):
    with log_lock, open(args.log, "a", encoding="utf-8") as f:
        f.write(json.dumps(entry) + "\n")


def sse_text(event):
    if "raw" in event:
        return event["raw"]
    text = ""
    if "id" in event:
        text += "id: %s\n" % event["id"]
    if "event" in event:
        text += "event: %s\n" % event["event"]
    for line in event.get("data", "").split("\n"):
        text += "data: %s\n" % line
    return text + "\n"


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *_):
        pass

    def handle_any(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length).decode("utf-8", "replace") if length else ""
        path = urlsplit(self.path).path
        entry = {"method": self.command, "target": self.path, "path": path,
                 "headers": {k: v for k, v in self.headers.items()}, "body": body}
        for index, route in enumerate(routes):
            if route.get("method", "GET") == self.command and route["path"] == path:
                break
        else:
            record(entry)
            return self.answer(404, json.dumps({"message": "Not Found"}), "application/json", {})
        if route.get("snapshot_ps"):
            entry["ps"] = subprocess.run(["ps", "-eo", "args"], capture_output=True,
                                         text=True).stdout
        record(entry)
        if "sse" in route:
            try:
                return self.stream(index, route["sse"])
            except (BrokenPipeError, ConnectionResetError):
                self.close_connection = True  # the client stopped reading: fine
                return
        if "json" in route:
            data, ctype = json.dumps(route["json"]).encode(), "application/json"
        elif "body_file" in route:
            with open(route["body_file"], "rb") as f:
                data = f.read()
            ctype = route.get("content_type", "application/octet-stream")
        else:
            data = route.get("body", "").encode("utf-8")
            ctype = route.get("content_type", "text/plain")
        self.answer(route.get("status", 200), data, ctype, route.get("headers", {}))

    def answer(self, status, data, ctype, headers):
        if isinstance(data, str):
            data = data.encode("utf-8")
        self.send_response(status)
        if status != 204:
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        if status != 204:
            self.wfile.write(data)

    def chunk(self, text):
        data = text.encode("utf-8")
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def stream(self, index, sse):
        with log_lock:
            connections[index] = connections.get(index, 0) + 1
            first = connections[index] == 1
        events = sse["events"]
        last = self.headers.get("Last-Event-ID")
        if last is not None:
            ids = [e.get("id") for e in events]
            events = events[ids.index(last) + 1:] if last in ids else events
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.chunk("retry: 10\n\n")
        drop = sse.get("drop_after") if first or sse.get("every_time") else None
        for n, event in enumerate(events):
            if drop is not None and n == drop:
                # Break the connection mid-stream: no terminating chunk.
                self.connection.shutdown(socket.SHUT_RDWR)
                self.close_connection = True
                return
            self.chunk(sse_text(event))
        self.wfile.write(b"0\r\n\r\n")
        self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any


def main():
    global args, routes
    parser = argparse.ArgumentParser()
    parser.add_argument("--routes", required=True)
    parser.add_argument("--log", required=True)
    parser.add_argument("--port-file", required=True)
    args = parser.parse_args()
    with open(args.routes, encoding="utf-8") as f:
        routes = json.load(f)
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(str(server.server_address[1]))
    os.rename(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
