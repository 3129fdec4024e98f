"""Training the learned hash with the DLB paper's labelling (Algorithm 1).

Sorted keys get the label index * T / |K| (T = 1: positions are fractions of the circle). A key
seen c times holds c consecutive indexes; the squared loss is then smallest at the middle of its
run, so we train on distinct keys with that middle as label and c as weight (the same optimum, and
the cost follows distinct keys, not requests). Disperse-stage labels are the next layer's model
(Eq. 2). Layers are trained in order, root first, each model on the keys routed to it; the loss of a
model is its squared error over its own label range, so a narrow leaf counts as much as the root.
"""
import time

import numpy as np
import torch

from .hierarchy import HierarchicalHash

RESAMPLED_ROWS = 2048  # rows per model drawn once (by count) to make batches from
KEYS_PER_LEAF = 100  # a leaf (8-32-64 MLP) follows the label staircase of about this many keys (docs/learned-hash.md)
MIN_LEAVES, MAX_LEAVES = 16, 1024  # 1024 leaves: a 10 MB ONNX file


def auto_layers(distinct_keys):
    """The default hierarchy: 1, 16, L with L the power of two nearest above distinct_keys / KEYS_PER_LEAF, in [16, 1024].

    Each leaf is a smooth curve through a staircase of its keys' counts; with repeated keys of unequal
    frequency a leaf of k keys misses the staircase by about CV / sqrt(k) of its span, so the leaf count
    follows the number of distinct keys ("Setting 2, again" in docs/learned-hash.md).
    """
    leaves = MIN_LEAVES
    while leaves < MAX_LEAVES and leaves * KEYS_PER_LEAF < distinct_keys:
        leaves *= 2
    return (1, 16, leaves)


def dlb_labels(keys, counts):
    """(distinct sorted keys, their labels, their counts)."""
    keys = np.asarray(keys, dtype=np.float64)
    counts = np.asarray(counts, dtype=np.float64)
    distinct, inverse = np.unique(keys, return_inverse=True)
    weight = np.bincount(inverse, weights=counts)
    end = np.cumsum(weight)
    labels = (end - weight / 2.0) / end[-1]
    return distinct, labels, weight


def normaliser(keys):
    low, high = float(np.min(keys)), float(np.max(keys))
    if not high > low:
        raise ValueError("keys: all equal to %r (expected: at least two distinct keys)" % low)
    return low, high


def train(keys, counts, layer_sizes=None, steps=600, batch=48, seed=0, log=None):
    """Trains a HierarchicalHash (layer_sizes None: auto_layers); returns (model, key_min, key_max, stats)."""
    started = time.monotonic()
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    distinct, labels, weight = dlb_labels(keys, counts)
    low, high = normaliser(distinct)
    u = (distinct - low) / (high - low)
    layer_sizes = tuple(layer_sizes) if layer_sizes else auto_layers(len(distinct))
    u_t = torch.tensor(u, dtype=torch.float32).unsqueeze(1)
    label_t = torch.tensor(labels, dtype=torch.float32).unsqueeze(1)
    model = HierarchicalHash(layer_sizes, seed)
    index = torch.zeros(len(u), dtype=torch.int64)
    for depth, layer in enumerate(model.layers):
        fit_layer(layer, u, labels, weight, index.numpy(), u_t, label_t, steps, batch, rng)
        prediction = layer.predict(u_t, index)
        with torch.no_grad():
            if depth + 1 < len(model.layers):
                index = model.route(prediction, layer_sizes[depth + 1])
        if log:
            log("layer %d: %d models trained, %.1f s" % (depth, layer.models, time.monotonic() - started))
    position = model.predict(u_t)
    errors = (position - label_t).abs().squeeze(1).numpy()
    stats = {"layers": list(layer_sizes), "distinctKeys": int(len(u)), "weight": float(weight.sum()), "seconds": round(time.monotonic() - started, 1),
             "maxLabelError": float(errors.max()), "meanLabelError": float(np.average(errors, weights=weight))}
    return model, low, high, stats


def fit_layer(layer, u, labels, weight, index, u_t, label_t, steps, batch, rng):
    models = layer.models
    groups = [np.flatnonzero(index == j) for j in range(models)]
    with torch.no_grad():
        for j, rows in enumerate(groups):
            if len(rows) == 0:  # no training key routes here; answer the middle of the model's share
                layer.in_low[j], layer.in_scale[j] = 0.0, 1.0
                layer.out_low[j], layer.out_span[j] = (j + 0.5) / models, 0.0
                continue
            lo, hi = u[rows].min(), u[rows].max()
            layer.in_low[j] = lo
            layer.in_scale[j] = 1.0 / (hi - lo) if hi > lo else 1.0
            layer.out_low[j] = labels[rows].min()
            layer.out_span[j] = labels[rows].max() - labels[rows].min()
    trained = [j for j, rows in enumerate(groups) if len(rows) > 1]
    if not trained:
        return
    table = np.stack([rng.choice(groups[j], RESAMPLED_ROWS, p=weight[groups[j]] / weight[groups[j]].sum())
                      for j in trained])
    table_t = torch.tensor(table, dtype=torch.int64)
    models_t = torch.tensor(trained, dtype=torch.int64)
    span = torch.clamp(layer.out_span[models_t], min=1e-12).view(-1, 1, 1)
    optimiser = torch.optim.Adam(layer.parameters(), lr=0.01)  # the paper's Adam, learning rate 0.01
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(optimiser, steps, eta_min=2e-4)
    picks = torch.randint(0, RESAMPLED_ROWS, (steps, len(trained), batch),
                          generator=torch.Generator().manual_seed(int(rng.integers(1 << 31))))
    for step in range(steps):
        rows = torch.gather(table_t, 1, picks[step])  # [models, batch]
        prediction = layer.forward_grouped(u_t[rows], models_t)
        loss = (((prediction - label_t[rows]) / span) ** 2).mean()
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
