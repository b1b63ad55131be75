#!/usr/bin/env python3
"""Botvisor side by side with supervisord and pm2: the same workloads, one table.

Every measurement is taken from outside the supervisors, the same way for each: "running" means the
worker process exists (found in /proc by a marker in its command line), "replaced" means a new one
exists, RSS and CPU come from /proc/<pid>. Run it through bench/run, which builds and installs what
it needs; see bench/README.md.
"""
import argparse
import json
import os
import platform
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

import gateway

HERE = os.path.dirname(os.path.abspath(__file__))
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


# ---- /proc helpers -------------------------------------------------------------------------------

def procs_with(marker):
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                args = f.read().split(b"\0")
            with open(f"/proc/{entry}/stat") as f:
                if f.read().rsplit(")", 1)[1].split()[0] == "Z":
                    continue
        except OSError:
            continue
        if marker.encode() in args:
            found.append(int(entry))
    return found


def rss_mib(pid):
    with open(f"/proc/{pid}/stat") as f:
        return int(f.read().rsplit(")", 1)[1].split()[21]) * PAGE / 1024 / 1024


def anon_rss_mib(pid):
    """RssAnon: the supervisor's own memory, without the pages of its executable and libraries."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("RssAnon:"):
                return int(line.split()[1]) / 1024
    return 0.0


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def wait_until(condition, timeout, what, poll=0.005):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(poll)
    raise TimeoutError(f"timed out after {timeout}s waiting for {what}")


def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def run(cmd, **kw):
    return subprocess.run(cmd, check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, **kw)


# ---- workers -------------------------------------------------------------------------------------

class Worker:
    """A worker: argv carrying a marker that is unique to this run, so /proc tells us what runs."""

    def __init__(self, name, argv):
        self.name, self.argv = name, argv


def sleep_workers(n, marker):
    return [Worker(f"w{i:04d}", ["sleep", marker]) for i in range(n)]


def python_workers(n, marker):
    return [Worker(f"w{i:04d}", [sys.executable, "-c", "import time; time.sleep(10**6)", marker]) for i in range(n)]


def family_workers(n, marker):
    # A worker with a child, which exits on SIGTERM: does the child survive the stop?
    return [Worker(f"w{i:04d}", ["sh", "-c", f"sleep {marker} & wait", marker]) for i in range(n)]


def chatty_workers(n, marker):
    code = "import sys\nw = sys.stdout.write\nwhile True: w('log line from a chatty worker, as fast as it can write\\n')"
    return [Worker(f"w{i:04d}", [sys.executable, "-c", code, marker]) for i in range(n)]


def crashing_workers(n, marker, seconds=0.5):
    # A worker that crashes (exit 1) after half a second, for ever: restart churn. The marker is sh's $0.
    return [Worker(f"w{i:04d}", ["sh", "-c", f"sleep {seconds}; exit 1", marker]) for i in range(n)]


def new_marker(kind="86400"):
    return f"{kind}.{os.getpid()}{int(time.monotonic() * 1000) % 10**7}"


# ---- the supervisors ---------------------------------------------------------------------------

class Tool:
    name = "?"

    def __init__(self, root):
        self.root = tempfile.mkdtemp(prefix=f"bench-{self.name}-", dir=root)
        self.proc = None

    def logs_dir(self):
        return os.path.join(self.root, "logs")

    def terminate(self, timeout):
        """SIGTERM to the supervisor process, then SIGKILL if it has not exited within the timeout."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise

    def cleanup(self, marker):
        for pid in procs_with(marker):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass


class Botvisor(Tool):
    name = "botvisor"

    def __init__(self, root, binary):
        super().__init__(root)
        self.binary = binary
        self.state = os.path.join(self.root, "state")

    def version(self):
        return "built from this repository"

    def start(self, workers):
        lines = ["sample_interval: 15s", "defaults:", "  restart: always",
                 "  backoff: { initial: 0s, multiplier: 1, max: 0s, jitter: 0 }",
                 "  max_restarts: 100000000", "  min_uptime: 1h", "  stop_timeout: 10s",
                 "  logs: { max_size: 4GiB, max_files: 1 }", "bots:"]
        for w in workers:
            lines.append(f"  {w.name}:")
            lines.append(f"    command: {json.dumps(w.argv)}")
            lines.extend(getattr(w, "extra", []))  # bot settings of a Botvisor-only workload (the gateway's)
        config = os.path.join(self.root, "botvisor.yaml")
        with open(config, "w") as f:
            f.write("\n".join(lines) + "\n")
        self.out = open(os.path.join(self.root, "daemon.log"), "w")
        self.proc = subprocess.Popen([self.binary, "run", "--config", config, "--state-dir", self.state, "--listen", "http://127.0.0.1:0"],
                                     stdout=self.out, stderr=subprocess.STDOUT, env={**os.environ, **getattr(self, "env", {})})
        return self.proc.pid

    def daemon_pid(self):
        return self.proc.pid

    def status(self):
        run([self.binary, "status", "--state-dir", self.state])

    def log_lines(self):
        return count_lines(os.path.join(self.state, "logs"))

    def restarts(self):
        """Restarts since the daemon started, summed over the fleet (`botvisor status --json`)."""
        doc = json.loads(run([self.binary, "status", "--json", "--state-dir", self.state]).stdout)
        bots = doc.get("bots", []) if isinstance(doc, dict) else doc
        return sum(b.get("restarts", 0) for b in bots)

    def stop(self, timeout=120):
        try:
            self.terminate(timeout)
        finally:
            self.out.close()


class Supervisord(Tool):
    name = "supervisord"

    def version(self):
        return run(["supervisord", "--version"]).stdout.strip()

    def start(self, workers):
        os.makedirs(self.logs_dir(), exist_ok=True)
        self.conf = os.path.join(self.root, "supervisord.conf")
        sock = os.path.join(self.root, "supervisor.sock")
        parts = [f"[supervisord]\nnodaemon=true\nminfds=20000\nminprocs=4000\nlogfile={self.root}/supervisord.log\npidfile={self.root}/supervisord.pid\n",
                 f"[unix_http_server]\nfile={sock}\n",
                 "[rpcinterface:supervisor]\nsupervisor.rpcinterface_factory = supervisor.rpcinterface:make_main_rpcinterface\n",
                 f"[supervisorctl]\nserverurl=unix://{sock}\n"]
        for w in workers:
            parts.append(f"[program:{w.name}]\ncommand={' '.join(quote(a) for a in w.argv)}\nautostart=true\nautorestart=true\n"
                         f"startsecs=0\nstartretries=100000000\nstdout_logfile={self.logs_dir()}/{w.name}.log\n"
                         "stdout_logfile_maxbytes=0\nredirect_stderr=true\n")
        with open(self.conf, "w") as f:
            f.write("\n".join(parts))
        self.proc = subprocess.Popen(["supervisord", "-c", self.conf], stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        return self.proc.pid

    def daemon_pid(self):
        return self.proc.pid

    def status(self):
        subprocess.run(["supervisorctl", "-c", self.conf, "status"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def log_lines(self):
        return count_lines(self.logs_dir())

    def stop(self, timeout=300):
        self.terminate(timeout)


class Pm2(Tool):
    name = "pm2"

    def __init__(self, root, binary):
        super().__init__(root)
        self.binary = binary
        self.env = dict(os.environ, PM2_HOME=os.path.join(self.root, "pm2home"))

    def version(self):
        return "pm2 " + run([self.binary, "--version"], env=self.env).stdout.strip().splitlines()[-1]

    def start(self, workers):
        os.makedirs(self.logs_dir(), exist_ok=True)
        apps = [{"name": w.name, "script": w.argv[0], "args": w.argv[1:], "interpreter": "none", "autorestart": True,
                 "restart_delay": 0, "max_restarts": 100000000, "min_uptime": 0, "exp_backoff_restart_delay": 0,
                 "out_file": f"{self.logs_dir()}/{w.name}.log", "error_file": f"{self.logs_dir()}/{w.name}.log",
                 "merge_logs": True, "kill_timeout": 10000} for w in workers]
        eco = os.path.join(self.root, "ecosystem.config.js")
        with open(eco, "w") as f:
            f.write("module.exports = " + json.dumps({"apps": apps}) + ";\n")
        run([self.binary, "start", eco], env=self.env)
        return self.daemon_pid()

    def daemon_pid(self):
        with open(os.path.join(self.env["PM2_HOME"], "pm2.pid")) as f:
            return int(f.read().strip())

    def status(self):
        subprocess.run([self.binary, "jlist"], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def log_lines(self):
        return count_lines(self.logs_dir())

    def stop(self, timeout=300):
        try:
            subprocess.run([self.binary, "kill"], env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout)
        except subprocess.TimeoutExpired:
            # pm2 gave up on us: end its daemon the hard way so the next workload starts clean.
            with open(os.path.join(self.env["PM2_HOME"], "pm2.pid")) as f:
                os.kill(int(f.read().strip()), signal.SIGKILL)
            raise


class Floor(Tool):
    """The same worker respawned directly by a tiny loop: what restart latency cannot beat."""
    name = "floor"

    def version(self):
        return "python3 respawn loop"

    def start(self, workers):
        w = workers[0]
        loop = f"import subprocess\nwhile True: subprocess.call({w.argv!r})"
        self.proc = subprocess.Popen([sys.executable, "-c", loop])
        return self.proc.pid

    def stop(self, timeout=10):
        self.proc.kill()
        self.proc.wait()


def duration(seconds):
    """30 → '30s', 120 → '2m', 3600 → '1h', 90 → '1m30s'."""
    seconds = round(seconds)
    h, rest = divmod(seconds, 3600)
    m, sec = divmod(rest, 60)
    return "".join(f"{v}{u}" for v, u in ((h, "h"), (m, "m"), (sec, "s")) if v) or "0s"


def quote(arg):
    return arg if all(c.isalnum() or c in "._/-" for c in arg) else "'" + arg.replace("'", "'\\''") + "'"


def count_lines(directory):
    total = 0
    for root, _, files in os.walk(directory):
        for name in files:
            with open(os.path.join(root, name), "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    total += chunk.count(b"\n")
    return total


# ---- the workloads -----------------------------------------------------------------------------

class Bench:
    stop_limit = 120

    def __init__(self, args, tools):
        self.args, self.tools, self.rows, self.notes = args, tools, [], []
        self.all_tools = list(tools)

    def add(self, tool, metric, n, values, unit, digits=1):
        value = statistics.median(values)
        spread = (max(values) - min(values)) / 2 if len(values) > 1 else 0.0
        row = {"tool": tool, "metric": metric, "n": n, "value": round(value, digits), "unit": unit, "spread": round(spread, digits)}
        self.rows.append(row)
        print(f"  {tool:12} {metric:28} n={n:<5} {row['value']:>12} {unit:8} ±{row['spread']}", flush=True)

    def with_fleet(self, tool, workers, marker, body, timeout):
        """Starts the tool with the workers, waits until all run, calls body(started_seconds), stops it."""
        t0 = time.monotonic()
        tool.start(workers)
        try:
            wait_until(lambda: len(procs_with(marker)) >= len(workers), timeout, f"{tool.name}: {len(workers)} workers", poll=0.01)
            return body(time.monotonic() - t0)
        finally:
            tool.stop()
            tool.cleanup(marker)

    def fleet_start(self, make_tool, sizes, kind):
        for n in sizes:
            for name in self.tool_names():
                results, rss = [], []
                for _ in range(self.args.reps):
                    tool = make_tool(name)
                    marker = new_marker()
                    workers = (sleep_workers if kind == "sleep" else python_workers)(n, marker)
                    def body(elapsed):
                        results.append(elapsed)
                        time.sleep(1)
                        rss.append(rss_mib(tool.daemon_pid()))
                    self.with_fleet(tool, workers, marker, body, timeout=600)
                self.add(name, f"fleet start ({kind})", n, results, "s", 2)
                if kind == "sleep":
                    self.add(name, "daemon RSS", n, rss, "MiB")

    def idle_cpu(self, make_tool, n, seconds):
        for name in self.tool_names():
            tool = make_tool(name)
            marker = new_marker()
            def body(_):
                time.sleep(5)  # let start-up settle
                pid = tool.daemon_pid()
                before = cpu_seconds(pid)
                time.sleep(seconds)
                return cpu_seconds(pid) - before, rss_mib(pid), anon_rss_mib(pid)
            used, rss, anon = self.with_fleet(tool, sleep_workers(n, marker), marker, body, timeout=600)
            self.add(name, f"idle CPU over {seconds}s", n, [used], "s", 3)
            self.add(name, "daemon RSS when idle", n, [rss], "MiB")
            self.add(name, "daemon anonymous RSS when idle", n, [anon], "MiB")

    def restart_latency(self, make_tool, kills):
        """SIGKILL a tool's worker, time until its replacement exists. When the run includes the floor, it runs
        beside Botvisor and the kills alternate between the two, so both are measured under the same load at
        the same minutes (the floor measured alone, minutes later, moved by up to a millisecond between runs)."""
        paired = "floor" in self.all_tools and "botvisor" in self.all_tools
        for name in self.tool_names(floor=not paired):
            tool = make_tool(name)
            marker = new_marker()
            subjects = [(name, marker, [])]
            floor = None
            if paired and name == "botvisor":
                floor, floor_marker = make_tool("floor"), new_marker()
                floor.start(sleep_workers(1, floor_marker))
                subjects.append(("floor", floor_marker, []))
            def body(_):
                if floor is not None:
                    wait_until(lambda: procs_with(floor_marker), 30, "floor: its worker", poll=0.01)
                for _ in range(kills):
                    for who, m, latencies in subjects:
                        old = procs_with(m)[0]
                        t0 = time.monotonic()
                        os.kill(old, signal.SIGKILL)
                        wait_until(lambda: any(p != old for p in procs_with(m)), 30, f"{who}: a replacement", poll=0.0002)
                        latencies.append((time.monotonic() - t0) * 1000)
                        time.sleep(0.05)
            try:
                self.with_fleet(tool, sleep_workers(1, marker), marker, body, timeout=60)
            finally:
                if floor is not None:
                    floor.stop()
                    floor.cleanup(floor_marker)
            for who, _, latencies in subjects:
                self.add(who, "restart latency p50", 1, [percentile(latencies, 50)], "ms", 2)
                self.add(who, "restart latency p99", 1, [percentile(latencies, 99)], "ms", 2)

    def graceful_stop(self, make_tool, n):
        for name in self.tool_names():
            tool = make_tool(name)
            marker = new_marker()
            tool.start(family_workers(n, marker))
            try:
                wait_until(lambda: len(procs_with(marker)) >= 2 * n, 600, f"{name}: {n} workers with a child each", poll=0.01)
                t0 = time.monotonic()
                try:
                    tool.stop(timeout=self.stop_limit)
                except subprocess.TimeoutExpired:
                    self.notes.append(f"{name} did not finish stopping {n} workers within {self.stop_limit} s; "
                                      "the value is that limit, and its daemon was killed.")
                elapsed = time.monotonic() - t0
                time.sleep(0.5)
                survivors = len(procs_with(marker))
            finally:
                tool.cleanup(marker)
            self.add(name, "graceful stop", n, [elapsed], "s", 2)
            self.add(name, "children surviving the stop", n, [survivors], "procs", 0)

    def log_throughput(self, make_tool, n, seconds):
        for name in self.tool_names():
            tool = make_tool(name)
            marker = new_marker()
            rss = []
            def body(_):
                before = tool.log_lines()
                t0 = time.monotonic()
                while time.monotonic() - t0 < seconds:
                    time.sleep(seconds / 5)
                    rss.append(rss_mib(tool.daemon_pid()))
                return (tool.log_lines() - before) / (time.monotonic() - t0)
            rate = self.with_fleet(tool, chatty_workers(n, marker), marker, body, timeout=120)
            self.add(name, "log lines captured per s", n, [rate], "lines/s", 0)
            self.add(name, "daemon RSS while logging", n, [max(rss)], "MiB")
            self.add(name, "daemon RSS growth while logging", n, [rss[-1] - rss[0]], "MiB")

    def control_latency(self, make_tool, n, calls):
        for name in self.tool_names():
            tool = make_tool(name)
            marker = new_marker()
            times = []
            def body(_):
                for _ in range(calls):
                    t0 = time.monotonic()
                    tool.status()
                    times.append((time.monotonic() - t0) * 1000)
            self.with_fleet(tool, sleep_workers(n, marker), marker, body, timeout=600)
            self.add(name, "status query p50", n, [percentile(times, 50)], "ms")
            self.add(name, "status query p99", n, [percentile(times, 99)], "ms")

    def sources(self, make_tool, n, fetches):
        """A remote source of n bots (bench/sources_bench.py). Botvisor only."""
        import sources_bench
        for name in self.tool_names():
            if name != "botvisor":
                self.notes.append(f"sources: {name} not measured (remote sources are Botvisor's)")
                continue
            sources_bench.run(self, make_tool(name), n, fetches, procs_with, cpu_seconds, wait_until, new_marker, rss_mib)

    def churn(self, make_tool, n, seconds, warmup, interval):
        """N workers that crash every half second, restarted at once, for `seconds` after a warm-up: the daemon's
        RSS (and anonymous RSS) sampled every `interval` seconds, at the start of the window and at its end, and the
        restarts done meanwhile. Botvisor only: its restart count is read from `status --json`."""
        for name in self.tool_names():
            if name != "botvisor":
                self.notes.append(f"churn: {name} not measured (the churn workload is Botvisor only)")
                continue
            tool = make_tool(name)
            marker = new_marker()
            tool.start(crashing_workers(n, marker))
            samples = []  # (seconds into the window, RSS MiB, anonymous RSS MiB)
            try:
                pid = tool.daemon_pid()
                # Crashing workers are never all alive at once; most of them is enough to say the fleet is up.
                wait_until(lambda: len(procs_with(marker)) >= max(1, n * 8 // 10), 600, f"{name}: {n} churning workers", poll=0.05)
                time.sleep(warmup)
                restarts0, t0 = tool.restarts(), time.monotonic()
                while True:
                    elapsed = time.monotonic() - t0
                    samples.append((elapsed, rss_mib(pid), anon_rss_mib(pid)))
                    if elapsed >= seconds:
                        break
                    time.sleep(min(interval, seconds - elapsed))
                restarts = tool.restarts() - restarts0
                window = time.monotonic() - t0
                if tool.proc.poll() is not None:
                    raise RuntimeError(f"the daemon exited with {tool.proc.returncode} during the run")
            finally:
                tool.stop()
                tool.cleanup(marker)
            label = f"churn {duration(seconds)}"
            rss = [r for _, r, _ in samples]
            anon = [a for _, _, a in samples]
            half = next(i for i, (t, _, _) in enumerate(samples) if t >= seconds / 2)
            self.add(name, f"{label}: daemon RSS at start", n, [rss[0]], "MiB")
            self.add(name, f"{label}: daemon RSS at end", n, [rss[-1]], "MiB")
            self.add(name, f"{label}: daemon RSS growth", n, [rss[-1] - rss[0]], "MiB")
            self.add(name, f"{label}: RSS growth, second half", n, [rss[-1] - rss[half]], "MiB")
            self.add(name, f"{label}: daemon RSS max", n, [max(rss)], "MiB")
            self.add(name, f"{label}: anonymous RSS at start", n, [anon[0]], "MiB")
            self.add(name, f"{label}: anonymous RSS at end", n, [anon[-1]], "MiB")
            self.add(name, f"{label}: anonymous RSS growth", n, [anon[-1] - anon[0]], "MiB")
            self.add(name, f"{label}: restarts", n, [restarts], "restarts", 0)
            self.add(name, f"{label}: restarts per s", n, [restarts / window], "1/s")
            step = max(1, -(-len(samples) // 25))  # at most 25 points in the note
            series = ", ".join(f"{t:.0f}s {r:.1f} ({a:.1f})" for t, r, a in samples[::step] + ([samples[-1]] if (len(samples) - 1) % step else []))
            self.notes.append(f"churn ({name}, {n} workers crashing every 0.5 s, restarted at once; {duration(warmup)} warm-up, then "
                              f"{duration(seconds)}): daemon RSS MiB (anonymous) by time into the window: {series}.")

    def cluster(self, root, n, idle, timing):
        """Three nodes on one PostgreSQL (bench/cluster_bench.py). Botvisor only."""
        import cluster_bench
        for name in self.tool_names():
            if name != "botvisor":
                self.notes.append(f"cluster: {name} not measured (the cluster workload is Botvisor only)")
                continue
            cluster_bench.run_cluster(self, self.args.botvisor, tempfile.mkdtemp(prefix="bench-cluster-", dir=root), n, idle, timing)

    def guarded(self, workload, *args):
        """Runs one workload tool by tool; a tool that cannot do it gets a note instead of ending the run."""
        names = self.tools
        for name in names:
            if name == "floor" and (workload != self.restart_latency or "botvisor" in names):
                continue  # the floor only restarts, and beside Botvisor when both are in the run
            self.tools = [name]
            try:
                workload(*args)
            except Exception as e:  # a workload a tool cannot finish is a result too
                self.notes.append(f"{name}: {workload.__name__.replace('_', ' ')} did not complete: {e}")
                print(f"  {name:12} {workload.__name__}: FAILED: {e}", flush=True)
                for proc in ("supervisord", "PM2"):
                    subprocess.run(["pkill", "-9", "-f", proc], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            finally:
                self.tools = names

    def tool_names(self, floor=False):
        names = [t for t in self.tools if t != "floor"]
        if floor and "floor" in self.tools:
            names.append("floor")
        return names


# ---- report ----------------------------------------------------------------------------------------

def machine():
    with open("/proc/meminfo") as f:
        mem_kb = int(f.readline().split()[1])
    return {"cores": os.cpu_count(), "memory_gib": round(mem_kb / 1024 / 1024, 1), "kernel": platform.release()}


def value(rows, tool, metric, n=None):
    for r in rows:
        if r["tool"] == tool and r["metric"] == metric and (n is None or r["n"] == n):
            return r["value"]
    return None


def targets(rows):
    """The issue's targets, checked against this run; None when the run did not measure it."""
    out = []
    floor = value(rows, "floor", "restart latency p50")
    ours = value(rows, "botvisor", "restart latency p50")
    if floor is not None and ours is not None:
        out.append(("restart latency p50 within 1 ms of the floor", ours - floor <= 1.0, f"{ours} ms vs floor {floor} ms"))
    peers = [value(rows, t, "fleet start (sleep)", 1000) for t in ("supervisord", "pm2")]
    peers = [p for p in peers if p is not None]
    start = value(rows, "botvisor", "fleet start (sleep)", 1000)
    if start is not None and peers:
        out.append(("1,000 workers started in at most a third of the faster peer's time", start <= min(peers) / 3, f"{start} s vs {min(peers)} s"))
    rss = value(rows, "botvisor", "daemon RSS when idle", 1000) or value(rows, "botvisor", "daemon RSS", 1000)
    if rss is not None:
        anon = value(rows, "botvisor", "daemon anonymous RSS when idle", 1000)
        out.append(("daemon RSS with 1,000 idle bots at most 35 MiB", rss <= 35,
                    f"{rss} MiB" + (f" ({anon} MiB of it anonymous, the rest pages of the binary and libraries)" if anon is not None else "")))
    cpu_metric = next((r["metric"] for r in rows if r["metric"].startswith("idle CPU")), None)
    if cpu_metric:
        ours = value(rows, "botvisor", cpu_metric, 1000)
        peers = [value(rows, t, cpu_metric, 1000) for t in ("supervisord", "pm2")]
        peers = [p for p in peers if p is not None]
        if ours is not None and peers:
            out.append(("idle CPU with 1,000 bots below a third of the better peer's", ours < min(peers) / 3, f"{ours} s vs {min(peers)} s"))
    st = value(rows, "botvisor", "status query p50", 1000)
    if st is not None:
        out.append(("`botvisor status` p50 under 20 ms at 1,000 bots", st < 20, f"{st} ms"))
    stop = value(rows, "botvisor", "graceful stop", 1000)
    surv = value(rows, "botvisor", "children surviving the stop", 1000)
    if stop is not None:
        out.append(("stop of 1,000 workers within stop_timeout + 1 s with no survivor", stop <= 11 and surv == 0, f"{stop} s, {surv} survivors"))
    added = value(rows, "botvisor", "gateway added latency p50")
    if added is not None:
        out.append(("gateway: added latency p50 under 0.3 ms", added < 0.3, f"{added} ms (p99 {value(rows, 'botvisor', 'gateway added latency p99')} ms)"))
    polls = value(rows, "botvisor", "gateway RSS cost with long polls", 1000)
    if polls is not None:
        t0, t1 = value(rows, "botvisor", "daemon threads, gateway idle", 1000), value(rows, "botvisor", "daemon threads, long polls open", 1000)
        out.append(("gateway: 1,000 idle long polls cost under 20 MiB and no thread per poll", polls < 20 and t1 - t0 < 50,
                    f"{polls} MiB, threads {t0} → {t1}"))
    h2 = " (HTTPS, HTTP/2 upstream)"
    polls = value(rows, "botvisor", "gateway RSS cost with long polls" + h2, 1000)
    if polls is not None:
        t0, t1 = value(rows, "botvisor", "daemon threads, gateway idle" + h2, 1000), value(rows, "botvisor", "daemon threads, long polls open" + h2, 1000)
        out.append(("gateway, HTTP/2 upstream: 1,000 idle long polls cost under 20 MiB and no thread per poll", polls < 20 and t1 - t0 < 50,
                    f"{polls} MiB, threads {t0} → {t1}"))
    logs = value(rows, "botvisor", "log lines captured per s", 10)
    growth = value(rows, "botvisor", "daemon RSS growth while logging", 10)
    if logs is not None:
        out.append(("log capture of at least 500,000 lines/s from 10 workers with flat RSS", logs >= 500_000 and growth is not None and growth < 20,
                    f"{logs:,.0f} lines/s, RSS growth {growth} MiB"))
    return out


def write_report(rows, info, versions, args, notes):
    os.makedirs(os.path.join(HERE, "results"), exist_ok=True)
    # A smoke run or a run of some workloads (results/churn.md) never overwrites the full results.
    report = "quick" if args.quick else "-".join(args.workload) if args.workload else "latest"
    with open(os.path.join(HERE, "results", f"{report}.json"), "w") as f:
        json.dump(rows, f, indent=1)
    lines = ["# Benchmark results", "",
             f"Run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: `bench/bench.py {' '.join(sys.argv[1:])}` (through bench/run).", "",
             f"Machine: {info['cores']} cores, {info['memory_gib']} GiB, Linux {info['kernel']}.",
             "Tools: " + "; ".join(f"{k}: {v}" for k, v in versions.items()) + ".", "",
             "Each value is the median of the repetitions; spread is half the range between them (0 with one repetition).", "",
             "| tool | metric | n | value | unit | spread |", "|---|---|---:|---:|---|---:|"]
    for r in rows:
        lines.append(f"| {r['tool']} | {r['metric']} | {r['n']} | {r['value']} | {r['unit']} | {r['spread']} |")
    checked = targets(rows)
    if checked:
        lines += ["", "## Targets", "", "| target | met | measured |", "|---|---|---|"]
        for name, ok, measured in checked:
            lines.append(f"| {name} | {'yes' if ok else '**no**'} | {measured} |")
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}" for n in notes]
    with open(os.path.join(HERE, "results", f"{report}.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    print("\n".join(lines))


WORKLOADS = ["start", "start-python", "idle", "restart", "stop", "logs", "status", "churn", "sources", "gateway", "cluster"]


def main():
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--quick", action="store_true", help="N = 10, one repetition, Botvisor only: a smoke test")
    p.add_argument("--only", action="append", choices=["botvisor", "supervisord", "pm2", "floor"], help="run only these tools")
    p.add_argument("--botvisor", required=True, help="the published botvisor binary")
    p.add_argument("--pm2", default="pm2")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--notes", default=None, help="a file of notes (one per line) to add to the results")
    p.add_argument("--workload", action="append", choices=WORKLOADS, help="run only these workloads (default: all)")
    p.add_argument("--churn-bots", type=int, default=None, help="churn: workers crashing every 0.5 s (default 200; --quick: 10)")
    p.add_argument("--churn-minutes", type=float, default=None, help="churn: minutes measured after the warm-up (default 5; --quick: 10 s)")
    p.add_argument("--emulator", default=None, help="gateway: the built TelegramEmulator.dll (bench/run builds it)")
    args = p.parse_args()

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    tools = args.only or (["botvisor"] if args.quick else ["botvisor", "supervisord", "pm2", "floor"])
    if args.quick:
        args.reps = 1
    root = tempfile.mkdtemp(prefix="botvisor-bench-")

    def make(name):
        return {"botvisor": lambda: Botvisor(root, args.botvisor), "supervisord": lambda: Supervisord(root),
                "pm2": lambda: Pm2(root, args.pm2), "floor": lambda: Floor(root)}[name]()

    versions = {t: make(t).version() for t in tools}
    bench = Bench(args, tools)
    g = bench.guarded
    # The same workloads in both modes; the smoke run only shrinks them: (fleet size, start sizes, idle s, kills, log s, status calls).
    n, sizes, idle, kills, log_s, calls = (10, [10], 2, 5, 2, 5) if args.quick else (1000, [100, 500, 1000], 60, 50, 10, 20)
    # churn: (workers, seconds measured, warm-up s, sampling interval s).
    churn_n = args.churn_bots or (10 if args.quick else 200)
    churn_s = args.churn_minutes * 60 if args.churn_minutes else (10 if args.quick else 300)
    churn_warmup, churn_every = (3, 1) if args.quick else (30, 5)
    workloads = {
        "start": lambda: g(bench.fleet_start, make, sizes, "sleep"),
        "start-python": lambda: g(bench.fleet_start, make, sizes[:1], "python"),
        "idle": lambda: g(bench.idle_cpu, make, n, idle),
        "restart": lambda: g(bench.restart_latency, make, kills),
        "stop": lambda: g(bench.graceful_stop, make, n),
        "logs": lambda: g(bench.log_throughput, make, 10, log_s),
        "status": lambda: g(bench.control_latency, make, n, calls),
        "churn": lambda: g(bench.churn, make, churn_n, churn_s, churn_warmup, churn_every),
        "sources": lambda: g(bench.sources, make, n, 20 if args.quick else 200),
        # Botvisor only: (bots with an idle long poll, calls per latency and CPU sample).
        "gateway": lambda: ("botvisor" in tools and args.emulator) and gateway.gateway_workload(
            bench, make, args.emulator, *((10, 200) if args.quick else (1000, 5000)),
            (procs_with, new_marker, sleep_workers, wait_until, percentile, rss_mib, cpu_seconds)),
        "cluster": lambda: g(bench.cluster, root, 30 if args.quick else 1000, idle,
                             "{ lease: 3s, renew_deadline: 2s, retry: 500ms }" if args.quick else "{ lease: 15s, renew_deadline: 10s, retry: 2s }"),
    }
    for name in WORKLOADS:
        if not args.workload or name in args.workload:
            workloads[name]()
    notes = []
    if args.notes and os.path.exists(args.notes):
        with open(args.notes) as f:
            notes = [line.strip() for line in f if line.strip()]
    write_report(bench.rows, machine(), versions, args, notes + bench.notes)
    shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    main()
