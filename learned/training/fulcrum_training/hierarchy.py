"""The DLB hierarchical model (Zhu et al., "DLB: Deep Learning Based Load Balancing", IEEE CLOUD 2021, III-A).

Input stage: the encoded key, normalised to u in [0, 1] (keys.py; the proxy does the same).
Disperse stage: layers of small models; model j of a layer predicts the key's global position and
the next layer's model is floor(prediction * models_in_next_layer) (the label of Eq. 2).
Mapping stage: the last layer; model j gives the key's offset mu in its sub-circle.
Join stage: position = mu + j * t with t = 1 / models_in_last_layer (Eq. 1).

Every model is the paper's 3 fully connected layers of 8, 32 and 64 neurons (IV), plus a linear
output, made well conditioned by an affine map of its own key range to [0, 1] and of [0, 1] to its
own label range, and a skip connection (output = input + MLP(input)) so that an untrained model is
already the linear interpolation of its range. All models of a layer are held as stacked weights
([models, in, out]) and each key gathers its model's weights, so the whole hierarchy is one ONNX
graph (Gather, MatMul, Relu, Floor, Clip) with no control flow.
"""
import torch

HIDDEN = (8, 32, 64)


class Layer(torch.nn.Module):
    """All the models of one layer, stacked."""

    def __init__(self, models, generator):
        super().__init__()
        sizes = (1,) + HIDDEN + (1,)
        self.weights = torch.nn.ParameterList()
        self.biases = torch.nn.ParameterList()
        for fan_in, fan_out in zip(sizes[:-1], sizes[1:]):
            bound = 1.0 / fan_in ** 0.5
            w = (torch.rand(models, fan_in, fan_out, generator=generator) * 2 - 1) * bound
            self.weights.append(torch.nn.Parameter(w))
            self.biases.append(torch.nn.Parameter(torch.zeros(models, 1, fan_out)))
        with torch.no_grad():
            self.weights[-1].mul_(0.01)  # start as the identity: the skip connection carries the input
        # input range [in_low, in_low + 1 / in_scale] -> [0, 1]; [0, 1] -> [out_low, out_low + out_span]
        self.register_buffer("in_low", torch.zeros(models))
        self.register_buffer("in_scale", torch.ones(models))
        self.register_buffer("out_low", torch.zeros(models))
        self.register_buffer("out_span", torch.ones(models))
        self.models = models

    def forward(self, u, index):
        """u [N, 1] in [0, 1], index [N] int64 -> the chosen models' predictions [N, 1].

        Each row gathers its model's weights (about 10 KB a row): the form ONNX exports, run on
        bounded batches (the proxy's compile step feeds 4096 rows at a time).
        """
        x = ((u - self.in_low[index].unsqueeze(1)) * self.in_scale[index].unsqueeze(1)).clamp(0.0, 1.0)
        h = x.unsqueeze(1)  # [N, 1, 1]
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            h = torch.matmul(h, w[index]) + b[index]
            if i < last:
                h = torch.relu(h)
        out = x + h.squeeze(1)
        return self.out_low[index].unsqueeze(1) + out * self.out_span[index].unsqueeze(1)

    def forward_grouped(self, u, models):
        """u [M, B, 1]: B keys for each of the M models listed in ``models`` -> [M, B, 1], for training."""
        low, scale = self.in_low[models].view(-1, 1, 1), self.in_scale[models].view(-1, 1, 1)
        x = ((u - low) * scale).clamp(0.0, 1.0)
        h = x
        last = len(self.weights) - 1
        for i, (w, b) in enumerate(zip(self.weights, self.biases)):
            h = torch.bmm(h, w[models]) + b[models]
            if i < last:
                h = torch.relu(h)
        return self.out_low[models].view(-1, 1, 1) + (x + h) * self.out_span[models].view(-1, 1, 1)

    def predict(self, u, index):
        """forward() over any number of rows without gradients, one model at a time (no gather)."""
        out = torch.empty_like(u)
        with torch.no_grad():
            for j in torch.unique(index).tolist():
                rows = torch.nonzero(index == j).squeeze(1)
                models = torch.tensor([j])
                out[rows] = self.forward_grouped(u[rows].unsqueeze(0), models).squeeze(0)
        return out


class HierarchicalHash(torch.nn.Module):
    """key [N, 1] (normalised) -> position [N, 1] in [0, 1)."""

    def __init__(self, layer_sizes, seed=0):
        super().__init__()
        if layer_sizes[0] != 1 or any(c < 1 for c in layer_sizes):
            raise ValueError("layers: %s (expected: 1 root model, then positive counts)" % (layer_sizes,))
        generator = torch.Generator().manual_seed(seed)
        self.layer_sizes = tuple(layer_sizes)
        self.layers = torch.nn.ModuleList(Layer(c, generator) for c in layer_sizes)

    def route(self, prediction, next_models):
        """Eq. 2: the next layer's model for a predicted global position."""
        return torch.clamp(torch.floor(prediction.squeeze(1) * next_models), 0, next_models - 1).to(torch.int64)

    def predict(self, key):
        """forward() over any number of rows without gradients, each layer one model at a time."""
        u = torch.clamp(key, 0.0, 1.0)
        index = torch.zeros_like(u.squeeze(1), dtype=torch.int64)
        for depth, layer in enumerate(self.layers):
            prediction = layer.predict(u, index)
            if depth + 1 < len(self.layers):
                index = self.route(prediction, self.layer_sizes[depth + 1])
        return torch.clamp(prediction, 0.0, 1.0 - 2.0 ** -24)

    def forward(self, key):
        u = torch.clamp(key, 0.0, 1.0)
        index = torch.zeros_like(u.squeeze(1), dtype=torch.int64)
        count = len(self.layers)
        for depth, layer in enumerate(self.layers):
            prediction = layer(u, index)
            if depth + 1 < count:
                index = self.route(prediction, self.layer_sizes[depth + 1])
        # Join stage (Eq. 1): mu is the offset in sub-circle `index`, t its width.
        t = 1.0 / self.layer_sizes[-1]
        mu = prediction - index.unsqueeze(1).to(prediction.dtype) * t
        position = mu + index.unsqueeze(1).to(prediction.dtype) * t
        return torch.clamp(position, 0.0, 1.0 - 2.0 ** -24)
