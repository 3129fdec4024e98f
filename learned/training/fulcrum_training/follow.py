"""Follow mode: the asynchronous closed loop of the learned hash (DLB, III-A; Aquarius's loop).

The trainer talks to a running Fulcrum's admin API:

1. ``GET /api/models/{name}`` gives the model's file, key encoding and drift monitor; the monitor
   sets ``retrainRequested`` when the live keys drift from the distribution the model was trained
   on, or a backend's share of keys exceeds its arc (thresholds are the policy's).
2. When a retrain is due (requested, or every ``--every`` seconds), ``GET /api/models/{name}/keys``
   gives the keys the proxy saw recently (encoded, ``[key, count]`` pairs, counted per request),
   the trainer trains on them (DLB labelling, as ``train-hash``), writes the model with an atomic
   rename over the served file, and ``POST /api/models/{name}`` swaps it in now (the proxy's file
   watcher would pick it up too; the POST makes the round synchronous and reports refusals).
3. It reads the model back: the swap's remap fraction (recent keys moved to another backend).

One JSON line per round on stdout. It stops by itself after ``--rounds`` retrains or ``--duration``
seconds.
"""
import datetime
import json
import os
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


class AdminApi:
    def __init__(self, base, token=None, timeout=30.0):
        self.base = base.rstrip("/")
        self.token = token
        self.timeout = timeout

    def call(self, method, path):
        request = urllib.request.Request(self.base + path, method=method, data=b"" if method == "POST" else None)
        if self.token:
            request.add_header("Authorization", "Bearer " + self.token)
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                return response.status, json.loads(response.read().decode("utf-8"))
        except urllib.error.HTTPError as e:
            body = e.read().decode("utf-8", "replace")
            try:
                return e.code, json.loads(body)
            except ValueError:
                return e.code, {"error": body}

    def model(self, name):
        status, body = self.call("GET", "/api/models/" + urllib.parse.quote(name, safe=""))
        if status != 200:
            raise RuntimeError("GET /api/models/%s: %d %s" % (name, status, body.get("error", body)))
        return body

    def keys(self, name):
        status, body = self.call("GET", "/api/models/%s/keys" % urllib.parse.quote(name, safe=""))
        if status != 200:
            raise RuntimeError("GET /api/models/%s/keys: %d %s" % (name, status, body.get("error", body)))
        return body

    def reload(self, name):
        return self.call("POST", "/api/models/" + urllib.parse.quote(name, safe=""))


def due(model, every, last_trained, now):
    """Why a retrain is due now, or None."""
    drift = model.get("drift") or {}
    if drift.get("retrainRequested"):
        return "drift: " + (drift.get("lastEvent") or "retrain requested")
    if every is not None and (last_trained is None or now - last_trained >= every):
        return "every %gs" % every
    return None


def follow(api, name, out=None, every=None, poll=2.0, min_keys=1000, rounds=None, duration=None,
           layers=None, steps=600, seed=0, log=None, emit=None, clock=time.monotonic, sleep=time.sleep):
    """Runs the loop; returns the list of round reports."""
    from . import export, train_hash
    log = log or (lambda line: print(line, file=sys.stderr))
    emit = emit or (lambda report: print(json.dumps(report), flush=True))
    started = clock()
    last_trained = None
    reports = []
    while (rounds is None or len(reports) < rounds) and (duration is None or clock() - started < duration):
        model = api.model(name)
        reason = due(model, every, last_trained, clock())
        if reason is None:
            sleep(poll)
            continue
        sample = api.keys(name)
        pairs = sample.get("keys") or []
        if sample.get("requests", 0) < min_keys or len(pairs) < 2:
            log("%s: %s, but only %d recent keys (%d distinct; --min-keys %d): waiting"
                % (name, reason, sample.get("requests", 0), len(pairs), min_keys))
            sleep(poll)
            continue
        keys = [pair[0] for pair in pairs]
        counts = [pair[1] for pair in pairs]
        encoding = model.get("keyEncoding") or sample.get("keyEncoding") or "number"
        target = out or model["file"]
        trained, low, high, stats = train_hash.train(keys, counts, layers, steps, seed=seed + len(reports), log=log)
        version = "follow-%s-%d" % (datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ"), len(reports) + 1)
        export.export_learned_hash(trained, target, encoding, low, high, version, seed=seed)
        last_trained = clock()
        status, outcome = api.reload(name)
        after = api.model(name)
        swap = (after.get("drift") or {}).get("lastSwap") or {}
        report = {"round": len(reports) + 1, "reason": reason, "requests": sample.get("requests"),
                  "distinctKeys": len(pairs), "seconds": stats["seconds"], "version": version,
                  # The file watcher may swap it before the POST does (then the POST finds it "unchanged").
                  "reload": outcome.get("result", outcome.get("error")), "serving": after.get("version"),
                  "swapped": after.get("version") == version,
                  "remapFraction": swap.get("remapFraction") if swap.get("toVersion") == version else None,
                  "maxLabelError": stats["maxLabelError"]}
        if status != 200:
            log("%s: the proxy refused %s: %s" % (name, target, outcome.get("error")))
        reports.append(report)
        emit(report)
    return reports


def read_token(path):
    if path:
        with open(path) as handle:
            return handle.read().strip()
    return os.environ.get("FULCRUM_ADMIN_TOKEN")
