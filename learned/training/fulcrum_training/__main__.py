"""Command line: /usr/bin/python3 -m fulcrum_training train-hash ... | train-load ... (the follow mode is not built yet)."""
import argparse
import datetime
import json
import sys

from . import keys as keymod


def layer_list(text):
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError("%r (expected: comma-separated model counts, e.g. 1,16,256)" % text)
    if len(sizes) < 2 or sizes[0] != 1 or min(sizes) < 1:
        raise argparse.ArgumentTypeError("%r (expected: 1 root model, then at least one more layer)" % text)
    return sizes


def default_version():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y%m%dT%H%M%SZ")


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python3 -m fulcrum_training", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train-hash", help="train the DLB learned hash on a key dataset and export it to ONNX")
    train.add_argument("--keys", required=True, help="CSV (header with a key column, optional count) or NDJSON")
    train.add_argument("--encoding", choices=keymod.ENCODINGS, default="number")
    train.add_argument("--out", required=True, help="the .onnx file to write (atomically); a .check.json is written beside it")
    train.add_argument("--layers", type=layer_list, default=(1, 16, 256), help="models per layer, root first (default 1,16,256)")
    train.add_argument("--steps", type=int, default=600, help="Adam steps per layer (default 600)")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--version", default=None, help="the model's version (default: the UTC time)")

    from . import load_cli
    load_cli.add_parser(commands)

    args = parser.parse_args(argv)
    if args.command == "train-load":
        return load_cli.run(args, default_version)
    if args.command == "train-hash":
        from . import export, train_hash
        try:
            keys, counts = keymod.read_keys(args.keys, args.encoding)
        except (OSError, ValueError) as e:
            print("error: %s" % e, file=sys.stderr)
            return 2
        log = lambda line: print(line, file=sys.stderr)
        model, low, high, stats = train_hash.train(keys, counts, args.layers, args.steps, seed=args.seed, log=log)
        version = args.version or default_version()
        export.export_learned_hash(model, args.out, args.encoding, low, high, version, seed=args.seed)
        stats.update({"model": args.out, "version": version, "keyMin": low, "keyMax": high})
        print(json.dumps(stats))
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
