"""follow-q against a running Fulcrum's admin API: the q-network's asynchronous learning loop.

Mizutani, Sensors 2022, section 3.6 (Algorithm 1: act, measure, update W), split as Aquarius
splits it: the proxy acts and measures, this trainer updates the model beside it and hands it back.

- ``--from-stream``: a thread reads ``GET /api/stream?lines=transitions`` (optionally one pool's)
  and appends each line to the ``--transitions`` file, which the training loop reads as it grows;
  so the file is also the record of everything trained on.
- After each training the model is written with an atomic rename over the served file (``--out``,
  default the file ``GET /api/models/{name}`` names), then ``POST /api/models/{name}`` swaps it in
  now, as the learned hash's ``follow`` does, and ``GET /api/models/{name}`` says which version
  serves. A refused model (422) is reported, and the proxy keeps the one it had.
"""
import json
import sys
import threading
import urllib.error
import urllib.request

from . import follow as hashfollow


class TransitionTap(threading.Thread):
    """Appends the stream's transition lines (of ``pool``, or all) to ``path``; reconnects after an error."""

    def __init__(self, base, token, path, pool=None, retry=1.0, log=None):
        super().__init__(name="fulcrum-transition-tap", daemon=True)
        self.url = base.rstrip("/") + "/api/stream?lines=transitions"
        self.token = token
        self.path = path
        self.pool = pool
        self.retry = retry
        self.log = log or (lambda line: print(line, file=sys.stderr))
        self.lines = 0
        self.last_error = None
        self.stopped = threading.Event()

    def run(self):
        while not self.stopped.is_set():
            try:
                self.read_once()
            except (OSError, urllib.error.URLError, ValueError) as e:
                self.last_error = str(e)
                self.log("transition stream %s: %s (retrying in %gs)" % (self.url, e, self.retry))
            self.stopped.wait(self.retry)

    def read_once(self):
        request = urllib.request.Request(self.url)
        if self.token:
            request.add_header("Authorization", "Bearer " + self.token)
        with urllib.request.urlopen(request, timeout=60) as stream, open(self.path, "a") as out:
            for raw in stream:  # urllib undoes the chunked framing; each line is a whole JSON object
                if self.stopped.is_set():
                    return
                line = raw.decode("utf-8")
                if not line.strip():
                    continue
                row = json.loads(line)
                if row.get("kind") != "transition" or (self.pool is not None and row.get("pool") != self.pool):
                    continue
                out.write(line if line.endswith("\n") else line + "\n")
                out.flush()
                self.lines += 1

    def stop(self):
        self.stopped.set()


def served_file(api, name):
    """The file the proxy serves the model ``name`` from (where a new model must be renamed to)."""
    model = api.model(name)
    if model.get("kind") not in (None, "q-network"):
        raise RuntimeError("model %s is a %s model (expected: q-network)" % (name, model.get("kind")))
    if not model.get("file"):
        raise RuntimeError("GET /api/models/%s names no file" % name)
    return model["file"]


def publisher(api, name, log=None):
    """After each export: POST /api/models/{name}, then read back which version serves."""
    log = log or (lambda line: print(line, file=sys.stderr))

    def publish(version):
        status, outcome = api.reload(name)
        after = api.model(name)
        report = {"reload": outcome.get("result", outcome.get("error")), "status": status,
                  # The file watcher may swap it before the POST does (then the POST finds it "unchanged").
                  "serving": after.get("version"), "swapped": after.get("version") == version}
        if status != 200:
            log("%s: the proxy refused version %s: %s" % (name, version, outcome.get("reason", outcome.get("error", outcome))))
        return report

    return publish


def run(args, log):
    """follow-q with --admin: returns the exit code."""
    from . import qnet
    api = hashfollow.AdminApi(args.admin, hashfollow.read_token(args.token_file))
    try:
        out = args.out or served_file(api, args.name)
    except (OSError, RuntimeError) as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    tap = None
    if args.from_stream:
        tap = TransitionTap(args.admin, api.token, args.transitions, args.pool, log=log)
        tap.start()
    try:
        written = qnet.follow(args.transitions, out, args.actions, args.flow_scale, args.network, args.algorithm,
                              args.gamma, args.steps, args.interval, args.min_new, args.rounds, args.seed,
                              args.version or "follow", log, publish=publisher(api, args.name, log),
                              duration=args.duration, reward_from=args.reward, fct_ref=args.fct_ref)
    except (OSError, RuntimeError, ValueError) as e:
        print("error: %s" % e, file=sys.stderr)
        return 1
    finally:
        if tap is not None:
            tap.stop()
    print(json.dumps({"models": written, "model": out, "name": args.name,
                      "streamed": None if tap is None else tap.lines}))
    return 0
