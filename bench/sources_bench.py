"""The remote-source figures (issue 16): a platform's list of N bots fetched with no change (a 304, and a 200
with the same bytes), the daemon's CPU per fetch, and the time from a one-item change on the platform to that
bot's new worker. The platform is a stdlib HTTP server here; the bots are `sleep` workers; Botvisor only."""
import hashlib
import http.client
import http.server
import json
import os
import socket
import subprocess
import threading
import time


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=120)
        self.unix_path = path

    def connect(self):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.connect(self.unix_path)
        self.sock = s


def token(i, generation=0):
    secret = hashlib.sha256(f"{i}.{generation}".encode()).hexdigest()[:33]
    return f"{7_000_000 + i}:AA{secret}"


class Platform:
    """A Sensay-shaped list: {"items": [{"slug", "uuid", "telegram_integration": {"token", "service_name"}}], "total"}."""

    def __init__(self, n):
        self.items = [{"uuid": f"u{i}", "slug": f"r{i:04d}", "telegram_integration": {"token": token(i), "service_name": "node-1"}} for i in range(n)]
        self.etags = True
        self.requests = self.not_modified = 0
        self._render()
        platform = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                platform.requests += 1
                if platform.etags and self.headers.get("If-None-Match") == platform.etag:
                    platform.not_modified += 1
                    self.send_response(304)
                    self.send_header("ETag", platform.etag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(platform.body)))
                if platform.etags:
                    self.send_header("ETag", platform.etag)
                self.end_headers()
                self.wfile.write(platform.body)

            def log_message(self, *args):
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/v1/replicas"

    def _render(self):
        self.body = json.dumps({"items": self.items, "total": len(self.items)}).encode()
        self.etag = '"' + hashlib.sha256(self.body).hexdigest()[:16] + '"'

    def change(self, i, generation):
        self.items[i]["telegram_integration"]["token"] = token(i, generation)
        self._render()

    def close(self):
        self.server.shutdown()


def run(bench, tool, n, fetches, procs_with, cpu_seconds, wait_until, new_marker, rss):
    marker = new_marker()
    platform = Platform(n)
    config = os.path.join(tool.root, "botvisor.yaml")
    with open(config, "w") as f:
        f.write(f"""defaults:
  restart: always
  stop_timeout: 10s
  telegram: {{ validate: false }}
templates:
  replica: {{ command: ["sleep", "{marker}"] }}
sources:
  platform:
    url: {platform.url}
    interval: 1h
    template: replica
    max_removal: 100%
    items: items
    map: {{ id: slug, token: telegram_integration.token }}
""")
    tool.out = open(os.path.join(tool.root, "daemon.log"), "w")
    tool.proc = subprocess.Popen([tool.binary, "run", "--config", config, "--state-dir", tool.state, "--listen", "http://127.0.0.1:0"],
                                 stdout=tool.out, stderr=subprocess.STDOUT)
    sock = os.path.join(tool.state, "botvisor.sock")

    def call(method, path):
        conn = UnixHTTPConnection(sock)
        try:
            conn.request(method, path)
            response = conn.getresponse()
            body = response.read()
            if response.status != 200:
                raise RuntimeError(f"{method} {path}: {response.status} {body[:200]!r}")
            return json.loads(body)
        finally:
            conn.close()

    try:
        wait_until(lambda: len(procs_with(marker)) >= n, 600, f"botvisor: {n} bots from the source", poll=0.02)
        pid = tool.proc.pid
        time.sleep(5)  # the trim after the source's first list (as after a start)
        bench.add("botvisor", "daemon RSS, bots from a source", n, [rss(pid)], "MiB")

        def per_fetch(label):
            call("POST", "/sources/platform/sync")  # warm-up: the validators are in place
            before, t0 = cpu_seconds(pid), time.monotonic()
            for _ in range(fetches):
                outcome = call("POST", "/sources/platform/sync")
                if not outcome["ok"]:
                    raise RuntimeError(f"a fetch failed: {outcome['result']}")
            cpu_ms = (cpu_seconds(pid) - before) * 1000 / fetches
            wall_ms = (time.monotonic() - t0) * 1000 / fetches
            bench.add("botvisor", f"source fetch, {label}: CPU", n, [cpu_ms], "ms", 2)
            bench.add("botvisor", f"source fetch, {label}: time", n, [wall_ms], "ms", 2)
            return outcome["result"]

        platform.etags = True
        result_304 = per_fetch("304")
        if "304" not in result_304:
            raise RuntimeError(f"expected a 304, got: {result_304}")
        platform.etags = False
        result_same = per_fetch("200 unchanged")
        if result_same != "unchanged":
            raise RuntimeError(f"expected 'unchanged', got: {result_same}")

        latencies = []
        for k in range(1, 6):
            slug = f"r{(k * 97) % n:04d}"
            old = call("GET", f"/bots/{slug}").get("pid")
            platform.change((k * 97) % n, k)
            t0 = time.monotonic()
            call("POST", "/sources/platform/sync")
            wait_until(lambda: (p := call("GET", f"/bots/{slug}").get("pid")) not in (None, old), 60, f"{slug}: its new worker", poll=0.002)
            latencies.append((time.monotonic() - t0) * 1000)
        bench.add("botvisor", "one-item change to new worker", n, latencies, "ms", 1)
    finally:
        tool.stop()
        tool.cleanup(marker)
        platform.close()

