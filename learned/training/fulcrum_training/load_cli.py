"""``train-load``: the load estimators of Aquarius' Table 1 on a testbed collection, scored and exported.

    /usr/bin/python3 -m fulcrum_training train-load --data DIR [--models dense,rnn,lstm,gru]
        [--window 8] [--stride 4] [--target busy] [--epochs 60] [--out-dir DIR] [--table FILE]
        [--test-data DIR]

Prints one JSON object (the score of each model); ``--table`` writes the same as a Markdown table;
``--out-dir`` exports each model as ``<out-dir>/<model>.onnx`` (load-estimator contract).
``--test-data`` scores on another collection instead of the 20% split (train on one trace, serve
another: Aquarius' Figure 7).
"""
import argparse
import json
import os
import sys

import numpy as np

from . import load_data
from . import load_estimator as estimators


def model_list(text):
    kinds = [k.strip() for k in text.split(",") if k.strip()]
    bad = [k for k in kinds if k not in estimators.MODELS]
    if not kinds or bad:
        raise argparse.ArgumentTypeError("%r (expected: a comma-separated list of %s)" % (text, ", ".join(estimators.MODELS)))
    return kinds


def positive(text):
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError("%r (expected: a positive integer)" % text)
    return value


def add_parser(commands):
    p = commands.add_parser("train-load", help="train load estimators (Dense, RNN, LSTM, GRU) on a testbed collection")
    p.add_argument("--data", required=True, action="append", help="a collection directory or <run>.csv (repeatable)")
    p.add_argument("--test-data", action="append", help="score on this collection instead of a 20%% split (repeatable)")
    p.add_argument("--models", type=model_list, default=list(estimators.MODELS))
    p.add_argument("--window", type=positive, default=8, help="ticks per window (default 8: 2 s at 250 ms)")
    p.add_argument("--stride", type=positive, default=None, help="ticks between windows (default window/2, as the paper's 64/32)")
    p.add_argument("--target", choices=load_data.TARGETS, default="busy")
    p.add_argument("--epochs", type=positive, default=60)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out-dir", help="export each model as <out-dir>/<model>.onnx")
    p.add_argument("--table", help="write the scores as a Markdown table here")
    p.add_argument("--version", default=None)


def load(paths, target, window, stride):
    runs = [load_data.read_run(f, target) for path in paths for f in load_data.dataset_files(path)]
    return runs, load_data.windows(runs, window, stride)


def run(args, default_version):
    log = lambda line: print(line, file=sys.stderr)
    stride = args.stride or max(1, args.window // 2)
    try:
        runs, (x, y) = load(args.data, args.target, args.window, stride)
        columns = runs[0].columns
        keep, names = load_data.usable_features(x, columns)
        x = x[:, :, keep]
        x, y = load_data.drop_outliers(x, y)
        if args.test_data:
            test_runs, (xt, yt) = load(args.test_data, args.target, args.window, stride)
            missing = [n for n in names if n not in test_runs[0].columns]
            if missing:
                raise ValueError("--test-data: columns %s absent (expected: the same schema)" % missing)
            xt = xt[:, :, [test_runs[0].columns.index(n) for n in names]]
            x_train, y_train, x_test, y_test = x, y, xt, yt
        else:
            train_index, test_index = load_data.split(len(y), args.seed)
            x_train, y_train, x_test, y_test = x[train_index], y[train_index], x[test_index], y[test_index]
    except (OSError, ValueError) as e:
        print("error: %s" % e, file=sys.stderr)
        return 2
    log("train-load: %d runs, %d windows of %d ticks x %d features (%d train, %d test), target %s"
        % (len(runs), len(y), args.window, len(names), len(y_train), len(y_test), args.target))
    version = args.version or default_version()
    scores = {}
    for kind in args.models:
        module = estimators.train(kind, x_train, y_train, epochs=args.epochs, seed=args.seed, log=log)
        scores[kind] = estimators.score(module, x_test, y_test)
        if args.out_dir:
            os.makedirs(args.out_dir, exist_ok=True)
            path = os.path.join(args.out_dir, kind + ".onnx")
            sample = x_test[:64]
            load_export_module().export_load_estimator(module, path, kind, names, args.target, version, sample)
            scores[kind]["model"] = path
    baseline = float(np.mean((y_test - np.mean(y_train)) ** 2))
    result = {"target": args.target, "window": args.window, "stride": stride, "features": len(names),
              "trainWindows": int(len(y_train)), "testWindows": int(len(y_test)), "meanPredictorMse": baseline,
              "models": scores, "version": version}
    if args.table:
        write_table(args.table, result)
    print(json.dumps(result))
    return 0


def load_export_module():
    from . import load_export
    return load_export


def write_table(path, result):
    lines = ["| metric | " + " | ".join(estimators.LABELS[k] for k in result["models"]) + " |",
             "|---|" + "---|" * len(result["models"])]
    for key, label, fmt in (("mse", "MSE", "%.3f"), ("rmse", "RMSE", "%.3f"), ("mae", "MAE", "%.3f"),
                            ("r", "Pearson r", "%.3f"), ("delayMs", "delay, 64 windows (ms)", "%.2f")):
        lines.append("| %s | " % label + " | ".join(fmt % s[key] for s in result["models"].values()) + " |")
    with open(path, "w") as handle:
        handle.write("\n".join(lines) + "\n")
