"""analysisd benchmark suite: run through bench/run.sh (see bench/README.md).

Every figure is measured in this one run, on 127.0.0.1, as the median of
several rounds, and printed next to its baseline from the same run.
Needs Debian's python3 (/usr/bin/python3, which has python3-aiohttp for the
peer), wrk, nginx-light, curl and perf. Standard library only.
"""
import argparse
import base64
import errno
import http.client
import json
import os
import re
import select
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
OUT = os.path.join(ROOT, "build", "bench")
RELEASE = os.environ.get("BENCH_BUILD_DIR", os.path.join(ROOT, "build", "release"))
ANALYSISD = os.path.join(RELEASE, "analysisd")
SEED = os.path.join(RELEASE, "bench", "bench_seed")
FSYNC = os.path.join(RELEASE, "bench", "bench_fsync")
FLOOR = os.path.join(RELEASE, "bench", "bench_restinio_floor")
PEER = "/work/shared/peers/aiohttp_peer.py"
PEER_PYTHON = "/usr/bin/python3"  # Debian's python3-aiohttp
WRK = "/usr/bin/wrk"
NGINX = "/usr/sbin/nginx"
ADMIN_TOKEN = "bench-admin-token"
LUA = os.path.join(BENCH, "requests.lua")
CREATE_BODY = json.dumps({
    "workflow": "pathoscope_bowtie", "sample": {"id": "kigvhuql", "name": "Test 1"},
    "index": {"id": "qldihken", "version": 0}, "user": {"id": "igboyes"},
    "subtractions": [{"id": "yhxoynb0", "name": "Arabidopsis Thaliana"}]})
FINALIZE_BODY = '{"results":{"hits":[{"id":"otu1","reads":12}],"read_count":1000}}'

procs = []        # every process we started, killed on exit
results = []      # lines for results.txt


def log(msg):
    print(msg, flush=True)


def record(line):
    """A result line: printed and kept for results.txt."""
    results.append(line)
    log(line)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(cmd, logfile, env=None):
    out = open(logfile, "wb")
    p = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env,
                         start_new_session=True)
    p.logfile = logfile
    procs.append(p)
    return p


def stop(p, sig=signal.SIGTERM, timeout=60):
    if p.poll() is None:
        p.send_signal(sig)
        try:
            p.wait(timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    if p in procs:
        procs.remove(p)


def cleanup(*_):
    for p in list(procs):
        try:
            stop(p, signal.SIGKILL, 10)
        except Exception:
            pass


def request(port, method, path, body=None, headers=None, timeout=30):
    c = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        return r.status, r.read()
    finally:
        c.close()


def wait_http(port, path="/healthz", timeout=120, proc=None, want=200):
    """Polls until `path` answers `want`; returns the seconds it took."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < timeout:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError("server exited early, see " + proc.logfile)
        try:
            status, _ = request(port, "GET", path, timeout=2)
            if status == want:
                return time.monotonic() - t0
        except OSError:
            pass
        time.sleep(0.005)
    raise RuntimeError(f"no {want} from 127.0.0.1:{port}{path} within {timeout} s")


def proc_status(pid, field):
    """A /proc/<pid>/status field in KiB (VmRSS, VmHWM)."""
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(f"no {field} for {pid}")


def context_switches(pid):
    """Voluntary plus involuntary context switches of every thread of `pid` so far."""
    total = 0
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/status") as f:
                for line in f:
                    if line.startswith(("voluntary_ctxt_switches:", "nonvoluntary_ctxt_switches:")):
                        total += int(line.split()[-1])
        except OSError:
            continue
    return total


def cpu_seconds(pid):
    """User + system CPU seconds of `pid` and its child processes (nginx's workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
        except OSError:
            continue
        # fields[1] is the ppid, [11] utime, [12] stime (after the command name)
        if int(entry) == pid or int(fields[1]) == pid:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def fresh_dir(name):
    """build/bench/<name>, emptied: the scratch directory of one part."""
    d = os.path.join(OUT, name)
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    return d


def median(xs):
    return statistics.median(xs)


def spread(xs):
    return f"(rounds: {', '.join(fmt_num(x) for x in xs)})"


def fmt_num(x):
    return f"{x:.0f}" if abs(x) >= 100 else f"{x:.3g}"


def ratio(a, b):
    return a / b if b else float("nan")


def verdicts(*checks):
    """"[target: met; target: NOT met]" for (description, passed) pairs."""
    return "[" + "; ".join(f"{d}: {'met' if ok else 'NOT met'}" for d, ok in checks) + "]"


# -- servers --------------------------------------------------------------------


SERVER_ARGS = []  # --server-args: extra analysisd options (e.g. CAF settings) for experiments


class Analysisd:
    def __init__(self, name, data_dir, threads, extra=()):
        self.port = free_port()
        self.data_dir = data_dir
        os.makedirs(data_dir, exist_ok=True)
        env = dict(os.environ, ANALYSISD_ADMIN_TOKEN=ADMIN_TOKEN)
        self.t_exec = time.monotonic()
        self.proc = start([ANALYSISD, "--listen", f"127.0.0.1:{self.port}", "--data-dir", data_dir,
                           "--threads", str(threads), *SERVER_ARGS, *extra],
                          os.path.join(OUT, f"{name}.log"), env)
        self.startup = self.t_exec  # replaced by wait_ready
        self.admin = {"Authorization": "Bearer " + ADMIN_TOKEN}

    def wait_ready(self, timeout=120):
        wait_http(self.port, timeout=timeout, proc=self.proc)
        self.startup = time.monotonic() - self.t_exec
        return self.startup

    def wait_get(self, aid, job, key, timeout=300):
        """Polls a job GET of one analysis until it answers 200 (the registry has
        built its tables: /healthz turns 200 before that); returns the seconds
        since exec."""
        t0 = time.monotonic()
        auth = {"Authorization": basic(job, key)}
        while time.monotonic() - t0 < timeout:
            if self.proc.poll() is not None:
                raise RuntimeError("server exited early, see " + self.proc.logfile)
            try:
                status, _ = request(self.port, "GET", f"/api/analyses/{aid}", headers=auth,
                                    timeout=timeout)
                if status == 200:
                    return time.monotonic() - self.t_exec
            except OSError:
                pass
            time.sleep(0.005)
        raise RuntimeError(f"GET /api/analyses/{aid} did not answer 200 within {timeout} s")

    def recovery_line(self):
        with open(self.proc.logfile, errors="replace") as f:
            for line in f:
                if "recovered" in line:
                    return line.strip()
        return "(no recovery line)"

    def create_job(self, conn=None):
        """Creates an analysis and acquires its job: (analysis_id, job_id, key)."""
        own = conn is None
        c = conn or http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            c.request("POST", "/admin/analyses", body=CREATE_BODY,
                      headers=dict(self.admin, **{"Content-Type": "application/json"}))
            r = c.getresponse()
            doc = json.loads(r.read())
            if r.status != 201:
                raise RuntimeError(f"create: {r.status} {doc}")
            c.request("PATCH", f"/admin/jobs/{doc['job']['id']}", body='{"acquired": true}',
                      headers=dict(self.admin, **{"Content-Type": "application/json"}))
            r = c.getresponse()
            acq = json.loads(r.read())
            if r.status != 200:
                raise RuntimeError(f"acquire: {r.status} {acq}")
            return doc["id"], doc["job"]["id"], acq["key"]
        finally:
            if own:
                c.close()

    def create_jobs(self, n, workers=8):
        out = [None] * n

        def work(k):
            c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            for i in range(k, n, workers):
                out[i] = self.create_job(c)
            c.close()

        ts = [threading.Thread(target=work, args=(k,)) for k in range(workers)]
        for t in ts:
            t.start()
        for t in ts:
            t.join()
        if any(x is None for x in out):
            raise RuntimeError("creating analyses failed, see " + self.proc.logfile)
        return out

    def stop(self, sig=signal.SIGTERM):
        stop(self.proc, sig)


def basic(job_id, key):
    return "Basic " + base64.b64encode(f"job-{job_id}:{key}".encode()).decode()


def start_nginx(root_dir, workers):
    prefix = os.path.join(OUT, "nginx")
    os.makedirs(os.path.join(prefix, "logs"), exist_ok=True)
    port = free_port()
    conf = os.path.join(prefix, "nginx.conf")
    with open(conf, "w") as f:
        f.write(f"""daemon off;
master_process on;
user root;
worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 4096; }}
http {{
  access_log off;
  keepalive_requests 100000000;
  keepalive_timeout 120s;
  client_body_temp_path {prefix}/client_body;
  proxy_temp_path {prefix}/proxy;
  fastcgi_temp_path {prefix}/fastcgi;
  uwsgi_temp_path {prefix}/uwsgi;
  scgi_temp_path {prefix}/scgi;
  default_type application/json;
  server {{
    listen 127.0.0.1:{port};
    root {root_dir};
  }}
}}
""")
    p = start([NGINX, "-p", prefix, "-c", conf, "-e", os.path.join(prefix, "logs", "stderr.log")],
              os.path.join(OUT, "nginx.log"))
    wait_http(port, "/analysis.json", proc=p)
    return p, port


def start_peer(data_dir):
    port = free_port()
    env = dict(os.environ, ANALYSISD_ADMIN_TOKEN=ADMIN_TOKEN)
    p = start([PEER_PYTHON, PEER, "--listen", f"127.0.0.1:{port}", "--data-dir", data_dir],
              os.path.join(OUT, "aiohttp.log"), env)
    wait_http(port, proc=p)
    return p, port


# -- wrk ------------------------------------------------------------------------


def wrk(port, lines_file, args, mode="rotate", body=None, seconds=10):
    cmd = [WRK, "-t", str(args.wrk_threads), "-c", str(args.connections), "-d", f"{seconds}s",
           "--timeout", "5s", "-s", LUA, f"http://127.0.0.1:{port}", "--", lines_file,
           str(args.wrk_threads), mode]
    if body is not None:
        cmd.append(body)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 60)
    m = re.search(r"^RESULT (.*)$", out.stdout, re.M)
    if out.returncode != 0 or not m:
        raise RuntimeError(f"wrk failed: {out.stdout}\n{out.stderr}")
    r = {k: int(v) for k, v in (kv.split("=") for kv in m.group(1).split())}
    secs = r["duration_us"] / 1e6
    r["rps"] = r["requests"] / secs
    r["ok_rps"] = r["ok"] / secs
    r["p99_ms"] = r["p99_us"] / 1000
    r["p50_ms"] = r["p50_us"] / 1000
    return r


def write_lines(path, lines):
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def profile(pid, out_txt, during):
    """perf-records `pid` (cpu-clock, call graphs) while `during()` runs; writes the
    flat report (self time) to out_txt, the inclusive one beside it, and returns
    the top lines of the flat one."""
    data = out_txt.replace(".txt", ".data")
    # BENCH_CALLGRAPH=dwarf gives whole call stacks (the binaries have no frame
    # pointers, so the default -g stops at the first libc frame); bigger files.
    graph = ["--call-graph", os.environ["BENCH_CALLGRAPH"]] if os.environ.get("BENCH_CALLGRAPH") else ["-g"]
    perf = subprocess.Popen(["perf", "record", "-e", "cpu-clock", "-F", "999"] + graph + ["-p", str(pid),
                             "-o", data], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    procs.append(perf)
    try:
        time.sleep(0.5)
        during()
    finally:
        perf.send_signal(signal.SIGINT)
        perf.wait(60)
        procs.remove(perf)
    tops = []
    for children, name in ((False, out_txt), (True, out_txt.replace(".txt", "-children.txt"))):
        rep = subprocess.run(["perf", "report", "-i", data, "--stdio",
                              "--children" if children else "--no-children", "-g", "none",
                              "--percent-limit", "2" if children else "0.3",
                              "--sort", "dso,symbol"],
                             capture_output=True, text=True, timeout=300)
        lines = [short_symbol(" ".join(l.split())) for l in rep.stdout.splitlines()
                 if l.strip() and not l.startswith("#")]
        with open(name, "w") as f:
            f.write("\n".join(lines) + "\n")
        tops.append(lines)
    kernel = [l for l in tops[0] if "[k]" in l]
    user = [l for l in tops[0] if "[k]" not in l]
    # Inclusive time of user-space functions: shows which calls the kernel time
    # (in a VM mostly charged to pvm_irq_enable) is spent under.
    inclusive = [l for l in tops[1] if "[.]" in l and "[unknown]" not in l]
    return (kernel[:3] + ["(user space, self:)"] + user[:12]
            + ["(user space, inclusive of the kernel time below it:)"] + inclusive[:8])


def short_symbol(line):
    """A perf report line with the common template noise shortened."""
    line = re.sub(r" - -$", "", line)
    line = line.replace("std::__cxx11::basic_string<char, std::char_traits<char>, "
                        "std::allocator<char> >", "std::string")
    line = line.replace("std::__cxx11::", "std::")
    return line if len(line) <= 200 else line[:197] + "..."


# -- parts ----------------------------------------------------------------------


def wrk_rounds(targets, pids, d, args, unit="req/s", answer="200"):
    """Runs wrk against each (name, port, lines file) of `targets` for args.rounds
    rounds, measuring its server's CPU per request (pids[name]); logs each round and
    returns {name: (expected answers/s, p99 ms, CPU us per request)}, medians."""
    runs = {name: [] for name, _, _ in targets}
    for r in range(args.rounds):
        for name, port, lines in targets:
            cpu0 = cpu_seconds(pids[name])
            res = wrk(port, os.path.join(d, lines), args, seconds=args.duration)
            res["cpu_us"] = (cpu_seconds(pids[name]) - cpu0) * 1e6 / max(res["requests"], 1)
            if res["other"] or res["socket_errors"]:
                log(f"  warning: {name}: {res['other']} answers other than {answer}, "
                    f"{res['socket_errors']} socket errors")
            runs[name].append(res)
            log(f"  round {r + 1}: {name:9s} {res['ok_rps']:8.0f} {unit}  p50 {res['p50_ms']:.2f} ms"
                f"  p99 {res['p99_ms']:.2f} ms  server CPU {res['cpu_us']:.1f} us/request")
    return {n: (median([x["ok_rps"] for x in v]), median([x["p99_ms"] for x in v]),
                median([x["cpu_us"] for x in v]))
            for n, v in runs.items()}


def part_get(args):
    log("\n== GET /api/analyses/:id (wrk -t%d -c%d, %d s per round) ==" % (
        args.wrk_threads, args.connections, args.duration))
    d = fresh_dir("get")
    srv = Analysisd("analysisd-get", os.path.join(d, "data"), args.threads)
    srv.wait_ready()
    t0 = time.monotonic()
    jobs = srv.create_jobs(args.analyses)
    log(f"created and acquired {len(jobs)} analyses via the operator API in "
        f"{time.monotonic() - t0:.1f} s")
    write_lines(os.path.join(d, "analysisd.lines"),
                [f"/api/analyses/{a} {basic(j, k)}" for a, j, k in jobs])
    # nginx serves the same document as a static file.
    aid, job, key = jobs[0]
    status, doc = request(srv.port, "GET", f"/api/analyses/{aid}",
                          headers={"Authorization": basic(job, key)})
    assert status == 200, status
    www = os.path.join(d, "www")
    os.makedirs(www)
    with open(os.path.join(www, "analysis.json"), "wb") as f:
        f.write(doc)
    write_lines(os.path.join(d, "nginx.lines"), ["/analysis.json -"])
    write_lines(os.path.join(d, "aiohttp.lines"),
                [f"/api/analyses/a{i:07d} {basic(f'j{i:07d}', 'secret')}" for i in range(1000)])
    status, peer_doc = (None, b"")
    ngx, ngx_port = start_nginx(www, args.threads)
    floor_port = free_port()
    floor = start([FLOOR, str(floor_port), str(args.threads), os.path.join(www, "analysis.json")],
                  os.path.join(OUT, "restinio-floor.log"))
    wait_http(floor_port, proc=floor)
    peer, peer_port = start_peer(os.path.join(d, "peer-data"))
    status, peer_doc = request(peer_port, "GET", "/api/analyses/a0000000",
                               headers={"Authorization": basic("j0000000", "secret")})
    assert status == 200, status
    log(f"document: {len(doc)} bytes (aiohttp peer's: {len(peer_doc)} bytes)")
    targets = [("nginx", ngx_port, "nginx.lines"), ("floor", floor_port, "nginx.lines"),
               ("aiohttp", peer_port, "aiohttp.lines"), ("analysisd", srv.port, "analysisd.lines")]
    pids = {"nginx": ngx.pid, "floor": floor.pid, "aiohttp": peer.pid, "analysisd": srv.proc.pid}
    for name, port, lines in targets:  # warm-up (analysis actors are spawned on first use)
        wrk(port, os.path.join(d, lines), args, seconds=2)
    med = wrk_rounds(targets, pids, d, args)
    a, n, p, fl = med["analysisd"], med["nginx"], med["aiohttp"], med["floor"]
    record(f"GET nginx      {n[0]:8.0f} req/s  p99 {n[1]:.2f} ms  (static file, baseline)")
    record(f"GET floor      {fl[0]:8.0f} req/s  p99 {fl[1]:.2f} ms  {fl[2]:.1f} us CPU/request  = "
           f"{ratio(fl[0], n[0]):.2f}x nginx, {ratio(fl[2], n[2]):.2f}x nginx's CPU  (RESTinio alone "
           f"answering the same document: this stack's floor)")
    record(f"GET aiohttp    {p[0]:8.0f} req/s  p99 {p[1]:.2f} ms  = {ratio(p[0], n[0]):.2f}x nginx")
    record(f"GET CPU        server CPU per request (user + system, medians): nginx {n[2]:.1f} us, "
           f"aiohttp {p[2]:.1f} us, analysisd {a[2]:.1f} us = {ratio(a[2], n[2]):.2f}x nginx's, "
           f"{ratio(a[2], fl[2]):.2f}x the floor's")
    record(f"GET analysisd  {a[0]:8.0f} req/s  p99 {a[1]:.2f} ms  = {ratio(a[0], n[0]):.2f}x nginx, "
           f"{ratio(a[0], p[0]):.1f}x aiohttp   "
           + verdicts((">= 0.95x nginx", a[0] >= 0.95 * n[0]), (">= 5x aiohttp", a[0] >= 5 * p[0]),
                      ("CPU <= 1.1x nginx's", a[2] <= 1.1 * n[2]), ("p99 < 5 ms", a[1] < 5)))
    # Conditional GETs: each client sends back the document's ETag and gets a
    # 304 with no content (how a polling job reads an unchanged analysis).
    etags = []
    for aid, job, key in jobs[:1000]:
        c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
        c.request("GET", f"/api/analyses/{aid}", headers={"Authorization": basic(job, key)})
        r = c.getresponse()
        r.read()
        c.close()
        etags.append(f"/api/analyses/{aid} {basic(job, key)}\t{r.getheader('ETag')}")
    write_lines(os.path.join(d, "analysisd-304.lines"), etags)
    c = http.client.HTTPConnection("127.0.0.1", ngx_port, timeout=30)
    c.request("GET", "/analysis.json")
    r = c.getresponse()
    r.read()
    c.close()
    write_lines(os.path.join(d, "nginx-304.lines"), [f"/analysis.json -\t{r.getheader('ETag')}"])
    cond = wrk_rounds((("nginx", ngx_port, "nginx-304.lines"),
                       ("analysisd", srv.port, "analysisd-304.lines")), pids, d, args, "304s/s", "304")
    cn, ca = cond["nginx"], cond["analysisd"]
    record(f"GET 304 nginx  {cn[0]:8.0f} 304s/s  p99 {cn[1]:.2f} ms  {cn[2]:.1f} us CPU/request  "
           f"(If-None-Match with its ETag, baseline)")
    record(f"GET 304 analysisd {ca[0]:5.0f} 304s/s  p99 {ca[1]:.2f} ms  {ca[2]:.1f} us CPU/request  "
           f"= {ratio(ca[0], cn[0]):.2f}x nginx   " + verdicts((">= 1.0x nginx", ca[0] >= cn[0])))
    stop(ngx, signal.SIGQUIT)
    stop(floor)
    stop(peer)
    if args.profile:
        top = profile(srv.proc.pid, os.path.join(OUT, "perf-get.txt"),
                      lambda: wrk(srv.port, os.path.join(d, "analysisd.lines"), args,
                                  seconds=args.duration))
        record("profile GET (perf, cpu-clock, self time; build/bench/perf-get.txt):")
        for line in top:
            record("    " + line)
    srv.stop()


REDIS_SERVER = "/usr/bin/redis-server"
REDIS_BENCHMARK = "/usr/bin/redis-benchmark"


def redis_always(d, args):
    """SETs per second of 300-byte values from redis-benchmark at the finalize's clients, against
    redis-server with appendonly yes and appendfsync always in `d` (the data dirs' filesystem):
    a real durable store doing the same group commit. None without redis-server."""
    if not (os.access(REDIS_SERVER, os.X_OK) and os.access(REDIS_BENCHMARK, os.X_OK)):
        return None
    rdir = os.path.join(d, "redis")
    shutil.rmtree(rdir, ignore_errors=True)
    os.makedirs(rdir)
    port = free_port()
    proc = subprocess.Popen([REDIS_SERVER, "--port", str(port), "--bind", "127.0.0.1", "--dir", rdir,
                             "--appendonly", "yes", "--appendfsync", "always", "--save", "",
                             "--logfile", os.path.join(rdir, "redis.log")],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 10
        while time.time() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.05)
        out = subprocess.run([REDIS_BENCHMARK, "-p", str(port), "-t", "set", "-c", str(args.connections),
                              "-d", "300", "-r", "1000000", "-n", str(args.redis_requests), "-q"],
                             capture_output=True, text=True, timeout=300)
        m = re.search(r"SET: ([0-9.]+) requests per second", out.stdout)
        if not m:
            raise RuntimeError(f"redis-benchmark failed: {out.stdout}\n{out.stderr}")
        return float(m.group(1))
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(rdir, ignore_errors=True)


def part_finalize(args):
    log("\n== finalize PATCH /api/analyses/:id (fresh analyses, wrk -t%d -c%d, %d s) ==" % (
        args.wrk_threads, args.connections, args.duration))
    d = fresh_dir("finalize")
    fs, fz, fin, rd, cpu, cs, prof = [], [], [], [], [], [], []
    n = args.fresh
    rounds = args.rounds + (1 if args.profile else 0)
    r, retries = 0, 0
    while r < rounds:
        data = os.path.join(d, f"data{r}")
        keys = os.path.join(d, f"keys{r}")
        os.makedirs(data, mode=0o700)
        subprocess.run([SEED, f"--state-dir={data}/state", f"--count={n}", "--mode=snapshot",
                        "--prefix=f", f"--keys={keys}"], check=True, stdout=subprocess.DEVNULL,
                       timeout=300)
        lines = os.path.join(d, f"lines{r}")
        with open(keys) as f, open(lines, "w") as out:
            for line in f:
                a, j, k = line.split()
                out.write(f"/api/analyses/{a} {basic(j, k)}\n")
        srv = Analysisd(f"analysisd-finalize{r}", data, args.threads)
        srv.wait_ready()
        with open(keys) as f:
            srv.wait_get(*f.readline().split())
        if r == args.rounds:  # the extra round is the profile, not measured
            top = profile(srv.proc.pid, os.path.join(OUT, "perf-finalize.txt"),
                          lambda: wrk(srv.port, lines, args, "once", FINALIZE_BODY, args.duration))
            prof = ["profile finalize (perf, cpu-clock, self time; build/bench/perf-finalize.txt):"]
            prof += ["    " + line for line in top]
            srv.stop()
            shutil.rmtree(data, ignore_errors=True)
            break
        cpu0, rss0 = cpu_seconds(srv.proc.pid), proc_status(srv.proc.pid, "VmRSS")
        cs0 = context_switches(srv.proc.pid)
        res = wrk(srv.port, lines, args, "once", FINALIZE_BODY, args.duration)
        res["cpu_us"] = (cpu_seconds(srv.proc.pid) - cpu0) * 1e6 / max(res["requests"], 1)
        # Thread hand-overs cost a finalize more than its own code (profile).
        res["cs"] = (context_switches(srv.proc.pid) - cs0) / max(res["requests"], 1)
        # What the server keeps per finalize (each new page costs a fault).
        res["rss_b"] = (proc_status(srv.proc.pid, "VmRSS") - rss0) * 1024 / max(res["ok"], 1)
        srv.stop()
        shutil.rmtree(data, ignore_errors=True)
        # Each wrk thread takes its own share of the lines and, once through
        # it, repeats its last one (answered 409): a 409 means a share ran
        # out and the round measured the seed, not the server. Any other
        # answer is the server's failure.
        if res["other"] > res["conflicts"]:
            raise RuntimeError(f"finalize round {r + 1}: {res['other'] - res['conflicts']} answers "
                               f"other than 200 or 409; see {srv.proc.logfile}")
        if res["ok"] >= n - args.connections or res["conflicts"] > 0:
            # Again, with twice as many.
            if retries == 3:
                raise RuntimeError(f"the {n} fresh analyses ran out 4 times; raise --fresh")
            log(f"  round {r + 1}: the {n} fresh analyses ran out ({res['ok_rps']:.0f} 200s/s); "
                f"again with {2 * n}")
            n, retries = 2 * n, retries + 1
            continue
        for rates, extra in ((fs, []), (fz, ["over-zeros"])):
            out = subprocess.run([FSYNC, d, str(args.fsync_seconds), *extra], capture_output=True,
                                 text=True, check=True, timeout=args.fsync_seconds + 60)
            rates.append(float(out.stdout.split()[1]))
        redis = redis_always(d, args)
        if redis is not None:
            rd.append(redis)
        fin.append(res["ok_rps"])
        cpu.append(res["cpu_us"])
        cs.append(res["cs"])
        log(f"  round {r + 1}: finalize {res['ok_rps']:8.0f} 200s/s "
            f"(p50 {res['p50_ms']:.2f} ms, p99 {res['p99_ms']:.2f} ms, server CPU {res['cpu_us']:.1f} "
            f"us and {res['cs']:.2f} context switches/request, RSS +{res['rss_b']:.0f} B per 200, {res['other']} non-200, "
            f"{res['ok']} of {n} fresh analyses)   fdatasync {fs[-1]:8.0f}/s ({fz[-1]:.0f}/s over zeros)"
            + (f"   redis {redis:8.0f} SETs/s" if redis is not None else ""))
        r += 1
    mf, mfin = median(fs), median(fin)
    record(f"fsync ceiling  {mf:8.0f} fdatasyncs/s (64-byte write + fdatasync loop in the data dir, "
           f"baseline)")
    record(f"fsync zeros    {median(fz):8.0f} fdatasyncs/s (the same loop writing over zeros, as the "
           f"journal does: {ratio(median(fz), mf):.2f}x the ceiling)")
    if rd:
        mr = median(rd)
        record(f"redis always   {mr:8.0f} SETs/s (redis-server appendfsync always, redis-benchmark "
               f"-t set -c {args.connections} -d 300, baseline)")
    else:
        record("redis always   not measured: redis-server is not installed (apt-get install "
               "redis-server)")
    record(f"finalize       {mfin:8.0f} 200s/s at {args.connections} clients, server CPU "
           f"{median(cpu):.1f} us and {median(cs):.2f} context switches/request  = "
           f"{ratio(mfin, mf):.2f}x fsyncs/s   " + verdicts((">= 3x", mfin >= 3 * mf)))
    if rd:
        record(f"               = {ratio(mfin, mr):.2f}x redis   " + verdicts((">= 0.5x", mfin >= 0.5 * mr)))
    for line in prof:
        record(line)


BOUNDARY = "analysisd-bench-boundary"
MULTIPART_PRE = (f"--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; "
                 f"filename=\"upload.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
MULTIPART_POST = f"\r\n--{BOUNDARY}--\r\n".encode()


def multipart_length(size):
    """Content-Length of a multipart upload of `size` file bytes."""
    return len(MULTIPART_PRE) + size + len(MULTIPART_POST)


def multipart_head(target, auth, length, expect=False):
    """The request head of a multipart upload (MULTIPART_PRE + file + MULTIPART_POST)
    of `length` body bytes."""
    return (f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {auth}\r\n"
            f"Content-Type: multipart/form-data; boundary={BOUNDARY}\r\n"
            f"Content-Length: {length}\r\n" + ("Expect: 100-continue\r\n" if expect else "")
            + "Connection: close\r\n\r\n").encode()


def sendfile_upload(port, target, auth, path, timeout=600):
    """POSTs `path` as the multipart part `file`, its bytes sent with sendfile(2):
    a client that costs the server's machine as little as possible (curl -F reads
    and copies the file itself, and reached only about 460 MiB/s into a socket
    that discards everything on this machine). `timeout` bounds every socket
    operation (a server that stops reading or answering fails it). Returns
    (status, body)."""
    head = multipart_head(target, auth, multipart_length(os.path.getsize(path)))
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head + MULTIPART_PRE)
        with open(path, "rb") as f:
            sock.sendfile(f)
        sock.sendall(MULTIPART_POST)
        answer = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    parts = status_line.split()
    status = int(parts[1]) if len(parts) > 1 else 0
    return status, rest.partition(b"\r\n\r\n")[2]


def part_upload(args):
    size_mib = args.upload_mib
    log(f"\n== upload {size_mib} MiB multipart (sendfile client) vs dd conv=fdatasync ==")
    d = fresh_dir("upload")
    src = os.path.join(d, "upload.bin")
    with open(src, "wb") as f:  # sparse: the client reads zeros without disk I/O
        f.truncate(size_mib << 20)
    ups, dds, hwms, prof = [], [], [], []

    small = os.path.join(d, "profile.bin")  # the profile's upload: 256 MiB at most
    with open(small, "wb") as f:
        f.truncate(min(size_mib, 256) << 20)

    def upload(srv, aid, job, key, path=src):
        status, body = sendfile_upload(srv.port, f"/api/analyses/{aid}/files?name=big.bin",
                                       "Basic " + base64.b64encode(f"job-{job}:{key}".encode()).decode(),
                                       path)
        with open(os.path.join(d, "answer.json"), "wb") as f:
            f.write(body)
        if status != 201:
            raise RuntimeError(f"upload answered {status} {body[:200]!r}, see {srv.proc.logfile}")

    for r in range(args.rounds + (1 if args.profile else 0)):
        data = os.path.join(d, f"data{r}")
        srv = Analysisd(f"analysisd-upload{r}", data, args.threads)
        srv.wait_ready()
        aid, job, key = srv.create_job()
        subprocess.run(["sync"], check=True)
        if r == args.rounds:  # the extra round is the profile, not measured
            top = profile(srv.proc.pid, os.path.join(OUT, "perf-upload.txt"),
                          lambda: upload(srv, aid, job, key, small))
            prof = ["profile upload (perf, cpu-clock, self time; build/bench/perf-upload.txt):"]
            prof += ["    " + line for line in top]
            srv.stop()
            shutil.rmtree(data, ignore_errors=True)
            break
        hwm0 = proc_status(srv.proc.pid, "VmHWM")
        t0 = time.monotonic()
        upload(srv, aid, job, key)
        secs = time.monotonic() - t0
        hwm = proc_status(srv.proc.pid, "VmHWM")
        srv.stop()
        shutil.rmtree(data, ignore_errors=True)
        subprocess.run(["sync"], check=True)
        os.makedirs(data)
        t0 = time.monotonic()
        subprocess.run(["dd", "if=/dev/zero", f"of={data}/x", "bs=1M", f"count={size_mib}",
                        "conv=fdatasync"], check=True, capture_output=True, timeout=600)
        dd_secs = time.monotonic() - t0
        shutil.rmtree(data, ignore_errors=True)
        ups.append(size_mib / secs)
        dds.append(size_mib / dd_secs)
        hwms.append(hwm / 1024)
        log(f"  round {r + 1}: upload {ups[-1]:6.0f} MiB/s ({secs:.2f} s)   dd {dds[-1]:6.0f} MiB/s   "
            f"server VmHWM {hwm / 1024:.0f} MiB (before the upload {hwm0 / 1024:.0f} MiB)")
    mu, md, mh = median(ups), median(dds), median(hwms)
    record(f"dd             {md:8.0f} MiB/s (dd bs=1M count={size_mib} conv=fdatasync into the data "
           f"dir, baseline)")
    record(f"upload         {mu:8.0f} MiB/s ({size_mib} MiB multipart)  = {ratio(mu, md):.2f}x dd   "
           + verdicts((">= 0.8x dd", mu >= 0.8 * md)))
    record(f"upload peak RSS {mh:7.0f} MiB  = upload size + {mh - size_mib:.0f} MiB   "
           + verdicts(("<= size + 64 MiB", mh <= size_mib + 64)))
    for line in prof:
        record(line)


# -- upload limits: heads decided first, bodies streamed with bounded memory ----


class RssWatch:
    """`with RssWatch(pid) as w:` samples the VmRSS of `pid` from /proc every
    `period` seconds in a thread, from the VmRSS just before the block. It also
    resets the kernel's peak (VmHWM, by writing 5 to /proc/<pid>/clear_refs) at
    the start, so that VmHWM after the block is the exact peak in between, which
    sampling can miss. growth() is the larger of the two, in MiB."""

    def __init__(self, pid, period=0.02):
        self.pid, self.period = pid, period
        self.samples = 0
        self.hwm = None

    def __enter__(self):
        try:
            with open(f"/proc/{self.pid}/clear_refs", "w") as f:
                f.write("5")
            self.hwm_reset = True
        except OSError:
            self.hwm_reset = False
        self.before = proc_status(self.pid, "VmRSS")
        self.peak = self.before
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self):
        while not self._stop.is_set():
            try:
                rss = proc_status(self.pid, "VmRSS")
            except (OSError, RuntimeError):  # the server is gone
                return
            self.peak = max(self.peak, rss)
            self.samples += 1
            self._stop.wait(self.period)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(5)
        try:
            self.peak = max(self.peak, proc_status(self.pid, "VmRSS"))
            if self.hwm_reset:
                self.hwm = proc_status(self.pid, "VmHWM")
        except (OSError, RuntimeError):
            pass
        return False

    def sampled_mib(self):
        return (self.peak - self.before) / 1024

    def hwm_mib(self):
        return None if self.hwm is None else (self.hwm - self.before) / 1024

    def growth(self):
        return max(self.sampled_mib(), self.hwm_mib() or 0.0)

    def describe(self):
        hwm = "" if self.hwm is None else f", VmHWM +{self.hwm_mib():.0f} MiB"
        return f"sampled +{self.sampled_mib():.0f} MiB ({self.samples} samples){hwm}"


def run_bounded(fns, seconds, what, logfile):
    """Runs each of `fns` in its own thread; returns their results in order.
    Fails with a clear message if one raised, or if any is still running after
    `seconds` (a stuck server: the threads are daemons, and the server is killed
    on the way out, which ends their sockets)."""
    out, errs = [None] * len(fns), [None] * len(fns)

    def wrap(i, fn):
        try:
            out[i] = fn()
        except BaseException as e:  # reported below
            errs[i] = e

    ts = [threading.Thread(target=wrap, args=(i, fn), daemon=True) for i, fn in enumerate(fns)]
    end = time.monotonic() + seconds
    for t in ts:
        t.start()
    for t in ts:
        t.join(max(0.0, end - time.monotonic()))
    if any(t.is_alive() for t in ts):
        raise RuntimeError(f"{what}: not done after {seconds:.0f} s, the server seems stuck "
                           f"(see {logfile})")
    for e in errs:
        if e is not None:
            raise RuntimeError(f"{what}: {type(e).__name__}: {e} (see {logfile})") from e
    return out


def status_code(line):
    parts = line.split()
    try:
        return int(parts[1]) if len(parts) > 1 and parts[0].startswith(b"HTTP/") else 0
    except ValueError:
        return 0


def read_status(sock, buf, deadline, skip_1xx):
    """Reads from `sock` (after `buf`, what was read already) until a whole
    status line, skipping whole 1xx answers if `skip_1xx`. Returns
    (code, t_received, the bytes after that status line), or (0, None, note)
    when none came before `deadline` (monotonic) or the connection ended."""
    while True:
        while b"\r\n" not in buf or (skip_1xx and status_code(buf.partition(b"\r\n")[0]) // 100 == 1
                                      and b"\r\n\r\n" not in buf):
            left = deadline - time.monotonic()
            if left <= 0:
                return 0, None, "no answer"
            sock.settimeout(left)
            try:
                chunk = sock.recv(65536)
            except socket.timeout:
                return 0, None, "no answer"
            except OSError as e:  # ECONNRESET before a status line
                return 0, None, f"{errno.errorcode.get(e.errno, e)} before a status line"
            if not chunk:
                return 0, None, "closed before a status line"
            buf += chunk
        t = time.monotonic()
        line, _, rest = buf.partition(b"\r\n")
        code = status_code(line)
        if skip_1xx and code // 100 == 1:
            buf = buf.partition(b"\r\n\r\n")[2]
            continue
        return code, t, rest


# The unauthenticated upload streams its body in PIECE pieces through a socket
# whose send buffer is asked to be SNDBUF (Linux doubles what is asked).
PIECE = 64 << 10
SNDBUF = 64 << 10


def body_bytes(offset, n, size, zeros):
    """Bytes [offset, offset + n) of the multipart body of `size` zero file bytes."""
    pre, post = MULTIPART_PRE, MULTIPART_POST
    zeros_end = len(pre) + size
    if offset >= len(pre) and offset + n <= zeros_end:
        return zeros[:n]
    out = bytearray(n)
    if offset < len(pre):
        k = min(n, len(pre) - offset)
        out[:k] = pre[offset:offset + k]
    if offset + n > zeros_end:
        start = max(offset, zeros_end)
        out[start - offset:] = post[start - zeros_end:offset + n - zeros_end]
    return out


def streamed_unauthorized(port, target, auth, size, timeout):
    """An upload with bad credentials whose client does not wait: it sends the
    head, then a thread sends the body (`size` zero file bytes in multipart) in
    PIECE pieces with send(2), counting the bytes each call handed to the
    socket, while this thread reads. When the status line arrives, the count
    at that moment is kept ("sent"), and the sending stops.

    What the server had read when it answered is at most "sent" (it cannot
    read what was not handed over), and at least "sent" minus what the kernel
    buffers between the two programs hold: this socket's send buffer (asked
    to be SNDBUF; what Linux made of it is returned as "sndbuf") and the
    server socket's receive buffer (tcp_rmem's initial value while the server
    does not read, then grown by autotuning while it does). So "sent" <
    1 MiB proves the answer came before 1 MiB was read; with the small send
    buffer, a server that answers from the head, reading no body, shows a
    "sent" of a few hundred KiB here. A connection closed or reset after the
    status line (the server may close after a lingering read) ends the
    sending and is not an error. Returns dict(status, sent, ms, sndbuf,
    note); a server that neither answers nor takes body bytes for `timeout`
    seconds fails with an exception."""
    length = multipart_length(size)
    zeros = memoryview(bytes(PIECE))
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SNDBUF)  # before connect
        sock.settimeout(timeout)  # bounds every send of the sending thread
        sock.connect(("127.0.0.1", port))
        sndbuf = sock.getsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF)
        state = {"sent": 0, "error": None}
        answered = threading.Event()

        def send_body():
            try:
                while state["sent"] < length and not answered.is_set():
                    off = state["sent"]
                    state["sent"] = off + sock.send(body_bytes(off, min(PIECE, length - off),
                                                               size, zeros))
            except OSError as e:  # EPIPE/ECONNRESET once answered: expected
                if not answered.is_set():
                    state["error"] = e

        t0 = time.monotonic()
        sock.sendall(multipart_head(target, auth, length))
        sender = threading.Thread(target=send_body, daemon=True)
        sender.start()
        buf, progress = b"", (t0, 0)
        code = 0
        note = ""
        while True:
            # a whole status line, not a 1xx (none is expected without Expect)
            if b"\r\n" in buf:
                line, _, rest = buf.partition(b"\r\n")
                code = status_code(line)
                if code // 100 != 1:
                    sent, t1 = state["sent"], time.monotonic()
                    break
                if b"\r\n\r\n" in buf:
                    buf = buf.partition(b"\r\n\r\n")[2]
                    continue
            readable = select.select([sock], [], [], 0.2)[0]
            if readable:
                try:
                    chunk = sock.recv(65536)
                except OSError as e:
                    chunk, note = b"", f"{errno.errorcode.get(e.errno, e)} before a status line"
                if not chunk:
                    code, sent, t1 = 0, state["sent"], time.monotonic()
                    note = note or "closed before a status line"
                    break
                buf += chunk
                continue
            now = time.monotonic()
            if state["sent"] != progress[1]:
                progress = (now, state["sent"])
            elif now - progress[0] > timeout:
                raise RuntimeError(f"no status line and no body byte taken for {timeout} s "
                                   f"({state['sent']} of {length} body bytes sent)")
            if state["error"] is not None and not sender.is_alive():
                note = f"sending failed: {state['error']}"
        answered.set()
        try:
            sock.shutdown(socket.SHUT_RDWR)  # wakes a send blocked on full buffers
        except OSError:
            pass
        sender.join(timeout)
        if sender.is_alive():
            raise RuntimeError("the sending thread did not end")
        return {"status": code, "sent": sent, "ms": (t1 - t0) * 1000, "sndbuf": sndbuf,
                "note": note}
    finally:
        sock.close()


def expect_head(port, target, auth, length, wait, timeout):
    """Connects, then sends only the head of an upload of `length` body bytes
    with `Expect: 100-continue` and waits up to `wait` seconds for the first
    status line (100 or final). Returns (sock, code, ms from the head sent to
    that status line, what was read from that status line on, note); code 0
    when none came."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    t0 = time.monotonic()
    sock.sendall(multipart_head(target, auth, length, expect=True))
    code, t1, rest = read_status(sock, b"", t0 + wait, skip_1xx=False)
    if code == 0:
        return sock, 0, None, b"", f"{rest} within {wait:g} s"
    return sock, code, (t1 - t0) * 1000, f"HTTP/1.1 {code} \r\n".encode() + rest, ""


def expect_upload(port, target, auth, size, wait, timeout):
    """An authorized upload of `size` zero bytes with `Expect: 100-continue`:
    returns (first code, ms from the head sent to it, final code, note). After a
    100 the body is sent and the final answer read; without an answer within
    `wait` the body is sent anyway (as curl does after 1 s), so that the
    request still ends cleanly."""
    sock, code, ms, buf, note = expect_head(port, target, auth, multipart_length(size), wait,
                                             timeout)
    with sock:
        final = code
        if code in (0, 100):
            sock.settimeout(timeout)
            try:
                sock.sendall(MULTIPART_PRE + bytes(size) + MULTIPART_POST)
            except OSError as e:
                return code, ms, 0, f"{note} sending the body: {e}".strip()
            # skips the whole 100 answer (read further if need be)
            final, _, why = read_status(sock, buf, time.monotonic() + timeout, skip_1xx=True)
            if final == 0:
                note = f"{note} final answer: {why}".strip()
        return code, ms, final, note


def head_to_status(port, head, timeout):
    """ms from sending `head` (connected already) to its status line."""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        t0 = time.monotonic()
        sock.sendall(head)
        code, t1, why = read_status(sock, b"", t0 + timeout, skip_1xx=True)
        if code == 0:
            raise RuntimeError(f"GET: {why} within {timeout} s")
        return code, (t1 - t0) * 1000


def part_upload_limits(args):
    """Request heads decided first, upload bodies streamed with bounded memory
    (bench/README.md, lines `uploads x4`, `unauth x3`, `unauth Expect`,
    `Expect 100`). Per round: a fresh server for 4 concurrent authorized
    uploads, another for 3 concurrent refused bodies (streamed, then heads with
    Expect: 100-continue) and 20 authorized uploads with Expect. Every socket
    operation waits at most --limits-timeout, every head's first answer at most
    --limits-wait; the data dirs are removed."""
    size_mib = args.limits_mib
    size = size_mib << 20
    n_up, n_bad, n_expect = 4, 3, 20
    wait, timeout = args.limits_wait, args.limits_timeout
    log(f"\n== upload limits: {n_up} concurrent {size_mib} MiB uploads, {n_bad} unauthenticated "
        f"{size_mib} MiB bodies (streamed and with Expect), Expect: 100-continue x{n_expect} ==")
    d = fresh_dir("upload-limits")
    src = os.path.join(d, "upload.bin")
    with open(src, "wb") as f:  # sparse: the clients read zeros without disk I/O
        f.truncate(size)
    bad_auth = basic("zzzzzzzz", "0" * 64)  # Basic credentials of a job that does not exist
    with open("/proc/sys/net/ipv4/tcp_rmem") as f:
        rmem0 = int(f.read().split()[1])
    up_rss, up_rate, up_ok = [], [], []
    bad_rss, bad_sent, bad_ms, bad_ok, bad_notes = [], [], [], [], []
    exp_bad_ms, exp_bad_ok, exp_bad_notes, exp_bad_401 = [], [], [], 0
    exp_ms, exp_ok, exp_notes, get_ms = [], [], [], []
    sndbuf = None
    try:
        for r in range(args.rounds):
            # 1. n_up concurrent authorized uploads, each on its own connection
            # from its own thread (sendfile clients), on a fresh server.
            data = os.path.join(d, f"data{r}-uploads")
            srv = Analysisd(f"analysisd-limits-uploads{r}", data, args.threads)
            srv.wait_ready()
            jobs = [srv.create_job() for _ in range(n_up)]
            subprocess.run(["sync"], check=True, timeout=600)

            def upload(aid, job, key):
                try:
                    status, body = sendfile_upload(srv.port,
                                                   f"/api/analyses/{aid}/files?name=big.bin",
                                                   basic(job, key), src, timeout=timeout)
                except socket.timeout:
                    raise RuntimeError(f"an upload made no progress for {timeout:g} s") from None
                return status, time.monotonic(), body[:200]

            # bounded: no socket operation waits longer than `timeout`, and the
            # whole lot must go faster than 10 MiB/s
            with RssWatch(srv.proc.pid) as w:
                t0 = time.monotonic()
                outs = run_bounded([lambda j=j: upload(*j) for j in jobs],
                                   timeout + n_up * size_mib / 10, "concurrent uploads",
                                   srv.proc.logfile)
            secs = max(t for _, t, _ in outs) - t0
            statuses = [s for s, _, _ in outs]
            up_rss.append(w.growth())
            up_rate.append(n_up * size_mib / secs)
            up_ok.append(all(s == 201 for s in statuses))
            log(f"  round {r + 1}: {n_up} uploads: {up_rate[-1]:.0f} MiB/s aggregate ({secs:.2f} s), "
                f"statuses {statuses}, server RSS {w.before / 1024:.0f} MiB before, peak growth "
                f"+{up_rss[-1]:.0f} MiB ({w.describe()})")
            if not up_ok[-1]:
                log(f"    answers: {[b for _, _, b in outs]}")
            srv.stop()
            shutil.rmtree(data, ignore_errors=True)

            # 2.-4. On another fresh server: unauthenticated bodies (their RSS
            # growth not mixed with the uploads' leftovers), then Expect.
            data = os.path.join(d, f"data{r}-limits")
            srv = Analysisd(f"analysisd-limits{r}", data, args.threads)
            srv.wait_ready()
            aid, job, key = srv.create_job()
            target = f"/api/analyses/{aid}/files?name=refused.bin"
            # 2. n_bad concurrent streamed bodies with bad credentials
            with RssWatch(srv.proc.pid) as w:
                outs = run_bounded([lambda: streamed_unauthorized(srv.port, target, bad_auth, size,
                                                                  timeout)] * n_bad,
                                   timeout + n_bad * size_mib / 10, "unauthenticated bodies",
                                   srv.proc.logfile)
            sndbuf = outs[0]["sndbuf"]
            bad_rss.append(w.growth())
            bad_sent.append(max(o["sent"] for o in outs))
            bad_ms.append(max(o["ms"] for o in outs))
            bad_ok.append(all(o["status"] == 401 for o in outs))
            bad_notes += [o["note"] for o in outs if o["note"]]
            log(f"  round {r + 1}: {n_bad} unauthenticated bodies: statuses "
                f"{[o['status'] for o in outs]}, body bytes sent at the status line "
                f"{[o['sent'] for o in outs]}, after {[round(o['ms']) for o in outs]} ms, "
                f"server RSS {w.before / 1024:.0f} MiB before, peak growth +{bad_rss[-1]:.0f} MiB "
                f"({w.describe()})" + "".join(f"; {o['note']}" for o in outs if o["note"]))
            # 3. the same with Expect: 100-continue: only heads are sent
            def refused_head():
                sock, code, ms, _, note = expect_head(srv.port, target, bad_auth,
                                                      multipart_length(size), wait, timeout)
                sock.close()
                return code, ms, note

            outs = run_bounded([refused_head] * n_bad, wait + timeout, "unauthenticated Expect heads",
                               srv.proc.logfile)
            exp_bad_401 += sum(c == 401 for c, _, _ in outs)
            exp_bad_ok.append(all(c == 401 for c, _, _ in outs))
            exp_bad_ms.append(max(ms for _, ms, _ in outs) if exp_bad_ok[-1] else float("nan"))
            exp_bad_notes += [n for _, _, n in outs if n]
            log(f"  round {r + 1}: {n_bad} unauthenticated Expect heads: first answers "
                f"{[c or 'none' for c, _, _ in outs]}, after "
                f"{[None if ms is None else round(ms, 2) for _, ms, _ in outs]} ms"
                + "".join(f"; {n}" for _, _, n in outs if n))
            # 4. authorized uploads with Expect: 100-continue, one at a time
            times, firsts, notes = [], [], []
            for i in range(n_expect):
                code, ms, final, note = expect_upload(
                    srv.port, f"/api/analyses/{aid}/files?name=expect-{i}.bin", basic(job, key),
                    64 << 10, wait, timeout)
                firsts.append(code)
                if code == 100 and final == 201:
                    times.append(ms)
                else:
                    notes.append(f"try {i + 1}: first answer {code or 'none'}, final {final or 'none'}"
                                 + (f" ({note})" if note else ""))
                    break  # bounded: the remaining tries would fail (or wait) as long
            exp_ok.append(len(times) == n_expect)
            exp_ms.append(median(times) if times else float("nan"))
            exp_notes += notes
            # reference: a job GET's head to its status line, on the same server
            gets = []
            head = (f"GET /api/analyses/{aid} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                    f"Authorization: {basic(job, key)}\r\nConnection: close\r\n\r\n").encode()
            for _ in range(n_expect):
                code, ms = head_to_status(srv.port, head, timeout)
                if code != 200:
                    raise RuntimeError(f"GET answered {code}, see {srv.proc.logfile}")
                gets.append(ms)
            get_ms.append(median(gets))
            log(f"  round {r + 1}: Expect uploads: {len(times)}/{n_expect} got 100 Continue then 201"
                + (f", head to 100 Continue median {exp_ms[-1]:.2f} ms" if times else "")
                + f"; job GET head to status line median {get_ms[-1]:.2f} ms"
                + "".join(f"; {n}" for n in notes))
            srv.stop()
            shutil.rmtree(data, ignore_errors=True)
    finally:
        shutil.rmtree(d, ignore_errors=True)

    def worst(notes):
        return f"; {notes[0]}" if notes else ""

    mb = median(bad_sent)
    record(f"{f'uploads x{n_up} RSS':15s}+{median(up_rss):.0f} MiB peak growth ({n_up} concurrent "
           f"{size_mib} MiB uploads; VmRSS every 20 ms and VmHWM, over the RSS before) "
           f"{spread(up_rss)}   " + verdicts(("<= +64 MiB", median(up_rss) <= 64),
                                            (f"all {n_up * args.rounds} 201", all(up_ok))))
    record(f"{f'uploads x{n_up}':15s}{median(up_rate):8.0f} MiB/s aggregate (start to the last 201) "
           f"{spread(up_rate)}   (no target)")
    record(f"{f'unauth x{n_bad} RSS':15s}+{median(bad_rss):.0f} MiB peak growth ({n_bad} concurrent "
           f"{size_mib} MiB bodies, bad Basic credentials) {spread(bad_rss)}   "
           + verdicts(("<= +32 MiB", median(bad_rss) <= 32)))
    record(f"{f'unauth x{n_bad} 401':15s}{mb / 1024:8.0f} KiB of body sent when the status line came "
           f"(worst of {n_bad}; client SO_SNDBUF {sndbuf // 1024} KiB, server's initial receive "
           f"buffer {rmem0 // 1024} KiB), after {median(bad_ms):.0f} ms {spread(bad_ms)}"
           f"{worst(bad_notes)}   "
           + verdicts(("401 before 1 MiB sent", all(bad_ok) and mb < 1 << 20)))
    record(f"{'unauth Expect':15s}401 to {exp_bad_401}/{n_bad * args.rounds} heads with Expect: "
           f"100-continue, no body byte sent (each waiting {wait:g} s)"
           + (f", after {median(exp_bad_ms):.2f} ms" if all(exp_bad_ok) else "")
           + f"{worst(exp_bad_notes)}   " + verdicts(("401 without a body byte", all(exp_bad_ok))))
    ms_text = f"{median(exp_ms):8.2f} ms" if all(exp_ok) else "    none   "
    record(f"{'Expect 100':15s}{ms_text} head sent to 100 Continue (median of {n_expect} authorized "
           f"64 KiB uploads, each then 201; a job GET's head to its status line: "
           f"{median(get_ms):.2f} ms){worst(exp_notes)}   "
           + verdicts((f"100 Continue to every head within {wait:g} s", all(exp_ok))))


def measure_compaction(srv, snapshot, timeout=120):
    """Creates analyses until a compaction has rewritten `snapshot`, then waits 5 s
    (the rename comes before the directory syncs, the journals' deletion and the
    frees): (creates, seconds, peak RSS from the first create on, RSS after), in KiB."""
    with open(f"/proc/{srv.proc.pid}/clear_refs", "w") as f:
        f.write("5")  # VmHWM from here on
    before = os.stat(snapshot).st_mtime_ns
    c = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    creates, t0 = 0, time.monotonic()
    while os.stat(snapshot).st_mtime_ns == before:
        if time.monotonic() - t0 > timeout:
            raise RuntimeError(f"no compaction within {timeout} s")
        c.request("POST", "/admin/analyses", body=CREATE_BODY,
                  headers=dict(srv.admin, **{"Content-Type": "application/json"}))
        r = c.getresponse()
        r.read()
        if r.status != 201:
            raise RuntimeError(f"create: {r.status}")
        creates += 1
    secs = time.monotonic() - t0
    c.close()
    time.sleep(5)
    return creates, secs, proc_status(srv.proc.pid, "VmHWM"), proc_status(srv.proc.pid, "VmRSS")


def part_recovery(args):
    log("\n== recovery and memory ==")
    d = fresh_dir("recovery")
    # The empty server: the baseline for RSS per analysis.
    empty = []
    for r in range(args.rounds):
        srv = Analysisd("analysisd-empty", os.path.join(d, "empty"), args.threads)
        srv.wait_ready()
        time.sleep(1)
        empty.append(proc_status(srv.proc.pid, "VmRSS"))
        srv.stop(signal.SIGKILL)
    base = median(empty)
    record(f"empty server   RSS {base / 1024:.1f} MiB (baseline for RSS per analysis)")
    def count(n):
        return f"{n // 10**6}M" if n % 10**6 == 0 else f"{n // 1000}k" if n % 1000 == 0 else str(n)

    cases = [(args.big, "snapshot"), (args.small, "snapshot"), (args.small, "journal")]
    for n, mode in cases:
        label = f"{count(n)} {mode}"
        data = os.path.join(d, f"{mode}-{n}")
        t0 = time.monotonic()
        os.makedirs(data, mode=0o700)
        keys = os.path.join(d, "keys")
        subprocess.run([SEED, f"--state-dir={data}/state", f"--count={n}", f"--mode={mode}",
                        "--prefix=r", f"--keys={keys}", "--keys-limit=1"], check=True,
                       stdout=subprocess.DEVNULL, timeout=600)
        with open(keys) as f:
            first = f.readline().split()
        state_bytes = sum(os.path.getsize(os.path.join(data, "state", x))
                          for x in os.listdir(os.path.join(data, "state")))
        log(f"  seeded {n} analyses as a {mode} ({state_bytes / 2**20:.0f} MiB) in "
            f"{time.monotonic() - t0:.1f} s")
        healthz, starts, rss, hwm, lines = [], [], [], [], []
        # The last round of the big snapshot also compacts once (it changes
        # the state, so no round follows it): a small --journal-rotate-bytes,
        # then creates until the snapshot has been rewritten.
        compaction = None
        for r in range(args.rounds):
            compacts = n == args.big and mode == "snapshot" and r == args.rounds - 1
            subprocess.run(["sync"], check=True)
            srv = Analysisd(f"analysisd-{mode}-{n}", data, args.threads,
                            ("--journal-rotate-bytes", "256KiB") if compacts else ())
            healthz.append(srv.wait_ready(timeout=300))
            starts.append(srv.wait_get(*first))
            time.sleep(2)  # idle
            rss.append(proc_status(srv.proc.pid, "VmRSS"))
            hwm.append(proc_status(srv.proc.pid, "VmHWM"))
            lines.append(srv.recovery_line())
            if compacts:
                compaction = measure_compaction(srv, os.path.join(data, "state", "snapshot"))
            # SIGKILL: a clean stop would write a snapshot and change what the
            # next round recovers (the journal-only case).
            srv.stop(signal.SIGKILL)
            for x in os.listdir(os.path.join(data, "state")):  # the empty journal it opened
                p = os.path.join(data, "state", x)
                if x.startswith("journal-") and os.path.getsize(p) <= 8:  # the magic only
                    os.remove(p)
            log(f"  round {r + 1}: {label}: /healthz 200 after {healthz[-1]:.2f} s, first job GET 200 "
                f"after {starts[-1]:.2f} s, RSS {rss[-1] / 1024:.0f} MiB "
                f"(peak {hwm[-1] / 1024:.0f} MiB); log: {lines[-1]}")
        ms, mr, mh = median(starts), median(rss), median(hwm)
        per = (mr - base) * 1024 / n
        verdict = ""
        if n == args.big and mode == "snapshot":
            verdict = "   " + verdicts(("<= 1 KiB each", per <= 1024), ("start <= 3 s", ms <= 3))
        record(f"{label:14s} start-up {ms:6.2f} s (exec to the first job GET 200; /healthz 200 after "
               f"{median(healthz):.2f} s), idle RSS {mr / 1024:.0f} MiB "
               f"= {per:.0f} B per analysis over the empty server, peak RSS {mh / 1024:.0f} MiB{verdict}")
        record(f"               {lines[len(lines) // 2]}")
        if compaction is not None:
            creates, secs, peak, after = compaction
            record(f"{label} compaction: peak RSS {peak / 1024:.0f} MiB (+{(peak - rss[-1]) / 1024:.0f} MiB "
                   f"over idle) while the snapshot was rewritten, {after / 1024:.0f} MiB after "
                   f"({creates} creates in {secs:.1f} s until it was; --journal-rotate-bytes 256KiB)")
        shutil.rmtree(data, ignore_errors=True)


PARTS = {"get": part_get, "finalize": part_finalize, "upload": part_upload,
         "upload-limits": part_upload_limits, "recovery": part_recovery}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parts", default="get,finalize,upload,upload-limits,recovery",
                    help="comma-separated: get,finalize,upload,upload-limits,recovery")
    ap.add_argument("--rounds", type=int, default=3, help="rounds per figure (median is reported)")
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    ap.add_argument("--quick", action="store_true",
                    help="short run: 1 round, 3 s wrk runs, 256 MiB uploads, 100k instead of 1M")
    ap.add_argument("--connections", type=int, default=64, help="wrk connections (all servers)")
    ap.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (all servers)")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2,
                    help="analysisd --threads and nginx worker_processes")
    ap.add_argument("--analyses", type=int, default=1024, help="analyses the GET rotates over")
    ap.add_argument("--fresh", type=int, default=600000,
                    help="fresh analyses per finalize round (doubled for a round that runs out)")
    ap.add_argument("--redis-requests", type=int, default=300000,
                    help="SETs per redis-benchmark run (the finalize's durable-write anchor)")
    ap.add_argument("--fsync-seconds", type=int, default=5, help="seconds of the fdatasync loop")
    ap.add_argument("--upload-mib", type=int, default=1024, help="upload size (MiB)")
    ap.add_argument("--limits-mib", type=int, default=1024,
                    help="size of each upload and body of part upload-limits (MiB)")
    ap.add_argument("--limits-wait", type=float, default=5,
                    help="upload-limits: seconds a head with Expect: 100-continue waits for its "
                         "first answer")
    ap.add_argument("--limits-timeout", type=float, default=60,
                    help="upload-limits: seconds any socket operation may wait (a stuck server "
                         "fails the part)")
    ap.add_argument("--big", type=int, default=1000000, help="analyses of the big recovery")
    ap.add_argument("--small", type=int, default=100000,
                    help="analyses of the small recoveries (snapshot and journal only)")
    ap.add_argument("--no-profile", dest="profile", action="store_false",
                    help="skip the perf profiles of GET, finalize and upload")
    ap.add_argument("--server-args", default="",
                    help="extra analysisd options for experiments, e.g. "
                         "'--caf.scheduler.policy=stealing' (printed in the header)")
    args = ap.parse_args()
    SERVER_ARGS.extend(args.server_args.split())
    if args.quick:  # shorter defaults; options given explicitly still win
        quick = {"rounds": 1, "duration": 3, "fsync_seconds": 2, "upload_mib": 256, "limits_mib": 256,
                 "big": 100000, "fresh": 50000}
        for k, v in quick.items():
            if getattr(args, k) == ap.get_default(k):
                setattr(args, k, v)
    parts = [p.strip() for p in args.parts.split(",") if p.strip()]
    for p in parts:
        if p not in PARTS:
            ap.error(f"unknown part {p}")
    os.makedirs(OUT, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    signal.signal(signal.SIGINT, lambda *_: sys.exit(1))
    t0 = time.monotonic()
    header = (f"analysisd benchmark {time.strftime('%Y-%m-%d %H:%M:%S UTC', time.gmtime())}: "
              f"{os.cpu_count()} CPUs, analysisd --threads {args.threads}, wrk -t{args.wrk_threads} "
              f"-c{args.connections}, {args.rounds} round(s), medians; ratios are to baselines of "
              f"this run" + (f"; analysisd {args.server_args}" if args.server_args else ""))
    record(header)
    try:
        for p in parts:
            PARTS[p](args)
    finally:
        cleanup()
        record(f"total {time.monotonic() - t0:.0f} s")
        with open(os.path.join(OUT, "results.txt"), "w") as f:
            f.write("\n".join(results) + "\n")
        log(f"figures written to {os.path.relpath(os.path.join(OUT, 'results.txt'), ROOT)}")


if __name__ == "__main__":
    main()
