#!/usr/bin/env python3
"""Prototype of the residual variant (bench/QUALITY-NOTES.md, session 8), for benchmarks only (python3-torch):
  npx tsx bench/dump-prepared.ts fashion-mnist /tmp/x.f32
  /usr/bin/python3 bench/autoencoder_residual_torch.py --x /tmp/x.f32 --lr 0.002 --train-linear --lin-scale 0.3 \
      --out /tmp/latentmap-experiment-codes/fashion-mnist-10000-torch-res_42.f32
  npx tsx bench/autoencoder-experiments.ts --dataset fashion-mnist --spec '{"name":"judge","codesFrom":"torch-res"}'
  (add --separate-bias for a free input bias instead of the shared mean: session 9's comparison)
An autoencoder that starts as PCA. code = (x - mu) P + f(x), xhat = code P^T + mu + g(code);
f's and g's last layers start at zero, so training starts at PCA's reconstruction and can only add to it."""
import argparse, json, time
import numpy as np, torch
from torch import nn
p = argparse.ArgumentParser()
p.add_argument("--x", required=True); p.add_argument("--cols", type=int, default=784)
p.add_argument("--out", required=True); p.add_argument("--code", type=int, default=32)
p.add_argument("--layers", default="256,128"); p.add_argument("--epochs", type=int, default=40)
p.add_argument("--lr", type=float, default=0.001); p.add_argument("--batch", type=int, default=256)
p.add_argument("--mask", type=float, default=0.0); p.add_argument("--loss", default="mse")
p.add_argument("--train-linear", action="store_true"); p.add_argument("--seed", type=int, default=42)
p.add_argument("--no-skip", action="store_true"); p.add_argument("--branch-mask", type=float, default=0.0); p.add_argument("--lin-scale", type=float, default=1.0)
p.add_argument("--shift", type=int, default=0, help="images (28x28): the input shifted by up to this many pixels per axis, the target unshifted (denoising by translation)")
p.add_argument("--separate-bias", action="store_true", help="linear_in and linear_out each with its own bias, as the engine's residual variant")
a = p.parse_args()
torch.manual_seed(a.seed); torch.set_num_threads(1)
X = torch.from_numpy(np.fromfile(a.x, dtype=np.float32).reshape(-1, a.cols))
n = X.shape[0]
g = torch.Generator().manual_seed(a.seed)
perm = torch.randperm(n, generator=g)
nval = n // 10
val, tr = X[perm[:nval]], X[perm[nval:]]
mu = tr.mean(0)
U, S, V = torch.linalg.svd(tr - mu, full_matrices=False)
P = V[: a.code].T.contiguous()  # [D, C]
L = [int(s) for s in a.layers.split(",") if s]
def mlp(sizes):
    mods = []
    for i in range(len(sizes) - 1):
        lin = nn.Linear(sizes[i], sizes[i + 1]); nn.init.xavier_uniform_(lin.weight); nn.init.zeros_(lin.bias)
        mods.append(lin)
        if i < len(sizes) - 2: mods.append(nn.ReLU())
    if not a.no_skip:
        nn.init.zeros_(mods[-1].weight)
    return nn.Sequential(*mods)
enc = mlp([a.cols] + L + [a.code]); dec = mlp([a.code] + L[::-1] + [a.cols])
Pin = nn.Parameter(P.clone(), requires_grad=a.train_linear); Pout = nn.Parameter(P.T.clone(), requires_grad=a.train_linear)
mup = nn.Parameter(mu.clone(), requires_grad=a.train_linear)
bin_ = nn.Parameter(-(mu @ P), requires_grad=a.train_linear)
def encode(x, xn=None):
    c = enc(x if xn is None else xn)
    if a.no_skip: return c
    return c + (x @ Pin + bin_ if a.separate_bias else (x - mup) @ Pin)
def decode(c):
    y = dec(c)
    return y if a.no_skip else y + c @ Pout + mup
lin = [Pin, Pout, mup] + ([bin_] if a.separate_bias else [])
params = list(enc.parameters()) + list(dec.parameters()) + (lin if a.train_linear else [])
groups = [{"params": list(enc.parameters()) + list(dec.parameters())}]
if a.train_linear: groups.append({"params": lin, "lr": a.lr * a.lin_scale})
opt = torch.optim.Adam(groups, lr=a.lr, eps=1e-7)
def shifted(xb):
    """Each row of xb (28x28 images) moved by a random whole number of pixels in [-shift, shift] per axis, zeros
    shifted in."""
    side = int(round(a.cols ** 0.5)); img = xb.reshape(-1, side, side)
    out = torch.zeros_like(img); k = a.shift
    d = torch.randint(-k, k + 1, (xb.shape[0], 2), generator=g)
    for dy in range(-k, k + 1):
        for dx in range(-k, k + 1):
            m = (d[:, 0] == dy) & (d[:, 1] == dx)
            if not m.any(): continue
            src = img[m]
            ys, yd = (slice(0, side - dy), slice(dy, side)) if dy >= 0 else (slice(-dy, side), slice(0, side + dy))
            xs, xd = (slice(0, side - dx), slice(dx, side)) if dx >= 0 else (slice(-dx, side), slice(0, side + dx))
            blk = torch.zeros_like(src); blk[:, yd, xd] = src[:, ys, xs]; out[m] = blk
    return out.reshape(xb.shape)
def lossf(y, x):
    if a.loss == "bce": return nn.functional.binary_cross_entropy(y.clamp(1e-6, 1 - 1e-6), x)
    return ((y - x) ** 2).mean()
best, best_state, hist = float("inf"), None, []
with torch.no_grad(): print("start val mse", float(((decode(encode(val)) - val) ** 2).mean()))
for ep in range(a.epochs):
    pr = torch.randperm(tr.shape[0], generator=g)
    for s in range(0, tr.shape[0], a.batch):
        xb = tr[pr[s:s + a.batch]]
        xin = xb * (torch.rand(xb.shape, generator=g) >= a.mask).float() if a.mask > 0 else xb
        if a.shift > 0: xin = shifted(xin)
        xn = xb * (torch.rand(xb.shape, generator=g) >= a.branch_mask).float() if a.branch_mask > 0 else None
        opt.zero_grad(); l = lossf(decode(encode(xin, xn)), xb); l.backward(); opt.step()
    with torch.no_grad():
        vl = float(lossf(decode(encode(val)), val)); vm = float(((decode(encode(val)) - val) ** 2).mean())
    hist.append(round(vl, 6))
    if vl < best:
        best = vl; best_state = ([t.detach().clone() for t in params], [m.state_dict() for m in (enc, dec)])
        best_state = (None, [{k: v.clone() for k, v in enc.state_dict().items()}, {k: v.clone() for k, v in dec.state_dict().items()}])
    print(ep, vl, vm, flush=True)
enc.load_state_dict(best_state[1][0]); dec.load_state_dict(best_state[1][1])
with torch.no_grad():
    C = encode(X).numpy().astype(np.float32)
C.tofile(a.out)
json.dump({"rows": int(C.shape[0]), "cols": int(C.shape[1])}, open(a.out + ".json", "w"))
print("best", best)
