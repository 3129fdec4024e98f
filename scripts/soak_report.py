"""The soak's report (scripts/soak.py runs the soak and calls report()): which errors a backend kill
explains, flows and errors by reason, p99 per 5 s window, RSS, direct memory and fds over time, the
pass/fail verdict, report.txt, samples.csv, events.csv and the plot soak.png.
"""
import bisect
import csv
import os
import re
import statistics


def explained(error, kills, grace=0.1):
    """A flow cut by a kill was open between the signal and the process's end (a loaded machine can
    take most of a second to tear a process down: the first 30-minute run had flows that started 0.5 s
    after the signal and were still reset by the dying backend)."""
    start, end, reason = error
    if reason == "CORRUPT":
        return False
    return any(start <= dead + grace and end >= sent for sent, dead, _ in kills)


def quarter_median(samples, column, quarter, duration):
    values = [s[column] for s in samples if quarter * duration / 4 <= s[0] < (quarter + 1) * duration / 4 and s[column] >= 0]
    return statistics.median(values) if values else float("nan")


def report(args, out, t0, rate, capacity, tally, kills, reloads, samples, metrics, baseline_fds, end_fds, end_direct, exit_code):
    duration = args.duration
    unexplained = [e for e in tally.errors if not explained(e, kills)]
    by_reason = {}
    for _, _, reason in tally.errors:
        by_reason[reason] = by_reason.get(reason, 0) + 1
    ended = dict(re.findall(r'fulcrum_flows_ended_total\{[^}]*reason="([a-z_]+)"[^}]*\} ([0-9.e+]+)', metrics))
    connect_failures = sum(float(v) for v in re.findall(r'fulcrum_backend_connect_failures_total\{[^}]*\} ([0-9.e+]+)', metrics))
    bad_reloads = [r for r in reloads if r[1] != 200]

    window = 5.0
    ends = sorted((end - t0, latency) for _, end, latency in tally.done)
    p99 = []
    for w in range(int(duration // window)):
        lo = bisect.bisect_left(ends, (w * window, -1))
        hi = bisect.bisect_left(ends, ((w + 1) * window, -1))
        lat = sorted(l for _, l in ends[lo:hi])
        if lat:
            p99.append(((w + 0.5) * window, lat[min(len(lat) - 1, int(0.99 * len(lat)))] * 1000))

    rss_q2, rss_q4 = quarter_median(samples, 1, 1, duration), quarter_median(samples, 1, 3, duration)
    dir_q2, dir_q4 = quarter_median(samples, 2, 1, duration), quarter_median(samples, 2, 3, duration)
    rss_flat = abs(rss_q4 - rss_q2) <= 0.10 * rss_q2
    direct_flat = abs(dir_q4 - dir_q2) <= max(0.10 * dir_q2, 16 * 1024)
    fds_back = end_fds <= baseline_fds + 10
    # A saturated generator means the machine could not offer the rate (the flows were never sent):
    # a warning on the figures, not an error of the proxy.
    passed = (not unexplained and tally.corrupt == 0 and not bad_reloads and rss_flat and direct_flat and fds_back
              and exit_code == 0)

    with open(os.path.join(out, "samples.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["seconds", "rss_kib", "direct_kib", "fds", "flows_done", "flow_errors"])
        w.writerows(samples)
    lines = [
        f"soak: {duration:g} s, load {rate:.0f} flows/s" + (f" (80% of a measured {capacity:.0f} flows/s)" if capacity else " (--rate)"),
        f"flows: {len(tally.done)} complete, {len(tally.errors)} errors ({len(unexplained)} unexplained), "
        f"{tally.corrupt} corrupt, {tally.saturated} not started (generator saturated)",
        f"errors by reason (client side): {dict(sorted(by_reason.items())) or 'none'}",
        f"fulcrum_flows_ended_total by reason: { {k: int(float(v)) for k, v in sorted(ended.items()) if float(v) > 0} }",
        f"backend connect failures: {connect_failures:.0f}; backend kills: {len(kills)}; "
        f"reloads: {len(reloads)} ({len(bad_reloads)} failed)",
        "p99 (ms) per 5 s window: " + ", ".join(f"{v:.1f}" for _, v in p99),
        f"RSS median, 2nd quarter {rss_q2 / 1024:.1f} MiB, last quarter {rss_q4 / 1024:.1f} MiB: "
        f"{'flat' if rss_flat else 'NOT flat'} (within 10%)",
        f"direct memory (NMT Other) median, 2nd quarter {dir_q2 / 1024:.1f} MiB, last quarter {dir_q4 / 1024:.1f} MiB, "
        f"after the load {end_direct / 1024:.1f} MiB: {'flat' if direct_flat else 'NOT flat'} (within 10% or 16 MiB)",
        f"fds: {baseline_fds} before the load, max {max((s[3] for s in samples), default=0)} during, {end_fds} after: "
        f"{'back' if fds_back else 'NOT back'} (within 10)",
        f"fulcrum exit on SIGTERM: {exit_code}",
        f"result: {'PASS' if passed else 'FAIL'}" + (f" (warning: {tally.saturated} flows not started: the machine did not "
                                                    "sustain the rate; use --rate lower)" if tally.saturated else ""),
    ]
    for error in unexplained[:20]:
        nearest = min(kills, key=lambda k: abs(k[0] - error[0]), default=None)
        lines.append(f"  unexplained: {error[2]} at {error[0] - t0:.2f}-{error[1] - t0:.2f} s" + (
            f" (nearest kill: b{nearest[2]} signalled at {nearest[0] - t0:.2f} s, reaped at {nearest[1] - t0:.2f} s)" if nearest else ""))
    for bad in bad_reloads:
        lines.append(f"  failed reload at {bad[0]:.1f} s: {bad[1]} {bad[2]}")
    text = "\n".join(lines)
    with open(os.path.join(out, "report.txt"), "w") as f:
        f.write(text + "\n")
    print(text)
    with open(os.path.join(out, "events.csv"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["seconds", "event", "detail"])
        rows = [(sent - t0, "kill", f"b{victim} SIGKILL, reaped after {1000 * (dead - sent):.0f} ms") for sent, dead, victim in kills]
        rows += [(at, "reload", f"{status}") for at, status, _ in reloads]
        rows += [(start - t0, "error", f"{reason}, flow {start - t0:.3f}-{end - t0:.3f} s") for start, end, reason in tally.errors]
        w.writerows(sorted(rows))
    reap = sorted(1000 * (dead - sent) for sent, dead, _ in kills)
    if reap:
        text += f"\nbackend teardown after SIGKILL (signal to reaped): median {statistics.median(reap):.0f} ms, max {reap[-1]:.0f} ms"
        with open(os.path.join(out, "report.txt"), "a") as f:
            f.write(text.splitlines()[-1] + "\n")
        print(text.splitlines()[-1])
    plot(out, samples, p99, kills, reloads, t0)
    print(f"soak: {out}/report.txt, samples.csv, soak.png")
    return 0 if passed else 1


def plot(out, samples, p99, kills, reloads, t0):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    t = [s[0] for s in samples]
    fig, axes = plt.subplots(4, 1, figsize=(9, 10), sharex=True)
    rate = [0] + [(samples[i][4] - samples[i - 1][4]) / max(1e-9, samples[i][0] - samples[i - 1][0]) for i in range(1, len(samples))]
    errs = [0] + [samples[i][5] - samples[i - 1][5] for i in range(1, len(samples))]
    axes[0].plot(t, rate, label="complete flows/s")
    axes[0].bar(t, errs, color="red", label="errors per sample")
    axes[0].legend(loc="upper right")
    axes[1].plot([p[0] for p in p99], [p[1] for p in p99], marker=".")
    axes[1].set_ylabel("p99 ms (5 s)")
    axes[2].plot(t, [s[1] / 1024 for s in samples], label="RSS MiB")
    axes[2].plot(t, [s[2] / 1024 if s[2] >= 0 else float("nan") for s in samples], label="direct (NMT Other) MiB")
    axes[2].legend(loc="upper right")
    axes[3].plot(t, [s[3] for s in samples])
    axes[3].set_ylabel("proxy fds")
    axes[3].set_xlabel("seconds")
    for ax in axes:
        for kill, _, _ in kills:
            ax.axvline(kill - t0, color="grey", linestyle=":", linewidth=0.8)
        for r in reloads:
            ax.axvline(r[0], color="green", linestyle="--", linewidth=0.5)
    axes[0].set_title("Fulcrum soak (grey: backend SIGKILL, green: reload)")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "soak.png"), dpi=90)
