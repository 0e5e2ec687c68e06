"""analysisd benchmark suite: run through bench/run.sh (see bench/README.md).

Every figure is measured in this one run, on 127.0.0.1, as the median of
several rounds, and printed next to its baseline from the same run.
Needs Debian's python3 (/usr/bin/python3, which has python3-aiohttp for the
peer), wrk, nginx-light, curl and perf. Standard library only.
"""
import argparse
import base64
import http.client
import json
import os
import re
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
    peer, peer_port = start_peer(os.path.join(d, "peer-data"))
    status, peer_doc = request(peer_port, "GET", "/api/analyses/a0000000",
                               headers={"Authorization": basic("j0000000", "secret")})
    assert status == 200, status
    log(f"document: {len(doc)} bytes (aiohttp peer's: {len(peer_doc)} bytes)")
    targets = [("nginx", ngx_port, "nginx.lines"), ("aiohttp", peer_port, "aiohttp.lines"),
               ("analysisd", srv.port, "analysisd.lines")]
    pids = {"nginx": ngx.pid, "aiohttp": peer.pid, "analysisd": srv.proc.pid}
    for name, port, lines in targets:  # warm-up (analysis actors are spawned on first use)
        wrk(port, os.path.join(d, lines), args, seconds=2)
    runs = {name: [] for name, _, _ in targets}
    for r in range(args.rounds):
        for name, port, lines in targets:
            cpu0 = cpu_seconds(pids[name])
            res = wrk(port, os.path.join(d, lines), args, seconds=args.duration)
            res["cpu_us"] = (cpu_seconds(pids[name]) - cpu0) * 1e6 / max(res["requests"], 1)
            if res["other"] or res["socket_errors"]:
                log(f"  warning: {name}: {res['other']} non-200 answers, "
                    f"{res['socket_errors']} socket errors")
            runs[name].append(res)
            log(f"  round {r + 1}: {name:9s} {res['ok_rps']:8.0f} req/s  p50 {res['p50_ms']:.2f} ms"
                f"  p99 {res['p99_ms']:.2f} ms  server CPU {res['cpu_us']:.1f} us/request")
    med = {n: (median([x["ok_rps"] for x in v]), median([x["p99_ms"] for x in v]),
               median([x["cpu_us"] for x in v]))
           for n, v in runs.items()}
    a, n, p = med["analysisd"], med["nginx"], med["aiohttp"]
    record(f"GET nginx      {n[0]:8.0f} req/s  p99 {n[1]:.2f} ms  (static file, baseline)")
    record(f"GET aiohttp    {p[0]:8.0f} req/s  p99 {p[1]:.2f} ms  = {ratio(p[0], n[0]):.2f}x nginx")
    record(f"GET CPU        server CPU per request (user + system, medians): nginx {n[2]:.1f} us, "
           f"aiohttp {p[2]:.1f} us, analysisd {a[2]:.1f} us = {ratio(a[2], n[2]):.2f}x nginx's")
    record(f"GET analysisd  {a[0]:8.0f} req/s  p99 {a[1]:.2f} ms  = {ratio(a[0], n[0]):.2f}x nginx, "
           f"{ratio(a[0], p[0]):.1f}x aiohttp   "
           + verdicts((">= 0.9x nginx", a[0] >= 0.9 * n[0]), (">= 4x aiohttp", a[0] >= 4 * p[0]),
                      ("p99 < 5 ms", a[1] < 5)))
    stop(ngx, signal.SIGQUIT)
    stop(peer)
    if args.profile:
        top = profile(srv.proc.pid, os.path.join(OUT, "perf-get.txt"),
                      lambda: wrk(srv.port, os.path.join(d, "analysisd.lines"), args,
                                  seconds=args.duration))
        record("profile GET (perf, cpu-clock, self time; build/bench/perf-get.txt):")
        for line in top:
            record("    " + line)
    srv.stop()


def part_finalize(args):
    log("\n== finalize PATCH /api/analyses/:id (fresh analyses, wrk -t%d -c%d, %d s) ==" % (
        args.wrk_threads, args.connections, args.duration))
    d = fresh_dir("finalize")
    fs, fin, prof = [], [], []
    n = args.fresh
    rounds = args.rounds + (1 if args.profile else 0)
    for r in range(rounds):
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
        out = subprocess.run([FSYNC, data, str(args.fsync_seconds)], capture_output=True, text=True,
                             check=True, timeout=args.fsync_seconds + 60)
        fs.append(float(out.stdout.split()[1]))
        res = wrk(srv.port, lines, args, "once", FINALIZE_BODY, args.duration)
        if res["ok"] >= n - args.connections:
            log(f"  warning: the {n} fresh analyses ran out; raise --fresh")
        fin.append(res["ok_rps"])
        log(f"  round {r + 1}: fdatasync {fs[-1]:8.0f}/s   finalize {res['ok_rps']:8.0f} 200s/s "
            f"(p50 {res['p50_ms']:.2f} ms, p99 {res['p99_ms']:.2f} ms, {res['other']} non-200)")
        srv.stop()
        shutil.rmtree(data, ignore_errors=True)
    mf, mfin = median(fs), median(fin)
    record(f"fsync ceiling  {mf:8.0f} fdatasyncs/s (64-byte write + fdatasync loop in the data dir, "
           f"baseline)")
    record(f"finalize       {mfin:8.0f} 200s/s at {args.connections} clients  = "
           f"{ratio(mfin, mf):.2f}x fsyncs/s   " + verdicts((">= 3x", mfin >= 3 * mf)))
    for line in prof:
        record(line)


def sendfile_upload(port, target, auth, path, timeout=600):
    """POSTs `path` as the multipart part `file`, its bytes sent with sendfile(2):
    a client that costs the server's machine as little as possible (curl -F reads
    and copies the file itself, and reached only about 460 MiB/s into a socket
    that discards everything on this machine). Returns (status, body)."""
    boundary = "analysisd-bench-boundary"
    pre = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
           f"filename=\"upload.bin\"\r\nContent-Type: application/octet-stream\r\n\r\n").encode()
    post = f"\r\n--{boundary}--\r\n".encode()
    length = len(pre) + os.path.getsize(path) + len(post)
    head = (f"POST {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: {auth}\r\n"
            f"Content-Type: multipart/form-data; boundary={boundary}\r\n"
            f"Content-Length: {length}\r\nConnection: close\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
        sock.sendall(head + pre)
        with open(path, "rb") as f:
            sock.sendfile(f)
        sock.sendall(post)
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
           + verdicts((">= 0.7x dd", mu >= 0.7 * md)))
    record(f"upload peak RSS {mh:7.0f} MiB  = upload size + {mh - size_mib:.0f} MiB   "
           + verdicts(("<= size + 64 MiB", mh <= size_mib + 64)))
    for line in prof:
        record(line)


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
        for r in range(args.rounds):
            subprocess.run(["sync"], check=True)
            srv = Analysisd(f"analysisd-{mode}-{n}", data, args.threads)
            healthz.append(srv.wait_ready(timeout=300))
            starts.append(srv.wait_get(*first))
            time.sleep(2)  # idle
            rss.append(proc_status(srv.proc.pid, "VmRSS"))
            hwm.append(proc_status(srv.proc.pid, "VmHWM"))
            lines.append(srv.recovery_line())
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
            verdict = "   " + verdicts(("< 1.5 KiB each", per < 1536), ("start < 10 s", ms < 10))
        record(f"{label:14s} start-up {ms:6.2f} s (exec to the first job GET 200; /healthz 200 after "
               f"{median(healthz):.2f} s), idle RSS {mr / 1024:.0f} MiB "
               f"= {per:.0f} B per analysis over the empty server, peak RSS {mh / 1024:.0f} MiB{verdict}")
        record(f"               {lines[len(lines) // 2]}")
        shutil.rmtree(data, ignore_errors=True)


PARTS = {"get": part_get, "finalize": part_finalize, "upload": part_upload, "recovery": part_recovery}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--parts", default="get,finalize,upload,recovery",
                    help="comma-separated: get,finalize,upload,recovery")
    ap.add_argument("--rounds", type=int, default=3, help="rounds per figure (median is reported)")
    ap.add_argument("--duration", type=int, default=10, help="seconds per wrk run")
    ap.add_argument("--quick", action="store_true",
                    help="short run: 1 round, 3 s wrk runs, 256 MiB upload, 100k instead of 1M")
    ap.add_argument("--connections", type=int, default=64, help="wrk connections (all servers)")
    ap.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (all servers)")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2,
                    help="analysisd --threads and nginx worker_processes")
    ap.add_argument("--analyses", type=int, default=1024, help="analyses the GET rotates over")
    ap.add_argument("--fresh", type=int, default=200000,
                    help="fresh analyses per finalize round")
    ap.add_argument("--fsync-seconds", type=int, default=5, help="seconds of the fdatasync loop")
    ap.add_argument("--upload-mib", type=int, default=1024, help="upload size (MiB)")
    ap.add_argument("--big", type=int, default=1000000, help="analyses of the big recovery")
    ap.add_argument("--small", type=int, default=100000,
                    help="analyses of the small recoveries (snapshot and journal only)")
    ap.add_argument("--no-profile", dest="profile", action="store_false",
                    help="skip the perf profiles of GET, finalize and upload")
    ap.add_argument("--server-args", default="",
                    help="extra analysisd options for experiments, e.g. "
                         "'--scheduler.policy=sharing' (printed in the header)")
    args = ap.parse_args()
    SERVER_ARGS.extend(args.server_args.split())
    if args.quick:  # shorter defaults; options given explicitly still win
        quick = {"rounds": 1, "duration": 3, "fsync_seconds": 2, "upload_mib": 256,
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
