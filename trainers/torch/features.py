"""The `features` job: one forward pass of a hub model over chosen rows of a dataset split,
writing the penultimate features and the source-class probabilities to a features file
that mselect's proxy scores (LEEP, LogME, NCE, PARC, H-score) read.

Features file (all little-endian): 8 bytes magic `MSFEAT01`, uint32 header length, a JSON
header `{"rows": n, "featureSize": f, "classes": c}` padded with spaces to a multiple of 4
bytes, then float32 features [n, f] row-major, then float32 probabilities [n, c].
"""
import json
import os
import struct

import numpy as np
import torch

from data import load_split, read_manifest
from model import input_permute, load_hub_net, to_input
from protocol import TrainerError, emit

MAGIC = b"MSFEAT01"
BATCH = 256


def write_features(path, features, probs):
    header = json.dumps({"rows": int(features.shape[0]), "featureSize": int(features.shape[1]), "classes": int(probs.shape[1])}).encode()
    header += b" " * ((4 - len(header) % 4) % 4)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        f.write(MAGIC + struct.pack("<I", len(header)) + header)
        f.write(np.ascontiguousarray(features, dtype="<f4").tobytes())
        f.write(np.ascontiguousarray(probs, dtype="<f4").tobytes())
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def read_features(path):
    """(features, probs) of a features file; the reference reader for tests and scripts."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != MAGIC:
        raise ValueError(f"{path}: bad magic")
    (length,) = struct.unpack("<I", data[8:12])
    header = json.loads(data[12:12 + length])
    n, d, c = header["rows"], header["featureSize"], header["classes"]
    body = np.frombuffer(data, dtype="<f4", offset=12 + length)
    return body[: n * d].reshape(n, d), body[n * d: n * d + n * c].reshape(n, c)


def run(job, device, backend, stop):
    manifest = read_manifest(job["datasetDir"])
    x, _ = load_split(job["datasetDir"], manifest, job.get("split", "train"))
    rows = np.asarray(job["rows"], dtype=np.int64)
    if rows.size == 0 or rows.min() < 0 or rows.max() >= len(x):
        raise TrainerError("InvalidInput", f"features job rows must lie in [0, {len(x)})")
    card, hub = load_hub_net(job["modelDir"])
    perm = input_permute(card)
    hub.to(device).eval()
    feats, probs = [], []
    with torch.no_grad():
        for start in range(0, len(rows), BATCH):
            if stop():
                raise TrainerError("TrainerFailed", "features job terminated")
            xb = to_input(x[rows[start:start + BATCH]], perm).to(device)
            f = hub.features(xb)
            feats.append(f.cpu().numpy())
            out = hub.source_head(f)
            probs.append((out if hub.softmax_output else torch.softmax(out, dim=1)).cpu().numpy())
    features, probabilities = np.concatenate(feats), np.concatenate(probs)
    if features.ndim != 2:
        raise TrainerError("InvalidModel", f"{job['modelDir']}: the feature layer must output [batch, width], got {list(features.shape)}")
    write_features(job["out"], features, probabilities)
    emit({"features": job["out"], "rows": int(features.shape[0]), "featureSize": int(features.shape[1]), "classes": int(probabilities.shape[1]), "backend": backend})
