#!/usr/bin/env python3
"""Reference timing: one Adam step of the standard conv beta-VAE in PyTorch.

Needs Debian's PyTorch:  apt-get install -y python3-torch libopenblas0-pthread
Usage: torch_vae_step.py [--batch 64] [--z 10] [--channels 1] [--threads 1] [--steps 20] [--precision fp32|bf16]
Prints one JSON line: {"impl": "pytorch", "ms_per_step": median, ...}.

A copy of ../shared/bench/torch_vae_step.py (read-only there) with --precision: bf16 runs the forward pass and
the loss under PyTorch's own CPU autocast (torch.autocast("cpu", dtype=torch.bfloat16): convolutions and
linear layers in bfloat16, weights, gradients and Adam in float32), the reference for disentangle's
--precision bf16.
"""
import argparse, json, statistics, time

import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("--batch", type=int, default=64)
p.add_argument("--z", type=int, default=10)
p.add_argument("--channels", type=int, default=1)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--steps", type=int, default=20)
p.add_argument("--warmup", type=int, default=3)
p.add_argument("--precision", choices=["fp32", "bf16"], default="fp32")
a = p.parse_args()
torch.set_num_threads(a.threads)
torch.manual_seed(0)

C, Z, B = a.channels, a.z, a.batch
conv = lambda i, o: nn.Conv2d(i, o, 4, 2, 1)
deconv = lambda i, o: nn.ConvTranspose2d(i, o, 4, 2, 1)
enc = nn.Sequential(conv(C, 32), nn.ReLU(), conv(32, 32), nn.ReLU(), conv(32, 64), nn.ReLU(),
                    conv(64, 64), nn.ReLU(), nn.Flatten(), nn.Linear(1024, 256), nn.ReLU(), nn.Linear(256, 2 * Z))
dec = nn.Sequential(nn.Linear(Z, 256), nn.ReLU(), nn.Linear(256, 1024), nn.ReLU(), nn.Unflatten(1, (64, 4, 4)),
                    deconv(64, 64), nn.ReLU(), deconv(64, 32), nn.ReLU(), deconv(32, 32), nn.ReLU(), deconv(32, C))
opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), 1e-4)
x = (torch.rand(B, C, 64, 64) > 0.5).float()


def step():
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=a.precision == "bf16"):
        h = enc(x)
        mu, lv = h[:, :Z].float(), h[:, Z:].float()
        z = mu + torch.randn_like(mu) * (0.5 * lv).exp()
        logits = dec(z).float()
    rec = F.binary_cross_entropy_with_logits(logits, x, reduction="sum") / B
    kl = 0.5 * (lv.exp() + mu ** 2 - 1 - lv).sum() / B
    loss = rec + 4.0 * kl
    opt.zero_grad()
    loss.backward()
    opt.step()
    return loss.item()


for _ in range(a.warmup):
    step()
times = []
for _ in range(a.steps):
    t = time.perf_counter()
    step()
    times.append((time.perf_counter() - t) * 1000)
print(json.dumps({"impl": "pytorch", "version": torch.__version__, "precision": a.precision, "threads": a.threads, "batch": B,
                  "z": Z, "channels": C, "ms_per_step": round(statistics.median(times), 2),
                  "min_ms": round(min(times), 2), "max_ms": round(max(times), 2)}))
