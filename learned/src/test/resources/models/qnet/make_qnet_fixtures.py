"""Regenerates the q-network fixtures of learned's and the proxy's tests (run from anywhere):

    /usr/bin/python3 learned/src/test/resources/models/qnet/make_qnet_fixtures.py

Linear Q-functions over the q-state-v1 layout ([own | others | present], A slots each):
least-loaded prefers the child with the fewest flows (its own plus what the child reports from
other parents), most-loaded the opposite (for hot-swap tests); the broken ones are wrong in one way.
"""
import json
import os

import numpy as np
import onnx
from onnx import TensorProto, helper

HERE = os.path.dirname(os.path.abspath(__file__))
PROXY_FIXTURES = os.path.join(HERE, "..", "..", "..", "..", "..", "..", "proxy", "src", "test", "resources", "qnet")


def linear(actions, weight):
    """q_k = weight * (own_k + others_k), as a MatMul over the state."""
    w = np.zeros((3 * actions, actions), dtype=np.float32)
    for k in range(actions):
        w[k, k] = weight
        w[actions + k, k] = weight
    return w


def save(name, actions, w, metadata, nodes=None, extra_init=(), golden_state=None, golden_q=None, where=HERE):
    s = 3 * actions
    nodes = nodes or [helper.make_node("MatMul", ["state", "W"], ["q"])]
    graph = helper.make_graph(nodes, "qnet-fixture",
                              [helper.make_tensor_value_info("state", TensorProto.FLOAT, ["N", s])],
                              [helper.make_tensor_value_info("q", TensorProto.FLOAT, ["N", actions])],
                              [helper.make_tensor("W", TensorProto.FLOAT, list(w.shape), w.flatten().tolist())] + list(extra_init))
    proto = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)], ir_version=8)
    if golden_state is None:
        rng = np.random.default_rng(3)
        golden_state = rng.random((3, s), dtype=np.float32)
        golden_state[:, 2 * actions:] = 1.0
    if golden_q is None:
        golden_q = golden_state @ w
    meta = {"fulcrum.kind": "q-network", "fulcrum.schema": "1", "fulcrum.stateSchema": "q-state-v1",
            "fulcrum.stateSize": str(s), "fulcrum.actions": str(actions), "fulcrum.flowScale": "10",
            "fulcrum.goldenInput": json.dumps(np.asarray(golden_state, dtype=np.float32).tolist()),
            "fulcrum.goldenOutput": json.dumps(np.asarray(golden_q, dtype=np.float32).tolist())}
    meta.update(metadata)
    for key, value in meta.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value
    proto.producer_name = "make_qnet_fixtures"
    onnx.checker.check_model(proto)
    os.makedirs(where, exist_ok=True)
    onnx.save(proto, os.path.join(where, name))


def main():
    save("least-loaded.onnx", 4, linear(4, -5.0), {"fulcrum.version": "least-loaded"})
    save("most-loaded.onnx", 4, linear(4, 5.0), {"fulcrum.version": "most-loaded"})
    save("two-slots.onnx", 2, linear(2, -5.0), {"fulcrum.version": "two-slots"})
    save("wrong-state-schema.onnx", 4, linear(4, -5.0), {"fulcrum.version": "v0", "fulcrum.stateSchema": "q-state-v0"})
    save("no-flow-scale.onnx", 4, linear(4, -5.0), {"fulcrum.version": "noscale", "fulcrum.flowScale": "zero"})
    # q = sqrt(state @ W - 1): finite on the golden rows (every slot loaded), NaN for an idle child.
    w = linear(4, 1.0)
    golden = np.full((2, 12), 2.0, dtype=np.float32)
    golden[:, 8:] = 1.0
    save("nan-when-idle.onnx", 4, w, {"fulcrum.version": "nan-when-idle"},
         nodes=[helper.make_node("MatMul", ["state", "W"], ["load"]),
                helper.make_node("Sub", ["load", "one"], ["shifted"]),
                helper.make_node("Sqrt", ["shifted"], ["q"])],
         extra_init=[helper.make_tensor("one", TensorProto.FLOAT, [], [1.0])],
         golden_state=golden, golden_q=np.sqrt(golden @ w - 1.0))
    # The two-tier proxy test: two children, a strong preference for the less-loaded one.
    save("least-loaded-2.onnx", 2, linear(2, -2.0), {"fulcrum.version": "least-loaded-2"}, where=PROXY_FIXTURES)


if __name__ == "__main__":
    main()
