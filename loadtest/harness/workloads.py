"""The five workloads. Each runs against one peer, checks that the peer really carried the
traffic (the backend's request counter, the proxy's CPU time and file descriptors), and returns
its figures. A peer that carried nothing raises BenchFailure: a number from it means nothing."""
import json
import re
import subprocess
import time

from procs import BenchFailure, cpu_seconds, fd_count, pinned, rss_kib, run

# A proxy that moved traffic burns at least this much CPU; a peer below it did not carry the load.
MIN_PROXY_CPU_SECONDS = 0.01


def whole_seconds(seconds):
    """wrk and iperf3 take whole seconds ("30", not "30.0")."""
    return max(1, int(round(seconds)))


def _wrk(peer, settings, extra):
    argv = pinned(settings.load_cpus, ["wrk", f"-t{settings.threads}", f"-c{extra['connections']}",
                                       f"-d{whole_seconds(settings.seconds)}s", "--timeout", "5s"] + extra.get("args", [])
                  + [f"http://127.0.0.1:{peer.http_port}/"])
    out = run(argv, settings.seconds + 30, f"wrk against {peer.name}")
    m = re.search(r"(\d+) requests in ([\d.]+)(\w+),", out)
    rps = re.search(r"Requests/sec:\s+([\d.]+)", out)
    if not m or not rps:
        raise BenchFailure(f"cannot read wrk's output for {peer.name}:\n{out}")
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    return {
        "requests": int(m.group(1)),
        "requestsPerSecond": float(rps.group(1)),
        "non2xx": int(non2xx.group(1)) if non2xx else 0,
        "socketErrors": sum(int(g) for g in errors.groups()) if errors else 0,
    }


def _carried_http(peer, backends, before_served, cpu_before, requests):
    served = backends.requests_served() - before_served
    if requests <= 0 or served < 0.9 * requests:
        raise BenchFailure(f"{peer.name} carried nothing trustworthy: the load generator counted {requests} requests,"
                           f" the backend served {served}")
    return _carried_cpu(peer, cpu_before)


def _carried_cpu(peer, cpu_before):
    if peer.service is None:
        return None
    peer.service.check_alive()
    used = cpu_seconds(peer.service.pid) - cpu_before
    if used < MIN_PROXY_CPU_SECONDS:
        raise BenchFailure(f"{peer.name} used {used:.3f} s of CPU during the workload: it carried nothing")
    return used


def _cpu(peer):
    return cpu_seconds(peer.service.pid) if peer.service is not None else 0.0


def keepalive(peer, backends, settings):
    """Small HTTP responses over keep-alive connections (wrk), requests per second."""
    served, cpu = backends.requests_served(), _cpu(peer)
    r = _wrk(peer, settings, {"connections": settings.keepalive_connections})
    r["proxyCpuSeconds"] = _carried_http(peer, backends, served, cpu, r["requests"])
    r["proxyCpuMicrosPerRequest"] = _per_request(r)
    return r["requestsPerSecond"], r


def _per_request(r):
    """CPU the proxy spent per request: steadier than throughput when other work shares the machine."""
    return None if r["proxyCpuSeconds"] is None else r["proxyCpuSeconds"] * 1e6 / r["requests"]


def newconn(peer, backends, settings):
    """One request per TCP connection (wrk with Connection: close), connections per second."""
    served, cpu = backends.requests_served(), _cpu(peer)
    r = _wrk(peer, settings, {"connections": settings.close_connections, "args": ["-H", "Connection: close"]})
    r["proxyCpuSeconds"] = _carried_http(peer, backends, served, cpu, r["requests"])
    r["proxyCpuMicrosPerRequest"] = _per_request(r)
    return r["requestsPerSecond"], r


def bulk(peer, backends, settings):
    """One bulk TCP stream (iperf3, zero-copy sender), Gbit/s, and the proxy's CPU seconds per GB."""
    cpu = _cpu(peer)
    argv = pinned(settings.load_cpus, ["iperf3", "-c", "127.0.0.1", "-p", str(peer.bulk_port), "-t", str(whole_seconds(settings.seconds)),
                                       "-Z", "-J"])
    report = json.loads(run(argv, settings.seconds + 30, f"iperf3 through {peer.name}"))
    received = report["end"]["sum_received"]
    moved = received["bytes"]
    if moved <= 0:
        raise BenchFailure(f"{peer.name} moved no bytes in the bulk transfer")
    used = _carried_cpu(peer, cpu)
    return received["bits_per_second"] / 1e9, {
        "bytes": moved,
        "gbitPerSecond": received["bits_per_second"] / 1e9,
        "proxyCpuSeconds": used,
        "proxyCpuSecondsPerGB": None if used is None else used / (moved / 1e9),
    }


def latency(peer, backends, settings):
    """p99 at a fixed request rate, open loop, corrected for coordinated omission (microseconds)."""
    served, cpu = backends.requests_served(), _cpu(peer)
    argv = pinned(settings.load_cpus, ["java", "-XX:+UseSerialGC", "-cp", settings.tools_classpath,
                                       "dev.fulcrum.loadtest.FixedRateLatency", f"127.0.0.1:{peer.http_port}",
                                       str(settings.latency_rate), str(settings.latency_connections),
                                       str(settings.seconds), str(settings.latency_warmup)])
    r = json.loads(run(argv, settings.seconds + settings.latency_warmup + 60, f"FixedRateLatency against {peer.name}"))
    if r["recorded"] < 0.9 * settings.latency_rate * settings.seconds:
        raise BenchFailure(f"{peer.name}: only {r['recorded']} of {settings.latency_rate * settings.seconds:.0f}"
                           f" requests at the fixed rate were answered: {r}")
    r["proxyCpuSeconds"] = _carried_http(peer, backends, served, cpu, r["completed"])
    return r["p99Micros"], r


def idle_memory(peer, backends, settings):
    """RSS growth of the proxy (all its processes) per idle connection held through it, KiB."""
    if peer.service is None:
        return None, None
    pid = peer.service.pid
    fds_before, rss_before = fd_count(pid), rss_kib(pid)
    n = settings.idle_connections
    argv = pinned(settings.load_cpus, ["java", "-XX:+UseSerialGC", "-cp", settings.tools_classpath,
                                       "dev.fulcrum.loadtest.IdleConnections", f"127.0.0.1:{peer.http_port}", str(n)])
    holder = subprocess.Popen(argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = holder.stdout.readline().strip()
        if line != f"open {n}":
            raise BenchFailure(f"{peer.name}: could not hold {n} idle connections: {line!r}")
        # Each held connection is two sockets in the proxy (client and backend side): wait until the
        # proxy has made its backend connections, which proves it carries them.
        deadline = time.monotonic() + 30
        while fd_count(pid) - fds_before < 1.9 * n and time.monotonic() < deadline:
            time.sleep(0.2)
        fds = fd_count(pid) - fds_before
        if fds < 1.9 * n:
            raise BenchFailure(f"{peer.name}: {n} idle connections held, but the proxy opened only {fds} sockets"
                               f" (expected about {2 * n}: one to the client and one to the backend each)")
        time.sleep(1.0)
        rss_after = rss_kib(pid)
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
    # Let the proxy close its side before the next workload.
    deadline = time.monotonic() + 30
    while fd_count(pid) - fds_before > 0.05 * n and time.monotonic() < deadline:
        time.sleep(0.2)
    per_connection = (rss_after - rss_before) / n
    return per_connection, {"connections": n, "rssBeforeKiB": rss_before, "rssAfterKiB": rss_after,
                            "proxySockets": fds, "kibPerConnection": per_connection}


WORKLOADS = {
    # name: (function, metric, unit, higher is better)
    "keepalive": (keepalive, "requests/s, keep-alive", "req/s", True),
    "newconn": (newconn, "connections/s, one request each", "conn/s", True),
    "bulk": (bulk, "bulk transfer", "Gbit/s", True),
    "latency": (latency, "p99 at a fixed rate (CO-corrected)", "µs", False),
    "memory": (idle_memory, "RSS per idle connection", "KiB", False),
}
