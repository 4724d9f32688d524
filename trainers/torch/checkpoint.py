"""Durable fine-tune checkpoints: weights, optimizer state, RNG state and the epoch, written
atomically (temp file, fsync, rename, fsync of the directory) so a process killed mid-write
leaves the previous checkpoint intact."""
import os

import torch

from protocol import TrainerError


def save(path, payload):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = f"{path}.tmp-{os.getpid()}"
    with open(tmp, "wb") as f:
        torch.save(payload, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)
    fd = os.open(os.path.dirname(path), os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def load(path, expect):
    """The checkpoint at `path`; its meta must equal `expect` (model, dataset, seed, outputs, epoch)."""
    if not os.path.isfile(path):
        raise TrainerError("InvalidInput", f"Checkpoint {path} not found")
    try:
        payload = torch.load(path, map_location="cpu")
    except Exception as e:  # noqa: BLE001
        raise TrainerError("InvalidInput", f"Checkpoint {path} is unreadable: {e}") from None
    meta = payload.get("meta") if isinstance(payload, dict) else None
    if meta != expect:
        raise TrainerError("InvalidInput", f"Checkpoint {path} holds {meta}, expected {expect}")
    return payload
