"""Telemetry's cost through the proxy on loopback (issue 5, "Measured"): two Fulcrum processes,
identical but for telemetry.enabled, in front of one NGINX backend, measured side by side in
interleaved rounds (the order of the two shuffled per workload and round, seeded). Run through
scripts/telemetry-overhead, which builds the jars first; the figures and how to read them are in
docs/telemetry.md ("Overhead").

What is measured, from the least to the most sensitive to a busy machine:
  idle        CPU each process spends per second with no traffic (the control tick's fixed cost)
  keepalive   FixedRateLatency at a fixed rate below capacity over 16 keep-alive connections,
              through both proxies at once (same moment of the machine for both):
              CPU per request (whole process from /proc/PID/stat utime+stime; the event-loop and
              control threads from /proc/PID/task/TID/schedstat, nanoseconds), and p50/p99
  newconn     the same with a new TCP connection per request (--new-connection): the per-flow cost
  max-*       wrk, closed loop, as fast as it goes: requests/s (noisy on a shared machine)

The proxies run on CPU 1 (1 event loop each), the backend and load generators on CPU 0 (taskset),
as loadtest/bench does with 1 thread. Ratios are telemetry on over off, taken within each round;
the report gives their median and min-max over rounds, and each side's median.
"""
import argparse
import datetime
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

import peers as peer_kinds
from procs import BenchFailure, cpu_seconds, pinned, run

MODES = ("on", "off")
KINDS = ("idle", "keepalive", "newconn", "max-keepalive", "max-newconn", "syscalls")


def parse_args(argv):
    p = argparse.ArgumentParser(prog="scripts/telemetry-overhead", description=__doc__.split("\n\n")[0])
    p.add_argument("--rounds", type=int, default=7)
    p.add_argument("--seconds", type=float, default=15, help="per fixed-rate run (after --latency-warmup)")
    p.add_argument("--latency-warmup", type=float, default=5,
                   help="seconds of unrecorded fixed-rate load first; the generator's JVM compiles meanwhile, and the"
                        " measured period starts once these requests are answered")
    p.add_argument("--keepalive-rate", type=float, default=300, help="requests/s over 16 keep-alive connections")
    p.add_argument("--newconn-rate", type=float, default=100, help="new connections/s (one request each)")
    p.add_argument("--max-seconds", type=int, default=5, help="per wrk run of the max-* workloads")
    p.add_argument("--idle-seconds", type=float, default=3)
    p.add_argument("--warmup", type=int, default=20, help="seconds of wrk keep-alive and new-connection load through each proxy first")
    p.add_argument("--kinds", default=",".join(KINDS))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--fulcrum-jar", required=True)
    p.add_argument("--tools-classpath", required=True)
    p.add_argument("--out", required=True, help="directory for overhead.json and overhead.md")
    p.add_argument("--command", default="scripts/telemetry-overhead")
    return p.parse_args(argv)


def thread_cpu_ns(pid):
    """CPU nanoseconds of the live threads by role: the event loops, the control thread, the
    garbage collector, the JIT compilers, the rest. schedstat's first field is the thread's time on
    a CPU, to the nanosecond."""
    out = {"loop": 0, "control": 0, "gc": 0, "jit": 0, "other": 0}
    for tid in os.listdir(f"/proc/{pid}/task"):
        try:
            with open(f"/proc/{pid}/task/{tid}/comm") as f:
                name = f.read().strip()
            with open(f"/proc/{pid}/task/{tid}/schedstat") as f:
                ns = int(f.read().split()[0])
        except OSError:
            continue  # the thread ended
        role = ("loop" if name.startswith("fulcrum-io") else "control" if name == "fulcrum-control"
                # Pinned to one CPU the JVM picks the serial collector, which collects in the VM thread.
                else "gc" if name.startswith(("GC Thread", "G1 ", "VM Thread")) else "jit" if "CompilerThre" in name else "other")
        out[role] += ns
    return out


class Snapshot:
    def __init__(self, peer):
        self.pid = peer.service.pid
        self.cpu = cpu_seconds(self.pid)
        self.threads = thread_cpu_ns(self.pid)

    def per(self, count):
        """Microseconds of CPU since this snapshot, per count: the whole process (its live threads'
        schedstat, to the nanosecond; statCpuMicros is utime+stime from /proc/PID/stat, which also
        counts threads that ended but only to 10 ms) and by thread role."""
        now, threads = cpu_seconds(self.pid), thread_cpu_ns(self.pid)
        result = {"statCpuMicros": (now - self.cpu) * 1e6 / count,
                  "cpuMicros": sum(threads[r] - self.threads[r] for r in threads) / 1e3 / count}
        for role in threads:
            result[f"{role}Micros"] = (threads[role] - self.threads[role]) / 1e3 / count
        return result


def fixed_rate(peers, order, backends, args, kind, load_cpus):
    """The same fixed-rate load through both proxies at the same time (one FixedRateLatency each,
    started in the given order): both meet the same moment of a shared machine, which interleaving
    alone cannot give when the load swings within seconds."""
    rate = args.keepalive_rate if kind == "keepalive" else args.newconn_rate
    connections = 16 if kind == "keepalive" else 32
    served = backends.requests_served()
    before = {mode: Snapshot(peers[mode]) for mode in order}
    tools = {}
    for mode in order:
        argv = pinned(load_cpus, ["java", "-XX:+UseSerialGC", "-cp", args.tools_classpath, "dev.fulcrum.loadtest.FixedRateLatency",
                                  f"127.0.0.1:{peers[mode].http_port}", str(rate), str(connections), str(args.seconds), str(args.latency_warmup)]
                      + (["--new-connection"] if kind == "newconn" else []))
        tools[mode] = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = {}
    for mode in order:
        try:
            out, err = tools[mode].communicate(timeout=args.seconds + args.latency_warmup + 150)
        except subprocess.TimeoutExpired as e:
            raise BenchFailure(f"FixedRateLatency against {peers[mode].name} did not finish") from e
        if tools[mode].returncode != 0:
            raise BenchFailure(f"FixedRateLatency against {peers[mode].name} failed: {out}\n{err}")
        results[mode] = json.loads(out)
    for mode in order:
        peers[mode].service.check_alive()
        r = results[mode]
        r.update(before[mode].per(max(1, r["completed"])))
        # Below capacity every request due is answered; when the machine starved the load
        # generator, the proxy or the backend, requests queue (p99 in seconds). CPU per request
        # stays meaningful; the latency of such a run does not: the report counts the runs that kept up.
        r["keptUp"] = (r["completed"] >= 0.99 * rate * (args.seconds + args.latency_warmup) and r["unfinished"] == 0
                       and r["warmupDrained"])
    carried = backends.requests_served() - served
    completed = sum(r["completed"] for r in results.values())
    if carried < 0.9 * completed or min(r["completed"] for r in results.values()) <= 0:
        raise BenchFailure(f"{kind}: the load generators counted {completed} requests, the backend served {carried}: {results}")
    return results


def max_rate(peer, backends, args, kind, load_cpus):
    close = kind == "max-newconn"
    argv = pinned(load_cpus, ["wrk", "-t1", f"-c{32 if close else 64}", f"-d{args.max_seconds}s", "--timeout", "5s"]
                  + (["-H", "Connection: close"] if close else []) + [f"http://127.0.0.1:{peer.http_port}/"])
    served = backends.requests_served()
    before = Snapshot(peer)
    out = run(argv, args.max_seconds + 30, f"wrk against {peer.name}")
    n = int(re.search(r"(\d+) requests in", out).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    if n <= 0 or backends.requests_served() - served < 0.9 * n:
        raise BenchFailure(f"{peer.name} {kind}: wrk counted {n} requests, the backend did not serve them:\n{out}")
    r = {"requests": n, "requestsPerSecond": rps}
    r.update(before.per(n))
    return r


def event_loop_tids(pid):
    tids = []
    for tid in os.listdir(f"/proc/{pid}/task"):
        with open(f"/proc/{pid}/task/{tid}/comm") as f:
            if f.read().startswith("fulcrum-io"):
                tids.append(tid)
    return tids


def syscalls(peer, backends, args, kind, load_cpus):
    """System calls of the event loop per new connection (wrk -c8, Connection: close, 3 s under
    strace -c): exact counts, whatever the machine's load (strace slows the proxy, not the count)."""
    out_path = os.path.join(args.workdir, f"strace-{peer.name}.txt")
    argv = ["strace", "-c", "-f", "-o", out_path] + [a for tid in event_loop_tids(peer.service.pid) for a in ("-p", tid)]
    tracer = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1.0)  # strace attaches
        wrk = run(pinned(load_cpus, ["wrk", "-t1", "-c8", "-d3s", "-H", "Connection: close", f"http://127.0.0.1:{peer.http_port}/"]),
                  60, f"wrk against {peer.name} under strace")
        time.sleep(0.5)
    finally:
        tracer.send_signal(signal.SIGINT)
        tracer.wait(timeout=30)
    n = int(re.search(r"(\d+) requests in", wrk).group(1))
    if n <= 0:
        raise BenchFailure(f"{peer.name}: no request through the proxy under strace")
    calls = {}
    with open(out_path) as f:
        for line in f:
            m = re.match(r"\s*[\d.]+\s+[\d.]+\s+\d+\s+(\d+)\s+(\d+)?\s*(\w+)$", line)
            if m and m.group(3) != "total":
                calls[m.group(3)] = int(m.group(1)) / n
    return {"connections": n, "callsPerConnection": sum(calls.values()), "getsockoptPerConnection": calls.get("getsockopt", 0.0),
            "byCall": calls}


def idle(peers, args):
    """Both proxies at once (nothing else to interleave): CPU per second of idleness, in microseconds."""
    before = {mode: Snapshot(peer) for mode, peer in peers.items()}
    time.sleep(args.idle_seconds)
    return {mode: before[mode].per(args.idle_seconds) for mode in peers}


# The figure each kind is judged by, and which other figures the report shows.
FIGURES = {
    "idle": [("cpuMicros", "CPU per second idle, process (µs)"), ("loopMicros", "CPU per second idle, event loop (µs)"),
             ("controlMicros", "CPU per second idle, control thread (µs)")],
    "keepalive": [("cpuMicros", "CPU per request, process (µs)"), ("statCpuMicros", "CPU per request, process, /proc/PID/stat (µs)"), ("loopMicros", "CPU per request, event loop (µs)"),
                  ("controlMicros", "CPU per request, control thread (µs)"), ("gcMicros", "CPU per request, GC threads (µs)"),
                  ("jitMicros", "CPU per request, JIT compiler threads (µs)"), ("p50Micros", "p50 (µs)"), ("p99Micros", "p99 (µs)")],
    "newconn": [("cpuMicros", "CPU per connection, process (µs)"), ("statCpuMicros", "CPU per connection, process, /proc/PID/stat (µs)"), ("loopMicros", "CPU per connection, event loop (µs)"),
                ("controlMicros", "CPU per connection, control thread (µs)"), ("gcMicros", "CPU per connection, GC threads (µs)"),
                ("jitMicros", "CPU per connection, JIT compiler threads (µs)"), ("p50Micros", "p50 (µs)"), ("p99Micros", "p99 (µs)")],
    "max-keepalive": [("requestsPerSecond", "max requests/s (noisy)"), ("cpuMicros", "CPU per request at max, process (µs)"),
                      ("loopMicros", "CPU per request at max, event loop (µs)"), ("gcMicros", "CPU per request at max, GC (µs)"),
                      ("jitMicros", "CPU per request at max, JIT (µs)")],
    "max-newconn": [("requestsPerSecond", "max connections/s (noisy)"), ("cpuMicros", "CPU per connection at max, process (µs)"),
                    ("loopMicros", "CPU per connection at max, event loop (µs)"), ("gcMicros", "CPU per connection at max, GC (µs)"),
                    ("jitMicros", "CPU per connection at max, JIT (µs)")],
    "syscalls": [("callsPerConnection", "event loop's system calls per new connection (strace -c)"),
                 ("getsockoptPerConnection", "of which getsockopt")],
}


def summarize(rounds):
    rows = []
    for kind, figures in FIGURES.items():
        per_round = [r[kind] for r in rounds if kind in r]
        if not per_round:
            continue
        for key, label in figures:
            on = [r["on"][key] for r in per_round]
            off = [r["off"][key] for r in per_round]
            ratios = [a / b for a, b in zip(on, off) if b]
            kept = sum(1 for r in per_round if r["on"].get("keptUp", True) and r["off"].get("keptUp", True))
            rows.append({"kind": kind, "figure": key, "label": label, "on": statistics.median(on), "off": statistics.median(off),
                         "roundsKeptUp": kept,
                         "ratio": statistics.median(ratios) if ratios else None,
                         "ratioMin": min(ratios) if ratios else None, "ratioMax": max(ratios) if ratios else None,
                         "rounds": len(per_round)})
    return rows


def markdown(rows, meta):
    def num(x):
        return "–" if x is None else f"{x:,.0f}" if abs(x) >= 100 else f"{x:.3g}"
    lines = [f"Run {meta['started']} on {meta['host']}, commit `{meta['commit']}`, {meta['rounds']} interleaved rounds;"
             f" fixed rates {meta['keepaliveRate']:.0f} req/s keep-alive and {meta['newconnRate']:.0f} conn/s, {meta['seconds']:.0f} s each;"
             f" load average {meta['loadBefore']} before, {meta['loadAfter']} after (1-min range during the rounds:"
             f" {meta['loadMin']:.1f}–{meta['loadMax']:.1f}).", "", f"Command: `{meta['command']}`", "",
             "| workload | figure | telemetry on | telemetry off | on/off (median, min–max over rounds) |", "|---|---|---|---|---|"]
    for r in rows:
        ratio = "–" if r["ratio"] is None else f"{r['ratio']:.3f} ({r['ratioMin']:.2f}–{r['ratioMax']:.2f})"
        kept = "" if r["roundsKeptUp"] == r["rounds"] or "Micros" not in r["figure"] or r["figure"] not in ("p50Micros", "p99Micros") \
            else f" ({r['roundsKeptUp']} of {r['rounds']} rounds kept up with the rate)"
        lines.append(f"| {r['kind']} | {r['label']}{kept} | {num(r['on'])} | {num(r['off'])} | {ratio} |")
    return "\n".join(lines)


def main(argv):
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    args = parse_args(argv)
    kinds = args.kinds.split(",")
    for kind in kinds:
        if kind not in KINDS:
            raise SystemExit(f"--kinds: unknown workload {kind!r} (expected: {', '.join(KINDS)})")
    os.makedirs(args.out, exist_ok=True)
    cpus = sorted(os.sched_getaffinity(0))
    proxy_cpus, load_cpus = (str(cpus[1]), str(cpus[0])) if len(cpus) >= 2 else (None, None)
    workdir = args.workdir = tempfile.mkdtemp(prefix="fulcrum-telemetry-overhead-")
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    meta = {"started": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "host": f"{os.uname().nodename}, {os.cpu_count()} cores", "commit": commit or "?", "rounds": args.rounds,
            "seconds": args.seconds, "keepaliveRate": args.keepalive_rate, "newconnRate": args.newconn_rate,
            "loadBefore": " ".join(f"{x:.2f}" for x in os.getloadavg()), "command": args.command}
    loads = []
    rounds = []
    backends = peers = None
    try:
        backends = peer_kinds.Backends(workdir, 1, load_cpus, 2000)
        peers = {}
        for mode in MODES:
            peers[mode] = peer_kinds.fulcrum(workdir, backends, 1, proxy_cpus, 2000, args.fulcrum_jar, [],
                                             name=f"fulcrum-telemetry-{mode}",
                                             extra_yaml=f"telemetry: {{enabled: {'true' if mode == 'on' else 'false'}}}")
        print(f"telemetry-overhead: proxies on CPU {proxy_cpus or 'any'}, load and backend on CPU {load_cpus or 'any'};"
              f" {args.warmup} s of warm-up per proxy and kind of traffic", flush=True)
        for mode in MODES:  # the JIT compiles what it runs: both paths, both proxies, before anything counts
            for close in (False, True):
                subprocess.run(pinned(load_cpus, ["wrk", "-t1", "-c32", f"-d{args.warmup}s"] + (["-H", "Connection: close"] if close else [])
                                      + [f"http://127.0.0.1:{peers[mode].http_port}/"]), capture_output=True, timeout=args.warmup + 30)
        rng = random.Random(args.seed)
        for index in range(args.rounds):
            result = {}
            for kind in kinds:
                if kind == "idle":
                    result[kind] = idle(peers, args)
                    continue
                order = rng.sample(MODES, 2)
                if kind.startswith("max-") or kind == "syscalls":
                    result[kind] = {}
                    for mode in order:
                        measure = syscalls if kind == "syscalls" else max_rate
                        result[kind][mode] = measure(peers[mode], backends, args, kind, load_cpus)
                        time.sleep(0.3)
                else:
                    result[kind] = fixed_rate(peers, order, backends, args, kind, load_cpus)
                time.sleep(0.3)
            loads.append(os.getloadavg()[0])
            rounds.append(result)
            print(f"round {index + 1}/{args.rounds} (load {loads[-1]:.1f}), on/off: " + "; ".join(
                f"{kind} " + " ".join(f"{key.replace('Micros', '')} {result[kind]['on'][key]:.1f}/{result[kind]['off'][key]:.1f}"
                                      for key in ("cpuMicros", "loopMicros", "requestsPerSecond", "p99Micros", "callsPerConnection")
                                      if key in result[kind]["on"])
                for kind in kinds), flush=True)
            with open(os.path.join(args.out, "overhead-partial.json"), "w") as f:
                json.dump({"meta": meta, "rounds": rounds}, f, indent=1)
    except BenchFailure as e:
        print(f"telemetry-overhead: FAILED: {e}", file=sys.stderr)
        return 1
    finally:
        for peer in (peers or {}).values():
            peer.stop()
        if backends is not None:
            backends.stop()
        shutil.rmtree(workdir, ignore_errors=True)
    meta.update({"loadAfter": " ".join(f"{x:.2f}" for x in os.getloadavg()), "loadMin": min(loads), "loadMax": max(loads)})
    rows = summarize(rounds)
    table = markdown(rows, meta)
    with open(os.path.join(args.out, "overhead.json"), "w") as f:
        json.dump({"meta": meta, "rounds": rounds, "summary": rows}, f, indent=1)
    with open(os.path.join(args.out, "overhead.md"), "w") as f:
        f.write(table + "\n")
    print(table)
    print(f"telemetry-overhead: wrote {args.out}/overhead.json and overhead.md")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
