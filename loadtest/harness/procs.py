"""Processes of the benchmark: start, wait for a port, read CPU/RSS/fds from /proc, stop.

Every reading sums a process and its descendants (NGINX's master and workers), so a peer is
measured as a whole whatever its process model.
"""
import os
import signal
import socket
import subprocess
import time

CLK_TCK = os.sysconf("SC_CLK_TCK")


class BenchFailure(Exception):
    """A benchmark that cannot be trusted: a peer that did not start, or carried nothing."""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pinned(cpus, argv):
    """argv run on the given CPUs (a taskset list such as "1"), or as is when cpus is None."""
    return argv if cpus is None else ["taskset", "-c", cpus] + argv


def wait_for_port(port, seconds, proc=None, what="process"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise BenchFailure(f"{what} exited with code {proc.returncode} before listening on {port}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    raise BenchFailure(f"{what} is not listening on 127.0.0.1:{port} after {seconds} s")


def descendants(pid):
    """pid and all its descendants (via /proc/PID/task/*/children)."""
    result, todo = [], [pid]
    while todo:
        p = todo.pop()
        result.append(p)
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as f:
                    todo.extend(int(c) for c in f.read().split())
        except OSError:
            pass
    return result


def cpu_seconds(pid):
    total = 0
    for p in descendants(pid):
        try:
            with open(f"/proc/{p}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15)
        except OSError:
            pass
    return total / CLK_TCK


def rss_kib(pid):
    total = 0
    for p in descendants(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                for line in f:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1])
        except OSError:
            pass
    return total


def fd_count(pid):
    total = 0
    for p in descendants(pid):
        try:
            total += len(os.listdir(f"/proc/{p}/fd"))
        except OSError:
            pass
    return total


class Service:
    """A long-running process of the benchmark (backend or proxy), logged to a file in workdir."""

    def __init__(self, name, argv, workdir, env=None):
        self.name = name
        self.log_path = os.path.join(workdir, f"{name}.log")
        self._log = open(self.log_path, "w")
        self.proc = subprocess.Popen(argv, stdout=self._log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                     env=env, start_new_session=True)

    @property
    def pid(self):
        return self.proc.pid

    def check_alive(self):
        if self.proc.poll() is not None:
            raise BenchFailure(f"{self.name} exited with code {self.proc.returncode}; log: {self.log_tail()}")

    def log_tail(self, lines=15):
        try:
            with open(self.log_path) as f:
                return "".join(f.readlines()[-lines:])
        except OSError:
            return ""

    def stop(self):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self._log.close()


def run(argv, timeout, what):
    """Runs a load tool to completion; its stdout, or BenchFailure with its output."""
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        raise BenchFailure(f"{what} did not finish in {timeout} s: {' '.join(argv)}") from e
    if done.returncode != 0:
        raise BenchFailure(f"{what} failed (exit {done.returncode}): {' '.join(argv)}\n{done.stdout}\n{done.stderr}")
    return done.stdout
