#!/usr/bin/env python3
"""A run trained here, opened in PyTorch; a model made in PyTorch, scored here. Checks both directions of
`disentangle export --to F.safetensors` / `disentangle import`, on PyTorch modules with disent's module names
(`AutoEncoder(EncoderConv64(z_multiplier=2), DecoderConv64)`, written out below from the layout in
../shared/reference/interop.md; disent's own code is not needed, but `--disent PATH` also checks its real classes).

  export: `export RUN --to F.safetensors`, then `load_state_dict(F, strict=True)` into the modules below; their
          means, log-variances and raw decodings of the same images vs `encode RUN --decode` (max abs difference).
  import: a model made in PyTorch (seeded torch init) is written as safetensors, `import`ed with RUN's config,
          `encode`d, and compared with PyTorch's own outputs; then `evaluate` scores the imported run.

Images: random floats in [0, 1] (N×H×W×C, written as .npz; PyTorch gets them as N×C×H×W). The safetensors files
are read and written by hand (struct + json + numpy: the `safetensors` package is not needed).

Usage: /usr/bin/python3 scripts/torch_interop.py RUN_DIR [--disent PATH] [--n 32] [--seed 0] [--tol 1e-4]
       [--metrics mig] [--backend auto]
RUN_DIR: a run folder of architecture conv64-disent with a Gaussian encoder (2z outputs) and a decoder.
Prints one line per check and, last, one JSON object of the max abs differences; exit 1 if one exceeds --tol.

Measured (a 3-step xysquares β-VAE run, z 6, 32 random images, Debian's torch 1.13 on CPU): export → these modules
and → disent's real classes (--disent): means 1.1e-8, logvars 1.1e-8, decoded 2.2e-8 on wasm (1.5e-8 on the
torch backend); PyTorch model → import → encode: means 1.3e-8, logvars 1.5e-8, decoded 1.5e-8.
"""
import argparse, json, os, struct, subprocess, sys, tempfile

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
CLI = os.path.join(HERE, "..", "bin", "disentangle.js")


# ---- disent's modules, by their names (layouts: PyTorch's own) ----------------------------------------------


class EncoderConv64(nn.Module):
    """Conv 4×4 s2 pad 2 (64 → 33 → 17 → 9 → 5), flatten 64·5·5 = 1600, dense 256, dense 2z (means, logvars)."""

    def __init__(self, channels, z):
        super().__init__()
        self.z = z
        self.model = nn.Sequential(
            nn.Conv2d(channels, 32, 4, 2, 2), nn.ReLU(),
            nn.Conv2d(32, 32, 4, 2, 2), nn.ReLU(),
            nn.Conv2d(32, 64, 4, 2, 2), nn.ReLU(),
            nn.Conv2d(64, 64, 4, 2, 2), nn.ReLU(),
            nn.Flatten(),
            nn.Linear(1600, 256), nn.ReLU(),
            nn.Linear(256, 2 * z),
        )  # fmt: skip

    def forward(self, x):
        return self.model(x).split(self.z, dim=-1)


class DecoderConv64(nn.Module):
    """Dense 256, dense 1024 unflattened to 64×4×4, transposed convs 4×4 s2 pad 1 (→ 64×64); raw output."""

    def __init__(self, channels, z):
        super().__init__()
        self.model = nn.Sequential(
            nn.Linear(z, 256), nn.ReLU(),
            nn.Linear(256, 1024), nn.ReLU(),
            nn.Unflatten(1, (64, 4, 4)),
            nn.ConvTranspose2d(64, 64, 4, 2, 1), nn.ReLU(),
            nn.ConvTranspose2d(64, 32, 4, 2, 1), nn.ReLU(),
            nn.ConvTranspose2d(32, 32, 4, 2, 1), nn.ReLU(),
            nn.ConvTranspose2d(32, channels, 4, 2, 1),
        )  # fmt: skip

    def forward(self, z):
        return self.model(z)


class AutoEncoder(nn.Module):
    def __init__(self, channels, z):
        super().__init__()
        self._encoder = EncoderConv64(channels, z)
        self._decoder = DecoderConv64(channels, z)


# ---- safetensors by hand -------------------------------------------------------------------------------------


def read_safetensors(path):
    with open(path, "rb") as f:
        raw = f.read()
    (n,) = struct.unpack("<Q", raw[:8])
    header = json.loads(raw[8 : 8 + n])
    meta = header.pop("__metadata__", {})
    data = raw[8 + n :]
    dtypes = {"F32": np.float32, "F64": np.float64, "F16": np.float16}
    out = {}
    for key, e in header.items():
        b, end = e["data_offsets"]
        arr = np.frombuffer(data[b:end], dtype=dtypes[e["dtype"]]).reshape(e["shape"])
        out[key] = torch.from_numpy(arr.astype(np.float32).copy())
    return out, meta


def write_safetensors(path, tensors, meta):
    header, blobs, off = {"__metadata__": meta}, [], 0
    for key, t in tensors.items():
        b = t.detach().cpu().contiguous().numpy().astype("<f4").tobytes()
        header[key] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


# ---- helpers -------------------------------------------------------------------------------------------------


def cli(args, backend):
    r = subprocess.run(["node", CLI, *args, "--backend", backend], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"disentangle {' '.join(args)} failed ({r.returncode}): {r.stderr.strip()}")
    return r.stdout


def outputs(model, x_nhwc):
    """means, logvars (N×z) and raw decodings of the means (N×H×W×C) of a model with our module names."""
    x = torch.from_numpy(x_nhwc).permute(0, 3, 1, 2).contiguous()
    with torch.no_grad():
        mu, logvar = model._encoder(x)
        dec = model._decoder(mu)
    return mu.numpy(), logvar.numpy(), dec.permute(0, 2, 3, 1).numpy()


def max_diffs(ours, theirs):
    return {k: float(np.max(np.abs(ours[k] - t))) for k, t in zip(("means", "logvars", "decoded"), theirs)}


def disent_model(path, channels, z, h, w):
    sys.path.insert(0, os.path.join(HERE, "compare_training"))  # the `lightning` stand-in disent imports
    sys.path.insert(1, os.path.abspath(path))
    from disent.model import AutoEncoder as DisentAE
    from disent.model.ae import DecoderConv64 as DisentDec, EncoderConv64 as DisentEnc

    shape = (channels, h, w)
    return DisentAE(DisentEnc(x_shape=shape, z_size=z, z_multiplier=2), DisentDec(x_shape=shape, z_size=z))


def disent_outputs(model, x_nhwc):
    x = torch.from_numpy(x_nhwc).permute(0, 3, 1, 2).contiguous()
    with torch.no_grad():
        mu, logvar = model.encode(x, chunk=True)
        dec = model.decode(mu)
    return mu.numpy(), logvar.numpy(), dec.permute(0, 2, 3, 1).numpy()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("run")
    ap.add_argument("--disent", help="a disent checkout (the folder holding the `disent` package)")
    ap.add_argument("--n", type=int, default=32)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--tol", type=float, default=1e-4)
    ap.add_argument("--metrics", default="mig")
    ap.add_argument("--backend", default="auto")
    a = ap.parse_args()
    torch.manual_seed(a.seed)
    torch.set_num_threads(1)
    cfg = json.load(open(os.path.join(a.run, "config.json")))
    if cfg["model"]["architecture"] != "conv64-disent":
        sys.exit(f"{a.run} is a {cfg['model']['architecture']} run: this script checks conv64-disent runs")
    z = cfg["model"]["z"]
    result = {}
    with tempfile.TemporaryDirectory() as tmp:
        p = lambda name: os.path.join(tmp, name)
        # the run's image shape, from one exported observation of its dataset
        ds = cfg["dataset"]
        sets = [x for k, v in ds.items() if k != "name" for x in ("--set", f"{k}={json.dumps(v) if not isinstance(v, str) else v}")]
        r = subprocess.run(["node", CLI, "data", "export", ds["name"], *sets, "--num", "1", "--out", p("one.npz")], capture_output=True, text=True)
        if r.returncode != 0:
            sys.exit(f"data export failed: {r.stderr.strip()}")
        _, h, w, c = np.load(p("one.npz"))["images"].shape
        x = np.random.default_rng(a.seed).random((a.n, h, w, c), dtype=np.float32)
        np.savez(p("images.npz"), images=x)

        # export: ours → PyTorch
        cli(["export", a.run, "--to", p("run.safetensors")], a.backend)
        cli(["encode", a.run, "--data", p("images.npz"), "--decode", "--out", p("codes.npz")], a.backend)
        ours = dict(np.load(p("codes.npz")))
        sd, meta = read_safetensors(p("run.safetensors"))
        assert json.loads(meta["config"])["model"]["z"] == z
        model = AutoEncoder(c, z)
        model.load_state_dict(sd, strict=True)
        result["export"] = max_diffs(ours, outputs(model, x))
        print(f"export → PyTorch modules (strict load), max abs diff: {result['export']}")
        if a.disent:
            dm = disent_model(a.disent, c, z, h, w)
            dm.load_state_dict(sd, strict=True)
            result["disent"] = max_diffs(ours, disent_outputs(dm, x))
            print(f"export → disent's AutoEncoder/EncoderConv64/DecoderConv64 (strict load), max abs diff: {result['disent']}")

        # import: PyTorch → ours
        made = AutoEncoder(c, z)  # PyTorch's default init, seeded above
        write_safetensors(p("made.safetensors"), made.state_dict(), {"source": "torch_interop.py"})
        cli(["import", p("made.safetensors"), "--config", os.path.join(a.run, "config.json"), "--out", p("imported")], a.backend)
        cli(["encode", p("imported"), "--data", p("images.npz"), "--decode", "--out", p("codes2.npz")], a.backend)
        result["import"] = max_diffs(dict(np.load(p("codes2.npz"))), outputs(made, x))
        print(f"PyTorch model → import → encode, max abs diff: {result['import']}")
        out = cli(["evaluate", p("imported"), "--metrics", a.metrics, "--num-train", "200", "--num-test", "100", "--json"], a.backend)
        result["evaluate"] = json.loads(out.strip().splitlines()[-1])
        print(f"evaluate on the imported run: {result['evaluate']}")

    worst = max(v for k in ("export", "disent", "import") if k in result for v in result[k].values())
    result["worst"] = worst
    result["tol"] = a.tol
    print(json.dumps(result))
    sys.exit(0 if worst <= a.tol else 1)


if __name__ == "__main__":
    main()
