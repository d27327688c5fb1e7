#!/usr/bin/env python3
"""Train disent's own β-VAE and Ada-GVAE and ours on identical settings, over several seeds, and compare what
comes out: MIG, DCI disentanglement, active latents (mean KL > 0.01 nats over the test sample), the KL sum, the
final training loss (mean of the last 50 steps) and the escape step (when the 10-step mean loss first fell below
--escape-loss: the run left the plateau where the decoder draws the mean image and the KL is ~0; '-' = never;
its mean ± std is over the runs that escaped). Both sides' models are scored by OUR metrics (`disentangle
metrics`) on their encoder means, so that only training differs.

disent side: a disent checkout (`--disent PATH`, the folder holding the `disent` package), Debian's
python3-torch (run with /usr/bin/python3 where another python shadows it), numpy. disent imports `lightning`
only for its trainer, which is not used here: `scripts/compare_training/lightning` is a stand-in (a torch Module
whose logging does nothing), put first on sys.path. The loop is disent's framework (`do_training_step`) with
disent's EncoderConv64/DecoderConv64, `init_model_weights`, torch.optim.Adam, and its weak-pair sampler
(`_sample_k_differing`, disentanglement_lib's); the observations are XYSquares rendered here in numpy (checked
against `disentangle data export` before training), given to disent in [0, 1] without normalisation, as ours.
Batches are drawn uniformly with replacement (disent's DataLoader shuffles without replacement: the same at
these run lengths, which are far below one epoch).

our side: `node bin/disentangle.js train` with a config written here (architecture conv64-disent, model.init,
optimizer.epsilon, train.pairSampling, thresholdMode, loss mse, lossReduction mean), then `evaluate` (MIG, DCI)
and `diagnose` (active latents, KL).

Usage: /usr/bin/python3 scripts/compare_training.py --disent PATH [--frameworks betavae,adagvae] [--seeds 0,1,2]
       [--steps 1000] [--batch-size 64] [--beta 0.001] [--z 9] [--lr 1e-3] [--epsilon 1e-8]
       [--init xavier-normal] [--pair-sampling resample] [--threshold-mode symmetric-kl]
       [--grid-spacing 1] [--grid-size 8] [--n-train 10000] [--n-test 5000] [--backend auto] [--json]
Prints a table (mean ± std and per seed) per framework and side; with --json, also one JSON object (last line).

Measured (2 shared CPU cores, one thread per side; the defaults: XYSquares spacing 1 / gridSize 8, MSE, mean
reduction, β 0.001, z 9, lr 1e-3, ε 1e-8, batch 64, xavier-normal, resampled pairs, symmetric KL; 500 steps):
  Ada-GVAE, seeds 0-2   disent  MIG 0.048 ± 0.013  DCI 0.111 ± 0.010  KL 2.84 ± 0.08   loss 0.0075
                        ours    MIG 0.039 ± 0.024  DCI 0.083 ± 0.044  KL 1.87 ± 1.62   loss 0.0079
     ours' seed 2 had not yet left the mean-image plateau at step 500 (KL 0.0006; its seeds 0 and 1 left it at
     steps ~400 and ~250); without it ours is MIG 0.050/0.055, DCI 0.114/0.102, KL 2.79/2.82 against disent's
     MIG 0.036-0.062, DCI 0.105-0.123, KL 2.78-2.93.
  β-VAE, seeds 0-4      disent  MIG 0.038 ± 0.019  DCI 0.071 ± 0.032  KL 2.84 ± 0.16   loss 0.0075
                        ours    MIG 0.019 ± 0.010  DCI 0.040 ± 0.006  KL 2.71 ± 0.23   loss 0.0075
     per seed disent MIG 0.047 0.056 0.052 0.020 0.015, ours 0.016 0.003 0.027 0.023 0.028; both leave the
     plateau at the same time (seed 0: step 270 on both sides; seeds 3, 4: 310/210 disent, 450/230 ours).
     disent's seeds 0-2 scored high and 3-4 as ours: with 5 seeds the ranges overlap, and the gap in the means
     (about 2 standard errors) is not resolved at this scale. Checked: both scoring paths give the same numbers
     on the same model (`evaluate` 0.0164 vs `metrics` on exported codes 0.0164), the padded conv's gradients
     match finite differences on the cpu, wasm and torch backends, and the losses, inits and optimiser agree.
  Wall time: 52 min for the 12 runs at 500 steps (disent 2.7-9 min per run, ours 1-2.2 min, on a loaded machine).
Everything runs with one thread (OMP_NUM_THREADS=1, torch.set_num_threads(1), our --threads 1), one run at a
time. Wall time: about 2–4 CPU-minutes per run of 1,000 steps at batch 64 (Ada-GVAE encodes 2×64 per step).
"""
import argparse, json, os, subprocess, sys, tempfile, time, warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.join(HERE, "..")
CLI = os.path.join(ROOT, "bin", "disentangle.js")
ACTIVE_KL = 0.01  # nats, as `disentangle diagnose`


def escape_step(losses, level):
    """The first step (a multiple of 10) at which the mean loss of the 10 steps up to it is below `level`: when
    the run left the plateau where the decoder draws the mean image and the KL is ~0 (None: it had not)."""
    for end in range(10, len(losses) + 1, 10):
        if np.mean(losses[end - 10:end]) < level:
            return end
    return None
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


# ---------------------------------------------------------------- data: XYSquares (datasets.md's placement rule)

def xy_layout(image, size, spacing, grid):
    fit = (image - size) // spacing + 1
    n = fit if grid is None else min(grid, fit)
    return n, (image - (size + (n - 1) * spacing)) // 2


def render(factors, a, image=64, size=8):
    """factors N×6 (x_R, y_R, x_G, y_G, x_B, y_B) → float32 N×3×H×W in [0, 1] (square i in channel i)."""
    _, off = xy_layout(image, size, a.grid_spacing, a.grid_size)
    ar = np.arange(image)
    out = np.zeros((len(factors), 3, image, image), np.float32)
    for i in range(3):
        x0 = off + factors[:, 2 * i] * a.grid_spacing
        y0 = off + factors[:, 2 * i + 1] * a.grid_spacing
        in_x = (ar[None, :] >= x0[:, None]) & (ar[None, :] < x0[:, None] + size)
        in_y = (ar[None, :] >= y0[:, None]) & (ar[None, :] < y0[:, None] + size)
        out[:, i] = in_y[:, :, None] & in_x[:, None, :]
    return out


def dataset_params(a):
    p = {"name": "xysquares", "gridSpacing": a.grid_spacing}
    if a.grid_size is not None:
        p["gridSize"] = a.grid_size
    return p


def check_rendering(a, tmp):
    """Our exported observations equal this script's rendering of their factors (else the comparison is void)."""
    out = os.path.join(tmp, "check.npz")
    sets = [x for k, v in dataset_params(a).items() if k != "name" for x in ("--set", f"{k}={v}")]
    run(["node", CLI, "data", "export", "xysquares", *sets, "--num", "64", "--seed", "1", "--out", out])
    d = np.load(out)
    ours = d["images"].astype(np.float32).transpose(0, 3, 1, 2) / 255
    mine = render(d["factors"].astype(np.int64), a)
    if not np.array_equal(ours, mine):
        raise SystemExit("compare_training: this script's XYSquares differs from `disentangle data export`")
    return int(d["factors"].shape[1])


def run(cmd, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, env=ENV, cwd=ROOT, **kw)
    if r.returncode != 0:
        raise SystemExit(f"compare_training: {' '.join(cmd)} failed ({r.returncode}):\n{r.stderr[-3000:]}")
    return r.stdout


def last_json(stdout):
    return json.loads(stdout.strip().splitlines()[-1])


def score_codes(codes_tr, f_tr, codes_te, f_te, tmp):
    """Our metrics (`disentangle metrics`) on codes made anywhere."""
    tr, te = os.path.join(tmp, "train.npz"), os.path.join(tmp, "test.npz")
    np.savez(tr, codes=codes_tr.astype(np.float32), factors=f_tr.astype(np.int32))
    np.savez(te, codes=codes_te.astype(np.float32), factors=f_te.astype(np.int32))
    return last_json(run(["node", CLI, "metrics", "--train", tr, "--test", te, "--metrics", "mig,dci", "--json"]))


# ---------------------------------------------------------------- disent's side

def disent_imports(path):
    sys.path.insert(0, os.path.join(HERE, "compare_training"))  # the `lightning` stand-in
    sys.path.insert(1, os.path.abspath(path))
    warnings.filterwarnings("ignore")  # disent warns that numba is missing (only its jit helpers use it)
    import torch
    from disent.model import AutoEncoder
    from disent.model.ae import EncoderConv64, DecoderConv64
    from disent.nn.weights import init_model_weights
    from disent.frameworks.vae import BetaVae, AdaVae
    from disent.dataset.sampling._groundtruth__pair_orig import _sample_k_differing
    return dict(torch=torch, AutoEncoder=AutoEncoder, EncoderConv64=EncoderConv64, DecoderConv64=DecoderConv64,
                init_model_weights=init_model_weights, BetaVae=BetaVae, AdaVae=AdaVae,
                sample_k_differing=_sample_k_differing)


class _StateSpace:
    """What disent's `_sample_k_differing` reads of a state space."""

    def __init__(self, sizes):
        self.factor_sizes = np.array(sizes)
        self.num_factors = len(sizes)


def train_disent(D, fw_name, seed, a, sizes, tmp):
    torch = D["torch"]
    torch.set_num_threads(1)
    torch.manual_seed(seed)
    np.random.seed(seed)
    t0 = time.time()
    model = D["AutoEncoder"](D["EncoderConv64"](x_shape=(3, 64, 64), z_size=a.z, z_multiplier=2),
                             D["DecoderConv64"](x_shape=(3, 64, 64), z_size=a.z))
    D["init_model_weights"](model, mode="xavier_normal" if a.init == "xavier-normal" else "default", log_level=0)
    common = dict(recon_loss="mse", loss_reduction="mean", latent_distribution="normal", beta=a.beta,
                  optimizer="torch.optim.Adam", optimizer_kwargs=dict(lr=a.lr, eps=a.epsilon))
    if fw_name == "betavae":
        fw = D["BetaVae"](model=model, cfg=D["BetaVae"].cfg(**common))
    else:
        mode = {"kl": "kl", "symmetric-kl": "symmetric_kl"}[a.threshold_mode]
        fw = D["AdaVae"](model=model, cfg=D["AdaVae"].cfg(**common, ada_average_mode="gvae", ada_thresh_mode=mode,
                                                          ada_thresh_ratio=0.5))
    opt = fw.configure_optimizers()
    ss = _StateSpace(sizes)
    losses = []
    fw.train()
    for step in range(a.steps):
        f0 = np.stack([np.random.randint(0, s, a.batch_size) for s in sizes], 1)
        xs = [torch.from_numpy(render(f0, a))]
        if fw_name != "betavae":
            if a.pair_sampling == "resample":  # disent's (disentanglement_lib's) weak-pair sampler, k = 1
                f1 = np.stack([D["sample_k_differing"](f.copy(), ss, k=1)[0] for f in f0])
            else:  # exactly one factor changes to a different value
                f1 = f0.copy()
                for row in f1:
                    i = np.random.randint(len(sizes))
                    row[i] = (row[i] + 1 + np.random.randint(sizes[i] - 1)) % sizes[i]
            xs.append(torch.from_numpy(render(f1, a)))
        loss = fw.do_training_step({"x_targ": tuple(xs)}, step)
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss))
    train_s = time.time() - t0
    # score: encoder means on fresh samples; KL per latent averaged over the test sample
    fw.eval()
    rng = np.random.default_rng(1000 + seed)

    def encode(n):
        f = np.stack([rng.integers(0, s, n) for s in sizes], 1)
        mus, lvs = [], []
        with torch.no_grad():
            for i in range(0, n, 500):
                mu, lv = model.encode(torch.from_numpy(render(f[i:i + 500], a)), chunk=True)
                mus.append(mu.numpy())
                lvs.append(lv.numpy())
        return np.concatenate(mus), np.concatenate(lvs), f

    mu_tr, _, f_tr = encode(a.n_train)
    mu_te, lv_te, f_te = encode(a.n_test)
    kl = (0.5 * (mu_te ** 2 + np.exp(lv_te) - lv_te - 1)).mean(0)
    m = score_codes(mu_tr, f_tr, mu_te, f_te, tmp)
    return {"mig": m["mig"], "dci": m["dci_disentanglement"], "active": int((kl > ACTIVE_KL).sum()),  # as diagnose: mean KL per latent
            "kl_sum": float(kl.sum()), "final_loss": float(np.mean(losses[-50:])),
            "escape": escape_step(losses, a.escape_loss), "train_s": round(train_s, 1)}


# ---------------------------------------------------------------- our side

def train_ours(fw_name, seed, a, tmp):
    framework = {"name": fw_name, "beta": a.beta}
    if fw_name == "adagvae":
        framework["thresholdMode"] = a.threshold_mode
    cfg = {
        "description": "scripts/compare_training.py: disent's settings (β with lossReduction mean, as disent's)",
        "dataset": dataset_params(a),
        "framework": framework,
        "model": {"architecture": "conv64-disent", "z": a.z, "init": a.init},
        "loss": "mse",
        "lossReduction": "mean",
        "optimizer": {"lr": a.lr, "epsilon": a.epsilon},
        "train": {"steps": a.steps, "batchSize": a.batch_size, "seed": seed, "checkpointEvery": a.steps,
                  "logEvery": 1, "pairSampling": a.pair_sampling},
    }
    path = os.path.join(tmp, f"{fw_name}-{seed}.json")
    out = os.path.join(tmp, f"{fw_name}-{seed}")
    with open(path, "w") as fh:
        json.dump(cfg, fh)
    eng = ["--backend", a.backend, "--threads", "1"]
    t0 = time.time()
    run(["node", CLI, "train", "--config", path, "--out", out, "--quiet", *eng])
    train_s = time.time() - t0
    ev = last_json(run(["node", CLI, "evaluate", out, "--metrics", "mig,dci", "--num-train", str(a.n_train),
                        "--num-test", str(a.n_test), "--json", *eng]))
    dg = last_json(run(["node", CLI, "diagnose", out, "--json", *eng]))
    with open(os.path.join(out, "train.jsonl")) as fh:
        log = [json.loads(line) for line in fh if line.strip()]
    tail = [r["loss"] for r in log if r["step"] > a.steps - 50]
    return {"mig": ev["mig"], "dci": ev["dci_disentanglement"], "active": dg["activeLatents"],
            "kl_sum": float(sum(dg["perLatentKl"])) if dg.get("perLatentKl") else None, "final_loss": float(np.mean(tail)),
            "escape": escape_step([r["loss"] for r in log], a.escape_loss), "train_s": round(train_s, 1)}


# ---------------------------------------------------------------- table

def stats(rows, key):
    v = np.array([r[key] for r in rows if r[key] is not None], dtype=np.float64)
    return (float(v.mean()), float(v.std(ddof=1)) if len(v) > 1 else 0.0) if len(v) else (float("nan"), 0.0)


def print_table(results, seeds):
    keys = [("mig", "MIG", 3), ("dci", "DCI dis.", 3), ("active", "active", 1), ("kl_sum", "KL sum", 2),
            ("final_loss", "loss", 4), ("escape", "escape step", 0), ("train_s", "train s", 0)]
    for fw_name, sides in results.items():
        print(f"\n{fw_name}  (seeds {','.join(map(str, seeds))})")
        print(f"  {'':8s}" + "".join(f"{label:>22s}" for _, label, _ in keys))
        for side, rows in sides.items():
            cells = []
            for k, _, d in keys:
                m, s = stats(rows, k)
                cells.append(f"{m:.{d}f} ± {s:.{d}f}")
            print(f"  {side:8s}" + "".join(f"{c:>22s}" for c in cells))
            for seed, r in zip(seeds, rows):
                cells = ["-" if r[k] is None else f"{r[k]:.{d}f}" for k, _, d in keys]
                print(f"  {'  s' + str(seed):8s}" + "".join(f"{c:>22s}" for c in cells))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--disent", required=True, help="a disent checkout (the folder holding the `disent` package)")
    ap.add_argument("--frameworks", default="betavae,adagvae")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--steps", type=int, default=1000)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--beta", type=float, default=0.001)
    ap.add_argument("--z", type=int, default=9)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--epsilon", type=float, default=1e-8)
    ap.add_argument("--init", choices=["pytorch", "xavier-normal"], default="xavier-normal")
    ap.add_argument("--pair-sampling", choices=["exact", "resample"], default="resample")
    ap.add_argument("--threshold-mode", choices=["kl", "symmetric-kl"], default="symmetric-kl")
    ap.add_argument("--grid-spacing", type=int, default=1)
    ap.add_argument("--grid-size", type=int, default=8)
    ap.add_argument("--n-train", type=int, default=10000)
    ap.add_argument("--n-test", type=int, default=5000)
    ap.add_argument("--backend", default="auto", help="our tensor backend (auto: torch where built)")
    ap.add_argument("--escape-loss", type=float, default=0.008,
                    help="loss below which a run has left the mean-image plateau (XYSquares spacing 1 with MSE: the "
                         "plateau sits at 0.0083-0.0089, runs that use their latents at 0.0072-0.0076)")
    ap.add_argument("--sides", default="disent,ours")
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    seeds = [int(s) for s in a.seeds.split(",")]
    fws = a.frameworks.split(",")
    sides = a.sides.split(",")
    for f in fws:
        if f not in ("betavae", "adagvae"):
            raise SystemExit(f"compare_training: unknown framework {f!r}: choose betavae, adagvae")
    D = disent_imports(a.disent) if "disent" in sides else None
    t_all = time.time()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        F = check_rendering(a, tmp)
        n, _ = xy_layout(64, 8, a.grid_spacing, a.grid_size)
        sizes = [n] * F
        for fw_name in fws:
            results[fw_name] = {}
            for side in sides:
                rows = []
                for seed in seeds:
                    r = train_disent(D, fw_name, seed, a, sizes, tmp) if side == "disent" else train_ours(fw_name, seed, a, tmp)
                    print(f"{fw_name} {side} seed {seed}: {json.dumps(r)}", file=sys.stderr, flush=True)
                    rows.append(r)
                results[fw_name][side] = rows
    settings = {k: v for k, v in vars(a).items() if k not in ("json", "disent")}
    print(f"settings: {json.dumps(settings)}")
    print_table(results, seeds)
    print(f"\nwall time: {time.time() - t_all:.0f} s")
    if a.json:
        print(json.dumps({"settings": settings, "seeds": seeds, "results": results,
                          "wall_s": round(time.time() - t_all, 1)}))


if __name__ == "__main__":
    sys.exit(main())
