#!/usr/bin/python3
"""Offline analysis of a testbed collection (Aquarius, Yao et al. 2021, section 5.1).

    /usr/bin/python3 loadtest/harness/testbed_analysis.py DIR [--out PLOTS_DIR] [--top 20]

DIR is what `loadtest/testbed collect --out DIR` wrote: summary.json, one Fulcrum dataset per run
(<workload>-<pct>.csv, a row per backend per 250 ms tick, 100 features and `ground_truth`, the
backend's busy slots read by Fulcrum from its stats endpoint) and one ground-truth log per run
(<workload>-<pct>-truth.csv: busy, queue, utilisation of every backend each tick, read in-process).

Writes into PLOTS_DIR (default DIR):
  correlation.png  Figure 3 analogue: Pearson r of the features most correlated with busy slots
  pca.png          Figure 4 analogue: the feature vectors projected on their first two principal
                   components, coloured by rate (and by workload when there are several)
  fct.png          client-measured flow completion time per rate (p50, p99)
  correlation.md   the tables docs/aquarius-testbed.md shows
  analysis.json    every correlation, the explained variance, the rows used

Preprocessing as the paper's: rows whose ground truth is beyond its 99th percentile are dropped,
features are standardised (zero mean, unit variance) before PCA. Ticks without traffic on the
backend (no flow assigned, none open) are left out: they are the idle lead-in of each run. So are
the ticks after the last flow of the run was assigned (to any backend): the backends then work off
their queues with no flow arriving, which is no longer the run's rate. At 100% of capacity those
rows (n_f 0, every slot busy, for seconds on a loaded machine) pulled n_f's correlation with busy
slots towards zero and below.
Only numpy and matplotlib (Debian's python3-numpy, python3-matplotlib); PCA is numpy's SVD.
"""
import argparse
import csv
import json
import math
import os
import sys

import numpy as np

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LOW_RATE = 0.55   # fractions of capacity at or under this are "low rate"
HIGH_RATE = 0.85  # at or over this, "high rate"
TRUTHS = ("busy", "truth_busy", "queue", "utilisation", "slots")


def read_run(directory, run):
    """Fulcrum's rows of one run joined with the testbed's ground truth of the same backend and tick."""
    with open(os.path.join(directory, run["dataset"]), newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = list(reader)
    first = header.index("n_p")
    last = header.index("ground_truth")
    names = header[first:last]
    features = np.array([[float(c) if c != "" else np.nan for c in r[first:last]] for r in rows], dtype=float)
    busy = np.array([float(r[last]) if r[last] != "" else np.nan for r in rows])
    stamps = np.array([int(r[header.index("timestamp")]) for r in rows])
    backends = [r[header.index("backend")] for r in rows]

    truth = {}
    with open(os.path.join(directory, run["truth"]), newline="") as f:
        for r in csv.DictReader(f):
            truth.setdefault(r["backend"], []).append((int(r["timestamp"]), int(r["slots"]), int(r["queue"]),
                                                       float(r["utilisation"]), int(r["busy"])))
    joined = np.full((len(rows), 4), np.nan)
    for backend, samples in truth.items():
        samples.sort()
        times = np.array([s[0] for s in samples])
        for i in (i for i, b in enumerate(backends) if b == backend):
            # The nearest sample of this backend, within a tick either way.
            j = int(np.clip(np.searchsorted(times, stamps[i]), 1, len(times) - 1))
            j = j if abs(times[j] - stamps[i]) < abs(times[j - 1] - stamps[i]) else j - 1
            if abs(times[j] - stamps[i]) <= 250:
                joined[i] = (samples[j][2], samples[j][3], samples[j][1], samples[j][4])
    return names, features, busy, joined, backends, stamps


def load(directory):
    with open(os.path.join(directory, "summary.json")) as f:
        summary = json.load(f)
    blocks = []
    names = None
    for run in summary["runs"]:
        run_names, x, busy, joined, backends, stamps = read_run(directory, run)
        if names is not None and run_names != names:
            sys.exit(f"{run['dataset']}: feature columns differ from the first run's (expected: schema 1 in every file)")
        names = run_names
        assigned = x[:, names.index("n_f")] > 0
        active = assigned | (x[:, names.index("n_open")] > 0)
        if assigned.any():
            # The run's traffic as the proxy saw it: from its first assigned flow to its last (the lead-out drains queues).
            active &= stamps <= stamps[assigned].max()
        keep = active & ~np.isnan(busy)
        blocks.append(dict(run=run, x=x[keep], busy=busy[keep], queue=joined[keep, 0], utilisation=joined[keep, 1],
                           slots=joined[keep, 2], truth_busy=joined[keep, 3],
                           rows=len(busy), rows_with_truth=int((~np.isnan(busy)).sum()), rows_active=int(active.sum())))
    return summary, names, blocks


def pearson(x, y):
    ok = ~np.isnan(x) & ~np.isnan(y)
    if ok.sum() < 3:
        return math.nan
    a, b = x[ok] - x[ok].mean(), y[ok] - y[ok].mean()
    denominator = math.sqrt((a * a).sum() * (b * b).sum())
    return float((a * b).sum() / denominator) if denominator > 0 else math.nan


def drop_outliers(block_list):
    """The paper drops data points whose ground truth is beyond its 99th percentile."""
    busy = np.concatenate([b["busy"] for b in block_list])
    limit = np.percentile(busy, 99) if len(busy) else 0
    return [{**b, **{k: b[k][b["busy"] <= limit] for k in ("x", "busy", "queue", "utilisation", "slots", "truth_busy")}}
            for b in block_list]


def correlations(names, block_list):
    x = np.concatenate([b["x"] for b in block_list])
    result = {}
    for truth in TRUTHS:
        y = np.concatenate([b[truth] for b in block_list])
        result[truth] = [pearson(x[:, i], y) for i in range(len(names))]
    for label, keep in (("busy_low_rate", lambda f: f <= LOW_RATE), ("busy_high_rate", lambda f: f >= HIGH_RATE)):
        chosen = [b for b in block_list if keep(b["run"]["fraction"])]
        if chosen:
            xs = np.concatenate([b["x"] for b in chosen])
            ys = np.concatenate([b["busy"] for b in chosen])
            result[label] = [pearson(xs[:, i], ys) for i in range(len(names))]
        else:
            result[label] = [math.nan] * len(names)
    return result


def fmt(r):
    return "–" if r is None or math.isnan(r) else f"{r:+.2f}"


def top_features(names, r_busy, top):
    order = sorted(range(len(names)), key=lambda i: -abs(r_busy[i]) if not math.isnan(r_busy[i]) else 0)
    return order[:top]


def plot_correlation(path, names, per_workload, top):
    workloads = list(per_workload)
    pooled = {n: np.nanmean([abs(per_workload[w]["busy"][i]) if not math.isnan(per_workload[w]["busy"][i]) else 0
                             for w in workloads]) for i, n in enumerate(names)}
    chosen = sorted(range(len(names)), key=lambda i: -pooled[names[i]])[:top]
    fig, ax = plt.subplots(figsize=(7, 0.28 * len(chosen) + 1.2), dpi=90)
    height = 0.8 / len(workloads)
    for k, w in enumerate(workloads):
        values = [per_workload[w]["busy"][i] for i in chosen]
        ax.barh(np.arange(len(chosen)) + k * height, [0 if math.isnan(v) else v for v in values], height, label=w)
    ax.set_yticks(np.arange(len(chosen)) + height * (len(workloads) - 1) / 2)
    ax.set_yticklabels([names[i] for i in chosen], fontsize=7)
    ax.invert_yaxis()
    ax.axvline(0, color="black", linewidth=0.5)
    ax.set_xlim(-1, 1)
    ax.set_xlabel("Pearson r with busy slots (ground truth)")
    ax.set_title("Features most correlated with server load (cf. Aquarius Fig. 3)", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def pca(names, block_list):
    x = np.concatenate([b["x"] for b in block_list])
    usable = [i for i in range(len(names)) if not np.isnan(x[:, i]).any() and np.std(x[:, i]) > 0]
    z = x[:, usable]
    z = (z - z.mean(axis=0)) / z.std(axis=0)
    _, s, vt = np.linalg.svd(z, full_matrices=False)
    explained = (s ** 2) / (s ** 2).sum()
    projected = z @ vt[:2].T
    loadings = {f"pc{k + 1}": sorted(((names[usable[i]], float(vt[k][i])) for i in range(len(usable))),
                                     key=lambda t: -abs(t[1]))[:8] for k in range(2)}
    return projected, explained, [names[i] for i in usable], loadings


def plot_pca(path, block_list, projected, explained):
    fractions = np.concatenate([[b["run"]["fraction"]] * len(b["busy"]) for b in block_list])
    workloads = np.concatenate([[b["run"]["workload"]] * len(b["busy"]) for b in block_list])
    kinds = sorted(set(workloads))
    panels = 2 if len(kinds) > 1 else 1
    fig, axes = plt.subplots(1, panels, figsize=(5.2 * panels, 4.2), dpi=90, squeeze=False)
    labels = (f"PC1 ({explained[0]:.0%} of variance)", f"PC2 ({explained[1]:.0%})")
    ax = axes[0][0]
    points = ax.scatter(projected[:, 0], projected[:, 1], c=fractions, cmap="viridis", s=5, alpha=0.6)
    fig.colorbar(points, ax=ax, label="rate (fraction of capacity)")
    ax.set_xlabel(labels[0])
    ax.set_ylabel(labels[1])
    ax.set_title("coloured by rate", fontsize=9)
    if panels == 2:
        ax = axes[0][1]
        for kind in kinds:
            chosen = workloads == kind
            ax.scatter(projected[chosen, 0], projected[chosen, 1], s=5, alpha=0.5, label=kind)
        ax.set_xlabel(labels[0])
        ax.set_ylabel(labels[1])
        ax.set_title("coloured by workload (cf. Aquarius Fig. 4)", fontsize=9)
        ax.legend(fontsize=7, markerscale=3)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def plot_fct(path, summary):
    fig, ax = plt.subplots(figsize=(5.5, 3.6), dpi=90)
    for workload in sorted({r["workload"] for r in summary["runs"]}):
        runs = sorted((r for r in summary["runs"] if r["workload"] == workload), key=lambda r: r["fraction"])
        fractions = [r["fraction"] for r in runs]
        line, = ax.plot(fractions, [r["fctP50Ms"] for r in runs], marker="o", label=f"{workload} p50")
        ax.plot(fractions, [r["fctP99Ms"] for r in runs], marker="x", linestyle="--", color=line.get_color(), label=f"{workload} p99")
    ax.set_yscale("log")
    ax.set_xlabel("rate (fraction of the cluster's capacity)")
    ax.set_ylabel("flow completion time at the client (ms)")
    ax.set_title("FCT under Maglev (equal shares to unequal servers)", fontsize=9)
    ax.legend(fontsize=7)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("directory")
    parser.add_argument("--out")
    parser.add_argument("--top", type=int, default=20)
    args = parser.parse_args()
    out = args.out or args.directory
    os.makedirs(out, exist_ok=True)

    summary, names, blocks = load(args.directory)
    blocks = drop_outliers(blocks)
    if sum(len(b["busy"]) for b in blocks) < 10:
        sys.exit(f"{args.directory}: fewer than 10 rows with traffic and ground truth (expected: a collection that carried load)")
    workloads = sorted({b["run"]["workload"] for b in blocks})
    per_workload = {w: correlations(names, [b for b in blocks if b["run"]["workload"] == w]) for w in workloads}
    plot_correlation(os.path.join(out, "correlation.png"), names, per_workload, args.top)
    projected, explained, used, loadings = pca(names, blocks)
    plot_pca(os.path.join(out, "pca.png"), blocks, projected, explained)
    plot_fct(os.path.join(out, "fct.png"), summary)

    agreement = pearson(np.concatenate([b["busy"] for b in blocks]), np.concatenate([b["truth_busy"] for b in blocks]))
    lines = []
    for w in workloads:
        r = per_workload[w]
        lines.append(f"### {w}\n")
        lines.append("| feature | busy | busy, low rates | busy, high rates | busy (log) | queue | utilisation | slots |")
        lines.append("|---|---|---|---|---|---|---|---|")
        for i in top_features(names, r["busy"], args.top):
            lines.append(f"| `{names[i]}` | {fmt(r['busy'][i])} | {fmt(r['busy_low_rate'][i])} | {fmt(r['busy_high_rate'][i])} "
                         f"| {fmt(r['truth_busy'][i])} | {fmt(r['queue'][i])} | {fmt(r['utilisation'][i])} | {fmt(r['slots'][i])} |")
        constant = [names[i] for i in range(len(names)) if math.isnan(r["busy"][i])]
        lines.append(f"\nNo correlation (constant or absent in these rows): {', '.join(f'`{c}`' for c in constant) or 'none'}.\n")
    lines.append("### Rows\n")
    lines.append("| run | rate (req/s) | rows | with ground truth | with traffic, used |")
    lines.append("|---|---|---|---|---|")
    for b in blocks:
        lines.append(f"| {b['run']['name']} | {b['run']['rate']:.1f} | {b['rows']} | {b['rows_with_truth']} | {len(b['busy'])} |")
    lines.append(f"\nPCA over {len(used)} standardised features: PC1 {explained[0]:.1%}, PC2 {explained[1]:.1%} of the variance. "
                 f"Pearson r between Fulcrum's `ground_truth` column and the testbed's own busy log at the same tick: {fmt(agreement)}.\n")
    with open(os.path.join(out, "correlation.md"), "w") as f:
        f.write("\n".join(lines) + "\n")
    def strict(value):
        # JSON has no NaN: a correlation that does not exist (constant feature) is null.
        if isinstance(value, float) and math.isnan(value):
            return None
        if isinstance(value, dict):
            return {k: strict(v) for k, v in value.items()}
        if isinstance(value, (list, tuple)):
            return [strict(v) for v in value]
        return value

    with open(os.path.join(out, "analysis.json"), "w") as f:
        json.dump(strict({"features": names, "correlation": per_workload, "pcaExplained": [float(e) for e in explained[:10]],
                   "pcaFeatures": used, "pcaLoadings": loadings, "groundTruthAgreement": agreement,
                   "rows": {b["run"]["name"]: len(b["busy"]) for b in blocks}}),
                  f, indent=1, allow_nan=False)
    print("\n".join(lines))


if __name__ == "__main__":
    main()
