"""Datasets as mselect writes them (hub/datasets.ts): `<dir>/dataset.json` plus one file per
split. This reader takes the CSV format (a header row, feature columns f0..f(d-1) and a
`label` column); `mselect hub build --format torch` writes its datasets that way. Arrow
IPC splits need pyarrow, which this trainer does not depend on: they fail with a clear
InvalidDataset naming the file.
"""
import json
import os

import numpy as np

from protocol import TrainerError


def read_manifest(dataset_dir):
    path = os.path.join(dataset_dir, "dataset.json")
    if not os.path.isdir(dataset_dir):
        raise TrainerError("DatasetNotFound", f"Dataset directory {dataset_dir} does not exist")
    try:
        with open(path, encoding="utf-8") as f:
            manifest = json.load(f)
    except FileNotFoundError:
        raise TrainerError("InvalidDataset", f"{path} is missing") from None
    except ValueError as e:
        raise TrainerError("InvalidDataset", f"{path} is not valid JSON: {e}") from None
    for key in ("featureShape", "splits", "format"):
        if key not in manifest:
            raise TrainerError("InvalidDataset", f"{path} has no `{key}`")
    return manifest


def minimized(manifest):
    """True when the dataset's metric is minimized (a regression target, e.g. RMSE)."""
    metric = manifest.get("metric")
    direction = metric.get("direction") if isinstance(metric, dict) else manifest.get("metricDirection")
    return manifest.get("task") == "regression" or direction in ("minimize", "min", "lower")


def num_outputs(manifest):
    """Units of the new head: one per class, or one for a regression target."""
    return 1 if minimized(manifest) else len(manifest.get("classes") or [])


def load_split(dataset_dir, manifest, split):
    """(x float32 [n, *featureShape], y) of one split; y is int64 class indices or float32 targets."""
    name = manifest["splits"].get(split)
    if name is None:
        raise TrainerError("InvalidDataset", f"{os.path.join(dataset_dir, 'dataset.json')} has no {split} split")
    path = os.path.join(dataset_dir, name)
    if manifest["format"] != "csv":
        raise TrainerError("InvalidDataset", f"{path}: the torch trainer reads CSV splits (dataset.json format \"csv\"), not {manifest['format']!r}; rebuild with `mselect hub build --format torch` or convert the dataset")
    if not os.path.isfile(path):
        raise TrainerError("InvalidDataset", f"{path} ({split} split) is missing")
    with open(path, encoding="utf-8") as f:
        header = f.readline().strip().split(",")
        if "label" not in header:
            raise TrainerError("InvalidDataset", f"{path}: header has no `label` column")
        try:
            table = np.loadtxt(f, delimiter=",", dtype=np.float64, ndmin=2)
        except ValueError as e:
            raise TrainerError("InvalidDataset", f"{path}: {e}") from None
    if table.shape[0] == 0:
        raise TrainerError("InvalidDataset", f"{path} is empty (0 rows)")
    if table.shape[1] != len(header):
        raise TrainerError("InvalidDataset", f"{path} has {table.shape[1]} fields per row, header has {len(header)}")
    at = header.index("label")
    labels = table[:, at]
    x = np.delete(table, at, axis=1).astype(np.float32)
    shape = [int(v) for v in manifest["featureShape"]]
    if x.shape[1] != int(np.prod(shape)):
        raise TrainerError("InvalidDataset", f"{path} has {x.shape[1]} feature columns but featureShape {shape} needs {int(np.prod(shape))}")
    if not np.all(np.isfinite(x)):
        row = int(np.argwhere(~np.isfinite(x))[0][0]) + 1
        raise TrainerError("InvalidDataset", f"{path} row {row}: a feature is not finite")
    if minimized(manifest):
        y = labels.astype(np.float32)
    else:
        classes = len(manifest.get("classes") or [])
        if np.any(labels != np.round(labels)) or np.any(labels < 0) or np.any(labels >= classes):
            raise TrainerError("InvalidDataset", f"{path}: labels must be integers in [0, {classes})")
        y = labels.astype(np.int64)
    return x.reshape([x.shape[0]] + shape), y
