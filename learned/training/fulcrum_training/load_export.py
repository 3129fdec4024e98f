"""ONNX export of a load estimator with Fulcrum's contract (ARCHITECTURE.md, "Models"; ModelKind.LOAD_ESTIMATOR).

Input ``features`` float32 [N, T, F] (raw feature values, NaN allowed), output ``load`` float32
[N, 1]. Metadata: ``fulcrum.kind`` load-estimator, ``fulcrum.schema``, ``fulcrum.windowTicks`` (T),
``fulcrum.features`` (F), ``fulcrum.featureNames`` (the F schema columns, comma-separated, in input
order: the proxy builds the input from them), ``fulcrum.target`` (what the output measures),
``fulcrum.model`` (dense, rnn, lstm, gru), the version, and a golden input with PyTorch's output.
``<model>.check.json`` beside it holds more windows and PyTorch's outputs, for the Java test that
compares ONNX Runtime with PyTorch.
"""
import json
import os

import numpy as np
import onnx
import torch

from .export import OPSET, SCHEMA, set_metadata

GOLDEN_ROWS = 3


def finite(x, module):
    """JSON has no NaN: the golden and check windows get the training mean where a value is missing."""
    mean = module.mean.numpy()
    return np.where(np.isnan(x), mean, x).astype(np.float32)


def export_load_estimator(module, path, kind, feature_names, target, version, sample, extra=None):
    module.eval()
    window, features = sample.shape[1], sample.shape[2]
    if features != len(feature_names):
        raise ValueError("feature names: %d (expected: %d, the input's width)" % (len(feature_names), features))
    tmp = path + ".tmp"
    dummy = torch.zeros(2, window, features)
    torch.onnx.export(module, dummy, tmp, input_names=["features"], output_names=["load"],
                      dynamic_axes={"features": {0: "N"}, "load": {0: "N"}}, opset_version=OPSET)
    golden = finite(sample[:GOLDEN_ROWS], module)
    with torch.no_grad():
        golden_out = module(torch.from_numpy(golden)).numpy()
    proto = onnx.load(tmp)
    metadata = {
        "fulcrum.kind": "load-estimator",
        "fulcrum.schema": SCHEMA,
        "fulcrum.version": str(version),
        "fulcrum.windowTicks": str(window),
        "fulcrum.features": str(features),
        "fulcrum.featureNames": ",".join(feature_names),
        "fulcrum.target": target,
        "fulcrum.model": kind,
        "fulcrum.goldenInput": json.dumps(golden.tolist()),
        "fulcrum.goldenOutput": json.dumps(golden_out.tolist()),
    }
    metadata.update(extra or {})
    set_metadata(proto, metadata)
    proto.producer_name = "fulcrum_training"
    onnx.checker.check_model(proto)
    onnx.save(proto, tmp)
    os.replace(tmp, path)  # atomic: a watching proxy never sees half a file
    check = finite(sample, module)
    with torch.no_grad():
        out = module(torch.from_numpy(check)).numpy()
    with open(path + ".check.json", "w") as handle:
        json.dump({"input": check.tolist(), "output": out.tolist()}, handle)
    return metadata
