"""analysisd cluster throughput benchmark (see bench/README.md, "Cluster throughput").

Run as root with Debian's python3:  /usr/bin/python3 bench/cluster.py [--duration 6]

A private PostgreSQL (scripts/postgres-private.sh), then per setup (1 node, then N
nodes, each on its own database of that PostgreSQL) analysisd nodes in cluster mode
on loopback, each under a CPU quota (default 0.4 core) of its own cgroup; wrk and
PostgreSQL run outside the quotas. Every figure of N nodes is printed with its ratio
to 1 node of the same run. Lines go to build/bench/cluster.txt, node logs to
build/bench/cluster/. Every step is bounded in time; every process started and every
cgroup made is removed on exit. Reuses bench.py's helpers (wrk, requests.lua).
"""
import argparse
import os
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
import types

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (bench/bench.py: wrk(), start(), stop(), Analysisd.create_job, ...)
from bench import log, record, basic, wrk, free_port, ANALYSISD, ADMIN_TOKEN, FINALIZE_BODY  # noqa: E402

ROOT = bench.ROOT
OUT = bench.OUT
PG_SCRIPT = os.path.join(ROOT, "scripts", "postgres-private.sh")
PSQL = "/usr/bin/psql"
cgroups = []      # every cgroup made, removed on exit
pg_dir = None


# -- cgroups --------------------------------------------------------------------


def cgroup_mode():
    """'v2' when /sys/fs/cgroup is cgroup v2 with the cpu controller, else 'v1' when
    the v1 cpu controller is mounted at /sys/fs/cgroup/cpu (hybrid hosts), else None."""
    try:
        with open("/sys/fs/cgroup/cgroup.controllers") as f:
            if "cpu" in f.read().split():
                return "v2"
    except OSError:
        pass
    if os.path.exists("/sys/fs/cgroup/cpu/cpu.cfs_quota_us"):
        return "v1"
    return None


class CpuCgroup:
    """A cgroup with a CPU quota of `cores` (per 100 ms period)."""

    def __init__(self, mode, name, cores):
        self.mode = mode
        base = "/sys/fs/cgroup" if mode == "v2" else "/sys/fs/cgroup/cpu"
        if mode == "v2":
            with open(os.path.join(base, "cgroup.subtree_control"), "a") as f:
                f.write("+cpu")
        self.path = os.path.join(base, name)
        if os.path.isdir(self.path):
            os.rmdir(self.path)  # a leftover of an interrupted run (empty, or this fails)
        os.mkdir(self.path)
        cgroups.append(self)
        self.quota_us = int(cores * 100000)
        self.limit(True)

    def write(self, name, value):
        with open(os.path.join(self.path, name), "w") as f:
            f.write(value)

    def limit(self, on):
        """The quota on, or lifted (while seeding, which is not measured)."""
        if self.mode == "v2":
            self.write("cpu.max", f"{self.quota_us} 100000" if on else "max 100000")
        else:
            self.write("cpu.cfs_period_us", "100000")
            self.write("cpu.cfs_quota_us", str(self.quota_us) if on else "-1")

    def throttled(self):
        """(periods throttled, seconds throttled) so far."""
        st = {}
        with open(os.path.join(self.path, "cpu.stat")) as f:
            for line in f:
                k, v = line.split()
                st[k] = int(v)
        if self.mode == "v2":
            return st.get("nr_throttled", 0), st.get("throttled_usec", 0) / 1e6
        return st.get("nr_throttled", 0), st.get("throttled_time", 0) / 1e9

    def remove(self):
        try:
            with open(os.path.join(self.path, "cgroup.procs")) as f:
                left = [p for p in f.read().split()]
            root = os.path.dirname(self.path)
            for p in left:  # processes still inside (should be none): back to the root
                try:
                    with open(os.path.join(root, "cgroup.procs"), "w") as f:
                        f.write(p)
                except OSError:
                    pass
            os.rmdir(self.path)
        except OSError as e:
            log(f"warning: cgroup {self.path} not removed: {e}")
        if self in cgroups:
            cgroups.remove(self)


# -- PostgreSQL -----------------------------------------------------------------


def pg_start():
    global pg_dir
    out = subprocess.run([PG_SCRIPT, "start"], capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError("PostgreSQL did not start: " + out.stderr)
    env = {}
    for part in out.stdout.split("export", 1)[1].split("' "):
        k, v = part.strip().split("=", 1)
        env[k] = v.strip("'")
    pg_dir = env["ANALYSISD_PG_DIR"]
    return env["ANALYSISD_PG_CONNINFO"]


def pg_stop():
    global pg_dir
    if pg_dir:
        subprocess.run([PG_SCRIPT, "stop", pg_dir], timeout=120, stdout=subprocess.DEVNULL)
        pg_dir = None


def pg_pid():
    with open(os.path.join(pg_dir, "data", "postmaster.pid")) as f:
        return int(f.readline())


def psql(conninfo, sql):
    out = subprocess.run([PSQL, conninfo, "-X", "-At", "-F", " ", "-v", "ON_ERROR_STOP=1", "-c", sql],
                         capture_output=True, text=True, timeout=120)
    if out.returncode != 0:
        raise RuntimeError(f"psql: {out.stderr}")
    return [line.split(" ") for line in out.stdout.splitlines() if line]


# -- nodes ----------------------------------------------------------------------


class Node(bench.Analysisd):
    """An analysisd in cluster mode, in its own CPU cgroup."""

    def __init__(self, name, data_dir, conninfo, cgroup, extra=()):
        self.port = free_port()
        self.name = name
        self.data_dir = data_dir
        self.admin = {"Authorization": "Bearer " + ADMIN_TOKEN}
        env = dict(os.environ, ANALYSISD_ADMIN_TOKEN=ADMIN_TOKEN)
        # Started in its cgroup (a shell joins it, then becomes the node), so
        # that the node sizes its threads by the quota it is under (its log's
        # "threads" line), as in a container.
        self.proc = bench.start(["sh", "-c", 'echo $$ > "$0" && exec "$@"',
                                 os.path.join(cgroup.path, "cgroup.procs"),
                                 ANALYSISD, "--listen", f"127.0.0.1:{self.port}", "--data-dir", data_dir,
                                 "--cluster-postgres", conninfo, "--node-name", name,
                                 "--cluster-listen", f"127.0.0.1:{free_port()}", *extra],
                                os.path.join(OUT, "cluster", f"{name}.log"), env)
        self.cgroup = cgroup


def node_threads(node):
    """The thread pools a node sized for itself: its log's "threads" line."""
    with open(node.proc.logfile, errors="replace") as f:
        for line in f:
            if " info threads " in line:
                return line.split(" info threads ", 1)[1].strip()
    return "(no threads line in the log)"


def wait_cluster(nodes, conninfo, shards, timeout=120):
    """Waits until every node answers /readyz 200 and the shard leases are spread over
    all nodes and unchanged for 3 s; returns {http_address: node}."""
    t0 = time.monotonic()
    for n in nodes:
        bench.wait_http(n.port, "/readyz", timeout=timeout, proc=n.proc)
    last, same_since = None, None
    while time.monotonic() - t0 < timeout:
        rows = psql(conninfo, "SELECT m.http_address, count(*) FROM shard_leases l JOIN members m "
                              "ON m.incarnation = l.owner WHERE l.expires_at > now() "
                              "GROUP BY 1 ORDER BY 1")
        spread = {a: int(c) for a, c in rows}
        if len(spread) == len(nodes) and sum(spread.values()) == shards:
            if spread == last:
                if time.monotonic() - same_since >= 3:
                    by_addr = {}
                    for n in nodes:
                        by_addr[f"127.0.0.1:{n.port}"] = n
                    if set(spread) != set(by_addr):
                        raise RuntimeError(f"members' http addresses {sorted(spread)} are not the nodes'")
                    return by_addr, spread
            else:
                last, same_since = spread, time.monotonic()
        else:
            last = None
        time.sleep(0.5)
    raise RuntimeError(f"shard leases not spread over {len(nodes)} nodes within {timeout} s: {last}")


def create_spread(nodes, count, workers_per_node=16):
    """Creates and acquires `count` analyses through the API, round-robin over the
    nodes (each create goes through a node, which routes it to its owner)."""
    out = []
    lock = threading.Lock()
    per = [count // len(nodes) + (1 if i < count % len(nodes) else 0) for i in range(len(nodes))]
    errors = []

    def work(node, n):
        try:
            c = bench.http.client.HTTPConnection("127.0.0.1", node.port, timeout=30)
            got = [node.create_job(c) for _ in range(n)]
            c.close()
            with lock:
                out.extend(got)
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    ts = []
    for node, n in zip(nodes, per):
        for k in range(workers_per_node):
            ts.append(threading.Thread(target=work, args=(node, n // workers_per_node
                                                          + (1 if k < n % workers_per_node else 0))))
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise RuntimeError(f"creating analyses failed: {errors[0]}")
    return out


def owners(conninfo, by_addr):
    """{analysis id: owner node}, exactly, from PostgreSQL: the analysis's shard,
    its lease's owner incarnation, that member's http address."""
    rows = psql(conninfo, "SELECT a.id, m.http_address FROM analyses a JOIN shard_leases l "
                          "ON l.shard = a.shard JOIN members m ON m.incarnation = l.owner")
    return {aid: by_addr[addr] for aid, addr in rows}


def write_lines(path, jobs):
    with open(path, "w") as f:
        for aid, job, key in jobs:
            f.write(f"/api/analyses/{aid} {basic(job, key)}\n")


def split(total, k):
    return [total // k + (1 if i < total % k else 0) for i in range(k)]


def host_cpu():
    """(busy, total) jiffies of the whole host from /proc/stat (steal counts as busy)."""
    with open("/proc/stat") as f:
        v = [int(x) for x in f.readline().split()[1:]]
    idle = v[3] + v[4]  # idle + iowait
    return sum(v[:8]) - idle, sum(v[:8])


def run_wrks(plan, seconds, mode="rotate", body=None, pgpid=None):
    """Runs one wrk per (node, lines file, connections, threads) of `plan` at once, for
    `seconds`; returns the summed result with the CPU each side used meanwhile."""
    cpu0 = {n.name: bench.cpu_seconds(n.proc.pid) for n, *_ in plan}
    thr0 = {n.name: n.cgroup.throttled() for n, *_ in plan}
    pg0 = bench.cpu_seconds(pgpid) if pgpid else 0
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    host0 = host_cpu()
    t0 = time.monotonic()
    results, errors = [None] * len(plan), []

    def one(i, node, lines, conns, threads):
        args = types.SimpleNamespace(wrk_threads=threads, connections=conns)
        try:
            results[i] = wrk(node.port, lines, args, mode=mode, body=body, seconds=seconds)
        except Exception as e:  # noqa: BLE001
            errors.append(e)

    ts = [threading.Thread(target=one, args=(i, *p)) for i, p in enumerate(plan)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    wall = time.monotonic() - t0
    host1 = host_cpu()
    if errors:
        raise errors[0]
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    tot = {k: sum(r[k] for r in results) for k in ("requests", "ok", "other", "socket_errors")}
    secs = max(r["duration_us"] for r in results) / 1e6
    tot["ok_rps"] = tot["ok"] / secs
    tot["p99_ms"] = max(r["p99_ms"] for r in results)
    tot["per_node"] = [r["ok_rps"] for r in results]
    cpu = {n.name: (bench.cpu_seconds(n.proc.pid) - cpu0[n.name]) / wall for n, *_ in plan}
    thr = {n.name: tuple(a - b for a, b in zip(n.cgroup.throttled(), thr0[n.name])) for n, *_ in plan}
    quota = plan[0][0].cgroup.quota_us / 100000
    pg = bench.cpu_seconds(pgpid) - pg0
    wrk_s = ru1.ru_utime + ru1.ru_stime - ru0.ru_utime - ru0.ru_stime
    per = 1e6 / max(tot["requests"], 1)  # seconds of CPU -> us per request
    busy = (host1[0] - host0[0]) / max(host1[1] - host0[1], 1)
    tot["cpu"] = (f"nodes {', '.join(f'{c / quota * 100:.0f}%' for c in cpu.values())} of their "
                  f"{quota:g}-core quota (throttled {sum(t[1] for t in thr.values()) / wall:.2f} s/s, "
                  f"{sum(t[0] for t in thr.values())} periods; {sum(cpu.values()) * wall * per:.0f} us "
                  f"of node CPU per request), PostgreSQL {pg / wall:.2f} cores "
                  f"({pg * per:.0f} us/request), wrk {wrk_s / wall:.2f} cores; host {busy * 100:.0f}% busy "
                  f"of {os.cpu_count()} CPUs (load avg {os.getloadavg()[0]:.1f})")
    return tot


# -- a setup --------------------------------------------------------------------


def setup(n, conninfo, args, mode, d):
    """n nodes on their own database: GET (owners, random) and finalize figures."""
    db = f"bench{n}"
    psql(conninfo, f"CREATE DATABASE {db}")
    ci = conninfo.replace("dbname=postgres", f"dbname={db}")
    data = os.path.join(d, f"data{n}")
    os.makedirs(data)
    extra = ["--shards", str(args.shards), "--max-handoffs", str(args.shards), *args.server_args.split()]
    nodes = []
    res = {}
    try:
        for i in range(n):
            cg = CpuCgroup(mode, f"analysisd-bench-{n}-{i + 1}", args.cores)
            nodes.append(Node(f"n{n}-node{i + 1}", data, ci, cg, extra))
        t0 = time.monotonic()
        by_addr, spread = wait_cluster(nodes, ci, args.shards)
        log(f"  {n} node(s) ready in {time.monotonic() - t0:.1f} s; shards per node: "
            f"{', '.join(str(spread[a]) for a in sorted(spread))}")
        log(f"  node threads (from node 1's log): {node_threads(nodes[0])}")
        # Seeding is not measured: the quotas are lifted meanwhile.
        for x in nodes:
            x.cgroup.limit(False)
        t0 = time.monotonic()
        gets = create_spread(nodes, args.analyses)
        fresh = create_spread(nodes, args.fresh[n])
        log(f"  created and acquired {len(gets)} + {len(fresh)} analyses through the API in "
            f"{time.monotonic() - t0:.1f} s (quotas lifted)")
        for x in nodes:
            x.cgroup.limit(True)
        own = owners(ci, by_addr)
        pgpid = pg_pid()
        conns = split(args.connections, n)
        threads = [args.wrk_threads] if n == 1 else [1] * n
        all_lines = os.path.join(d, f"get-all-{n}")
        write_lines(all_lines, gets)
        # GET, clients at the owners: each node's wrk rotates over the analyses it owns.
        plan = []
        for i, x in enumerate(nodes):
            f = os.path.join(d, f"get-{x.name}")
            write_lines(f, [j for j in gets if own[j[0]] is x])
            plan.append((x, f, conns[i], threads[i]))
        time.sleep(1)
        res["owners"] = run_wrks(plan, args.duration, pgpid=pgpid)
        # GET, clients at random nodes: each node's wrk rotates over all analyses.
        plan = [(x, all_lines, conns[i], threads[i]) for i, x in enumerate(nodes)]
        res["random"] = run_wrks(plan, args.duration, pgpid=pgpid)
        # finalize: each fresh analysis once, sent to its owner.
        plan = []
        for i, x in enumerate(nodes):
            f = os.path.join(d, f"fin-{x.name}")
            write_lines(f, [j for j in fresh if own[j[0]] is x])
            plan.append((x, f, conns[i], threads[i]))
        fin = run_wrks(plan, args.duration, mode="once", body=FINALIZE_BODY, pgpid=pgpid)
        fin["ran_out"] = fin["ok"] >= len(fresh) - args.connections
        res["finalize"] = fin
        if n > 1 and args.profile:
            # An extra, unmeasured random GET run with perf on the first node: where a
            # node's CPU goes when most requests are forwarded.
            plan = [(x, all_lines, conns[i], threads[i]) for i, x in enumerate(nodes)]
            out_txt = os.path.join(OUT, "perf-cluster-random.txt")
            top = bench.profile(nodes[0].proc.pid, out_txt,
                                lambda: run_wrks(plan, args.duration, pgpid=pgpid))
            res["profile"] = [f"profile GET random, {nodes[0].name} of {n} (perf, cpu-clock, self time; "
                              f"{os.path.relpath(out_txt, ROOT)}):"] + ["    " + x for x in top]
        for k in ("owners", "random", "finalize"):
            r = res[k]
            log(f"  {n} node(s) {k:8s} {r['ok_rps']:8.0f} 200s/s (per node: "
                f"{', '.join(f'{x:.0f}' for x in r['per_node'])}; p99 {r['p99_ms']:.1f} ms, "
                f"{r['other']} non-200, {r['socket_errors']} socket errors)"
                + (f" [the {len(fresh)} fresh analyses ran out: a lower bound]" if r.get("ran_out") else ""))
            log(f"      CPU: {r['cpu']}")
    finally:
        for x in nodes:
            x.stop()
            x.cgroup.remove()
    shutil.rmtree(data, ignore_errors=True)
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, default=3, help="nodes of the cluster setup (default 3)")
    ap.add_argument("--cores", type=float, default=0.4, help="CPU quota of each node (default 0.4)")
    ap.add_argument("--duration", type=int, default=6, help="seconds per wrk run (default 6)")
    ap.add_argument("--connections", type=int, default=64, help="wrk connections in all (default 64)")
    ap.add_argument("--wrk-threads", type=int, default=2,
                    help="wrk threads against 1 node (with N nodes: one wrk of 1 thread per node)")
    ap.add_argument("--analyses", type=int, default=1024, help="analyses the GETs rotate over")
    ap.add_argument("--fresh", type=int, default=30000,
                    help="fresh analyses for the finalize of N nodes (1 node: a third of it)")
    ap.add_argument("--shards", type=int, default=256, help="--shards of the nodes (default 256)")
    ap.add_argument("--no-profile", dest="profile", action="store_false",
                    help="skip the perf profile of one node during an extra random GET run")
    ap.add_argument("--server-args", default="", help="extra analysisd options for every node")
    args = ap.parse_args()
    args.fresh = {1: max(args.fresh // 2, 1000), args.nodes: args.fresh}
    if os.geteuid() != 0:
        sys.exit("cluster.py: run as root (cgroups, PostgreSQL as the postgres user)")
    mode = cgroup_mode()
    if mode is None:
        sys.exit("cluster.py: no cgroup CPU controller (neither cgroup v2 with cpu at /sys/fs/cgroup "
                 "nor v1 at /sys/fs/cgroup/cpu)")
    d = os.path.join(OUT, "cluster")
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(1))
    bench.results.clear()
    t0 = time.monotonic()
    cg_note = ("cgroup v2 cpu.max" if mode == "v2" else
               "cgroup v1 cpu.cfs_quota_us (cgroup v2 is not mounted at /sys/fs/cgroup with the cpu "
               "controller on this host: hybrid hierarchy)")
    record(f"analysisd cluster benchmark {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}: "
           f"{os.cpu_count()} CPUs, each node {args.cores:g} core ({cg_note}), wrk -c{args.connections} "
           f"in all outside the quotas, {args.duration} s per run, 1 round, PostgreSQL 15 private "
           f"(fsync on)" + (f"; analysisd {args.server_args}" if args.server_args else ""))
    try:
        conninfo = pg_start()
        res = {}
        for n in (1, args.nodes):
            log(f"\n== {n} node(s) ==")
            res[n] = setup(n, conninfo, args, mode, d)
        one, many, n = res[1], res[args.nodes], args.nodes
        for key, label, target in (("owners", "owners", 2.5), ("random", "random", 1.6)):
            x = ratio(many[key]["ok_rps"], one[key]["ok_rps"])
            record(f"GET cluster {label} 1 node:  {one[key]['ok_rps']:8.0f} req/s   (p99 "
                   f"{one[key]['p99_ms']:.1f} ms)")
            record(f"GET cluster {label} {n} nodes: {many[key]['ok_rps']:8.0f} req/s, {x:.2f}x 1 node  "
                   f"(p99 {many[key]['p99_ms']:.1f} ms)   "
                   + bench.verdicts((f">= {target}x 1 node", x >= target)))
            record(f"    CPU {n} nodes: {many[key]['cpu']}")
        f1, fn = one["finalize"], many["finalize"]
        x = ratio(fn["ok_rps"], f1["ok_rps"])
        record(f"finalize cluster 1 node:  {f1['ok_rps']:8.0f} 200s/s" + (" (ran out: lower bound)" if f1["ran_out"] else ""))
        record(f"finalize cluster {n} nodes: {fn['ok_rps']:8.0f} 200s/s, {x:.2f}x 1 node"
               + (" (ran out: lower bound)" if fn["ran_out"] else "") + "   "
               + bench.verdicts((">= 5000/s", fn["ok_rps"] >= 5000)))
        record(f"    CPU {n} nodes: {fn['cpu']}")
        for line in many.get("profile", []):
            record(line)
    finally:
        bench.cleanup()
        for cg in list(cgroups):
            cg.remove()
        pg_stop()
        record(f"total {time.monotonic() - t0:.0f} s")
        with open(os.path.join(OUT, "cluster.txt"), "w") as f:
            f.write("\n".join(bench.results) + "\n")
        log(f"figures written to {os.path.relpath(os.path.join(OUT, 'cluster.txt'), ROOT)}")


def ratio(a, b):
    return a / b if b else float("nan")


if __name__ == "__main__":
    main()
