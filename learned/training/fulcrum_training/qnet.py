"""DQN and Double DQN for the q-network policy, trained from the transitions a Fulcrum writes.

Mizutani, Sensors 2022, section 3.3 (Q-learning with a neural network, formulas (2)-(3)) and
section 4 (DQN and DDQN, alpha/beta/gamma = 0.1/0.5/0.9). The state is Fulcrum's q-state-v1
(``3 * A`` float32: own flows per child / flowScale, flows the child reports from other parents /
flowScale, presence); the reward is the one the proxy computed (formula (5)) and wrote beside it.

Transitions are NDJSON lines as ``policy.transitions`` writes them::

    {"state": {"own": [..], "others": [..], "present": [..]}, "action": k, "reward": r,
     "next": {"own": [..], "others": [..], "present": [..]}, ...}

Two networks, both ``state [N, 3A] -> q [N, A]``: ``slot`` (default) scores every slot with one
shared MLP over (own_k, others_k, present_k, mean own, mean others), the same shape as Java's
SlotScorer; ``paper`` is the paper's five fully connected layers as wide as the input.
"""
import json
import os
import time

import numpy as np
import torch

STATE_SCHEMA = "q-state-v1"
GOLDEN_ROWS = 4


def read_transitions(path, actions, flow_scale, start_line=0, reward_from="proxy", fct_ref=None):
    """Returns (states, actions, rewards, next_states, lines read); raises ValueError naming the line.

    ``reward_from="proxy"`` takes the reward the proxy computed (formula (5)); ``"fct"`` takes
    ``min(1, fct_ref / fct)`` of the flows that completed in the tick (lines without an ``fct`` are
    left out). FCT is what grows past a server's capacity when the server queues inside the
    application, where a connect RTT (the proxy's RTT term) stays at the loopback's; and measured at
    this tier it already includes every tier below."""
    if reward_from not in ("proxy", "fct"):
        raise ValueError("reward: %r (expected: proxy or fct)" % reward_from)
    if reward_from == "fct" and not (fct_ref and fct_ref > 0):
        raise ValueError("fct reference: %r (expected: seconds > 0, the FCT of a flow that never queued)" % fct_ref)
    states, chosen, rewards, nexts = [], [], [], []
    line_no = 0
    with open(path) as handle:
        for line_no, line in enumerate(handle, 1):
            if line_no <= start_line or not line.strip():
                continue
            if not line.endswith("\n"):
                line_no -= 1  # a line still being written: read it next time
                break
            where = "%s: line %d" % (path, line_no)
            try:
                row = json.loads(line)
            except json.JSONDecodeError as e:
                raise ValueError("%s: not JSON (%s)" % (where, e.msg))
            action = row.get("action")
            if not isinstance(action, int) or not 0 <= action < actions:
                raise ValueError("%s: action: %r (expected: an integer from 0 to %d, the model's action slots)"
                                 % (where, action, actions - 1))
            reward = row.get("reward")
            if not isinstance(reward, (int, float)) or not 0 <= reward <= 1:
                raise ValueError("%s: reward: %r (expected: a number from 0 to 1)" % (where, reward))
            if reward_from == "fct":
                fct = row.get("fct")
                if fct is None or fct == 0:  # no flow ended in the tick (older proxies wrote 0)
                    continue
                if not isinstance(fct, (int, float)) or not fct > 0:
                    raise ValueError("%s: fct: %r (expected: seconds >= 0, or null)" % (where, fct))
                reward = min(1.0, fct_ref / fct)
            states.append(encode(row.get("state"), actions, flow_scale, where + ": state"))
            nexts.append(encode(row.get("next"), actions, flow_scale, where + ": next"))
            chosen.append(action)
            rewards.append(float(reward))
    if not states:
        return (np.zeros((0, 3 * actions), np.float32), np.zeros(0, np.int64), np.zeros(0, np.float32),
                np.zeros((0, 3 * actions), np.float32), line_no)
    return (np.stack(states), np.asarray(chosen, np.int64), np.asarray(rewards, np.float32), np.stack(nexts), line_no)


def encode(state, actions, flow_scale, where):
    """q-state-v1, as Java's QStateSchema.encode: absent slots are 0 in every block."""
    if not isinstance(state, dict):
        raise ValueError("%s: %r (expected: an object with own, others and present)" % (where, state))
    own, others, present = state.get("own"), state.get("others"), state.get("present")
    for name, values in (("own", own), ("others", others), ("present", present)):
        if not isinstance(values, list) or len(values) > actions or any(not isinstance(v, (int, float)) for v in values):
            raise ValueError("%s.%s: %r (expected: at most %d numbers, one per backend)" % (where, name, values, actions))
    if not len(own) == len(others) == len(present):
        raise ValueError("%s: own, others and present have %d, %d and %d entries (expected: the same count)"
                         % (where, len(own), len(others), len(present)))
    out = np.zeros(3 * actions, np.float32)
    for k in range(len(present)):
        if present[k]:
            out[k] = max(0, own[k]) / flow_scale
            out[actions + k] = max(0, others[k]) / flow_scale
            out[2 * actions + k] = 1.0
    return out


class SlotScorer(torch.nn.Module):
    """One MLP scores every slot from (own_k, others_k, present_k, mean own, mean others)."""

    def __init__(self, actions, hidden=(16, 16)):
        super().__init__()
        self.actions = actions
        layers, width = [], 5
        for h in hidden:
            layers += [torch.nn.Linear(width, h), torch.nn.ReLU()]
            width = h
        layers.append(torch.nn.Linear(width, 1))
        self.mlp = torch.nn.Sequential(*layers)

    def forward(self, state):
        a = self.actions
        own, others, present = state[:, :a], state[:, a:2 * a], state[:, 2 * a:]
        count = torch.clamp(present.sum(dim=1, keepdim=True), min=1.0)
        mean_own = (own * present).sum(dim=1, keepdim=True) / count
        mean_others = (others * present).sum(dim=1, keepdim=True) / count
        features = torch.stack([own, others, present, mean_own.expand_as(own), mean_others.expand_as(own)], dim=2)
        return self.mlp(features).squeeze(2)


class PaperMlp(torch.nn.Module):
    """The paper's five layers, each hidden layer as wide as the input."""

    def __init__(self, actions):
        super().__init__()
        s = 3 * actions
        self.net = torch.nn.Sequential(torch.nn.Linear(s, s), torch.nn.ReLU(), torch.nn.Linear(s, s), torch.nn.ReLU(),
                                       torch.nn.Linear(s, s), torch.nn.ReLU(), torch.nn.Linear(s, s), torch.nn.ReLU(),
                                       torch.nn.Linear(s, actions))

    def forward(self, state):
        return self.net(state)


def make_network(kind, actions):
    if kind == "slot":
        return SlotScorer(actions)
    if kind == "paper":
        return PaperMlp(actions)
    raise ValueError("network: %r (expected: slot or paper)" % kind)


def masked(q, state, actions):
    """Absent slots can never be the argmax or the max."""
    present = state[:, 2 * actions:] > 0
    return torch.where(present, q, torch.full_like(q, -1e9))


def train(model, data, actions, algorithm="ddqn", gamma=0.9, steps=2000, batch=64, lr=1e-3, target_sync=200, seed=0, log=None):
    """DQN: y = r + gamma max_a' Q_t(s', a'); Double DQN: y = r + gamma Q_t(s', argmax_a' Q(s', a'))."""
    if algorithm not in ("dqn", "ddqn"):
        raise ValueError("algorithm: %r (expected: dqn or ddqn)" % algorithm)
    states, chosen, rewards, nexts = (torch.from_numpy(x) for x in data[:4])
    n = states.shape[0]
    if n == 0:
        raise ValueError("no transitions to train on")
    torch.manual_seed(seed)
    generator = torch.Generator().manual_seed(seed)
    target = make_like(model)
    target.load_state_dict(model.state_dict())
    optimizer = torch.optim.Adam(model.parameters(), lr=lr)
    losses = []
    for step in range(steps):
        idx = torch.randint(0, n, (min(batch, n),), generator=generator)
        s, a, r, s2 = states[idx], chosen[idx], rewards[idx], nexts[idx]
        with torch.no_grad():
            if algorithm == "dqn":
                best = masked(target(s2), s2, actions).max(dim=1).values
            else:
                pick = masked(model(s2), s2, actions).argmax(dim=1, keepdim=True)
                best = target(s2).gather(1, pick).squeeze(1)
            y = r + gamma * best
        q = model(s).gather(1, a.unsqueeze(1)).squeeze(1)
        loss = torch.nn.functional.smooth_l1_loss(q, y)  # the TD error, clipped (Huber)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(float(loss))
        if (step + 1) % target_sync == 0:
            target.load_state_dict(model.state_dict())
        if log and (step + 1) % max(1, steps // 4) == 0:
            log("step %d: TD loss %.5f" % (step + 1, float(np.mean(losses[-100:]))))
    return {"transitions": int(n), "steps": steps, "algorithm": algorithm, "finalLoss": float(np.mean(losses[-100:]))}


def make_like(model):
    if isinstance(model, SlotScorer):
        clone = SlotScorer(model.actions, hidden=tuple(m.out_features for m in model.mlp if isinstance(m, torch.nn.Linear))[:-1])
    else:
        clone = PaperMlp(model.net[-1].out_features)
    return clone


def golden_states(actions, seed=0):
    rng = np.random.default_rng(seed + 11)
    rows = rng.random((GOLDEN_ROWS, 3 * actions), dtype=np.float32)
    rows[:, 2 * actions:] = 1.0
    rows[-1, 3 * actions - 1] = 0.0  # one row with an absent slot
    rows[-1, actions - 1] = 0.0
    rows[-1, 2 * actions - 1] = 0.0
    return rows


def export(model, path, actions, flow_scale, version, extra=None, check_rows=256, seed=0):
    """Writes the q-network ONNX atomically (a watching proxy never sees half a file) and its .check.json."""
    from . import export as common
    model.eval()
    tmp = path + ".tmp"
    torch.onnx.export(model, torch.zeros(2, 3 * actions), tmp, input_names=["state"], output_names=["q"],
                      dynamic_axes={"state": {0: "N"}, "q": {0: "N"}}, opset_version=common.OPSET)
    golden = golden_states(actions, seed)
    with torch.no_grad():
        golden_q = model(torch.from_numpy(golden)).numpy()
    import onnx
    proto = onnx.load(tmp)
    metadata = {
        "fulcrum.kind": "q-network",
        "fulcrum.schema": common.SCHEMA,
        "fulcrum.stateSchema": STATE_SCHEMA,
        "fulcrum.version": str(version),
        "fulcrum.stateSize": str(3 * actions),
        "fulcrum.actions": str(actions),
        "fulcrum.flowScale": repr(float(flow_scale)),
        "fulcrum.goldenInput": json.dumps(golden.tolist()),
        "fulcrum.goldenOutput": json.dumps(golden_q.tolist()),
    }
    metadata.update(extra or {})
    common.set_metadata(proto, metadata)
    proto.producer_name = "fulcrum_training"
    onnx.checker.check_model(proto)
    onnx.save(proto, tmp)
    os.replace(tmp, path)
    rng = np.random.default_rng(seed + 13)
    inputs = rng.random((check_rows, 3 * actions), dtype=np.float32)
    inputs[:, 2 * actions:] = (inputs[:, 2 * actions:] > 0.2).astype(np.float32)
    with torch.no_grad():
        outputs = model(torch.from_numpy(inputs)).numpy()
    with open(path + ".check.json", "w") as handle:
        json.dump({"input": inputs.tolist(), "output": outputs.tolist()}, handle)
    return metadata


def follow(transitions, out, actions, flow_scale, network="slot", algorithm="ddqn", gamma=0.9, steps=500, interval=30.0,
           min_new=50, rounds=None, seed=0, version_prefix="follow", log=None, sleep=time.sleep, publish=None,
           duration=None, clock=time.monotonic, reward_from="proxy", fct_ref=None):
    """Retrains whenever min_new transitions were appended, warm-starting from the last model, and
    replaces ``out`` atomically each time (the proxy's model watcher hot-swaps it); ``publish(version)``,
    when given, is called after each export (qfollow: POST /api/models/{name}) and what it returns is
    logged with the round. ``rounds`` bounds the number of models written and ``duration`` the seconds
    spent (None: until interrupted)."""
    model = make_network(network, actions)
    seen = 0
    written = 0
    last_count = 0
    all_data = None
    started = clock()
    while (rounds is None or written < rounds) and (duration is None or clock() - started < duration):
        data = read_transitions(transitions, actions, flow_scale, start_line=seen, reward_from=reward_from,
                                fct_ref=fct_ref) if os.path.exists(transitions) else None
        if data is not None and data[0].shape[0] > 0:
            seen = data[4]
            all_data = data if all_data is None else tuple(np.concatenate([a, b]) for a, b in zip(all_data[:4], data[:4])) + (seen,)
        fresh = 0 if all_data is None else all_data[0].shape[0] - last_count
        if all_data is not None and fresh >= min_new:
            stats = train(model, all_data, actions, algorithm, gamma, steps, seed=seed + written, log=log)
            version = "%s-%d" % (version_prefix, written + 1)
            export(model, out, actions, flow_scale, version, extra={"fulcrum.algorithm": algorithm}, seed=seed)
            written += 1
            last_count = all_data[0].shape[0]
            published = publish(version) if publish else {}
            if log:
                log(json.dumps(dict(stats, model=out, version=version, **published)))
            continue
        sleep(interval)
    return written
