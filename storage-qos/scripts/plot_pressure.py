#!/usr/bin/python3
"""Plots watermarks and class rates over time from `fulcrum sim storage --series FILE`.

Usage: /usr/bin/python3 storage-qos/scripts/plot_pressure.py SERIES.json OUT.png [workload]
"""
import json
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

series = json.load(open(sys.argv[1]))
workload = sys.argv[3] if len(sys.argv) > 3 else "synthetic"
methods = ["PASCAL", "PID"]
nodes = ["cache", "ssd.valid", "ssd.garbage"]
tasks = ["client", "flush", "tier-down", "gc"]
fig, axes = plt.subplots(2, len(methods), figsize=(11, 5.5), sharex=True)
for col, method in enumerate(methods):
    samples = series[f"{workload}/{method}"]
    t = [s["second"] / 3600 for s in samples]
    for i, node in enumerate(nodes):
        axes[0][col].plot(t, [s["watermarks"][i] for s in samples], lw=0.6, label=node)
    for i, task in enumerate(tasks):
        axes[1][col].plot(t, [s["throughputs"][i] for s in samples], lw=0.5, label=task)
    axes[0][col].set_title(f"{method}, {workload} workload")
    axes[0][col].set_ylim(0, 1)
    axes[1][col].set_xlabel("simulated hours")
axes[0][0].set_ylabel("watermark")
axes[1][0].set_ylabel("class rate (MB/s, 10 s means)")
axes[0][0].legend(loc="upper right", fontsize=7)
axes[1][0].legend(loc="upper right", fontsize=7)
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=60)
