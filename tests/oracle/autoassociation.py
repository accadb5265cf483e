"""Numpy oracle of the auto-association trainer (core/autoassociation.hpp), written from the equations
in docs/SCIENCE.md alone: one pattern at a time, every update as its outer products, batches as the mean
of the patterns' updates. The C++ driver trains the same runs (same data, initial weights and order);
final W, b, c, the per-epoch measures and the per-pattern errors must agree to 1e-10.

usage: autoassociation.py DRIVER_EXECUTABLE
"""
import os
import subprocess
import sys
import tempfile

import numpy as np

TOL = 1e-10
ANGLE_TOL = 1e-9  # angles through an eigen-solver and two SVDs: equal subspaces, different rounding
N_IN, K, N, N_HELD = 12, 4, 60, 20
ALPHA = {"exponential_linear": 1.0}


def phi(name, a):
    if name == "linear": return a.copy()
    if name == "sigmoid": return 1.0 / (1.0 + np.exp(-a))
    if name == "tanh": return np.tanh(a)
    if name == "rectifier": return np.maximum(a, 0.0)
    if name == "step": return (a > 0).astype(float)
    if name == "softplus": return np.logaddexp(0.0, a)
    if name == "exponential_linear": return np.where(a > 0, a, ALPHA[name] * np.expm1(np.minimum(a, 0.0)))
    if name == "softmax":
        z = np.exp(a - a.max())
        return z / z.sum()
    raise ValueError(name)


def jacobian_t_times(name, a, h, v):
    """J_phi(a)^T v."""
    if name == "softmax": return h * v - h * (h @ v)
    d = {"linear": np.ones_like(a), "sigmoid": h * (1 - h), "tanh": 1 - h * h, "rectifier": (a > 0).astype(float),
         "step": np.zeros_like(a), "softplus": 1.0 / (1.0 + np.exp(-a)),
         "exponential_linear": np.where(a > 0, 1.0, ALPHA["exponential_linear"] * np.exp(np.minimum(a, 0.0)))}[name]
    return d * v


def sigma(z):
    return 1.0 / (1.0 + np.exp(-z))


def forward(cfg, W, b, c, mu, lam, x):
    xc = x - mu
    a = W.T @ xc + b
    h = phi(cfg["activation"], a)
    ht = h - lam
    if cfg["visible"] == "linear":
        r = W @ ht + mu
        e = xc - W @ ht
    else:
        r = sigma(W @ ht + c)
        e = x - r
    return xc, a, h, ht, r, e


def pattern_update(cfg, W, b, c, mu, lam, x):
    """dW, db, dc of one pattern (SCIENCE.md, "Auto-association" and docs: our choices)."""
    rule, act = cfg["rule"], cfg["activation"]
    xc, a, h, ht, r, e = forward(cfg, W, b, c, mu, lam, x)
    sig_vis = cfg["visible"] == "sigmoid"
    db, dc = np.zeros_like(b), np.zeros_like(c)
    if rule in ("hd", "oja"):
        dW = np.outer(e, ht)
        if rule == "hd": db = W.T @ e
        if sig_vis: dc = e
    elif rule in ("hd_sanger", "sanger"):
        dW = np.outer(xc, ht) - W @ np.triu(np.outer(ht, ht))
        if rule == "hd_sanger": db = W.T @ e
    elif rule in ("gd", "gd_decoder", "gd_encoder"):
        dv = e * r * (1 - r) if sig_vis else e
        g = jacobian_t_times(act, a, h, W.T @ dv)
        dec, enc = np.outer(dv, ht), np.outer(xc, g)
        dW = {"gd": dec + enc, "gd_decoder": dec, "gd_encoder": enc}[rule]
        db = g
        if sig_vis: dc = dv
    elif rule in ("cd1", "cd1_clamped"):
        rc = r - mu
        if rule == "cd1":
            hr = phi(act, W.T @ rc + b)
        else:
            hr = h
        dW = np.outer(xc, ht) - np.outer(rc, hr - lam)
        db = h - hr
        if sig_vis: dc = x - r
    else:
        raise ValueError(rule)
    return dW, db, dc


def measure(cfg, W, b, c, mu, lam, X):
    errs, hs = [], []
    for x in X:
        _, _, h, _, _, e = forward(cfg, W, b, c, mu, lam, x)
        errs.append(np.mean(e ** 2))
        hs.append(h)
    return np.array(errs), np.mean(hs, axis=0)


def principal_angles(A, B):
    qa, qb = np.linalg.qr(A)[0], np.linalg.qr(B)[0]
    cos = np.clip(np.linalg.svd(qa.T @ qb, compute_uv=False), -1, 1)
    sin = np.linalg.svd(qb - qa @ (qa.T @ qb), compute_uv=False)[::-1]
    return np.where(cos ** 2 >= 0.5, np.arcsin(np.clip(sin, 0, 1)), np.arccos(cos))


def train(cfg, X, Hx, W0, b0, c0):
    W, b, c = W0.copy(), b0.copy(), c0.copy()
    n, k = W.shape
    mu = X.mean(axis=0) if cfg["centering"] == "dataset" else np.zeros(n)
    lam = np.zeros(k)
    seen = 0
    eta, omega = cfg["eta"], cfg["weight_decay"]
    online = cfg["protocol"] == "online"
    epochs = 1 if online else cfg["epochs"]
    B = 1 if online else cfg["batch_size"]
    Xc = X - X.mean(axis=0)
    P = np.linalg.eigh(Xc.T @ Xc)[1][:, ::-1][:, :k]
    out = {"epochs": [], "hidden_mean": [], "angles": []}
    for _ in range(epochs):
        W_start = W.copy()
        for begin in range(0, len(X), B):
            batch = X[begin:begin + B]
            if cfg["centering"] == "running":  # the mean of every input so far, this batch included
                for i, x in enumerate(batch):
                    mu = mu + (x - mu) / (seen + i + 1)
            if cfg["hidden_centering"] == "running":
                for i, x in enumerate(batch):
                    h = phi(cfg["activation"], W.T @ (x - mu) + b)
                    lam = lam + (h - lam) / (seen + i + 1)
            seen += len(batch)
            ups = [pattern_update(cfg, W, b, c, mu, lam, x) for x in batch]
            dW = np.mean([u[0] for u in ups], axis=0)
            db = np.mean([u[1] for u in ups], axis=0)
            dc = np.mean([u[2] for u in ups], axis=0)
            W = (1 - omega) * W + eta * dW
            if cfg["learn_bias"] and cfg["rule"] not in ("oja", "sanger"): b = b + eta * db
            if cfg["learn_visible_bias"] and cfg["visible"] == "sigmoid": c = c + eta * dc
        pm, hm = measure(cfg, W, b, c, mu, lam, X)
        held = np.mean(measure(cfg, W, b, c, mu, lam, Hx)[0]) if len(Hx) else np.nan
        ang = principal_angles(W, P)
        out["epochs"].append([pm.mean(), held, np.linalg.norm(W - W_start), hm.std(), ang.max()])
        out["hidden_mean"].append(hm)
        out["angles"].append(ang)
        out["pattern_mse"] = pm
    out.update(W=W, b=b, c=c, mu=mu, lam=lam)
    return out


BASE = dict(rule="hd", activation="sigmoid", visible="linear", eta=0.05, weight_decay=0.0, centering="dataset",
            hidden_centering="none", protocol="online", epochs=1, batch_size=1, learn_bias=1, learn_visible_bias=1)
CASES = [
    ("hd-sigmoid-online", dict()),
    ("hd-rectifier-sigvis-running", dict(activation="rectifier", visible="sigmoid", centering="running",
                                         hidden_centering="running", protocol="multi_epoch", epochs=3)),
    ("hd-step-sigvis-nobias", dict(activation="step", visible="sigmoid", learn_bias=0, protocol="multi_epoch",
                                   epochs=2)),
    ("hd-batch20-decay", dict(activation="tanh", protocol="multi_epoch", epochs=4, batch_size=20, weight_decay=0.05,
                              eta=0.2)),
    ("hd_sanger-tanh-batch7-decay", dict(rule="hd_sanger", activation="tanh", protocol="multi_epoch", epochs=3,
                                         batch_size=7, weight_decay=0.01)),
    ("gd-sigmoid-sigvis-lambda-batch5", dict(rule="gd", visible="sigmoid", hidden_centering="running",
                                             protocol="multi_epoch", epochs=3, batch_size=5, eta=0.2)),
    ("gd-elu-running", dict(rule="gd", activation="exponential_linear", centering="running",
                            protocol="multi_epoch", epochs=2)),
    ("gd-softmax", dict(rule="gd", activation="softmax", protocol="multi_epoch", epochs=2, eta=0.2)),
    ("gd_decoder-softplus", dict(rule="gd_decoder", activation="softplus", protocol="multi_epoch", epochs=2)),
    ("gd_encoder-tanh-batch3", dict(rule="gd_encoder", activation="tanh", protocol="multi_epoch", epochs=2,
                                    batch_size=3)),
    ("oja", dict(rule="oja", activation="linear", learn_bias=0, protocol="multi_epoch", epochs=3)),
    ("sanger-batch10", dict(rule="sanger", activation="linear", protocol="multi_epoch", epochs=3, batch_size=10)),
    ("cd1-sigmoid-sigvis-lambda", dict(rule="cd1", visible="sigmoid", hidden_centering="running",
                                       protocol="multi_epoch", epochs=3, eta=0.1)),
    ("cd1-rectifier", dict(rule="cd1", activation="rectifier", centering="none", protocol="multi_epoch", epochs=2)),
    ("cd1_clamped-tanh-batch4", dict(rule="cd1_clamped", activation="tanh", protocol="multi_epoch", epochs=2,
                                     batch_size=4)),
]


def main():
    driver = sys.argv[1]
    rng = np.random.default_rng(12)
    mix = rng.normal(0, 1, (N_IN, N_IN)) * np.linspace(1.0, 0.1, N_IN)  # a clear spectrum
    cont = 0.5 + 0.1 * rng.normal(0, 1, (N + N_HELD, N_IN)) @ mix.T
    binary = (rng.uniform(0, 1, (N + N_HELD, N_IN)) < 0.3 + 0.4 * rng.uniform(0, 1, N_IN)).astype(float)
    W0 = rng.uniform(-1, 1, (N_IN, K)) * np.sqrt(6.0 / (N_IN + K))
    b0 = rng.uniform(-0.1, 0.1, K)
    c0 = rng.uniform(-0.1, 0.1, N_IN)
    failures, worst = 0, 0.0
    for name, over in CASES:
        cfg = dict(BASE, **over)
        data = binary if cfg["visible"] == "sigmoid" else cont
        X, Hx = data[:N], data[N:]
        b_init = np.zeros(K) if cfg["rule"] in ("oja", "sanger") else b0
        with tempfile.TemporaryDirectory() as d:
            with open(os.path.join(d, "config.txt"), "w") as f:
                f.writelines(f"{k} {v}\n" for k, v in cfg.items())
            for fname, arr in (("X", X), ("heldout", Hx), ("W0", W0), ("b0", b_init), ("c0", c0)):
                np.savetxt(os.path.join(d, fname + ".txt"), arr, fmt="%.17g")
            subprocess.run([driver, d], check=True)
            got = {f: np.loadtxt(os.path.join(d, f + ".txt"), ndmin=2) for f in
                   ("W", "b", "c", "mu", "lambda", "pattern_mse", "hidden_mean", "angles", "epochs", "diverged")}
        ref = train(cfg, X, Hx, W0, b_init, c0)
        pairs = [("W", got["W"], ref["W"]), ("b", got["b"].ravel(), ref["b"]), ("c", got["c"].ravel(), ref["c"]),
                 ("mu", got["mu"].ravel(), ref["mu"]), ("lambda", got["lambda"].ravel(), ref["lam"]),
                 ("pattern_mse", got["pattern_mse"].ravel(), ref["pattern_mse"]),
                 ("hidden_mean", got["hidden_mean"], np.array(ref["hidden_mean"])),
                 ("epoch measures", got["epochs"][:, :4], np.array(ref["epochs"])[:, :4])]
        diffs = {k: np.nanmax(np.abs(a - b)) for k, a, b in pairs}
        angle_diff = max(np.abs(got["angles"] - np.array(ref["angles"])).max(),
                         np.abs(got["epochs"][:, 4] - np.array(ref["epochs"])[:, 4]).max())
        same_nan = np.array_equal(np.isnan(got["epochs"][:, :4]), np.isnan(np.array(ref["epochs"])[:, :4]))
        moved = np.abs(ref["W"] - W0).max()
        diff = max(diffs.values())
        worst = max(worst, diff)
        ok = (diff <= TOL and angle_diff <= ANGLE_TOL and same_nan and moved > 1e-3
              and got["diverged"][0, 0] == -1 and all(np.isfinite(ref["W"].ravel())))
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name:34s} max |C++ - numpy| = {diff:.1e} "
              f"(worst: {max(diffs, key=diffs.get)}), angles {angle_diff:.1e}, W moved {moved:.2f}")
    if failures:
        print(f"{failures} of {len(CASES)} cases differ from the numpy oracle")
        return 1
    print(f"OK: {len(CASES)} cases agree with the numpy oracle to {TOL:g} (largest difference {worst:.1e})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
