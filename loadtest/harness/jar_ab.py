#!/usr/bin/python3
"""Side-by-side A/B of two Fulcrum jars (docs/benchmarks.md, "Changes"): both run at once, pinned to
CPU 1 (1 event loop), an NGINX backend and wrk pinned to CPU 0.
  newconn | keepalive: 20 s warm-up each, then interleaved rounds (order shuffled per round, seeded)
      of wrk (32 connections with Connection: close, or 64 keep-alive); requests/s and proxy CPU per
      request (/proc/PID/stat), medians and B/A ratios taken within each round.
  strace: exact system calls per connection on the event-loop thread (strace -c -f, wrk -c8 4 s).
  jfr: Throwables constructed per connection by class (JFR jdk.JavaExceptionThrow).
usage: /usr/bin/python3 loadtest/harness/jar_ab.py MODE jarA jarB [rounds] [seconds]"""
import os, re, socket, subprocess, sys, time, statistics, random, tempfile, glob
mode, jars = sys.argv[1], sys.argv[2:4]
rounds = int(sys.argv[4]) if len(sys.argv) > 4 else 5
secs = int(sys.argv[5]) if len(sys.argv) > 5 else 4
wd = tempfile.mkdtemp(prefix="perfab-")
def free_port():
    s = socket.socket(); s.bind(("127.0.0.1", 0)); p = s.getsockname()[1]; s.close(); return p
def wait(port, t=60):
    end = time.time() + t
    while time.time() < end:
        try: socket.create_connection(("127.0.0.1", port), 1).close(); return
        except OSError: time.sleep(0.2)
    raise SystemExit(f"port {port} not up")
def exceptions_jfc():
    # The JDK's default settings with jdk.JavaExceptionThrow on (every Throwable constructed).
    java_home = os.path.dirname(os.path.dirname(os.path.realpath(subprocess.run(["which", "java"], capture_output=True, text=True).stdout.strip())))
    text = open(os.path.join(java_home, "lib", "jfr", "default.jfc")).read()
    text, n = re.subn(r'(<event name="jdk.JavaExceptionThrow">\s*<setting name="enabled"[^>]*>)false', r'\1true', text)
    if n != 1:
        raise SystemExit("could not enable jdk.JavaExceptionThrow in default.jfc")
    path = os.path.join(wd, "exceptions.jfc")
    open(path, "w").write(text)
    return path
bport = free_port()
os.makedirs(wd + "/tmp", exist_ok=True)
open(wd + "/b.conf", "w").write(f"""daemon off; worker_processes 1; pid {wd}/b.pid; error_log {wd}/b.err warn;
events {{ worker_connections 4096; }}
http {{ access_log off; default_type text/plain; keepalive_requests 100000000; keepalive_timeout 300s;
client_body_temp_path {wd}/tmp/body; proxy_temp_path {wd}/tmp/proxy; fastcgi_temp_path {wd}/tmp/f; uwsgi_temp_path {wd}/tmp/u; scgi_temp_path {wd}/tmp/s;
server {{ listen 127.0.0.1:{bport} backlog=4096; location / {{ return 200 "{'x'*127}\\n"; }} }} }}
""")
procs = [subprocess.Popen(["taskset", "-c", "0", "nginx", "-p", wd, "-c", wd + "/b.conf"])]
wait(bport)
peers = []
for i, jar in enumerate(jars):
    port = free_port()
    conf = f"{wd}/f{i}.yaml"
    open(conf, "w").write(f"""runtime: {{transport: epoll, eventLoops: 1}}
admin: {{address: "off"}}
listeners:
  http: {{bind: "127.0.0.1:{port}", pool: http, maxConnections: 20000}}
pools:
  http: {{backends: ["127.0.0.1:{bport}"]}}
""")
    opts = []
    if mode == "jfr":
        opts = [f"-XX:StartFlightRecording=filename={wd}/r{i}.jfr,settings={exceptions_jfc()},dumponexit=true"]
    p = subprocess.Popen(["taskset", "-c", "1", "java"] + opts + ["-jar", jar, "run", "-c", conf],
                         stdout=open(f"{wd}/f{i}.log", "w"), stderr=subprocess.STDOUT)
    procs.append(p); wait(port); peers.append((jar, port, p))
def cpu(pid):
    f = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(f[11]) + int(f[12])) / os.sysconf("SC_CLK_TCK")
def wrk(port, secs, conns, close=True):
    args = ["taskset", "-c", "0", "wrk", "-t1", f"-c{conns}", f"-d{secs}s"] + (["-H", "Connection: close"] if close else []) + [f"http://127.0.0.1:{port}/"]
    out = subprocess.run(args, capture_output=True, text=True).stdout
    n = int(re.search(r"(\d+) requests in", out).group(1))
    errs = re.search(r"Socket errors: (.*)", out)
    return n, (errs.group(1) if errs else "")
def event_loop_tid(pid):
    for t in glob.glob(f"/proc/{pid}/task/*"):
        name = open(t + "/comm").read().strip()
        if "epoll" in name.lower() or "loop" in name.lower() or name.startswith("fulcrum-io"):
            yield int(os.path.basename(t)), name
try:
    close = mode != "keepalive"
    conns = 32 if close else 64
    warm = []
    for jar, port, p in peers:   # warm up
        warm.append(wrk(port, 20 if mode != "jfr" else 6, conns, close)[0])
    if mode in ("newconn", "keepalive"):
        res = {j: [] for j in jars}
        for r in range(rounds):
            order = list(peers); random.Random(r).shuffle(order)
            for jar, port, p in order:
                c0 = cpu(p.pid); n, e = wrk(port, secs, conns, close); c1 = cpu(p.pid)
                res[jar].append((n / secs, (c1 - c0) / n * 1e6))
                print(f"round {r} {os.path.basename(os.path.dirname(jar)) or jar}: {n/secs:.0f}/s {(c1-c0)/n*1e6:.1f} us/req {e}", flush=True)
        for jar in jars:
            rs = [x[0] for x in res[jar]]; cs = [x[1] for x in res[jar]]
            print(f"{jar}: median {statistics.median(rs):.0f} req/s ({min(rs):.0f}-{max(rs):.0f}), CPU {statistics.median(cs):.1f} us/req ({min(cs):.1f}-{max(cs):.1f})")
        ratios = [b[0] / a[0] for a, b in zip(res[jars[0]], res[jars[1]])]
        cr = [b[1] / a[1] for a, b in zip(res[jars[0]], res[jars[1]])]
        print(f"B/A rate ratio median {statistics.median(ratios):.2f} ({min(ratios):.2f}-{max(ratios):.2f}); CPU/req ratio median {statistics.median(cr):.2f} ({min(cr):.2f}-{max(cr):.2f})")
    elif mode == "strace":
        for jar, port, p in peers:
            tids = [str(t) for t, n in event_loop_tid(p.pid)]
            st = subprocess.Popen(["strace", "-c", "-f", "-o", f"{wd}/strace-{peers.index((jar,port,p))}.txt"] + sum([["-p", t] for t in tids], []))
            time.sleep(1)
            n, e = wrk(port, 4, 8, True)
            time.sleep(0.5); st.send_signal(2); st.wait()
            txt = open(f"{wd}/strace-{peers.index((jar,port,p))}.txt").read()
            print(f"== {jar} threads {tids}: {n} connections {e}")
            total = 0
            for line in txt.splitlines():
                m = re.match(r"\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(\d+)?\s*(\w+)$", line)
                if m and m.group(3) != "total":
                    calls = int(m.group(1)); total += calls
                    print(f"  {m.group(3):16s} {calls/n:6.2f}/conn  errors {int(m.group(2) or 0)/n:.2f}/conn")
            print(f"  TOTAL {total/n:.2f}/conn")
    elif mode == "jfr":
        counts = []
        for i, (jar, port, p) in enumerate(peers):
            n, e = wrk(port, 4, 8, True); counts.append(n + warm[i])
finally:
    for p in procs[::-1]:
        p.terminate()
    for p in procs: p.wait()
if mode == "jfr":
    for i, jar in enumerate(jars):
        print(f"== {jar}: exceptions (whole run incl. warm-up, JFR jdk.ExceptionStatistics)")
        out = subprocess.run(["jfr", "print", "--events", "jdk.ExceptionStatistics", f"{wd}/r{i}.jfr"], capture_output=True, text=True).stdout
        th = [int(x) for x in re.findall(r"throwables = (\d+)", out)]
        print(f"  throwables {th[-1] if th else None} over {counts[i]} connections (+ startup): {th[-1]/counts[i]:.2f} per connection")
        out = subprocess.run(["jfr", "print", "--events", "jdk.JavaExceptionThrow", "--stack-depth", "1", f"{wd}/r{i}.jfr"], capture_output=True, text=True).stdout
        from collections import Counter
        c = Counter(re.findall(r"thrownClass = ([\w.$]+)", out))
        for k, v in c.most_common(12):
            print(f"    {k:60s} {v:7d}  {v/counts[i]:.2f}/conn")
print("workdir", wd)
