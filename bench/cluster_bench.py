"""The cluster workload: three Botvisor nodes on one throwaway PostgreSQL (tests/postgres start).

Measured: the failover time of the node holding the most bots (kill -9; until every bot has a worker again,
none of the killed node's), how soon its workers die with it (the guardian), the transactions per second the
idle cluster sends to PostgreSQL, and each node's RSS and CPU while idle. Botvisor only.
"""
import json
import os
import signal
import subprocess
import time

from bench import cpu_seconds, new_marker, procs_with, rss_mib, wait_until

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def psql(env, sql, db="postgres"):
    host, port = env["dir"], env["port"]
    return subprocess.run(["psql", "-X", "-A", "-t", "-h", host, "-p", port, "-U", "postgres", "-d", db, "-c", sql],
                          check=True, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True).stdout.strip()


def start_postgres():
    out = subprocess.run([os.path.join(REPO, "tests", "postgres"), "start"], check=True, stdout=subprocess.PIPE, text=True).stdout
    env = dict(line.replace("export ", "", 1).split("=", 1) for line in out.splitlines() if line.startswith("export "))
    cs = env["BOTVISOR_TEST_POSTGRES"].strip("'")
    parts = dict(p.split("=", 1) for p in cs.split(";") if p)
    return {"dir": env["BOTVISOR_TEST_POSTGRES_DIR"], "port": parts["Port"]}


def environ_of(pid):
    try:
        with open(f"/proc/{pid}/environ", "rb") as f:
            return dict(kv.split(b"=", 1) for kv in f.read().split(b"\0") if b"=" in kv)
    except OSError:
        return {}


def run_cluster(bench, binary, root, n, idle, timing):
    """Adds the cluster's rows to bench (tool "botvisor")."""
    pg = start_postgres()
    nodes = {}
    marker = new_marker()
    try:
        psql(pg, "CREATE DATABASE bench")
        store = f"postgres://postgres@127.0.0.1:{pg['port']}/bench"
        config = os.path.join(root, "cluster.yaml")
        with open(config, "w") as f:
            f.write(f"cluster: {timing}\nbots:\n")
            for i in range(n):
                f.write(f"  w{i:04d}:\n    command: {json.dumps(['sleep', marker])}\n")
        for name in ("node1", "node2", "node3"):
            state = os.path.join(root, "state-" + name)
            log = open(os.path.join(root, name + ".log"), "w")
            env = dict(os.environ, BOTVISOR_STORE=store, BOTVISOR_NODE=name)
            nodes[name] = subprocess.Popen([binary, "run", "--config", config, "--state-dir", state, "--listen", "http://127.0.0.1:0"],
                                           stdout=log, stderr=subprocess.STDOUT, env=env)
        wait_until(lambda: len(procs_with(marker)) == n, 600, f"{n} workers on three nodes", poll=0.1)
        # Settled: every node holds its share (no handover left).
        def spread():
            rows = psql(pg, "SELECT count(*) FROM leases WHERE holder IS NOT NULL AND expires_at > now() GROUP BY holder", "bench").split()
            return len(rows) == 3 and max(map(int, rows)) - min(map(int, rows)) <= 1
        wait_until(spread, 300, "an even spread", poll=0.5)
        time.sleep(5)

        # Idle: transactions the cluster sends to PostgreSQL, each node's CPU and RSS.
        def commits():
            return int(psql(pg, "SELECT xact_commit + xact_rollback FROM pg_stat_database WHERE datname = 'bench'"))
        cpu0 = {name: cpu_seconds(p.pid) for name, p in nodes.items()}
        tx0, t0 = commits(), time.monotonic()
        time.sleep(idle)
        elapsed = time.monotonic() - t0
        tx = commits() - tx0 - 1  # the measuring query itself
        bench.add("botvisor", "cluster idle: PostgreSQL tx/s", n, [tx / elapsed], "tx/s")
        for name, p in nodes.items():
            bench.add("botvisor", f"cluster idle: {name} CPU", n, [(cpu_seconds(p.pid) - cpu0[name]) / elapsed * 100], "%", 2)
            bench.add("botvisor", f"cluster idle: {name} RSS", n, [rss_mib(p.pid)], "MiB")

        # Failover: kill -9 the node holding the most bots.
        holder, held = psql(pg, "SELECT holder, count(*) FROM leases WHERE holder IS NOT NULL GROUP BY holder ORDER BY 2 DESC LIMIT 1", "bench").split("|")
        # The victim's workers: the workers of the bots it holds.
        bots = set(psql(pg, f"SELECT bot_id FROM leases WHERE holder = '{holder}'", "bench").split())
        old = [pid for pid in procs_with(marker) if environ_of(pid).get(b"BOTVISOR_BOT_ID", b"").decode() in bots]
        t0 = time.monotonic()
        nodes[holder].send_signal(signal.SIGKILL)
        nodes[holder].wait()
        wait_until(lambda: not set(old) & set(procs_with(marker)), 30, "the killed node's workers gone", poll=0.005)
        orphans_gone = time.monotonic() - t0
        wait_until(lambda: len(procs_with(marker)) == n, 300, "every bot running again", poll=0.05)
        failover = time.monotonic() - t0
        bench.add("botvisor", f"cluster failover ({held} bots)", n, [failover], "s", 2)
        bench.add("botvisor", "cluster: killed node's workers gone", n, [orphans_gone * 1000], "ms", 0)
        bench.notes.append(f"cluster: three nodes on one PostgreSQL 15 (fsync off, same machine), {n} sleep workers, cluster: {timing}; "
                           f"failover = kill -9 of the node holding {held} bots until every bot has a worker again (lease expiry + a claim round + the starts); "
                           "tx/s = committed and rolled-back transactions of the database per second while idle (pg_stat_database; a node's round is one batch: heartbeat with renewal, nodes, leases, the API bots' version).")
    finally:
        for p in nodes.values():
            if p.poll() is None:
                p.send_signal(signal.SIGTERM)
        for p in nodes.values():
            try:
                p.wait(timeout=120)
            except subprocess.TimeoutExpired:
                p.kill()
        for pid in procs_with(marker):
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
        subprocess.run([os.path.join(REPO, "tests", "postgres"), "stop", pg["dir"]], check=False)
