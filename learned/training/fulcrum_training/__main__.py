"""Command line: /usr/bin/python3 -m fulcrum_training train-hash | follow | train-load | train-q | follow-q ..."""
import argparse
import datetime
import json
import sys

from . import keys as keymod


def layer_list(text):
    if text == "auto":
        return None
    try:
        sizes = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError("%r (expected: auto, or comma-separated model counts, e.g. 1,16,256)" % text)
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
    train.add_argument("--layers", type=layer_list, default=None,
                       help="models per layer, root first, or auto (default auto: 1,16,L, about 100 distinct keys per leaf, L in 16..1024)")
    train.add_argument("--steps", type=int, default=600, help="Adam steps per layer (default 600)")
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--version", default=None, help="the model's version (default: the UTC time)")

    fol = commands.add_parser("follow", help="retrain a running Fulcrum's learned hash on the keys it sees and swap it in")
    fol.add_argument("--admin", required=True, help="the admin API's base URL, e.g. http://127.0.0.1:9090")
    fol.add_argument("--name", required=True, help="the model's name in /api/models")
    fol.add_argument("--out", default=None, help="the .onnx file to replace (default: the file the proxy serves)")
    fol.add_argument("--every", type=float, default=None, help="also retrain every this many seconds (default: only on drift)")
    fol.add_argument("--poll", type=float, default=2.0, help="seconds between looks at the drift monitor (default 2)")
    fol.add_argument("--min-keys", type=int, default=1000, help="recent keys needed to retrain (default 1000)")
    fol.add_argument("--rounds", type=int, default=None, help="stop after this many retrains")
    fol.add_argument("--duration", type=float, default=None, help="stop after this many seconds")
    fol.add_argument("--token-file", default=None, help="the admin token (default: $FULCRUM_ADMIN_TOKEN)")
    fol.add_argument("--layers", type=layer_list, default=None,
                       help="models per layer, root first, or auto (default auto: 1,16,L, about 100 distinct keys per leaf, L in 16..1024)")
    fol.add_argument("--steps", type=int, default=600, help="Adam steps per layer (default 600)")
    fol.add_argument("--seed", type=int, default=0)

    from . import load_cli
    load_cli.add_parser(commands)
    add_q_commands(commands)

    args = parser.parse_args(argv)
    if args.command == "train-load":
        return load_cli.run(args, default_version)
    if args.command == "follow":
        from . import follow
        if args.rounds is None and args.duration is None:
            print("error: --rounds or --duration is required (follow stops by itself)", file=sys.stderr)
            return 2
        try:
            follow.follow(follow.AdminApi(args.admin, follow.read_token(args.token_file)), args.name, out=args.out,
                          every=args.every, poll=args.poll, min_keys=args.min_keys, rounds=args.rounds,
                          duration=args.duration, layers=args.layers, steps=args.steps, seed=args.seed)
        except (OSError, RuntimeError, ValueError) as e:
            print("error: %s" % e, file=sys.stderr)
            return 1
        return 0
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
    if args.command in ("train-q", "follow-q"):
        return run_q_command(args)
    return 2


def add_q_commands(commands):
    """train-q and follow-q: DQN / Double DQN for the q-network policy (fulcrum_training.qnet)."""
    for name, text in (("train-q", "train a q-network (DQN or Double DQN) from a Fulcrum's transitions and export it"),
                       ("follow-q", "keep retraining as transitions are appended, replacing the model atomically")):
        q = commands.add_parser(name, help=text)
        q.add_argument("--transitions", required=True, help="NDJSON written by a q-network pool's transitions parameter")
        q.add_argument("--out", required=(name == "train-q"),
                       help="the .onnx file to write (atomically); a .check.json is written beside it"
                       + ("" if name == "train-q" else " (default with --admin: the file the proxy serves)"))
        q.add_argument("--actions", type=int, required=True, help="action slots (>= the pool's backends)")
        q.add_argument("--flow-scale", type=float, default=100.0, help="flow count the state is divided by (default 100)")
        q.add_argument("--network", choices=("slot", "paper"), default="slot")
        q.add_argument("--algorithm", choices=("dqn", "ddqn"), default="ddqn")
        q.add_argument("--gamma", type=float, default=0.9, help="discount factor (paper: 0.9)")
        q.add_argument("--steps", type=int, default=2000, help="gradient steps per training (default 2000)")
        q.add_argument("--seed", type=int, default=0)
        q.add_argument("--version", default=None, help="the model's version (default: the UTC time)")
        q.add_argument("--reward", choices=("proxy", "fct"), default="proxy",
                       help="proxy: the reward the proxy wrote (formula (5)); fct: min(1, --fct-ref / the tick's FCT)")
        q.add_argument("--fct-ref", type=float, default=None, help="with --reward fct: the FCT (s) of a flow that never queued")
        if name == "follow-q":
            q.add_argument("--interval", type=float, default=30.0, help="seconds between looks at the file (default 30)")
            q.add_argument("--min-new", type=int, default=50, help="new transitions that trigger a retraining (default 50)")
            q.add_argument("--rounds", type=int, default=None, help="stop after this many models (default: never)")
            q.add_argument("--duration", type=float, default=None, help="stop after this many seconds (default: never)")
            q.add_argument("--admin", default=None, help="a running Fulcrum's admin API, e.g. http://127.0.0.1:9901: each new"
                           " model is posted to it (POST /api/models/{name}) after the atomic rename")
            q.add_argument("--name", default=None, help="the q-network model's name in /api/models (with --admin)")
            q.add_argument("--from-stream", action="store_true", help="with --admin: append the proxy's"
                           " /api/stream?lines=transitions to --transitions as they come, and train on them")
            q.add_argument("--pool", default=None, help="with --from-stream: only this pool's transitions")
            q.add_argument("--token-file", default=None, help="the admin token (default: $FULCRUM_ADMIN_TOKEN)")


def run_q_command(args):
    from . import qnet
    log = lambda line: print(line, file=sys.stderr)
    if args.actions < 1 or not args.flow_scale > 0:
        print("error: --actions %d, --flow-scale %s (expected: >= 1 and > 0)" % (args.actions, args.flow_scale), file=sys.stderr)
        return 2
    if args.command == "follow-q":
        if args.admin is not None or args.from_stream:
            if args.admin is None or args.name is None:
                print("error: --admin and --name go together (and --from-stream needs them)", file=sys.stderr)
                return 2
            from . import qfollow
            return qfollow.run(args, log)
        if args.out is None:
            print("error: --out is required without --admin", file=sys.stderr)
            return 2
        written = qnet.follow(args.transitions, args.out, args.actions, args.flow_scale, args.network, args.algorithm,
                              args.gamma, args.steps, args.interval, args.min_new, args.rounds, args.seed,
                              args.version or "follow", log, duration=args.duration, reward_from=args.reward,
                              fct_ref=args.fct_ref)
        print(json.dumps({"models": written, "model": args.out}))
        return 0
    try:
        data = qnet.read_transitions(args.transitions, args.actions, args.flow_scale, reward_from=args.reward, fct_ref=args.fct_ref)
        model = qnet.make_network(args.network, args.actions)
        stats = qnet.train(model, data, args.actions, args.algorithm, args.gamma, args.steps, seed=args.seed, log=log)
    except (OSError, ValueError) as e:
        print("error: %s" % e, file=sys.stderr)
        return 2
    version = args.version or default_version()
    qnet.export(model, args.out, args.actions, args.flow_scale, version,
                extra={"fulcrum.algorithm": args.algorithm, "fulcrum.network": args.network}, seed=args.seed)
    stats.update({"model": args.out, "version": version, "reward": args.reward})
    print(json.dumps(stats))
    return 0


if __name__ == "__main__":
    sys.exit(main())
