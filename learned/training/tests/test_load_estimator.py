"""Tests of the load-estimator trainers (Aquarius 5.1): data join, windows, preprocessing, training, export."""
import json
import math
import os
import subprocess
import sys
import tempfile
import unittest

import numpy as np
import onnx
import torch

from fulcrum_training import load_data, load_estimator, load_export
from tests import synthetic_load

HERE = os.path.dirname(os.path.abspath(__file__))
PACKAGE_ROOT = os.path.dirname(HERE)


class LoadDataTest(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = synthetic_load.write(self.tmp.name, ticks=40)

    def tearDown(self):
        self.tmp.cleanup()

    def test_labels_come_from_the_truth_log_not_the_lagging_column(self):
        run = load_data.read_run(os.path.join(self.dir, "for-loop-030.csv"), "busy")
        features, labels = run.backends["s2-0"]
        self.assertEqual(features.shape, (40, len(synthetic_load.columns())))
        truth = [int(line.split(",")[4]) for line in open(os.path.join(self.dir, "for-loop-030-truth.csv"))
                 if ",s2-0," in line]
        np.testing.assert_array_equal(labels, truth)

    def test_pressure_is_outstanding_per_slot(self):
        row = {"busy": "4", "queue": "2", "slots": "4", "utilisation": "1.0"}
        self.assertEqual(load_data.target_value(row, "pressure"), 1.5)
        self.assertEqual(load_data.target_value(row, "outstanding"), 6)
        with self.assertRaisesRegex(ValueError, "target: 'cpu'"):
            load_data.target_value(row, "cpu")

    def test_windows_end_at_their_label_and_skip_unlabelled_ticks(self):
        run = load_data.read_run(os.path.join(self.dir, "for-loop-030.csv"), "busy")
        x, y = load_data.windows([run], 8, 4)
        # 5 backends x windows ending at ticks 8, 12, ..., 40 (9 each)
        self.assertEqual(x.shape, (45, 8, len(run.columns)))
        features, labels = run.backends[next(iter(run.backends))]
        np.testing.assert_array_equal(x[0], features[0:8])
        self.assertEqual(y[0], labels[7])

    def test_unmeasured_and_constant_features_are_left_out(self):
        run = load_data.read_run(os.path.join(self.dir, "for-loop-030.csv"), "busy")
        x, _ = load_data.windows([run], 8, 4)
        keep, names = load_data.usable_features(x, run.columns)
        self.assertNotIn("win.mean", names)
        self.assertNotIn("n_cls", names)
        self.assertIn("n_open", names)
        self.assertEqual(len(keep), len(run.columns) - 2)

    def test_outliers_beyond_the_99th_percentile_are_dropped(self):
        y = np.arange(1000, dtype=float)
        x = np.zeros((1000, 2, 1))
        _, kept = load_data.drop_outliers(x, y)
        self.assertEqual(len(kept), 990)

    def test_a_bad_header_names_the_file(self):
        bad = os.path.join(self.dir, "bad.csv")
        with open(bad, "w") as f:
            f.write("a,b,c\n1,2,3\n")
        with self.assertRaisesRegex(ValueError, "bad.csv: header a,b,c"):
            load_data.read_run(bad)


class EstimatorTest(unittest.TestCase):
    def test_models_have_the_papers_shapes(self):
        x = torch.zeros(3, 8, 5)
        for kind in load_estimator.MODELS:
            self.assertEqual(tuple(load_estimator.build(kind, 8, 5)(x).shape), (3, 1), kind)
        gru = load_estimator.build("gru", 8, 5)
        self.assertEqual(gru.recurrent.hidden_size, 20)
        self.assertEqual(gru.recurrent.num_layers, 2)
        with self.assertRaisesRegex(ValueError, "model: 'cnn'"):
            load_estimator.build("cnn", 8, 5)

    def test_a_trained_model_beats_the_mean_and_fills_nan_with_the_mean(self):
        rng = np.random.default_rng(3)
        x = rng.normal(5, 2, (600, 4, 3))
        y = x[:, -1, 0] * 2 + x[:, :, 1].mean(axis=1)
        module = load_estimator.train("dense", x[:500], y[:500], epochs=40, seed=1)
        scores = load_estimator.score(module, x[500:], y[500:], repeats=3)
        self.assertLess(scores["mse"], 0.2 * np.var(y[500:]))
        self.assertGreater(scores["r"], 0.9)
        holed = x[:2].copy()
        holed[0, 1, 2] = math.nan
        filled = holed.copy()
        filled[0, 1, 2] = module.mean[2].item()
        np.testing.assert_allclose(load_estimator.predict(module, holed), load_estimator.predict(module, filled), rtol=1e-6)


class ExportTest(unittest.TestCase):
    def test_metadata_names_the_features_in_input_order_and_the_golden_rows_are_pytorchs(self):
        rng = np.random.default_rng(4)
        x = rng.normal(0, 1, (50, 6, 3))
        x[0, 0, 0] = math.nan
        module = load_estimator.train("gru", x[1:], x[1:, -1, 0], epochs=2)
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "gru.onnx")
            load_export.export_load_estimator(module, path, "gru", ["n_open", "n_f", "fct.mean"], "busy", "v9", x[:8])
            proto = onnx.load(path)
            meta = {p.key: p.value for p in proto.metadata_props}
            self.assertEqual(meta["fulcrum.kind"], "load-estimator")
            self.assertEqual(meta["fulcrum.schema"], "1")
            self.assertEqual(meta["fulcrum.windowTicks"], "6")
            self.assertEqual(meta["fulcrum.features"], "3")
            self.assertEqual(meta["fulcrum.featureNames"], "n_open,n_f,fct.mean")
            self.assertEqual(meta["fulcrum.target"], "busy")
            golden = np.array(json.loads(meta["fulcrum.goldenInput"]), dtype=np.float32)
            self.assertEqual(golden.shape, (3, 6, 3))
            self.assertFalse(np.isnan(golden).any())  # JSON has no NaN
            np.testing.assert_allclose(json.loads(meta["fulcrum.goldenOutput"]),
                                       module(torch.from_numpy(golden)).detach().numpy(), rtol=1e-6)
            self.assertEqual([i.name for i in proto.graph.input], ["features"])
            self.assertEqual([o.name for o in proto.graph.output], ["load"])
            with open(path + ".check.json") as f:
                self.assertEqual(len(json.load(f)["input"]), 8)
            with self.assertRaisesRegex(ValueError, "feature names: 2"):
                load_export.export_load_estimator(module, path, "gru", ["a", "b"], "busy", "v9", x[:8])


class CommandTest(unittest.TestCase):
    def test_train_load_scores_every_model_and_exports_them(self):
        with tempfile.TemporaryDirectory() as tmp:
            synthetic_load.write(os.path.join(tmp, "data"), ticks=60)
            out = subprocess.run([sys.executable, "-m", "fulcrum_training", "train-load", "--data", os.path.join(tmp, "data"),
                                  "--models", "dense,rnn", "--epochs", "3", "--out-dir", os.path.join(tmp, "models"),
                                  "--table", os.path.join(tmp, "table.md"), "--version", "t1"],
                                 cwd=PACKAGE_ROOT, capture_output=True, text=True, timeout=600)
            self.assertEqual(out.returncode, 0, out.stderr)
            result = json.loads(out.stdout)
            self.assertEqual(sorted(result["models"]), ["dense", "rnn"])
            self.assertEqual(result["window"], 8)
            for kind in ("dense", "rnn"):
                self.assertTrue(os.path.exists(os.path.join(tmp, "models", kind + ".onnx")))
                self.assertGreater(result["models"][kind]["mse"], 0)
            self.assertIn("| MSE |", open(os.path.join(tmp, "table.md")).read())

    def test_bad_arguments_say_what_was_expected(self):
        out = subprocess.run([sys.executable, "-m", "fulcrum_training", "train-load", "--data", "/nonexistent-dir",
                              "--models", "lstm,cnn"], cwd=PACKAGE_ROOT, capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 2)
        self.assertIn("expected: a comma-separated list of dense, rnn, lstm, gru", out.stderr)
        out = subprocess.run([sys.executable, "-m", "fulcrum_training", "train-load", "--data", "/nonexistent-dir"],
                             cwd=PACKAGE_ROOT, capture_output=True, text=True, timeout=120)
        self.assertEqual(out.returncode, 2)
        self.assertIn("/nonexistent-dir: no <run>.csv files", out.stderr)


if __name__ == "__main__":
    unittest.main()
