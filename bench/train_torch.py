#!/usr/bin/env python3
"""PyTorch peer of bench/train.ts: the same mirrored autoencoder (Glorot-uniform weights, zero biases, ReLU,
linear code, sigmoid output through BCEWithLogitsLoss, Adam) on the same rows and split, CPU, 2 threads.
Prints one JSON line: {"samplesPerSecond": ..., "stepsPerSecond": ..., "valLoss": ..., "epochs": ..., "torch": ...}
(samplesPerSecond over the whole loop with per-epoch validation, stepsPerSecond over the training steps alone)."""
import argparse
import json
import time

import numpy as np
import torch
from torch import nn

p = argparse.ArgumentParser()
p.add_argument("--train", required=True)
p.add_argument("--val", required=True)
p.add_argument("--cols", type=int, required=True)
p.add_argument("--layers", default="256,128")
p.add_argument("--code-size", type=int, default=32)
p.add_argument("--epochs", type=int, default=3)
p.add_argument("--batch-size", type=int, default=256)
p.add_argument("--learning-rate", type=float, default=0.001)
p.add_argument("--seed", type=int, default=42)
p.add_argument("--threads", type=int, default=2)
a = p.parse_args()

torch.manual_seed(a.seed)
torch.set_num_threads(a.threads)
train = torch.from_numpy(np.fromfile(a.train, dtype=np.float32).reshape(-1, a.cols))
val = torch.from_numpy(np.fromfile(a.val, dtype=np.float32).reshape(-1, a.cols))
layers = [int(s) for s in a.layers.split(",") if s]
sizes = [a.cols] + layers + [a.code_size] + layers[::-1] + [a.cols]
mods = []
for i in range(len(sizes) - 1):
    lin = nn.Linear(sizes[i], sizes[i + 1])
    nn.init.xavier_uniform_(lin.weight)
    nn.init.zeros_(lin.bias)
    mods.append(lin)
    last = i == len(sizes) - 2
    code = sizes[i + 1] == a.code_size and i == len(layers)
    if not last and not code:
        mods.append(nn.ReLU())
model = nn.Sequential(*mods)
opt = torch.optim.Adam(model.parameters(), lr=a.learning_rate, eps=1e-7)
lossf = nn.BCEWithLogitsLoss()
g = torch.Generator().manual_seed(a.seed)
n = train.shape[0]
t0 = time.perf_counter()
step_seconds = 0.0
val_loss = float("nan")
for epoch in range(a.epochs):
    perm = torch.randperm(n, generator=g)
    model.train()
    for s in range(0, n, a.batch_size):
        ts = time.perf_counter()
        xb = train[perm[s : s + a.batch_size]]
        opt.zero_grad(set_to_none=True)
        loss = lossf(model(xb), xb)
        loss.backward()
        opt.step()
        step_seconds += time.perf_counter() - ts
    model.eval()
    with torch.no_grad():
        val_loss = float(lossf(model(val), val))
seconds = time.perf_counter() - t0
print(json.dumps({"samplesPerSecond": n * a.epochs / seconds, "stepsPerSecond": n * a.epochs / step_seconds, "valLoss": val_loss, "epochs": a.epochs, "torch": torch.__version__}))
