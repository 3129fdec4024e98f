#!/usr/bin/python3
"""The soak behind scripts/soak (run that: it builds the jar and checks the tools).

Fulcrum runs as its own process (java -jar fulcrum.jar run, with native memory tracking so that
direct memory can be read with jcmd) in front of three echo backends, each a process of its own
(this file with --backend PORT). An open-loop generator in this process starts flows at a fixed
rate: each sends 1 to 64 KiB of seeded random bytes, half-closes, and must get exactly those bytes
back. Meanwhile one backend at a time is SIGKILLed and restarted (churn) and the configuration is
reloaded with POST /api/reload, alternating two files (policy and weights differ).

Errors are explained when they can be: a flow that was open when a backend was killed may be cut
(its bytes were on that backend). Every other error, any corrupt byte, and any failed reload is
unexplained, and fails the soak. Memory is flat when the median RSS of the last quarter of the run
is within 10% of the second quarter's (direct memory: within 10% or 16 MiB, a pool chunk or so).
"""
import argparse
import asyncio
import multiprocessing
import os
import shutil
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

from soak_report import report

HOST = "127.0.0.1"


def seconds(text):
    match = re.fullmatch(r"(\d+(?:\.\d+)?)(ms|s|m|h)?", text)
    if not match:
        raise argparse.ArgumentTypeError(f"{text} (expected: a duration such as 60s, 30m, 1h)")
    value, unit = float(match.group(1)), match.group(2) or "s"
    return value * {"ms": 0.001, "s": 1, "m": 60, "h": 3600}[unit]


def free_port():
    with socket.socket() as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


# ---------------------------------------------------------------- the backend process
async def serve_echo(port):
    async def handle(reader, writer):
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
            writer.write_eof()
            await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    server = await asyncio.start_server(handle, HOST, port, reuse_address=True, backlog=1024)
    print("listening", flush=True)
    await server.serve_forever()


class Backend:
    def __init__(self, port):
        self.port = port
        self.process = None

    def start(self):
        self.process = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--backend", str(self.port)],
                                        stdout=subprocess.PIPE, text=True)
        if self.process.stdout.readline().strip() != "listening":
            raise SystemExit(f"soak: backend on {self.port} did not start")

    def kill(self):
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)


# ---------------------------------------------------------------- the proxy process
CONFIG = """runtime: {{watchConfig: false, drainTimeout: 10s}}
admin: {{address: {host}:{admin}}}
telemetry: {{tick: 250ms}}
listeners:
  soak: {{bind: {host}:{listen}, pool: soak, idleTimeout: 30s, connectAttempts: 3, connectTimeout: 1s}}
pools:
  soak:
    policy: {{type: {policy}}}
    backends:
{backends}
"""


def write_config(path, variant, admin, listen, backends):
    policy, weights = ("round-robin", [1, 1, 1]) if variant == 0 else ("least-connections", [2, 1, 1])
    lines = "\n".join(f"      - {{name: b{i}, address: {HOST}:{b.port}, weight: {w}}}"
                      for i, (b, w) in enumerate(zip(backends, weights)))
    with open(path, "w") as out:
        out.write(CONFIG.format(host=HOST, admin=admin, listen=listen, policy=policy, backends=lines))


def http(method, url, timeout=10):
    request = urllib.request.Request(url, method=method, data=b"" if method == "POST" else None)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def fds(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


async def direct_kib(pid):
    """NMT's "Other" category: where the JVM accounts direct byte buffers and Unsafe allocations."""
    process = await asyncio.create_subprocess_exec("jcmd", str(pid), "VM.native_memory", "summary",
                                                   stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.DEVNULL)
    out, _ = await process.communicate()
    match = re.search(r"Other \(reserved=(\d+)KB, committed=(\d+)KB\)", out.decode())
    return int(match.group(2)) if match else -1


# ---------------------------------------------------------------- flows
class Tally:
    def __init__(self, live=None, slot=0):
        self.done = []          # (start, end, latency seconds) of complete flows
        self.errors = []        # (start, end, reason)
        self.corrupt = 0
        self.saturated = 0      # flows the generator could not start (in-flight cap reached)
        self.live, self.slot = live, slot  # shared counters the sampler reads: done, errors

    def count(self):
        if self.live is not None:
            self.live[2 * self.slot], self.live[2 * self.slot + 1] = len(self.done), len(self.errors)

    def merge(self, done, errors, corrupt, saturated):
        self.done += done
        self.errors += errors
        self.corrupt += corrupt
        self.saturated += saturated


async def one_flow(port, seed, tally):
    rng = random.Random(seed)
    payload = rng.randbytes(rng.randint(1024, 64 * 1024))
    start = time.monotonic()
    reason = None
    try:
        reader, writer = await asyncio.wait_for(asyncio.open_connection(HOST, port), 5)
        try:
            writer.write(payload)
            await writer.drain()
            writer.write_eof()
            got = await asyncio.wait_for(reader.read(-1), 15)
        finally:
            writer.close()
        if got == payload:
            end = time.monotonic()
            tally.done.append((start, end, end - start))
            tally.count()
            return
        if payload.startswith(got):
            reason = "cut short"
        else:
            tally.corrupt += 1
            reason = "CORRUPT"
    except asyncio.TimeoutError:
        reason = "timeout"
    except (ConnectionError, OSError) as error:
        reason = type(error).__name__
    tally.errors.append((start, time.monotonic(), reason))
    tally.count()


async def closed_loop(port, seconds_, workers, seed_base=0):
    tally = Tally()
    stop = time.monotonic() + seconds_

    async def worker(w):
        seed = seed_base + w * 1_000_000
        while time.monotonic() < stop:
            seed += 1
            await one_flow(port, seed, tally)

    await asyncio.gather(*(worker(w) for w in range(workers)))
    return len(tally.done)


async def open_loop(port, rate, until, tally, max_in_flight, seed, phase=0.0):
    in_flight = set()
    interval = 1.0 / rate
    next_start = time.monotonic() + phase * interval
    while next_start < until:
        now = time.monotonic()
        if now < next_start:
            await asyncio.sleep(next_start - now)
        next_start += interval
        seed += 1
        if len(in_flight) >= max_in_flight:
            tally.saturated += 1
            continue
        task = asyncio.create_task(one_flow(port, seed, tally))
        in_flight.add(task)
        task.add_done_callback(in_flight.discard)
    if in_flight:
        await asyncio.wait(in_flight, timeout=30)


# One asyncio loop in one Python process could not start ~200 flows/s on this machine (the first
# smoke: 819 flows never started), so the load comes from several generator processes, each its
# own loop with a share of the rate (staggered by a phase), its own seeds and its own in-flight cap.
# CLOCK_MONOTONIC is system-wide, so their flow times compare with the kills' and the samples'.
def generator_main(kind, port, slot, count, rate, seconds_, until, live, pipe):
    if kind == "closed":
        pipe.send(asyncio.run(closed_loop(port, seconds_, 8, seed_base=slot * 100_000_000)))
        return
    tally = Tally(live, slot)
    asyncio.run(open_loop(port, rate / count, until, tally, 512 // count, 10 ** 9 + slot * 100_000_000, slot / count))
    pipe.send((tally.done, tally.errors, tally.corrupt, tally.saturated))


async def generators(kind, port, count, rate=0.0, seconds_=0.0, until=0.0, live=None):
    context = multiprocessing.get_context("spawn")
    pipes, processes = [], []
    for slot in range(count):
        receive, send = context.Pipe(duplex=False)
        process = context.Process(target=generator_main, args=(kind, port, slot, count, rate, seconds_, until, live, send),
                                  daemon=True)
        process.start()
        send.close()
        pipes.append(receive)
        processes.append(process)
    loop = asyncio.get_running_loop()
    results = [await loop.run_in_executor(None, pipe.recv) for pipe in pipes]
    for process in processes:
        process.join(10)
    return results


# ---------------------------------------------------------------- the run
async def soak(args):
    out = args.out or tempfile.mkdtemp(prefix="fulcrum-soak-")
    os.makedirs(out, exist_ok=True)
    backends = [Backend(free_port()) for _ in range(3)]
    for backend in backends:
        backend.start()
    admin, listen = free_port(), free_port()
    config = os.path.join(out, "fulcrum.yaml")
    write_config(config, 0, admin, listen, backends)
    log = open(os.path.join(out, "fulcrum.log"), "w")
    # A copy: a build during a 30-minute soak rewrites proxy/target/fulcrum.jar under the running JVM.
    jar = shutil.copy(args.jar, os.path.join(out, "fulcrum.jar"))
    java = ["java", "-XX:NativeMemoryTracking=summary", *args.java_opts.split(), "-jar", jar, "run", "-c", config]
    proxy = subprocess.Popen(java, stdout=log, stderr=subprocess.STDOUT)
    kills, reloads, samples = [], [], []
    try:
        for _ in range(300):
            try:
                if http("GET", f"http://{HOST}:{admin}/healthz", 2)[0] == 200:
                    break
            except OSError:
                pass
            await asyncio.sleep(0.1)
        else:
            raise SystemExit(f"soak: fulcrum never became healthy (see {out}/fulcrum.log)")

        if args.rate:
            rate, capacity = args.rate, None
        else:
            await generators("closed", listen, args.generators, seconds_=args.capacity_seconds)  # a warm-up: JIT, pools
            capacity = sum(await generators("closed", listen, args.generators, seconds_=args.capacity_seconds)) / args.capacity_seconds
            rate = 0.8 * capacity
        print(f"soak: capacity {capacity and round(capacity)} flows/s (closed loop, {8 * args.generators} clients in "
              f"{args.generators} processes, "
              f"{args.capacity_seconds:g} s after as long a warm-up); load {rate:.0f} flows/s for {args.duration:g} s", flush=True)
        baseline_fds = fds(proxy.pid)

        tally = Tally()
        live = multiprocessing.get_context("spawn").Array("q", 2 * args.generators, lock=False)
        t0 = time.monotonic()
        until = t0 + args.duration

        async def load():
            for done, errors, corrupt, saturated in await generators("open", listen, args.generators, rate=rate,
                                                                     until=until, live=live):
                tally.merge(done, errors, corrupt, saturated)

        async def churn():
            victim = 0
            while time.monotonic() + args.churn_every < until:
                await asyncio.sleep(args.churn_every)
                backend = backends[victim % len(backends)]
                sent = time.monotonic()
                backend.kill()  # returns once the process is reaped: its sockets are closed by then
                kills.append((sent, time.monotonic(), victim % len(backends)))
                await asyncio.sleep(args.churn_down)
                backend.start()
                victim += 1

        async def reload():
            variant = 0
            while time.monotonic() + args.reload_every < until:
                await asyncio.sleep(args.reload_every)
                variant ^= 1
                write_config(config, variant, admin, listen, backends)
                status, body = await asyncio.get_running_loop().run_in_executor(
                    None, http, "POST", f"http://{HOST}:{admin}/api/reload")
                reloads.append((time.monotonic() - t0, status, body.strip()[:200]))

        direct = [-1]

        async def sample_direct():  # jcmd starts a JVM of its own: not every second
            while time.monotonic() < until:
                direct[0] = await direct_kib(proxy.pid)
                await asyncio.sleep(args.direct_every)

        async def sample():
            while time.monotonic() < until:
                now = time.monotonic()
                samples.append((now - t0, rss_kib(proxy.pid), direct[0], fds(proxy.pid), sum(live[0::2]), sum(live[1::2])))
                await asyncio.sleep(1)

        await asyncio.gather(load(), churn(), reload(), sample(), sample_direct())
        await asyncio.sleep(2)  # the last flows' connections close
        end_fds = fds(proxy.pid)
        end_direct = await direct_kib(proxy.pid)
        metrics = http("GET", f"http://{HOST}:{admin}/metrics")[1]
    finally:
        proxy.send_signal(signal.SIGTERM)
        try:
            exit_code = proxy.wait(30)
        except subprocess.TimeoutExpired:
            proxy.kill()
            exit_code = "hung on SIGTERM"
        for backend in backends:
            if backend.process and backend.process.poll() is None:
                backend.kill()
    return report(args, out, t0, rate, capacity, tally, kills, reloads, samples, metrics,
                  baseline_fds, end_fds, end_direct, exit_code)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backend", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--jar", help="the shaded fulcrum.jar (scripts/soak passes it)")
    parser.add_argument("--duration", type=seconds, default=seconds("30m"), help="how long the load runs (default 30m)")
    parser.add_argument("--rate", type=float, help="flows/s instead of 80%% of a measured capacity")
    parser.add_argument("--capacity-seconds", type=seconds, default=5.0, help="the capacity measurement (default 5s)")
    parser.add_argument("--churn-every", type=seconds, default=10.0, help="a backend SIGKILLed this often (default 10s)")
    parser.add_argument("--churn-down", type=seconds, default=2.0, help="how long it stays down (default 2s)")
    parser.add_argument("--reload-every", type=seconds, default=7.0, help="POST /api/reload this often (default 7s)")
    parser.add_argument("--direct-every", type=seconds, default=10.0, help="direct memory read with jcmd this often (default 10s)")
    parser.add_argument("--generators", type=int, default=4, help="load generator processes (default 4)")
    parser.add_argument("--java-opts", default="-Xmx256m", help="the proxy's JVM options (default -Xmx256m)")
    parser.add_argument("--out", help="output directory (default: a new temporary one)")
    args = parser.parse_args()
    if args.backend is not None:
        asyncio.run(serve_echo(args.backend))
        return 0
    if not args.jar:
        parser.error("--jar is required (run scripts/soak)")
    return asyncio.run(soak(args))


if __name__ == "__main__":
    sys.exit(main())
