#!/usr/bin/env python3
"""InfoMEC reference values (Hsu et al., NeurIPS 2023) for the tests of src/metrics/infomec.ts.

Implements the authors' recipe (metrics.md, last section) with scikit-learn's own estimators, written here from
that description: latents whose range is at most max range / 20 are dropped, the rest standardised
(StandardScaler); NMI[k, j] = mutual_info_classif(z_j, v_k, n_neighbors=10) / H(v_k) with
H(v) = mutual_info_score(v, v); InfoM / InfoC = normalised mean max/sum of the NMI's latent columns / factor rows;
InfoE = mean over factors of (H_null − H_pred) / H_null, the train log losses of LogisticRegression(penalty=None,
class_weight='balanced', solver='lbfgs', max_iter=100, multinomial) on the latents and on zeros.

The codes are made here, deterministically (numpy's default_rng with fixed seeds), with dSprites' factor sizes,
and written to test/metrics/fixtures/infomec/<name>.npz (codes float32 N×D, factors int32 N×F); the values go to
test/metrics/fixtures/infomec/reference.json. Needs Debian's python3-numpy and python3-sklearn.

Usage: /usr/bin/python3 scripts/infomec_reference.py [--out test/metrics/fixtures/infomec] [--n 2000]
(then `npx prettier --write test/metrics/fixtures/infomec/reference.json`, the repository's JSON style)
"""
import argparse, json, os, warnings
import numpy as np
from sklearn.feature_selection import mutual_info_classif
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import log_loss, mutual_info_score
from sklearn.preprocessing import StandardScaler

SIZES = [3, 6, 40, 32, 32]


def factors(rng, n):
    return np.stack([rng.integers(0, s, n) for s in SIZES], axis=1).astype(np.int32)


def unit(f):
    """factor labels scaled to [0, 1]"""
    return f / (np.array(SIZES) - 1)


def make_codes(name, n):
    """The code sets; none of them was used to tune the TypeScript side."""
    rng = np.random.default_rng({"noisy": 11, "warped": 12, "rotated": 13, "partial": 14}[name])
    f = factors(rng, n)
    u = unit(f)
    if name == "noisy":
        # each factor in its own latent with noise, two pure-noise latents, one inactive latent
        z = np.concatenate([u + 0.15 * rng.standard_normal(u.shape), rng.standard_normal((n, 2)),
                            1e-3 * rng.standard_normal((n, 1))], axis=1)
    elif name == "warped":
        # monotone but strongly non-linear per-factor warps, light noise
        w = np.stack([np.exp(3 * u[:, 0]), np.tanh(4 * (u[:, 1] - 0.5)), u[:, 2] ** 3, np.log1p(9 * u[:, 3]),
                      np.sin(2.5 * u[:, 4])], axis=1)
        z = np.concatenate([w + 0.03 * rng.standard_normal(w.shape), 0.5 * rng.standard_normal((n, 1))], axis=1)
    elif name == "rotated":
        # the noisy code entangled by a random rotation
        q, _ = np.linalg.qr(rng.standard_normal((5, 5)))
        z = (u + 0.1 * rng.standard_normal(u.shape)) @ q
    elif name == "partial":
        # three factors coded (two of them in one latent), two not at all
        z = np.stack([u[:, 0] + 0.5 * u[:, 2], u[:, 1], u[:, 2] - 0.3 * u[:, 0], rng.standard_normal(n)], axis=1)
        z = z + 0.05 * rng.standard_normal(z.shape)
    else:
        raise ValueError(name)
    return z.astype(np.float32), f


def logistic_log_loss(x, y):
    model = LogisticRegression(penalty=None, class_weight="balanced", solver="lbfgs", max_iter=100,
                               multi_class="multinomial")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # lbfgs stops at 100 iterations, as the authors' runs do
        model.fit(x, y)
    return log_loss(y, model.predict_proba(x), labels=model.classes_)


def infomec(codes, facs):
    z = codes.astype(np.float64)
    ranges = z.max(axis=0) - z.min(axis=0)
    active = ranges > ranges.max() / 20
    z = StandardScaler().fit_transform(z[:, active])
    K, L = facs.shape[1], z.shape[1]
    nmi = np.zeros((K, L))
    for k in range(K):
        h = mutual_info_score(facs[:, k], facs[:, k])
        nmi[k] = mutual_info_classif(z, facs[:, k], n_neighbors=10, random_state=0) / h
    infom = (np.mean(nmi.max(axis=0) / nmi.sum(axis=0)) - 1 / K) / (1 - 1 / K)
    infoc = (np.mean(nmi.max(axis=1) / nmi.sum(axis=1)) - 1 / L) / (1 - 1 / L)
    per = []
    for k in range(K):
        h_pred = logistic_log_loss(z, facs[:, k])
        h_null = logistic_log_loss(np.zeros_like(z), facs[:, k])
        per.append((h_null - h_pred) / h_null)
    return {"infom": float(infom), "infoe": float(np.mean(per)), "infoc": float(infoc),
            "infoe_per_factor": [float(v) for v in per], "active": [int(j) for j in np.flatnonzero(active)],
            "nmi_factors_by_latents": nmi.round(6).tolist()}


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--out", default="test/metrics/fixtures/infomec")
    p.add_argument("--n", type=int, default=2000)
    a = p.parse_args()
    os.makedirs(a.out, exist_ok=True)
    result = {}
    for name in ["noisy", "warped", "rotated", "partial"]:
        codes, facs = make_codes(name, a.n)
        np.savez(os.path.join(a.out, f"{name}.tmp.npz"), codes=codes, factors=facs)
        os.replace(os.path.join(a.out, f"{name}.tmp.npz"), os.path.join(a.out, f"{name}.npz"))
        result[name] = infomec(codes, facs)
        print(name, {k: round(v, 4) for k, v in result[name].items() if k in ("infom", "infoe", "infoc")})
    tmp = os.path.join(a.out, "reference.json.tmp")
    with open(tmp, "w") as fh:
        json.dump({"generator": "scripts/infomec_reference.py", "n": a.n, "factor_sizes": SIZES, "codes": result},
                  fh, indent=1)
    os.replace(tmp, os.path.join(a.out, "reference.json"))


if __name__ == "__main__":
    main()
