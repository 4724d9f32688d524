"""The `fineTune` job: epochs fromEpoch+1 .. toEpoch of a hub model on a dataset, one protocol
line per epoch (validation metric), then the test metric.

Exact resume: the data order of epoch e depends only on (seed, e), the head's initial
weights only on the seed, and a checkpoint holds the weights, the Adam state and the RNG
state, so on CPU a run resumed from epoch k repeats an undisturbed run bit for bit.
"""
import math
import os
import time

import torch
from torch import nn

import checkpoint
from data import load_split, minimized, num_outputs, read_manifest
from device import mix_seed, peak_memory_bytes, reset_peak_memory
from model import FineTuneNet, feature_size, input_permute, load_hub_net, to_input
from protocol import TrainerError, emit

LEARNING_RATE = 0.003
BATCH_SIZE = 32
EVAL_BATCH = 256


class Terminated(Exception):
    """SIGTERM arrived; the last checkpoint is complete."""


def evaluate(net, x, y, perm, device, regression):
    """Accuracy (classification) or RMSE (regression) of `net` on (x, y)."""
    net.eval()
    hits, sq = 0, 0.0
    with torch.no_grad():
        for start in range(0, len(y), EVAL_BATCH):
            out = net(to_input(x[start:start + EVAL_BATCH], perm).to(device)).cpu()
            target = torch.from_numpy(y[start:start + EVAL_BATCH])
            if regression:
                sq += float(((out[:, 0] - target) ** 2).sum())
            else:
                hits += int((out.argmax(1) == target).sum())
    return math.sqrt(sq / len(y)) if regression else hits / len(y)


def run(job, device, backend, stop):
    """Run the job; `stop()` is true once SIGTERM arrived (checked between batches)."""
    manifest = read_manifest(job["datasetDir"])
    regression = minimized(manifest)
    outputs = num_outputs(manifest)
    train_x, train_y = load_split(job["datasetDir"], manifest, "train")
    val_x, val_y = load_split(job["datasetDir"], manifest, "val")
    test = load_split(job["datasetDir"], manifest, "test") if manifest["splits"].get("test") else None
    card, hub = load_hub_net(job["modelDir"])
    perm = input_permute(card)
    seed = int(job["seed"])
    torch.manual_seed(mix_seed(seed, 0))
    net = FineTuneNet(hub, outputs, set(card.get("frozenLayers") or []), feature_size(hub, to_input(train_x[:1], perm)))
    net.to(device)
    opt = torch.optim.Adam([p for p in net.parameters() if p.requires_grad], lr=LEARNING_RATE, eps=1e-7)
    meta = lambda epoch: {"modelId": job["modelId"], "datasetId": job["datasetId"], "seed": seed, "outputs": outputs, "epoch": epoch}  # noqa: E731
    if job.get("resume"):
        state = checkpoint.load(job["resume"]["path"], meta(int(job["resume"]["epoch"])))
        net.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        torch.set_rng_state(state["rng"])
    loss_fn = nn.MSELoss() if regression else nn.CrossEntropyLoss()
    n = len(train_y)
    for epoch in range(int(job["fromEpoch"]) + 1, int(job["toEpoch"]) + 1):
        t0 = time.perf_counter()
        reset_peak_memory(device)
        net.train()
        order = torch.randperm(n, generator=torch.Generator().manual_seed(mix_seed(seed, epoch))).numpy()
        for start in range(0, n, BATCH_SIZE):
            if stop():
                raise Terminated()
            idx = order[start:start + BATCH_SIZE]
            xb = to_input(train_x[idx], perm).to(device)
            yb = torch.from_numpy(train_y[idx]).to(device)
            opt.zero_grad()
            out = net(xb)
            loss = loss_fn(out[:, 0], yb) if regression else loss_fn(out, yb)
            if not torch.isfinite(loss):
                raise TrainerError("TrainingDiverged", f"Loss became {float(loss)} in epoch {epoch} (batch at sample {start})")
            loss.backward()
            opt.step()
        metric = evaluate(net, val_x, val_y, perm, device, regression)
        path = os.path.join(job["checkpointDir"], f"epoch-{epoch}.pt")
        checkpoint.save(path, {"meta": meta(epoch), "model": {k: v.cpu() for k, v in net.state_dict().items()}, "optimizer": opt.state_dict(), "rng": torch.get_rng_state()})
        line = {"epoch": epoch, "metric": metric, "seconds": time.perf_counter() - t0, "checkpoint": path, "backend": backend}
        peak = peak_memory_bytes(device)
        if peak is not None:
            line["peakMemoryBytes"] = peak
        emit(line)
    if test is not None:
        emit({"test": evaluate(net, test[0], test[1], perm, device, regression), "backend": backend})


