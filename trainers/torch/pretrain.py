"""The `pretrain` job (used by `mselect hub build --format torch`): build the nn.Sequential of
`architecture`, train every layer with cross-entropy on a dataset's train split, measure
accuracy on its val split (the held-out source images) and save the state_dict. Seeded
initialisation and data order: a rebuild gives identical weights."""
import os
import time

import torch
from torch import nn

import checkpoint
from data import load_split, read_manifest
from device import mix_seed
from model import build_sequential, to_input
from protocol import emit


def run(job, device, backend, stop):
    manifest = read_manifest(job["datasetDir"])
    train_x, train_y = load_split(job["datasetDir"], manifest, "train")
    hold_x, hold_y = load_split(job["datasetDir"], manifest, "val")
    seed = int(job["seed"])
    perm = job.get("inputPermute")
    torch.manual_seed(mix_seed(seed, 0))
    net = build_sequential(job["architecture"]["layers"], "pretrain job").to(device)
    opt = torch.optim.Adam(net.parameters(), lr=float(job["learningRate"]), eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    batch, n = int(job["batchSize"]), len(train_y)
    t0 = time.perf_counter()
    for epoch in range(1, int(job["epochs"]) + 1):
        net.train()
        order = torch.randperm(n, generator=torch.Generator().manual_seed(mix_seed(seed, epoch))).numpy()
        for start in range(0, n, batch):
            idx = order[start:start + batch]
            opt.zero_grad()
            loss = loss_fn(net(to_input(train_x[idx], perm).to(device)), torch.from_numpy(train_y[idx]).to(device))
            loss.backward()
            opt.step()
    net.eval()
    with torch.no_grad():
        hits = int((net(to_input(hold_x, perm).to(device)).argmax(1).cpu() == torch.from_numpy(hold_y)).sum())
    path = os.path.join(job["outDir"], "weights.pt")
    checkpoint.save(path, {k: v.cpu() for k, v in net.state_dict().items()})
    emit({"pretrained": path, "sourceAccuracy": hits / len(hold_y), "seconds": time.perf_counter() - t0, "backend": backend})
