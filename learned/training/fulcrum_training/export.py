"""ONNX export with Fulcrum's model contract (ARCHITECTURE.md, "Models"), and the check file.

The graph has input ``key`` float32 [N, 1] and output ``position`` float32 [N, 1]; metadata
``fulcrum.kind``, ``fulcrum.schema``, the key encoding and range, the version, and a golden input
with PyTorch's output for it (the proxy refuses the model when ONNX Runtime answers otherwise).
Beside the model, ``<model>.check.json`` holds more inputs and PyTorch's outputs for the Java test
that compares ONNX Runtime with PyTorch (Debian ships no onnxruntime for Python).
"""
import json
import os

import numpy as np
import onnx
import torch

OPSET = 17
SCHEMA = "1"
GOLDEN_ROWS = 9


def golden_input():
    return np.linspace(0.0, 1.0, GOLDEN_ROWS, dtype=np.float32).reshape(-1, 1)


def export_learned_hash(model, path, encoding, key_min, key_max, version, extra=None, check_rows=512, seed=0):
    model.eval()
    tmp = path + ".tmp"
    dummy = torch.zeros(4, 1)
    torch.onnx.export(model, dummy, tmp, input_names=["key"], output_names=["position"],
                      dynamic_axes={"key": {0: "N"}, "position": {0: "N"}}, opset_version=OPSET)
    golden = golden_input()
    with torch.no_grad():
        golden_out = model(torch.from_numpy(golden)).numpy()
    proto = onnx.load(tmp)
    metadata = {
        "fulcrum.kind": "learned-hash",
        "fulcrum.schema": SCHEMA,
        "fulcrum.version": str(version),
        "fulcrum.keyEncoding": encoding,
        "fulcrum.keyMin": repr(float(key_min)),
        "fulcrum.keyMax": repr(float(key_max)),
        "fulcrum.layers": ",".join(str(c) for c in model.layer_sizes),
        "fulcrum.goldenInput": json.dumps(golden.tolist()),
        "fulcrum.goldenOutput": json.dumps(golden_out.tolist()),
    }
    metadata.update(extra or {})
    set_metadata(proto, metadata)
    proto.producer_name = "fulcrum_training"
    onnx.checker.check_model(proto)
    onnx.save(proto, tmp)
    os.replace(tmp, path)  # atomic: a watching proxy never sees half a file
    write_check(model, path, check_rows, seed)
    return metadata


def set_metadata(proto, metadata):
    del proto.metadata_props[:]
    for key, value in metadata.items():
        entry = proto.metadata_props.add()
        entry.key, entry.value = key, value


def write_check(model, path, rows, seed):
    rng = np.random.default_rng(seed + 7)
    inputs = rng.random((rows, 1), dtype=np.float32)
    with torch.no_grad():
        outputs = model(torch.from_numpy(inputs)).numpy()
    with open(path + ".check.json", "w") as handle:
        json.dump({"input": inputs.tolist(), "output": outputs.tolist()}, handle)
