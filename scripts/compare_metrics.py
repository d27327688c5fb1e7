#!/usr/bin/env python3
"""Compare `disentangle metrics` with reference implementations written with numpy + scikit-learn.

The reference side follows the metric definitions of disentanglement_lib (as summarised in metrics.md);
it is written here from those definitions, not copied. Needs: python3, numpy, scikit-learn
(Debian: apt-get install -y python3-sklearn).

Usage: scripts/compare_metrics.py [--n-train 3000] [--n-test 1500] [--seed 0] [--time]
Prints one line per (data, metric) with ours, the reference and the difference, then a JSON summary.
With --time: one case shaped like `disentangle bench metrics` (dSprites factor sizes, 10 codes) at the given
sizes (use --n-train 10000 --n-test 5000), both sides timed on the same arrays (ours: the CLI's wall time,
Node start-up included), printed as JSON with their ratio.
"""
import argparse, json, os, subprocess, sys, tempfile, time
import numpy as np
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score, mutual_info_score
from sklearn.svm import LinearSVC


def discretize(codes, bins=20):
    out = np.zeros_like(codes, dtype=np.int64)
    for j in range(codes.shape[1]):
        edges = np.histogram(codes[:, j], bins)[1][:-1]
        out[:, j] = np.digitize(codes[:, j], edges)
    return out


def mi_matrix(a, b):
    return np.array([[mutual_info_score(a[:, i], b[:, j]) for j in range(b.shape[1])] for i in range(a.shape[1])])


def ref_mig(c, f):
    m = mi_matrix(discretize(c), f)
    h = np.array([mutual_info_score(f[:, j], f[:, j]) for j in range(f.shape[1])])
    s = np.sort(m, axis=0)[::-1]
    return float(np.mean((s[0] - s[1]) / h))


def ref_modularity(c, f):
    m = mi_matrix(discretize(c), f)
    theta = m.max(axis=1)
    delta = (m ** 2).sum(axis=1) - theta ** 2
    with np.errstate(divide="ignore", invalid="ignore"):
        mod = 1 - delta / (theta ** 2 * (f.shape[1] - 1))
    mod[theta == 0] = 0
    return float(mod.mean())


def entropy_base(p, base):
    p = p[p > 0]
    return float(-(p * np.log(p)).sum() / np.log(base))


def ref_dci(ctr, ftr, cte, fte, seed):
    D, F = ctr.shape[1], ftr.shape[1]
    R = np.zeros((D, F)); acc_tr = []; acc_te = []
    for k in range(F):
        model = GradientBoostingClassifier(random_state=seed).fit(ctr, ftr[:, k])
        R[:, k] = np.abs(model.feature_importances_)
        acc_tr.append(np.mean(model.predict(ctr) == ftr[:, k])); acc_te.append(np.mean(model.predict(cte) == fte[:, k]))
    Re = R + 1e-11
    dis = np.array([1 - entropy_base(Re[i] / Re[i].sum(), F) for i in range(D)])
    comp = np.array([1 - entropy_base(Re[:, k] / Re[:, k].sum(), D) for k in range(F)])
    # each code's and each factor's share of the total importance (uniform when all of it is zero)
    W = R if R.sum() > 0 else np.ones_like(R)
    code_w, factor_w = W.sum(axis=1) / W.sum(), W.sum(axis=0) / W.sum()
    return {"dci_disentanglement": float((dis * code_w).sum()), "dci_completeness": float((comp * factor_w).sum()),
            "dci_informativeness_train": float(np.mean(acc_tr)), "dci_informativeness_test": float(np.mean(acc_te))}


def ref_sap(ctr, ftr, cte, fte, seed):
    D, F = ctr.shape[1], ftr.shape[1]
    S = np.zeros((D, F))
    for i in range(D):
        if np.var(ctr[:, i]) <= 1e-12:
            continue
        for j in range(F):  # (liblinear visits the samples in a random order: seeded, so that runs agree)
            clf = LinearSVC(C=0.01, class_weight="balanced", random_state=seed).fit(ctr[:, i:i + 1], ftr[:, j])
            S[i, j] = np.mean(clf.predict(cte[:, i:i + 1]) == fte[:, j])
    s = np.sort(S, axis=0)[::-1]
    return float(np.mean(s[0] - s[1]))


def ref_explicitness(ctr, ftr, cte, fte):
    mu, sd = ctr.mean(0), ctr.std(0)
    sd[sd == 0] = 1
    ztr, zte = (ctr - mu) / sd, (cte - mu) / sd
    tr, te = [], []
    for k in range(ftr.shape[1]):
        m = LogisticRegression(max_iter=1000).fit(ztr, ftr[:, k])
        def auc(z, y):
            p = m.predict_proba(z)
            return np.mean([roc_auc_score(y == c, p[:, i]) for i, c in enumerate(m.classes_) if 0 < np.sum(y == c) < len(y)])
        tr.append(auc(ztr, ftr[:, k])); te.append(auc(zte, fte[:, k]))
    return {"explicitness_train": float(np.mean(tr)), "explicitness_test": float(np.mean(te))}


def ref_unsupervised(c):
    cov = np.cov(c.T, ddof=1)
    d = np.diag(cov)
    tc = 0.5 * (np.sum(np.log(d)) - np.linalg.slogdet(cov)[1])
    sq = np.sqrt(d)
    ev = np.clip(np.linalg.eigvalsh(sq[:, None] * cov * sq[None, :]), 0, None)
    w = 2 * np.trace(cov) - 2 * np.sum(np.sqrt(ev))
    m = mi_matrix(discretize(c), discretize(c))
    np.fill_diagonal(m, 0)
    return {"gaussian_total_correlation": float(tc), "gaussian_wasserstein_correlation": float(w),
            "mutual_info_score": float(m.sum() / (c.shape[1] ** 2 - c.shape[1]))}


def reference_suite(ctr, ftr, cte, fte, seed):
    """The reference metrics as (name, thunk returning a dict of values), in the order both modes run them."""
    return [("mig", lambda: {"mig": ref_mig(ctr, ftr)}), ("modularity", lambda: {"modularity": ref_modularity(ctr, ftr)}),
            ("sap", lambda: {"sap": ref_sap(ctr, ftr, cte, fte, seed)}), ("dci", lambda: ref_dci(ctr, ftr, cte, fte, seed)),
            ("explicitness", lambda: ref_explicitness(ctr, ftr, cte, fte)), ("unsupervised", lambda: ref_unsupervised(ctr))]


def make(rng, sizes, n, mode):
    f = np.stack([rng.integers(0, s, n) for s in sizes], 1)
    if mode == "identity":
        c = f.astype(np.float64)
    elif mode == "random":
        c = rng.standard_normal((n, len(sizes)))
    elif mode == "duplicated":
        c = np.concatenate([f, f], 1).astype(np.float64)
    elif mode == "bench":  # as `disentangle bench metrics`: factor/size + N(0, 0.1²) in the first codes, noise in 5 more
        c = np.concatenate([f / np.array(sizes), np.zeros((n, 5))], 1) + 0.1 * rng.standard_normal((n, len(sizes) + 5))
    else:  # noisy: identity + noise, and two nuisance codes
        c = np.concatenate([f / np.array(sizes) + 0.05 * rng.standard_normal(f.shape), rng.standard_normal((n, 2))], 1)
    return c, f


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--n-train", type=int, default=3000)
    ap.add_argument("--n-test", type=int, default=1500)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--time", action="store_true", help="time both sides on one bench-shaped case")
    a = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    cli = os.path.join(here, "..", "bin", "disentangle.js")
    rng = np.random.default_rng(a.seed)
    if a.time:
        return time_both(cli, rng, a)
    cases = [("id10", [10] * 10, m) for m in ("identity", "random", "duplicated")] + \
            [("dsl", [3, 6, 40, 32, 32], m) for m in ("identity", "random", "noisy")]
    worst = {}
    tol = {"mig": 0.01, "modularity": 0.01, "gaussian_total_correlation": 0.01, "mutual_info_score": 0.01,
           "dci_disentanglement": 0.03, "dci_completeness": 0.03, "sap": 0.03, "explicitness_test": 0.03}
    with tempfile.TemporaryDirectory() as tmp:
        for name, sizes, mode in cases:
            ctr, ftr = make(rng, sizes, a.n_train, mode)
            cte, fte = make(rng, sizes, a.n_test, mode)
            np.savez(os.path.join(tmp, "train.npz"), codes=ctr.astype(np.float32), factors=ftr)
            np.savez(os.path.join(tmp, "test.npz"), codes=cte.astype(np.float32), factors=fte)
            out = subprocess.run(["node", cli, "metrics", "--train", os.path.join(tmp, "train.npz"), "--test",
                                  os.path.join(tmp, "test.npz"), "--json"], capture_output=True, text=True, check=True)
            ours = json.loads(out.stdout.strip().splitlines()[-1])
            ctr32, cte32 = ctr.astype(np.float32).astype(np.float64), cte.astype(np.float32).astype(np.float64)
            ref = {}
            for metric, fn in reference_suite(ctr32, ftr, cte32, fte, a.seed):
                if metric == "unsupervised" and mode == "duplicated":
                    continue  # the reference's Gaussian metrics are singular on duplicated codes
                ref.update(fn())
            for k, v in ref.items():
                diff = abs(ours[k] - v)
                worst[k] = max(worst.get(k, 0), diff)
                print(f"{name:5s} {mode:10s} {k:32s} ours {ours[k]:9.4f}  reference {v:9.4f}  |diff| {diff:.4f}")
    summary = {k: {"max_abs_diff": round(v, 4), "tolerance": tol.get(k), "ok": (v <= tol[k]) if k in tol else None} for k, v in worst.items()}
    print(json.dumps(summary))


def time_both(cli, rng, a):
    """Wall time of the shared metric set (MIG, modularity, SAP, DCI, explicitness, unsupervised) on both sides."""
    sizes = [3, 6, 40, 32, 32]
    ctr, ftr = make(rng, sizes, a.n_train, "bench")
    cte, fte = make(rng, sizes, a.n_test, "bench")
    ctr, cte = ctr.astype(np.float32).astype(np.float64), cte.astype(np.float32).astype(np.float64)
    with tempfile.TemporaryDirectory() as tmp:
        np.savez(os.path.join(tmp, "train.npz"), codes=ctr.astype(np.float32), factors=ftr)
        np.savez(os.path.join(tmp, "test.npz"), codes=cte.astype(np.float32), factors=fte)
        t = time.perf_counter()
        subprocess.run(["node", cli, "metrics", "--train", os.path.join(tmp, "train.npz"), "--test", os.path.join(tmp, "test.npz"),
                        "--metrics", "mig,modularity,sap,dci,explicitness,unsupervised", "--json"], capture_output=True, check=True)
        ours = time.perf_counter() - t
    ref = {}
    for name, fn in reference_suite(ctr, ftr, cte, fte, a.seed):
        t = time.perf_counter()
        fn()
        ref[name] = round(time.perf_counter() - t, 3)
    total = sum(ref.values())
    print(json.dumps({"n_train": a.n_train, "n_test": a.n_test, "ours_s": round(ours, 3), "reference_s": round(total, 3),
                      "ratio": round(ours / total, 3), "reference_s_per_metric": ref}))


if __name__ == "__main__":
    sys.exit(main())
