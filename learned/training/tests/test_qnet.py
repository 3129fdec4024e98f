"""Tests of the q-network trainers (DQN, Double DQN, export, follow); run by PythonTrainerTest."""
import json
import os
import random
import tempfile
import unittest

import numpy as np
import onnx
import torch

from fulcrum_training import qnet


def write_bandit(path, lines, actions=2, seed=0, start=0):
    """Transitions where the reward is high for the child with fewer flows (own + others)."""
    rng = random.Random(seed)
    with open(path, "a") as f:
        for _ in range(lines):
            own = [rng.randint(0, 20) for _ in range(actions)]
            others = [rng.randint(0, 20) for _ in range(actions)]
            a = rng.randrange(actions)
            load = (own[a] + others[a]) / 40.0
            nxt = list(own)
            nxt[a] += 1
            f.write(json.dumps({"state": {"own": own, "others": others, "present": [1] * actions}, "action": a,
                                "reward": 1.0 - load, "next": {"own": nxt, "others": others, "present": [1] * actions}}) + "\n")


class ReadTest(unittest.TestCase):
    def test_encodes_q_state_v1_and_pads_absent_slots(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "t.ndjson")
            with open(path, "w") as f:
                f.write(json.dumps({"state": {"own": [10, 5], "others": [0, 20], "present": [1, 0]}, "action": 0,
                                    "reward": 0.5, "next": {"own": [11, 5], "others": [0, 20], "present": [1, 1]}}) + "\n")
                f.write('{"state": {"own": [1], "oth')  # being written: not read yet
            states, actions, rewards, nexts, line = qnet.read_transitions(path, 3, 10.0)
            np.testing.assert_allclose(states[0], [1.0, 0, 0, 0, 0, 0, 1, 0, 0])
            np.testing.assert_allclose(nexts[0], [1.1, 0.5, 0, 0, 2.0, 0, 1, 1, 0])
            self.assertEqual(line, 1)

    def test_bad_lines_are_named(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "t.ndjson")
            with open(path, "w") as f:
                f.write('{"state": {"own": [1], "others": [0], "present": [1]}, "action": 3, "reward": 0.5,'
                        ' "next": {"own": [1], "others": [0], "present": [1]}}\n')
            with self.assertRaisesRegex(ValueError, "t.ndjson: line 1: action: 3 \\(expected: an integer from 0 to 1"):
                qnet.read_transitions(path, 2, 10.0)


class FctRewardTest(unittest.TestCase):
    def test_fct_reward_is_the_reference_over_the_ticks_fct_and_skips_ticks_without_one(self):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "t.ndjson")
            state = {"own": [1, 2], "others": [0, 0], "present": [1, 1]}
            with open(path, "w") as f:
                for fct in (0.5, 4.0, None):
                    f.write(json.dumps({"state": state, "action": 1, "reward": 0.99, "fct": fct, "next": state}) + "\n")
            rewards = qnet.read_transitions(path, 2, 10.0, reward_from="fct", fct_ref=1.0)[2]
            np.testing.assert_allclose(rewards, [1.0, 0.25])
            np.testing.assert_allclose(qnet.read_transitions(path, 2, 10.0)[2], [0.99, 0.99, 0.99])
            with self.assertRaisesRegex(ValueError, "fct reference: None \\(expected: seconds > 0"):
                qnet.read_transitions(path, 2, 10.0, reward_from="fct")


class TrainTest(unittest.TestCase):
    def check_prefers_less_loaded(self, algorithm, network, steps=600):
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "t.ndjson")
            write_bandit(path, 600)
            data = qnet.read_transitions(path, 2, 20.0)
            model = qnet.make_network(network, 2)
            qnet.train(model, data, 2, algorithm, gamma=0.0, steps=steps, seed=1)
            with torch.no_grad():
                q = model(torch.tensor([[0.1, 0.9, 0.0, 0.5, 1.0, 1.0], [0.9, 0.1, 0.5, 0.0, 1.0, 1.0]]))
            self.assertGreater(float(q[0, 0]), float(q[0, 1]))
            self.assertGreater(float(q[1, 1]), float(q[1, 0]))

    def test_ddqn_slot_scorer_learns_to_prefer_the_less_loaded_child(self):
        self.check_prefers_less_loaded("ddqn", "slot")

    def test_dqn_paper_network_learns_it_too(self):
        self.check_prefers_less_loaded("dqn", "paper", steps=2000)

    def test_export_carries_the_contract_and_a_golden_pair(self):
        with tempfile.TemporaryDirectory() as tmp:
            out = os.path.join(tmp, "q.onnx")
            model = qnet.make_network("slot", 3)
            meta = qnet.export(model, out, 3, 50.0, "t1")
            props = {p.key: p.value for p in onnx.load(out).metadata_props}
            self.assertEqual(props["fulcrum.kind"], "q-network")
            self.assertEqual(props["fulcrum.stateSchema"], "q-state-v1")
            self.assertEqual(props["fulcrum.stateSize"], "9")
            self.assertEqual(props["fulcrum.actions"], "3")
            self.assertEqual(props["fulcrum.flowScale"], "50.0")
            self.assertEqual(len(json.loads(props["fulcrum.goldenOutput"])[0]), 3)
            self.assertEqual(meta["fulcrum.version"], "t1")
            self.assertTrue(os.path.exists(out + ".check.json"))
            self.assertFalse(os.path.exists(out + ".tmp"))

    def test_follow_retrains_when_enough_new_transitions_arrive(self):
        with tempfile.TemporaryDirectory() as tmp:
            path, out = os.path.join(tmp, "t.ndjson"), os.path.join(tmp, "q.onnx")
            versions = []
            write_bandit(path, 60, seed=1)

            def sleep(_):  # the "proxy" appends more between looks
                write_bandit(path, 60, seed=len(versions) + 2)
                versions.append(os.path.exists(out))
            written = qnet.follow(path, out, 2, 20.0, steps=50, interval=0, min_new=50, rounds=2, sleep=sleep,
                                  log=lambda line: versions.append(line) if "follow-" in line else None)
            self.assertEqual(written, 2)
            props = {p.key: p.value for p in onnx.load(out).metadata_props}
            self.assertEqual(props["fulcrum.version"], "follow-2")


if __name__ == "__main__":
    unittest.main()
