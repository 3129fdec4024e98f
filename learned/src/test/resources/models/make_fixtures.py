"""Regenerates the small ONNX fixtures of learned's tests (run from anywhere):

    /usr/bin/python3 learned/src/test/resources/models/make_fixtures.py

Valid models of each kind, and broken ones, each wrong in exactly one way.
"""
import json
import os
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "..", "..", "training"))

from fulcrum_training import export, train_hash  # noqa: E402


def save(proto, name, metadata):
    export.set_metadata(proto, metadata)
    proto.producer_name = "make_fixtures"
    onnx.checker.check_model(proto)
    onnx.save(proto, os.path.join(HERE, name))


def graph_model(nodes, inputs, outputs, initializers=()):
    graph = helper.make_graph(nodes, "fixture", inputs, outputs, list(initializers))
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)


def golden(metadata, array_in, array_out):
    metadata["fulcrum.goldenInput"] = json.dumps(np.asarray(array_in, dtype=np.float32).tolist())
    metadata["fulcrum.goldenOutput"] = json.dumps(np.asarray(array_out, dtype=np.float32).tolist())
    return metadata


def learned_hash(name, keys, version, seed):
    model, low, high, _ = train_hash.train(keys, np.ones(len(keys)), (1, 2), steps=150, seed=seed)
    export.export_learned_hash(model, os.path.join(HERE, name), "number", low, high, version, check_rows=256, seed=seed)
    return onnx.load(os.path.join(HERE, name))


def main():
    rng = np.random.default_rng(7)
    good = learned_hash("learned-hash.onnx", np.exp(rng.standard_normal(20000)), "v1", 1)
    learned_hash("learned-hash-v2.onnx", 0.5 + 0.1 * rng.standard_normal(20000), "v2", 2)
    metadata = {p.key: p.value for p in good.metadata_props}
    g_in = export.golden_input()

    # A valid learned-hash graph far smaller than a trained one (position = key clipped below 1),
    # for the fixtures whose metadata is wrong.
    def identity():
        return graph_model([helper.make_node("Clip", ["key", "low", "high"], ["position"])],
                           [helper.make_tensor_value_info("key", TensorProto.FLOAT, ["N", 1])],
                           [helper.make_tensor_value_info("position", TensorProto.FLOAT, ["N", 1])],
                           [helper.make_tensor("low", TensorProto.FLOAT, [], [0.0]),
                            helper.make_tensor("high", TensorProto.FLOAT, [], [0.99])])
    ok = golden(dict(metadata), g_in, np.clip(g_in, 0.0, 0.99))
    save(identity(), "identity-hash.onnx", dict(ok, **{"fulcrum.version": "identity"}))
    save(identity(), "wrong-kind.onnx", dict(ok, **{"fulcrum.kind": "load-estimator"}))
    save(identity(), "wrong-schema.onnx", dict(ok, **{"fulcrum.schema": "99"}))
    no_kind = dict(ok)
    del no_kind["fulcrum.kind"]
    save(identity(), "no-kind.onnx", no_kind)
    save(identity(), "wrong-golden.onnx", dict(ok, **{"fulcrum.goldenOutput": json.dumps([[0.5]] * export.GOLDEN_ROWS)}))
    # key renamed: position = Identity(x)
    save(graph_model([helper.make_node("Identity", ["x"], ["position"])],
                     [helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 1])],
                     [helper.make_tensor_value_info("position", TensorProto.FLOAT, ["N", 1])]),
         "wrong-names.onnx", golden(dict(metadata), g_in, g_in))
    # key [N, 2]: position = mean over the row
    save(graph_model([helper.make_node("ReduceMean", ["key"], ["position"], axes=[1], keepdims=1)],
                     [helper.make_tensor_value_info("key", TensorProto.FLOAT, ["N", 2])],
                     [helper.make_tensor_value_info("position", TensorProto.FLOAT, ["N", 1])]),
         "wrong-shape.onnx", golden(dict(metadata), np.repeat(g_in, 2, axis=1), g_in))
    # position = (key - key) / (key - key): NaN for every key
    save(graph_model([helper.make_node("Sub", ["key", "key"], ["zero"]),
                      helper.make_node("Div", ["zero", "zero"], ["position"])],
                     [helper.make_tensor_value_info("key", TensorProto.FLOAT, ["N", 1])],
                     [helper.make_tensor_value_info("position", TensorProto.FLOAT, ["N", 1])]),
         "nan.onnx", golden(dict(metadata), g_in, g_in))
    with open(os.path.join(HERE, "not-onnx.onnx"), "w") as handle:
        handle.write("this is a text file, not an ONNX model\n")

    # load-estimator: load = mean of the window's features, [N, T=4, F=3] -> [N, 1]
    features = rng.random((2, 4, 3), dtype=np.float32)
    save(graph_model([helper.make_node("ReduceMean", ["features"], ["mean"], axes=[1, 2], keepdims=0),
                      helper.make_node("Unsqueeze", ["mean", "axis"], ["load"])],
                     [helper.make_tensor_value_info("features", TensorProto.FLOAT, ["N", 4, 3])],
                     [helper.make_tensor_value_info("load", TensorProto.FLOAT, ["N", 1])],
                     [helper.make_tensor("axis", TensorProto.INT64, [1], [1])]),
         "load-estimator.onnx",
         golden({"fulcrum.kind": "load-estimator", "fulcrum.schema": "1", "fulcrum.version": "le1",
                 "fulcrum.windowTicks": "4", "fulcrum.features": "3"},
                features, features.mean(axis=(1, 2)).reshape(2, 1)))
    # q-network: q = state @ W, [N, S=5] -> [N, A=4]
    weights = rng.random((5, 4), dtype=np.float32)
    state = rng.random((3, 5), dtype=np.float32)
    save(graph_model([helper.make_node("MatMul", ["state", "W"], ["q"])],
                     [helper.make_tensor_value_info("state", TensorProto.FLOAT, ["N", 5])],
                     [helper.make_tensor_value_info("q", TensorProto.FLOAT, ["N", 4])],
                     [helper.make_tensor("W", TensorProto.FLOAT, [5, 4], weights.flatten().tolist())]),
         "q-network.onnx",
         golden({"fulcrum.kind": "q-network", "fulcrum.schema": "1", "fulcrum.version": "q1",
                 "fulcrum.stateSize": "5", "fulcrum.actions": "4"}, state, state @ weights))


if __name__ == "__main__":
    main()
