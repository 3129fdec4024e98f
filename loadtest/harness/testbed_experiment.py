#!/usr/bin/python3
"""The report of the Aquarius online experiment (Yao et al. 2021, section 5.2, Figures 6 and 7).

    /usr/bin/python3 loadtest/harness/testbed_experiment.py --compare DIR/compare/compare.json --out OUT
        [--generality DIR/generality/compare.json] [--table1 DIR/table1.json] [--load TEXT] [--command TEXT]

Reads what `loadtest/testbed compare` wrote (every run of every round: FCTs at the client, the mean
utilisation of each backend) and writes into OUT:
  experiment.md    the tables: Table 1 of the estimator trained for the run, the sweep (medians over
                   rounds), the targets checked, generality (a model trained on for-loop serving wiki)
  experiment.json  the same figures, machine-readable
  fct.png          Figure 6 analogue: mean and p99 FCT against the rate, one line per policy

Over-provisioning: the paper names an "overprovision factor" without a formula (section 5.2). We use
its authors' definition from their related work on workload-distribution fairness: the peak-to-mean
ratio of the servers' utilisation, max_i u_i / mean_i u_i (1 when every server is equally busy; the
capacity a cluster needs beyond its average load so that its busiest server keeps up). u_i is the
busy fraction of backend i's slots, so servers of different sizes compare. Jain's fairness of the
same utilisations: (sum u_i)^2 / (n * sum u_i^2).
"""
import argparse
import json
import os
import statistics
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LEARNED = "load-aware"
BASELINE = "maglev"
TARGET_RATE = 0.8        # the targets hold at >= 80% of capacity
TARGET_CUT = 0.30        # mean and p99 FCT at least 30% lower than Maglev's


def jain(utilisation):
    """Jain's fairness index of the backends' utilisations; 1 for an idle cluster."""
    total = sum(utilisation)
    squares = sum(u * u for u in utilisation)
    return 1.0 if squares == 0 else total * total / (len(utilisation) * squares)


def over_provisioning(utilisation):
    """Peak-to-mean utilisation, max u_i / mean u_i (>= 1); 1 for an idle cluster."""
    mean = sum(utilisation) / len(utilisation)
    return 1.0 if mean == 0 else max(utilisation) / mean


def summarise(compare):
    """Medians over rounds for each (rate, policy), in the order the runs name them."""
    rates = sorted({round(r["fraction"], 3) for r in compare["runs"]})
    policies = []
    for r in compare["runs"]:
        if r["policy"] not in policies:
            policies.append(r["policy"])
    rows = []
    for rate in rates:
        for policy in policies:
            mine = [r for r in compare["runs"] if r["policy"] == policy and round(r["fraction"], 3) == rate]
            if not mine:
                continue
            med = lambda f: statistics.median(f(r) for r in mine)  # noqa: E731
            rows.append({"fraction": rate, "policy": policy, "rounds": len(mine),
                         "fctMeanMs": med(lambda r: r["fctMeanMs"]), "fctP50Ms": med(lambda r: r["fctP50Ms"]),
                         "fctP99Ms": med(lambda r: r["fctP99Ms"]), "failed": med(lambda r: r["failed"]),
                         "unfinished": med(lambda r: r.get("unfinished", 0)),
                         "jain": med(lambda r: jain(r["utilisation"])),
                         "overProvisioning": med(lambda r: over_provisioning(r["utilisation"])),
                         "utilisationMean": med(lambda r: sum(r["utilisation"]) / len(r["utilisation"]))})
    return rates, policies, rows


def check_targets(rows):
    """At every rate >= 80%: load-aware's mean and p99 at least 30% under Maglev's, p99 no worse than
    the best classical policy's (every policy in the run but load-aware)."""
    checks = []
    for rate in sorted({r["fraction"] for r in rows if r["fraction"] >= TARGET_RATE - 1e-9}):
        at = {r["policy"]: r for r in rows if r["fraction"] == rate}
        if LEARNED not in at or BASELINE not in at:
            continue
        mine, base = at[LEARNED], at[BASELINE]
        # "load-aware:inverse-load" (a mapping variant, TestbedCompare) is learned, not classical
        classical = {p: r for p, r in at.items() if p != LEARNED and not p.startswith(LEARNED + ":")}
        best = min(classical, key=lambda p: classical[p]["fctP99Ms"])
        cut_mean = 1 - mine["fctMeanMs"] / base["fctMeanMs"] if base["fctMeanMs"] > 0 else 0.0
        cut_p99 = 1 - mine["fctP99Ms"] / base["fctP99Ms"] if base["fctP99Ms"] > 0 else 0.0
        checks.append({"fraction": rate, "meanCutVsMaglev": cut_mean, "p99CutVsMaglev": cut_p99,
                       "bestClassicalP99": best, "bestClassicalP99Ms": classical[best]["fctP99Ms"],
                       "learnedP99Ms": mine["fctP99Ms"],
                       "meanTarget": cut_mean >= TARGET_CUT, "p99Target": cut_p99 >= TARGET_CUT,
                       "p99NoWorseThanBest": mine["fctP99Ms"] <= classical[best]["fctP99Ms"]})
    return checks


def sweep_table(rows):
    lines = ["| rate (of capacity) | policy | FCT mean (ms) | FCT p50 | FCT p99 | failed (503) | unfinished "
             "| utilisation (mean) | Jain | over-provisioning |",
             "|---|---|---|---|---|---|---|---|---|---|"]
    for r in rows:
        bold = lambda text: "**%s**" % text if r["policy"] == LEARNED else text  # noqa: E731
        lines.append("| %.0f%% | %s | %s | %.0f | %s | %.0f | %.0f | %.2f | %.3f | %.2f |" % (
            r["fraction"] * 100, bold(r["policy"]), bold("%.0f" % r["fctMeanMs"]), r["fctP50Ms"], bold("%.0f" % r["fctP99Ms"]),
            r["failed"], r["unfinished"], r["utilisationMean"], r["jain"], r["overProvisioning"]))
    return "\n".join(lines) + "\n"


def targets_table(checks):
    lines = ["| rate | mean FCT cut vs Maglev | p99 cut vs Maglev | best classical p99 | load-aware p99 | verdict |",
             "|---|---|---|---|---|---|"]
    for c in checks:
        ok = c["meanTarget"] and c["p99Target"] and c["p99NoWorseThanBest"]
        misses = [name for name, hit in (("mean < 30%", c["meanTarget"]), ("p99 < 30%", c["p99Target"]),
                                         ("p99 above best classical", c["p99NoWorseThanBest"])) if not hit]
        lines.append("| %.0f%% | %.0f%% | %.0f%% | %s %.0f ms | %.0f ms | %s |" % (
            c["fraction"] * 100, c["meanCutVsMaglev"] * 100, c["p99CutVsMaglev"] * 100, c["bestClassicalP99"],
            c["bestClassicalP99Ms"], c["learnedP99Ms"], "met" if ok else "missed: " + ", ".join(misses)))
    return "\n".join(lines) + "\n"


def table1(result):
    labels = {"dense": "Dense1", "rnn": "RNN2", "lstm": "LSTM2", "gru": "GRU2"}
    models = result["models"]
    lines = ["| metric | " + " | ".join(labels.get(k, k) for k in models) + " |", "|---|" + "---|" * len(models)]
    for key, label, fmt in (("mse", "MSE", "%.3f"), ("rmse", "RMSE", "%.3f"), ("mae", "MAE", "%.3f"),
                            ("r", "Pearson r", "%.3f"), ("delayMs", "inference delay, 64 windows (ms)", "%.2f")):
        lines.append("| %s | " % label + " | ".join(fmt % m[key] for m in models.values()) + " |")
    return ("Target `%s`, windows of %d ticks x %d features, %d train / %d test windows; mean predictor MSE %.3f.\n\n"
            % (result["target"], result["window"], result["features"], result["trainWindows"], result["testWindows"],
               result["meanPredictorMse"]) + "\n".join(lines) + "\n")


def plot(rates, policies, rows, path, title):
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, key, label in ((axes[0], "fctMeanMs", "mean FCT (ms)"), (axes[1], "fctP99Ms", "p99 FCT (ms)")):
        for policy in policies:
            points = [(r["fraction"] * 100, r[key]) for r in rows if r["policy"] == policy]
            ax.plot([p[0] for p in points], [p[1] for p in points], marker="o",
                    linewidth=2.5 if policy == LEARNED else 1.2, label=policy)
        ax.set_xlabel("traffic rate (% of cluster capacity)")
        ax.set_ylabel(label)
        ax.set_yscale("log")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(title)
    fig.tight_layout()
    fig.savefig(path, dpi=90)
    plt.close(fig)


def describe(compare):
    return "workload %s, capacity %.1f requests/s, %d interleaved rounds of %d s, seed %d" % (
        compare["workload"], compare["capacity"], compare["rounds"], compare["seconds"], compare["seed"])


def main(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--compare", required=True, help="compare.json of the sweep")
    p.add_argument("--generality", help="compare.json of the generality runs (another workload, same model)")
    p.add_argument("--table1", help="the JSON train-load printed for the estimator")
    p.add_argument("--out", required=True)
    p.add_argument("--load", default="", help="the machine's load averages during the run, as text")
    p.add_argument("--command", default="", help="the command that produced the run")
    args = p.parse_args(argv)
    try:
        with open(args.compare) as f:
            compare = json.load(f)
        generality = None
        if args.generality:
            with open(args.generality) as f:
                generality = json.load(f)
        trained = None
        if args.table1:
            with open(args.table1) as f:
                trained = json.load(f)
    except (OSError, ValueError) as e:
        print("testbed_experiment: %s" % e, file=sys.stderr)
        return 2
    os.makedirs(args.out, exist_ok=True)
    rates, policies, rows = summarise(compare)
    checks = check_targets(rows)
    plot(rates, policies, rows, os.path.join(args.out, "fct.png"),
         "FCT against rate (%s; medians of %d rounds)" % (compare["workload"], compare["rounds"]))
    report = {"command": args.command, "load": args.load, "sweep": {"setup": describe(compare), "rows": rows},
              "targets": checks}
    md = ["# Aquarius online experiment (generated by `loadtest/testbed experiment`)", ""]
    if args.command:
        md += ["Command: `%s`" % args.command, ""]
    if args.load:
        md += ["Machine load average (1, 5, 15 min, from /proc/loadavg) %s." % args.load, ""]
    if trained:
        report["table1"] = trained
        md += ["## The estimator (Table 1)", "", table1(trained)]
    md += ["## FCT, fairness and over-provisioning against the rate (Figure 6)", "", describe(compare) + "; medians over rounds.",
           "Over-provisioning is max/mean of the backends' utilisation; Jain's index is over the same utilisations.", "",
           sweep_table(rows), "![FCT against rate](fct.png)", "", "## Targets (at >= 80% of capacity)", "",
           targets_table(checks) if checks else "No rate >= 80% with both load-aware and Maglev in the run.\n"]
    if generality:
        g_rates, g_policies, g_rows = summarise(generality)
        report["generality"] = {"setup": describe(generality), "rows": g_rows, "targets": check_targets(g_rows)}
        md += ["## Generality (Figure 7): the same model serving another workload", "",
               describe(generality) + "; the estimator was trained on for-loop only.", "", sweep_table(g_rows)]
    with open(os.path.join(args.out, "experiment.md"), "w") as f:
        f.write("\n".join(md))
    with open(os.path.join(args.out, "experiment.json"), "w") as f:
        json.dump(report, f, indent=1)
    print("\n".join(md))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
