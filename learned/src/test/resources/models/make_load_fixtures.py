"""Regenerates the load-estimator fixtures of the load-aware policy's tests (run from anywhere):

    /usr/bin/python3 learned/src/test/resources/models/make_load_fixtures.py

Hand-built graphs whose output is known exactly, over windows of T = 4 ticks of two schema
columns (n_open, fct.mean):
- load-open-flows.onnx: load = the window's mean of n_open (open flows): a slow backend, holding
  more flows open, gets a higher load;
- load-sqrt-open-flows.onnx: load = sqrt of that mean, NaN when it is negative (the policy's
  failing-model path; real n_open is never negative, the tests feed it);
- load-unknown-feature.onnx: the first model, naming a column the schema does not have;
- load-flow-time.onnx: over (n_open, fct.ema_mean), load = the window's mean of fct.ema_mean
  (seconds a flow takes, kept through ticks without a flow): a slow backend's flows take longer.
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))


def model(name, nodes, metadata, golden_in, golden_out, column=0):
    graph = helper.make_graph(nodes, "fixture",
                              [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", 4, 2])],
                              [helper.make_tensor_value_info("load", TensorProto.FLOAT, ["N", 1])],
                              [helper.make_tensor("column", TensorProto.INT64, [], [column])])
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], ir_version=8)
    metadata = dict(metadata)
    metadata["fulcrum.goldenInput"] = json.dumps(np.asarray(golden_in, dtype=np.float32).tolist())
    metadata["fulcrum.goldenOutput"] = json.dumps(np.asarray(golden_out, dtype=np.float32).tolist())
    for key, value in metadata.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    proto.producer_name = "make_load_fixtures"
    onnx.checker.check_model(proto)
    onnx.save(proto, os.path.join(HERE, name))


def main():
    base = {"fulcrum.kind": "load-estimator", "fulcrum.schema": "1", "fulcrum.windowTicks": "4", "fulcrum.features": "2",
            "fulcrum.featureNames": "n_open,fct.mean", "fulcrum.target": "openFlows"}
    golden_in = np.array([[[1, 100], [2, 100], [3, 100], [6, 100]], [[0, 5], [0, 5], [0, 5], [4, 5]]], dtype=np.float32)
    means = golden_in[:, :, 0].mean(axis=1).reshape(-1, 1)
    mean_nodes = [helper.make_node("Gather", ["features", "column"], ["open"], axis=2),
                  helper.make_node("ReduceMean", ["open"], ["mean"], axes=[1], keepdims=1)]
    model("load-open-flows.onnx", mean_nodes + [helper.make_node("Identity", ["mean"], ["load"])],
          dict(base, **{"fulcrum.version": "open-1"}), golden_in, means)
    model("load-sqrt-open-flows.onnx", mean_nodes + [helper.make_node("Sqrt", ["mean"], ["load"])],
          dict(base, **{"fulcrum.version": "sqrt-1"}), golden_in, np.sqrt(means))
    model("load-unknown-feature.onnx", mean_nodes + [helper.make_node("Identity", ["mean"], ["load"])],
          dict(base, **{"fulcrum.version": "bad-1", "fulcrum.featureNames": "n_open,cpu_usage"}), golden_in, means)
    model("load-flow-time.onnx", mean_nodes + [helper.make_node("Identity", ["mean"], ["load"])],
          dict(base, **{"fulcrum.version": "fct-1", "fulcrum.featureNames": "n_open,fct.ema_mean", "fulcrum.target": "seconds"}),
          golden_in, golden_in[:, :, 1].mean(axis=1).reshape(-1, 1), column=1)


if __name__ == "__main__":
    main()
