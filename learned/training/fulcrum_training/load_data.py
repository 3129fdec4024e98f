"""Load-estimator datasets: Fulcrum's feature CSV (schema v1) joined with the testbed's ground truth.

A collection directory of ``loadtest/testbed collect`` holds, per run, ``<run>.csv`` (a row per
backend per tick: ``schema,timestamp,tick_ms,pool,backend``, the schema's features, ``ground_truth``)
and ``<run>-truth.csv`` (the testbed's in-process log: ``timestamp,backend,slots,speed,busy,queue,
utilisation,served,rejected``). Labels come from the truth log, joined by backend and nearest
timestamp (within one tick), because Fulcrum's own ``ground_truth`` column is fetched over HTTP and
can lag; a CSV without a truth log falls back to its ``ground_truth`` column (busy only).

Windows follow Aquarius (Yao et al., MLSys@NeurIPS 2021, section 5.1): T consecutive ticks of one
backend in one run, labelled with the load at the window's last tick; stride T/2 by default (the
paper's 64/32).
"""
import csv
import glob
import math
import os

import numpy as np

META_COLUMNS = ("schema", "timestamp", "tick_ms", "pool", "backend")
# What a model can be trained to predict; "pressure" is outstanding requests per slot, the load the
# load-aware policy weighs (a saturated 2-slot server and a half-busy 4-slot one have equal busy).
TARGETS = ("busy", "queue", "utilisation", "outstanding", "pressure")


def target_value(row, target):
    busy, queue, slots = float(row["busy"]), float(row["queue"]), float(row["slots"])
    if target == "busy":
        return busy
    if target == "queue":
        return queue
    if target == "utilisation":
        return float(row["utilisation"])
    if target == "outstanding":
        return busy + queue
    if target == "pressure":
        return (busy + queue) / slots
    raise ValueError("target: %r (expected one of %s)" % (target, ", ".join(TARGETS)))


class Run:
    """One run's ticks for each backend: features [ticks, F] and labels [ticks]."""

    def __init__(self, name, columns, backends):
        self.name = name
        self.columns = columns
        self.backends = backends  # name -> (features ndarray, labels ndarray)


def dataset_files(path):
    """The feature CSVs of a collection directory (or the one file given)."""
    if os.path.isfile(path):
        return [path]
    files = sorted(f for f in glob.glob(os.path.join(path, "*.csv")) if not f.endswith("-truth.csv"))
    if not files:
        raise ValueError("%s: no <run>.csv files (expected: a directory written by loadtest/testbed collect)" % path)
    return files


def read_run(path, target="busy"):
    with open(path, newline="") as handle:
        reader = csv.reader(handle)
        try:
            header = next(reader)
        except StopIteration:
            raise ValueError("%s: empty (expected: a header row)" % path)
        if tuple(header[:len(META_COLUMNS)]) != META_COLUMNS or header[-1] != "ground_truth":
            raise ValueError("%s: header %s... (expected: %s, the features, ground_truth)"
                             % (path, ",".join(header[:5]), ",".join(META_COLUMNS)))
        columns = header[len(META_COLUMNS):-1]
        rows = {}
        for line, row in enumerate(reader, start=2):
            if len(row) != len(header):
                raise ValueError("%s: row %d has %d fields (expected: %d)" % (path, line, len(row), len(header)))
            values = [parse(v) for v in row[len(META_COLUMNS):]]
            rows.setdefault(row[4], []).append((int(row[1]), values))
    truth = truth_log(path[:-len(".csv")] + "-truth.csv")
    if truth is None and target != "busy":
        raise ValueError("%s: no -truth.csv beside it (expected: one for target %s)" % (path, target))
    backends = {}
    for backend, ticks in rows.items():
        ticks.sort(key=lambda t: t[0])
        features = np.array([t[1][:-1] for t in ticks], dtype=np.float64)
        if truth is not None and backend in truth:
            stamps, log = truth[backend]
            labels = np.array([nearest(stamps, log, t[0], target) for t in ticks])
        else:
            labels = np.array([t[1][-1] for t in ticks], dtype=np.float64)
        backends[backend] = (features, labels)
    return Run(os.path.basename(path)[:-len(".csv")], columns, backends)


def parse(text):
    return float(text) if text not in ("", "NaN", "nan") else math.nan


def truth_log(path):
    if not os.path.exists(path):
        return None
    by_backend = {}
    with open(path, newline="") as handle:
        for row in csv.DictReader(handle):
            by_backend.setdefault(row["backend"], []).append((int(row["timestamp"]), row))
    return {b: ([t for t, _ in rows], [r for _, r in rows]) for b, rows in by_backend.items()}


def nearest(stamps, log, timestamp, target, within_ms=250):
    i = int(np.searchsorted(stamps, timestamp))
    best = None
    for j in (i - 1, i):
        if 0 <= j < len(stamps) and (best is None or abs(stamps[j] - timestamp) < abs(stamps[best] - timestamp)):
            best = j
    if best is None or abs(stamps[best] - timestamp) > within_ms:
        return math.nan
    return target_value(log[best], target)


def windows(runs, window, stride):
    """Every window of ``window`` ticks (step ``stride``) whose last label is known: X [n, T, F], y [n]."""
    xs, ys = [], []
    for run in runs:
        for features, labels in run.backends.values():
            for end in range(window, len(labels) + 1, stride):
                label = labels[end - 1]
                if math.isnan(label):
                    continue
                xs.append(features[end - window:end])
                ys.append(label)
    if not xs:
        raise ValueError("no window of %d ticks with a label (expected: runs longer than the window)" % window)
    return np.stack(xs), np.array(ys)


def usable_features(x, columns):
    """Indices of the features that are measured (no NaN in any window) and not constant."""
    flat = x.reshape(-1, x.shape[-1])
    keep = [i for i in range(flat.shape[1]) if not np.isnan(flat[:, i]).any() and np.std(flat[:, i]) > 0]
    return keep, [columns[i] for i in keep]


def drop_outliers(x, y, percentile=99.0):
    """Aquarius 5.1: data points with a ground truth beyond its 99th percentile are dropped."""
    limit = np.percentile(y, percentile)
    keep = y <= limit
    return x[keep], y[keep]


def split(n, seed, test_fraction=0.2):
    """The paper's random 80:20 split of the windows."""
    order = np.random.default_rng(seed).permutation(n)
    cut = int(round(n * (1 - test_fraction)))
    return order[:cut], order[cut:]
