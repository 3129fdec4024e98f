"""Load estimators (Aquarius, Yao et al., MLSys@NeurIPS 2021, section 5.1, Table 1 and appendix D).

Sequence models over a window of T feature vectors of one backend, predicting its load at the last
tick: Dense1 (flatten, one fully connected layer), RNN2 / LSTM2 / GRU2 (two 20-unit recurrent layers,
then 32 units and the output). The exported model (``LoadEstimatorModule``) carries its own
preprocessing so the proxy passes raw features: a NaN (a feature the transport cannot measure)
becomes the training mean, features are standardised with the training set's mean and deviation,
and the output is turned back into the target's unit.
"""
import time

import numpy as np
import torch
from torch import nn

MODELS = ("dense", "rnn", "lstm", "gru")
LABELS = {"dense": "Dense1", "rnn": "RNN2", "lstm": "LSTM2", "gru": "GRU2"}


class Dense1(nn.Module):
    def __init__(self, window, features):
        super().__init__()
        self.out = nn.Linear(window * features, 1)

    def forward(self, x):
        return self.out(x.flatten(1))


class Recurrent2(nn.Module):
    """Two recurrent layers of 20 units (the first returning its sequence), 32 units, the output."""

    def __init__(self, cell, features, hidden=20):
        super().__init__()
        layer = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}[cell]
        self.recurrent = layer(features, hidden, num_layers=2, batch_first=True)
        self.head = nn.Sequential(nn.Linear(hidden, 32), nn.ReLU(), nn.Linear(32, 1))

    def forward(self, x):
        sequence, _ = self.recurrent(x)
        return self.head(sequence[:, -1, :])


def build(kind, window, features):
    if kind == "dense":
        return Dense1(window, features)
    if kind in ("rnn", "lstm", "gru"):
        return Recurrent2(kind, features)
    raise ValueError("model: %r (expected one of %s)" % (kind, ", ".join(MODELS)))


class LoadEstimatorModule(nn.Module):
    """Raw features [N, T, F] -> load [N, 1]: NaN filled, standardised, the network, back to the target's unit."""

    def __init__(self, network, mean, std, y_mean, y_std):
        super().__init__()
        self.network = network
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32))
        self.register_buffer("y_mean", torch.tensor(float(y_mean), dtype=torch.float32))
        self.register_buffer("y_std", torch.tensor(float(y_std), dtype=torch.float32))

    def forward(self, features):
        filled = torch.where(torch.isnan(features), self.mean, features)
        return self.network((filled - self.mean) / self.std) * self.y_std + self.y_mean


def train(kind, x_train, y_train, epochs=60, batch=64, lr=3e-3, seed=0, log=None):
    """Fits a model of ``kind`` on raw windows; returns the LoadEstimatorModule (eval mode)."""
    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    mean = np.nanmean(x_train.reshape(-1, x_train.shape[-1]), axis=0)
    std = np.nanstd(x_train.reshape(-1, x_train.shape[-1]), axis=0)
    std[std == 0] = 1.0
    y_mean, y_std = float(np.mean(y_train)), float(np.std(y_train)) or 1.0
    network = build(kind, x_train.shape[1], x_train.shape[2])
    module = LoadEstimatorModule(network, mean, std, y_mean, y_std)
    x = torch.from_numpy(x_train.astype(np.float32))
    y = torch.from_numpy(((y_train - y_mean) / y_std).astype(np.float32)).reshape(-1, 1)
    optimiser = torch.optim.Adam(network.parameters(), lr=lr)
    for epoch in range(epochs):
        module.train()
        order = rng.permutation(len(x))
        total = 0.0
        for start in range(0, len(order), batch):
            index = torch.from_numpy(order[start:start + batch])
            xb = x[index]
            filled = torch.where(torch.isnan(xb), module.mean, xb)
            prediction = network((filled - module.mean) / module.std)
            loss = nn.functional.mse_loss(prediction, y[index])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
            total += float(loss) * len(index)
        if log and (epoch + 1) % max(1, epochs // 5) == 0:
            log("%s: epoch %d/%d, training loss %.4f (standardised)" % (LABELS[kind], epoch + 1, epochs, total / len(x)))
    module.eval()
    return module


def predict(module, x):
    with torch.no_grad():
        return module(torch.from_numpy(x.astype(np.float32))).numpy().reshape(-1)


def score(module, x_test, y_test, delay_batch=64, repeats=30):
    """Table 1's columns: MSE, RMSE, MAE on the test windows, Pearson r, and the inference delay of
    one batch of ``delay_batch`` windows (the backends of one tick), median of ``repeats`` runs, in ms."""
    predicted = predict(module, x_test)
    error = predicted - y_test
    mse = float(np.mean(error ** 2))
    correlation = float(np.corrcoef(predicted, y_test)[0, 1]) if np.std(predicted) > 0 and np.std(y_test) > 0 else 0.0
    batch = torch.from_numpy(np.resize(x_test, (delay_batch,) + x_test.shape[1:]).astype(np.float32))
    times = []
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # as the proxy's one-thread ONNX session (and the paper's 1 CPU core)
    with torch.no_grad():
        module(batch)
        for _ in range(repeats):
            started = time.perf_counter()
            module(batch)
            times.append((time.perf_counter() - started) * 1000)
    torch.set_num_threads(threads)
    return {"mse": mse, "rmse": mse ** 0.5, "mae": float(np.mean(np.abs(error))), "r": correlation,
            "delayMs": float(np.median(times)), "testWindows": int(len(y_test))}
