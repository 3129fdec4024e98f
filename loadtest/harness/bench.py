"""Fulcrum against a direct connection, HAProxy and NGINX (stream), on loopback, in interleaved
rounds. Run through loadtest/bench, which builds the jars and installs the tools first.

Pinning: with 1 worker thread each, every proxy runs on one CPU and the load generators and
backends on the other (taskset), so a proxy never competes with the load for its core. With 2
threads, nothing is pinned: on a 2-core machine there is no fair split, and every peer shares the
cores with the load alike.
"""
import argparse
import datetime
import json
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import peers as peer_kinds
import report
from procs import BenchFailure, pinned
from workloads import WORKLOADS


class Settings:
    def __init__(self, args, threads, load_cpus):
        self.threads = threads
        self.load_cpus = load_cpus
        self.seconds = args.seconds
        self.keepalive_connections = 64
        self.close_connections = 32
        self.latency_rate = args.latency_rate
        self.latency_connections = 16
        # The generator's own JVM compiles for its first seconds; its measured period starts once
        # the warm-up's requests are answered (FixedRateLatency), so a short run only shortens this.
        self.latency_warmup = min(5.0, max(1.0, args.seconds))
        self.idle_connections = args.idle_connections
        self.tools_classpath = args.tools_classpath


def parse_args(argv):
    p = argparse.ArgumentParser(prog="loadtest/bench", description=__doc__.split("\n\n")[0])
    p.add_argument("--smoke", action="store_true", help="1 round, 1 thread, 1 s per workload, 300 idle connections")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seconds", type=float, default=5, help="per workload and peer")
    p.add_argument("--warmup", type=float, default=5,
                   help="seconds of keep-alive, new-connection and bulk load through every peer before round 1")
    p.add_argument("--threads", default="1,2", help="worker threads each peer gets, comma separated")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--latency-rate", type=float, default=1000, help="requests/s of the fixed-rate latency workload")
    p.add_argument("--idle-connections", type=int, default=0, help="0: 10,000, or fewer if the fd limit forbids")
    p.add_argument("--workloads", default=",".join(WORKLOADS))
    p.add_argument("--peers", default="direct,fulcrum,haproxy,nginx")
    p.add_argument("--fulcrum-jar", required=True)
    p.add_argument("--tools-classpath", required=True)
    p.add_argument("--fulcrum-java-opts", default="")
    p.add_argument("--out", required=True, help="directory for bench.json, bench.md and bench.png")
    p.add_argument("--docs", help="also write the table and chart into this Markdown file (docs/benchmarks.md)")
    p.add_argument("--command", default="loadtest/bench", help="the command line to record in the report")
    p.add_argument("--report-only", metavar="BENCH_JSON", help="only rewrite the report (md, png, --docs) from a bench.json")
    args = p.parse_args(argv)
    if args.smoke:
        args.rounds, args.seconds, args.warmup, args.threads = 1, 1, 1, "1"
        args.latency_rate = min(args.latency_rate, 500)
        args.idle_connections = args.idle_connections or 300
    return args


def raise_fd_limit(wanted):
    """Raises the soft fd limit to the hard one; returns how many idle connections fit under it:
    a proxy holds two sockets per connection, NGINX's config asks for twice its connections."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    fit = (hard - 2000) // 2
    if wanted > fit:
        print(f"bench: the hard fd limit is {hard}: holding {fit} idle connections, not {wanted}", file=sys.stderr)
    return min(wanted, fit)


def start_peers(names, workdir, backends, threads, proxy_cpus, max_connections, args):
    started = []
    try:
        for name in names:
            if name == "direct":
                started.append(peer_kinds.direct(backends))
            elif name == "fulcrum":
                started.append(peer_kinds.fulcrum(workdir, backends, threads, proxy_cpus, max_connections,
                                                  args.fulcrum_jar, args.fulcrum_java_opts.split()))
            elif name == "haproxy":
                started.append(peer_kinds.haproxy(workdir, backends, threads, proxy_cpus, max_connections))
            elif name == "nginx":
                started.append(peer_kinds.nginx(workdir, backends, threads, proxy_cpus, max_connections))
            else:
                raise BenchFailure(f"--peers: unknown peer {name!r} (expected: direct, fulcrum, haproxy, nginx)")
    except BaseException:
        for peer in started:
            peer.stop()
        raise
    return started


def fresh_memory(name, workdir, round_index, backends, threads, proxy_cpus, max_connections, settings, args):
    """Memory per idle connection, on a proxy process started for it alone: a process that already
    ran the other workloads keeps the memory they touched (HAProxy's pools, the JVM's heap, malloc's
    arenas) and would show almost no growth. The fresh process gets the same short keep-alive load
    first, so lazily built state (JIT, pools) is not counted as per-connection memory."""
    if name == "direct":
        return None, None
    sub = os.path.join(workdir, f"memory-{name}-{round_index + 1}")
    os.makedirs(sub)
    fresh = start_peers([name], sub, backends, threads, proxy_cpus, max_connections, args)[0]
    try:
        # A little traffic first, unchecked: a process just started may serve little of it.
        subprocess.run(pinned(settings.load_cpus, ["wrk", "-t1", "-c16", "-d2s", f"http://127.0.0.1:{fresh.http_port}/"]),
                       capture_output=True, timeout=30)
        time.sleep(1.0)
        return WORKLOADS["memory"][0](fresh, backends, settings)
    finally:
        fresh.stop()


def run_threads(threads, args, rng, results, log):
    cpus = sorted(os.sched_getaffinity(0))
    proxy_cpus = load_cpus = None
    if threads == 1 and len(cpus) >= 2:
        proxy_cpus, load_cpus = str(cpus[1]), str(cpus[0])
    workdir = tempfile.mkdtemp(prefix=f"fulcrum-bench-{threads}t-")
    max_connections = args.idle_connections + 200
    settings = Settings(args, threads, load_cpus)
    backends = peer_kinds.Backends(workdir, threads, load_cpus, max_connections)
    peers = []
    try:
        peers = start_peers(args.peers.split(","), workdir, backends, threads, proxy_cpus, max_connections, args)
        log(f"{threads} thread(s): proxies on CPU {proxy_cpus or 'any'}, load and backends on CPU {load_cpus or 'any'};"
            f" configs in {workdir}")
        if args.warmup > 0:
            # Every kind of traffic once through every peer before anything counts: a JVM compiles
            # the code paths it runs, on the proxy's own core, and that is not its steady state.
            warm = Settings(args, threads, load_cpus)
            warm.seconds = args.warmup
            for peer in peers:
                for workload in ("keepalive",) if args.smoke else ("keepalive", "newconn", "bulk"):
                    WORKLOADS[workload][0](peer, backends, warm)
        per_workload = results.setdefault(str(threads), {})
        for round_index in range(args.rounds):
            for workload in args.workloads.split(","):
                fn, label, unit, _ = WORKLOADS[workload]
                order = rng.sample(peers, len(peers))
                figures = []
                for peer in order:
                    if workload == "memory" and not args.smoke:
                        value, details = fresh_memory(peer.name, workdir, round_index, backends, threads, proxy_cpus,
                                                      max_connections, settings, args)
                    else:
                        value, details = fn(peer, backends, settings)
                    per_workload.setdefault(workload, {}).setdefault(peer.name, []).append(details)
                    if value is not None:
                        figures.append(f"{peer.name} {value:,.1f}")
                    time.sleep(0.3)
                log(f"  {threads}t round {round_index + 1}/{args.rounds} {workload}: {', '.join(figures)} {unit}")
    finally:
        for peer in peers:
            peer.stop()
        backends.stop()
        if not args.keep_workdir:
            shutil.rmtree(workdir, ignore_errors=True)


def versions():
    def first_line(argv):
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=10)
            return (out.stdout or out.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "?"
    return {"haproxy": first_line(["haproxy", "-v"]), "nginx": first_line(["nginx", "-v"]),
            "wrk": first_line(["wrk", "-v"]), "iperf3": first_line(["iperf3", "-v"]),
            "java": first_line(["java", "-version"]), "kernel": os.uname().release}


def main(argv):
    # SIGTERM (a test's timeout, Ctrl-C's cousin) unwinds through the finally blocks that stop the peers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args = parse_args(argv)
    if args.report_only:
        return write_report(args, *load_results(args.report_only))
    args.keep_workdir = os.environ.get("BENCH_KEEP_WORKDIR") == "1"
    args.idle_connections = raise_fd_limit(args.idle_connections or 10000)
    os.makedirs(args.out, exist_ok=True)
    rng = random.Random(args.seed)
    thread_counts = [int(t) for t in args.threads.split(",")]

    def log(line):
        print(line, flush=True)

    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    meta = {"started": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "host": f"{socket.gethostname()}, {os.cpu_count()} cores", "commit": commit or "?",
            "rounds": args.rounds, "seconds": args.seconds, "warmupSeconds": args.warmup, "seed": args.seed,
            "threads": thread_counts, "latencyRate": args.latency_rate, "idleConnections": args.idle_connections,
            "loadBefore": " ".join(f"{x:.2f}" for x in os.getloadavg()), "command": args.command,
            "versions": versions()}
    results = {}
    try:
        for threads in thread_counts:
            run_threads(threads, args, rng, results, log)
    except BenchFailure as e:
        print(f"bench: FAILED: {e}", file=sys.stderr)
        report.write_json(os.path.join(args.out, "bench-partial.json"), meta, results, {})
        return 1
    meta["loadAfter"] = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return write_report(args, meta, results)


def load_results(path):
    with open(path) as f:
        data = json.load(f)
    return data["meta"], data["rounds"]


def write_report(args, meta, results):
    os.makedirs(args.out, exist_ok=True)
    thread_counts = meta["threads"]
    summary = report.summarize(results, thread_counts)
    table = report.markdown(summary, meta)
    report.write_json(os.path.join(args.out, "bench.json"), meta, results, summary)
    with open(os.path.join(args.out, "bench.md"), "w") as f:
        f.write(table + "\n")
    report.chart(summary, os.path.join(args.out, "bench.png"))
    if args.docs:
        docs_dir = os.path.dirname(os.path.abspath(args.docs))
        shutil.copy(os.path.join(args.out, "bench.png"), os.path.join(docs_dir, "benchmarks.png"))
        shutil.copy(os.path.join(args.out, "bench.json"), os.path.join(docs_dir, "benchmarks.json"))
        report.write_docs(args.docs, table, "benchmarks.png")
    print(table)
    print(f"bench: wrote {args.out}/bench.json, bench.md, bench.png" + (f" and {args.docs}" if args.docs else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
