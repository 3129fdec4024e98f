"""A small synthetic testbed collection for the load-estimator tests (Python and Java's LoadEstimatorTrainerTest).

Two runs of five backends; each backend's busy count follows a random walk, and n_open, n_f and
fct.mean follow it with noise, so a model can learn busy from the features. A few columns are
NaN (as TCP_INFO under NIO) or constant, which the trainer must leave out.
"""
import math
import os
import sys

import numpy as np

SCHEMA_COLUMNS = None


def columns():
    counters = ["n_p", "n_f", "n_fct", "n_cls", "n_norm", "n_dpk", "n_ooo", "n_rtr", "n_end_client_close",
                "n_end_backend_close", "n_end_reset", "n_end_timeout", "n_end_other", "n_retry", "n_open"]
    channels = ["byte_p", "byte_f", "byte_f_on", "win", "d_win", "lat_sa", "tau", "fct", "pt_1st", "pt_gen",
                "iat_f", "iat_p", "iat_ppf", "rtt", "rttvar", "rcv_space", "client_rtt"]
    return counters + ["%s.%s" % (c, s) for c in channels for s in ("mean", "p90", "std", "ema_mean", "ema_p90")]


def write(directory, seed=1, ticks=60, runs=2):
    os.makedirs(directory, exist_ok=True)
    rng = np.random.default_rng(seed)
    cols = columns()
    backends = [("s2-0", 2), ("s2-1", 2), ("s2-2", 2), ("s4-0", 4), ("s4-1", 4)]
    for r in range(runs):
        name = "for-loop-%03d" % (30 + 40 * r)
        start = 1_700_000_000_000 + r * 100_000
        with open(os.path.join(directory, name + ".csv"), "w") as data, \
                open(os.path.join(directory, name + "-truth.csv"), "w") as truth:
            data.write(",".join(["schema", "timestamp", "tick_ms", "pool", "backend"] + cols + ["ground_truth"]) + "\n")
            truth.write("timestamp,backend,slots,speed,busy,queue,utilisation,served,rejected\n")
            busy = {b: 0 for b, _ in backends}
            for t in range(ticks):
                stamp = start + 250 * t
                for b, slots in backends:
                    busy[b] = int(min(slots, max(0, busy[b] + rng.integers(-1, 2))))
                    queue = int(max(0, rng.integers(-2, 3))) if busy[b] == slots else 0
                    values = rng.normal(0, 0.1, len(cols))
                    values[cols.index("n_open")] = busy[b] + queue + rng.normal(0, 0.2)
                    values[cols.index("n_f")] = busy[b] * 2 + rng.normal(0, 0.5)
                    values[cols.index("fct.mean")] = 100 + 50 * queue + rng.normal(0, 5)
                    values[cols.index("n_cls")] = 0.0
                    row = ["%.6g" % v for v in values]
                    row[cols.index("win.mean")] = "NaN"
                    # Fulcrum's own ground truth lags by a tick; the truth log is exact
                    data.write(",".join(["1", str(stamp), "250", "web", b] + row + [str(max(0, busy[b] - 1))]) + "\n")
                    truth.write("%d,%s,%d,1.0,%d,%d,%.4f,0,0\n" % (stamp + 7, b, slots, busy[b], queue, busy[b] / slots))
    return directory


if __name__ == "__main__":
    write(sys.argv[1])
