"""The Bot API gateway's cost, Botvisor only, against the Telegram Bot API emulator:

- added latency: getMe through the gateway and straight to the emulator, alternated call by call over
  kept-alive connections in one run, p50 and p99 of each (the difference is the gateway's);
- gateway CPU: the daemon's CPU time over a block of calls through the gateway, per 1,000 calls;
- idle long polls: the daemon's RSS and threads with N bots behind the gateway, each with a
  getUpdates (timeout 50 s) open through it, against the same fleet without the gateway; once with
  the emulator on plain HTTP/1.1 (as a local telegram-bot-api server), once on HTTPS, where it speaks
  HTTP/2 as api.telegram.org does (a throwaway self-signed certificate, trusted by the daemon through
  SSL_CERT_FILE).
"""
import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import urllib.request


class Emulator:
    """tools/TelegramEmulator on a free loopback port."""

    def __init__(self, dll, tls=False):
        """With tls, on https:// with a self-signed certificate for 127.0.0.1 (self.certificate, a PEM file)."""
        args, self.certificate, self.context = ["--urls", f"{'https' if tls else 'http'}://127.0.0.1:0"], None, None
        if tls:
            self.dir = tempfile.mkdtemp(prefix="bench-emulator-tls-")
            self.certificate, key = os.path.join(self.dir, "cert.pem"), os.path.join(self.dir, "key.pem")
            subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1",
                            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", key, "-out", self.certificate],
                           check=True, capture_output=True)
            args += ["--Kestrel:Certificates:Default:Path", self.certificate, "--Kestrel:Certificates:Default:KeyPath", key]
            self.context = ssl.create_default_context(cafile=self.certificate)
        self.proc = subprocess.Popen(["dotnet", dll, *args], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        for line in self.proc.stdout:
            m = re.search(r"listening on (https?://127\.0\.0\.1:\d+)", line)
            if m:
                self.url = m.group(1)
                break
        else:
            raise RuntimeError("the emulator did not start")

    def register(self, username):
        req = urllib.request.Request(f"{self.url}/_emulator/bots", data=json.dumps({"username": username}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30, context=self.context) as r:
            return json.load(r)["token"]

    def stats(self, token):
        with urllib.request.urlopen(f"{self.url}/_emulator/bots/{token}/stats", timeout=30, context=self.context) as r:
            return json.load(r)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)
        if self.certificate:
            shutil.rmtree(self.dir, ignore_errors=True)


def environ(pid):
    with open(f"/proc/{pid}/environ", "rb") as f:
        return dict(e.split("=", 1) for e in f.read().decode().split("\0") if "=" in e)


def threads(pid):
    with open(f"/proc/{pid}/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("Threads:"))


def timed_get(conn, path):
    t0 = time.perf_counter()
    conn.request("GET", path)
    response = conn.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path.split('/')[-1]}: HTTP {response.status}")
    return (time.perf_counter() - t0) * 1000


def gateway_workload(bench, make_tool, emulator_dll, n_idle, calls, helpers):
    procs_with, new_marker, sleep_workers, wait_until, percentile, rss_mib, cpu_seconds = helpers
    for tls in (False, True):
        try:
            emu = Emulator(emulator_dll, tls)
        except Exception as e:
            bench.notes.append(f"botvisor: gateway ({'HTTPS' if tls else 'HTTP/1.1'} emulator) did not start: {e}")
            print(f"  botvisor     gateway: FAILED: {e}", flush=True)
            continue
        try:
            if not tls:
                latency_and_cpu(bench, make_tool, emu, calls, procs_with, new_marker, sleep_workers, wait_until, percentile, cpu_seconds)
            idle_polls(bench, make_tool, emu, n_idle, procs_with, new_marker, sleep_workers, wait_until, rss_mib)
        except Exception as e:  # a workload that cannot finish is a result too
            bench.notes.append(f"botvisor: gateway did not complete: {e}")
            print(f"  botvisor     gateway: FAILED: {e}", flush=True)
        finally:
            emu.stop()


def fleet(workers, tokens, emu, gateway):
    for w, token in zip(workers, tokens):
        w.extra = [f'    token: "{token}"', f"    telegram: {{ api_base_url: \"{emu.url}\", validate: false }}", f"    gateway: {str(gateway).lower()}"]
    return workers


def latency_and_cpu(bench, make_tool, emu, calls, procs_with, new_marker, sleep_workers, wait_until, percentile, cpu_seconds):
    tool = make_tool("botvisor")
    marker = new_marker()
    token = emu.register("bench_latency_bot")
    workers = fleet(sleep_workers(1, marker), [token], emu, gateway=True)

    def body(_):
        env = environ(procs_with(marker)[0])
        placeholder, gateway = env["BOT_TOKEN"], env["TELEGRAM_API_BASE_URL"]
        host = lambda url: url.split("//", 1)[1].split(":")
        direct_conn = http.client.HTTPConnection(*host(emu.url), timeout=30)
        gw_conn = http.client.HTTPConnection(*host(gateway), timeout=30)
        direct_path, gw_path = f"/bot{token}/getMe", f"/bot{placeholder}/getMe"
        for _ in range(200):  # warm-up: JIT of the emulator, connection pools
            timed_get(direct_conn, direct_path)
            timed_get(gw_conn, gw_path)
        direct, through = [], []
        for _ in range(calls):
            direct.append(timed_get(direct_conn, direct_path))
            through.append(timed_get(gw_conn, gw_path))
        pid = tool.daemon_pid()
        cpu0 = cpu_seconds(pid)
        for _ in range(calls):
            timed_get(gw_conn, gw_path)
        cpu = cpu_seconds(pid) - cpu0
        return direct, through, cpu

    direct, through, cpu = bench.with_fleet(tool, workers, marker, body, timeout=120)
    for p in (50, 99):
        d, g = percentile(direct, p), percentile(through, p)
        bench.add("botvisor", f"Bot API call direct p{p}", calls, [d], "ms", 3)
        bench.add("botvisor", f"Bot API call via gateway p{p}", calls, [g], "ms", 3)
        bench.add("botvisor", f"gateway added latency p{p}", calls, [g - d], "ms", 3)
    bench.add("botvisor", "gateway CPU per 1,000 calls", calls, [cpu * 1000 / calls * 1000], "ms", 1)


def idle_polls(bench, make_tool, emu, n, procs_with, new_marker, sleep_workers, wait_until, rss_mib):
    tokens = [emu.register(f"bench_idle_{i:04d}_bot") for i in range(n)]
    results = {}
    for gateway in (False, True):
        tool = make_tool("botvisor")
        if emu.certificate:
            tool.env = {"SSL_CERT_FILE": emu.certificate}  # the emulator's certificate is the daemon's only trusted root
        marker = new_marker()
        workers = fleet(sleep_workers(n, marker), tokens, emu, gateway)
        sockets = []

        def body(_):
            pid = tool.daemon_pid()
            time.sleep(5)  # let start-up settle
            before = (rss_mib(pid), threads(pid))
            if gateway:
                for worker in procs_with(marker):
                    env = environ(worker)
                    host, port = env["TELEGRAM_API_BASE_URL"].split("//", 1)[1].split(":")
                    s = socket.create_connection((host, int(port)), timeout=30)
                    s.sendall(f"GET /bot{env['BOT_TOKEN']}/getUpdates?timeout=50 HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
                    sockets.append(s)
                time.sleep(5)  # every poll forwarded and waiting at the emulator
                held = sum(1 for t in tokens if emu.stats(t)["polling"])
                if held < len(tokens):
                    raise RuntimeError(f"only {held} of {len(tokens)} polls reached the emulator")
                wanted = "HTTP/2" if emu.certificate else "HTTP/1.1"
                if {emu.stats(t)["protocol"] for t in tokens[:10]} != {wanted}:
                    raise RuntimeError(f"the gateway did not forward over {wanted}")
            return before, (rss_mib(pid), threads(pid))

        try:
            results[gateway] = bench.with_fleet(tool, workers, marker, body, timeout=600)
        finally:
            for s in sockets:
                s.close()
    (rss_direct, threads_direct), _ = results[False]
    (rss_idle, threads_idle), (rss_polls, threads_polls) = results[True]
    # HTTP/1.1 (a local telegram-bot-api server): the rows as they always were; HTTPS: api.telegram.org's HTTP/2.
    upstream = " (HTTPS, HTTP/2 upstream)" if emu.certificate else ""
    bench.add("botvisor", f"daemon RSS, bots direct{upstream}", n, [rss_direct], "MiB")
    bench.add("botvisor", f"daemon RSS, bots behind gateway polling{upstream}", n, [rss_polls], "MiB")
    bench.add("botvisor", f"gateway RSS cost with long polls{upstream}", n, [rss_polls - rss_direct], "MiB")
    bench.add("botvisor", f"daemon threads, gateway idle{upstream}", n, [threads_idle], "threads", 0)
    bench.add("botvisor", f"daemon threads, long polls open{upstream}", n, [threads_polls], "threads", 0)
