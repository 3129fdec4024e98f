"""Setting 2 of `fulcrum sim learned-hash` rebuilt in numpy, to split the learned hash's bin-load spread
into the data's part and the model's (docs/learned-hash.md, "Setting 2, again").

    cd learned/training && /usr/bin/python3 tools/setting2_probe.py POPULATION REQUESTS S LAYERS|- STEPS

Prints the random-hash floor of the test sample, a random key hash (each key to a uniform bin, median
of 5), a mapping that knows the true frequencies, the exact CDF of the training sample (what a
perfect fit of it gives), and, unless LAYERS is -, a model trained as train-hash trains it, measured
directly in PyTorch (no ONNX, no compiled grid), with its spread on its own training sample: that
one is the fit error alone. Not the sim (its own key sets and random streams); a probe.
"""
import os, sys, time, numpy as np, torch
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
from fulcrum_training import train_hash

def population(size, rng):
    centers = np.floor(rng.random(4) * 0xF0000000)
    keys = {}
    while len(keys) < size:
        c = rng.integers(4, size=size)
        k = centers[c] + np.floor(rng.random(size) * (1 << 22) * (c + 1))
        for x in k:
            if len(keys) >= size: break
            keys.setdefault(x, None)
    return np.array(list(keys))

def zipf_p(n, s):
    w = np.arange(1, n + 1, dtype=float) ** -s
    return w / w.sum()

def loads_of(bins_of_keys, counts, nb):
    return np.bincount(bins_of_keys, weights=counts, minlength=nb)

def std(l): return np.sqrt(((l - l.mean()) ** 2).mean())

def main(pop_n, req, s, layers, steps, seed=1, nb=64):
    rng = np.random.default_rng(seed)
    pop = population(pop_n, rng)
    p = zipf_p(pop_n, s)
    train_c = rng.multinomial(req, p).astype(float)
    test_c = rng.multinomial(req, p).astype(float)
    floor = np.sqrt(req / nb * (1 - 1 / nb))
    # random hash (Maglev-like): each key to a uniform bin
    rnd = np.array([std(loads_of(rng.integers(nb, size=pop_n), test_c, nb)) for _ in range(5)])
    # oracle: exact training CDF, middle-of-run labels; unseen keys by interpolation
    seen = train_c > 0
    keys, labels, w = train_hash.dlb_labels(pop[seen], train_c[seen])
    pos = np.interp(pop, keys, labels)
    ob = np.minimum((pos * nb).astype(int), nb - 1)
    ol = loads_of(ob, test_c, nb)
    ol_train = loads_of(ob, train_c, nb)
    # true-probability oracle (knows p): the best a mapping can do on a fresh sample
    order = np.argsort(pop); cp = np.cumsum(p[order]) - p[order] / 2
    tb = np.empty(pop_n, int); tb[order] = np.minimum((cp * nb).astype(int), nb - 1)
    tl = loads_of(tb, test_c, nb)
    print(f"pop {pop_n} req {req} s {s}: floor {floor:.1f}  random-hash {np.median(rnd):.1f} "
          f"| true-p oracle {std(tl):.1f} max/mean {tl.max()/tl.mean():.4f} "
          f"| train-CDF oracle {std(ol):.1f} max/mean {ol.max()/ol.mean():.4f} (on train sample {std(ol_train):.1f})", flush=True)
    if layers:
        t = time.time()
        model, low, high, stats = train_hash.train(pop[seen], train_c[seen], layers, steps, seed=0)
        u = torch.tensor((pop - low) / (high - low), dtype=torch.float32).unsqueeze(1)
        mp = model.predict(u).squeeze(1).double().numpy()
        mb = np.minimum((mp * nb).astype(int), nb - 1)
        ml = loads_of(mb, test_c, nb); mlt = loads_of(mb, train_c, nb)
        err = np.abs(mp - pos)[seen]
        print(f"   model {layers} steps {steps}: std {std(ml):.1f} max/mean {ml.max()/ml.mean():.4f} (train sample {std(mlt):.1f}) "
              f"mean|err| {np.average(err, weights=train_c[seen]):.2e} max {err.max():.2e} "
              f"keys in another bin than oracle (by mass) {train_c[mb != ob].sum()/req:.4f}  {time.time()-t:.0f}s", flush=True)

if __name__ == "__main__":
    a = sys.argv
    main(int(a[1]), int(a[2]), float(a[3]), tuple(int(x) for x in a[4].split(",")) if a[4] != "-" else None, int(a[5]))
