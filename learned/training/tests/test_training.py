"""Tests of the trainer package; run by learned's PythonTrainerTest (JUnit) in the Maven build:

    cd learned/training && /usr/bin/python3 -m unittest discover -s tests -t .
"""
import json
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import onnx
import torch

from fulcrum_training import export, keys, train_hash
from fulcrum_training.hierarchy import HierarchicalHash

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_ROOT = os.path.dirname(HERE)


class KeyEncodingTest(unittest.TestCase):
    # The same values are pinned in Java's KeyEncodingTest: both sides must agree bit for bit.
    def test_encodings_match_the_proxy(self):
        self.assertEqual(keys.encode("10.1.2.3", "address"), 167838211.0)
        self.assertEqual(keys.encode("2001:db8::1", "address"), 536939960.0)
        self.assertEqual(keys.encode("api.example.com", "host"), 2866215460890663.0)
        self.assertEqual(keys.encode("A_b", "host"), 2779614040283145.0)
        self.assertEqual(keys.encode(1.5, "number"), 1.5)

    def test_host_encoding_preserves_order(self):
        names = sorted(["a", "a-b", "a.b", "a0", "ab", "b", "zz", "example.com", "example.org"])
        encoded = [keys.encode(n, "host") for n in names]
        self.assertEqual(encoded, sorted(encoded))
        self.assertEqual(len(set(encoded)), len(names))

    def test_reads_csv_and_ndjson_and_names_bad_rows(self):
        with tempfile.TemporaryDirectory() as tmp:
            csv_path = os.path.join(tmp, "keys.csv")
            with open(csv_path, "w") as f:
                f.write("key,count\n10.0.0.1,3\n10.0.0.2,1\n")
            self.assertEqual(keys.read_keys(csv_path, "address"), ([167772161.0, 167772162.0], [3.0, 1.0]))
            nd = os.path.join(tmp, "keys.ndjson")
            with open(nd, "w") as f:
                f.write('{"clientAddress": "10.0.0.1"}\n{"clientAddress": "10.0.0.9"}\n')
            self.assertEqual(keys.read_keys(nd, "address")[0], [167772161.0, 167772169.0])
            bad = os.path.join(tmp, "bad.csv")
            with open(bad, "w") as f:
                f.write("key\n10.0.0.1\nnot-an-address\n")
            with self.assertRaisesRegex(ValueError, "bad.csv: row 2: key: 'not-an-address'"):
                keys.read_keys(bad, "address")


class LabelTest(unittest.TestCase):
    def test_repeated_keys_get_the_middle_of_their_run(self):
        distinct, labels, weight = train_hash.dlb_labels([3.0, 1.0, 3.0, 2.0], [1, 1, 1, 1])
        np.testing.assert_array_equal(distinct, [1.0, 2.0, 3.0])
        np.testing.assert_allclose(labels, [0.125, 0.375, 0.75])
        np.testing.assert_array_equal(weight, [1, 1, 2])


class AutoLayersTest(unittest.TestCase):
    def test_leaves_follow_the_distinct_keys(self):
        self.assertEqual(train_hash.auto_layers(10), (1, 16, 16))
        self.assertEqual(train_hash.auto_layers(1600), (1, 16, 16))
        self.assertEqual(train_hash.auto_layers(1601), (1, 16, 32))
        self.assertEqual(train_hash.auto_layers(30000), (1, 16, 512))
        self.assertEqual(train_hash.auto_layers(100000), (1, 16, 1024))
        self.assertEqual(train_hash.auto_layers(5000000), (1, 16, 1024))

    def test_train_without_layers_uses_them_and_fits_repeated_keys(self):
        # 6,000 distinct keys with Zipf-like counts in a random order: auto gives 64 leaves, and the
        # trained positions split the training requests into 8 nearly equal bins.
        rng = np.random.default_rng(3)
        keys = np.sort(rng.choice(10 ** 7, 6000, replace=False)).astype(np.float64)
        counts = np.maximum(1, np.round(200 * rng.permutation(np.arange(1, 6001) ** -0.6) * 30)).astype(np.float64)
        model, low, high, stats = train_hash.train(keys, counts, None, steps=150, seed=0)
        self.assertEqual(stats["layers"], [1, 16, 64])
        self.assertEqual(model.layer_sizes, (1, 16, 64))
        u = torch.tensor((keys - low) / (high - low), dtype=torch.float32).unsqueeze(1)
        bins = np.minimum((model.predict(u).squeeze(1).double().numpy() * 8).astype(int), 7)
        loads = np.bincount(bins, weights=counts, minlength=8)
        self.assertLess(loads.max() / loads.mean(), 1.02)  # 1.005 here; a 1,4 hierarchy gives 1.029, no model 1.148


class TrainAndExportTest(unittest.TestCase):
    def test_a_trained_hierarchy_spreads_fresh_keys_and_exports_the_contract(self):
        rng = np.random.default_rng(3)
        train_keys = 0.5 + 0.1 * rng.standard_normal(20000)
        model, low, high, stats = train_hash.train(train_keys, np.ones(len(train_keys)), (1, 4, 16), steps=150, seed=1)
        self.assertLess(stats["meanLabelError"], 0.01)
        fresh = 0.5 + 0.1 * np.random.default_rng(4).standard_normal(20000)
        position = model.predict(torch.tensor((fresh - low) / (high - low), dtype=torch.float32).unsqueeze(1)).squeeze(1).numpy()
        loads = np.bincount(np.minimum((position * 8).astype(int), 7), minlength=8)
        # A normal key set through a plain linear map would put ~0 keys in the outer bins.
        self.assertLess(loads.max() / loads.mean(), 1.15, loads)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "m.onnx")
            export.export_learned_hash(model, path, "number", low, high, "t1")
            proto = onnx.load(path)
            onnx.checker.check_model(proto)
            self.assertLessEqual(max(o.version for o in proto.opset_import if o.domain in ("", "ai.onnx")), 17)
            meta = {p.key: p.value for p in proto.metadata_props}
            self.assertEqual(meta["fulcrum.kind"], "learned-hash")
            self.assertEqual(meta["fulcrum.schema"], "1")
            self.assertEqual(float(meta["fulcrum.keyMin"]), low)
            self.assertEqual([i.name for i in proto.graph.input], ["key"])
            self.assertEqual([o.name for o in proto.graph.output], ["position"])
            golden_out = np.array(json.loads(meta["fulcrum.goldenOutput"]))
            self.assertTrue(np.all((golden_out >= 0) & (golden_out < 1)))
            with open(path + ".check.json") as f:
                self.assertEqual(len(json.load(f)["input"]), 512)

    def test_gathered_and_grouped_evaluation_agree(self):
        model = HierarchicalHash((1, 3, 5), seed=2)
        u = torch.rand(300, 1)
        with torch.no_grad():
            np.testing.assert_allclose(model(u).numpy(), model.predict(u).numpy(), atol=1e-6)


class CommandLineTest(unittest.TestCase):
    def test_train_hash_writes_a_model_and_reports_json(self):
        with tempfile.TemporaryDirectory() as tmp:
            data = os.path.join(tmp, "keys.csv")
            with open(data, "w") as f:
                f.write("key\n" + "\n".join("10.0.%d.%d" % (i // 250, i % 250) for i in range(3000)) + "\n")
            out = os.path.join(tmp, "clients.onnx")
            result = subprocess.run([sys.executable, "-m", "fulcrum_training", "train-hash", "--keys", data,
                                     "--encoding", "address", "--out", out, "--layers", "1,2", "--steps", "50",
                                     "--version", "cli"], cwd=PACKAGE_ROOT, capture_output=True, text=True)
            self.assertEqual(result.returncode, 0, result.stderr)
            report = json.loads(result.stdout)
            self.assertEqual(report["version"], "cli")
            self.assertEqual(report["distinctKeys"], 3000)
            self.assertTrue(os.path.exists(out) and os.path.exists(out + ".check.json"))

    def test_a_bad_dataset_fails_with_its_name(self):
        result = subprocess.run([sys.executable, "-m", "fulcrum_training", "train-hash", "--keys", "/nonexistent.csv",
                                 "--out", "/tmp/x.onnx"], cwd=PACKAGE_ROOT, capture_output=True, text=True)
        self.assertEqual(result.returncode, 2)
        self.assertIn("/nonexistent.csv", result.stderr)


if __name__ == "__main__":
    unittest.main()


class FakeAdmin:
    """The three admin calls follow makes, answered from memory (the Java test runs the real proxy)."""

    def __init__(self, file, statuses, keys):
        self.file, self.statuses, self.sample, self.posts = file, list(statuses), keys, 0

    def model(self, name):
        drift = self.statuses.pop(0) if self.statuses else {"retrainRequested": False}
        return {"name": name, "file": self.file, "keyEncoding": "address", "version": "v1", "drift": drift}

    def keys(self, name):
        return {"name": name, "requests": int(sum(c for _, c in self.sample)), "keys": self.sample}

    def reload(self, name):
        self.posts += 1
        return 200, {"result": "swapped"}


class FollowTest(unittest.TestCase):
    def test_retrains_when_the_monitor_asks_and_not_before(self):
        from fulcrum_training import follow
        rng = np.random.default_rng(3)
        sample = [[float(k), float(c)] for k, c in zip(np.unique(rng.integers(2130706433, 2147483647, 3000)), rng.integers(1, 5, 3000))]
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "clients.onnx")
            api = FakeAdmin(path, [{"retrainRequested": False}, {"retrainRequested": False},
                                   {"retrainRequested": True, "lastEvent": "drift 0.300 > driftThreshold 0.100"}], sample)
            sleeps, reports = [], []
            follow.follow(api, "clients", rounds=1, layers=(1, 4), steps=20, sleep=sleeps.append,
                          log=lambda line: None, emit=reports.append)
            self.assertEqual(len(sleeps), 2, "two polls found nothing to do")
            self.assertEqual(api.posts, 1)
            self.assertTrue(reports[0]["reason"].startswith("drift: drift 0.300"))
            self.assertEqual(reports[0]["distinctKeys"], len(sample))
            meta = {p.key: p.value for p in onnx.load(path).metadata_props}
            self.assertEqual(meta["fulcrum.keyEncoding"], "address")
            self.assertTrue(meta["fulcrum.version"].startswith("follow-"))

    def test_waits_for_enough_keys(self):
        from fulcrum_training import follow
        with tempfile.TemporaryDirectory() as tmp:
            api = FakeAdmin(os.path.join(tmp, "m.onnx"), [{"retrainRequested": True}] * 3, [[1.0, 5.0], [2.0, 5.0]])
            ticks = iter(range(100))
            reports = follow.follow(api, "m", duration=3, min_keys=1000, clock=lambda: next(ticks),
                                    sleep=lambda s: None, log=lambda line: None, emit=lambda r: None)
            self.assertEqual(reports, [])
            self.assertEqual(api.posts, 0)
            self.assertFalse(os.path.exists(os.path.join(tmp, "m.onnx")))
