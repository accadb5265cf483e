"""Plain numpy peer of the sweep benchmark: one pair per step, a Python loop over patterns, numpy per step
(as the authors' single-trial script does). Reads the workload that `hds_bench --dump DIR` wrote.

usage: numpy_peer.py DIR [--reps K] [--eta-stride K] [--rules a,b] [--repeat N] [--out FILE]
Prints one JSON line (median seconds, runs, seconds per run); --out saves the last-20 errors
(reps x rules x etas) for the correctness check against hds.
"""
import argparse
import json
import statistics
import time

import numpy as np


def sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def run(rule, eta, X, T, W0, centering, epochs, last_n):
    """One run; returns the last-N error. X: n_in x P, T: n_out x P (columns are patterns)."""
    P = X.shape[1]
    W = W0.copy()
    b = np.zeros(T.shape[0])
    mu = X.mean(axis=1) if centering == "dataset" else np.zeros(X.shape[0])
    xbar, tbar = X.mean(axis=1), T.mean(axis=1)
    for _ in range(epochs):
        for p in range(P):
            x, t = X[:, p], T[:, p]
            xc = x - mu
            a = W.T @ xc + b
            h = sigmoid(a)
            if rule == "hd":
                d = t - h
                W += eta * np.outer(xc, d)
                b += eta * d
            elif rule == "gd":
                d = (t - h) * h * (1.0 - h)
                W += eta * np.outer(xc, d)
                b += eta * d
            elif rule == "hebb":
                W += eta * np.outer(xc, t)
                b += eta * t
            elif rule == "cov":
                d = t - tbar
                W += eta * np.outer(x - xbar, d)
                b += eta * d
            elif rule == "oja":
                W = W * (1.0 - eta * t * t) + eta * np.outer(xc, t)
                b += eta * (t - h)
            elif rule == "instar":
                W = W * (1.0 - eta * t) + eta * np.outer(xc, t)
                b += eta * (t - h)
            if not (np.all(np.isfinite(a)) and np.all(np.isfinite(h))):
                return 1.0
    H = sigmoid(W.T @ (X - mu[:, None]) + b[:, None])
    if not np.all(np.isfinite(H)):
        return 1.0
    err = np.abs(H - T).mean(axis=0)
    return err[P - last_n:].mean()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--reps", type=int, default=0, help="first K repetitions only (0: all)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--eta-stride", type=int, default=1, help="every k-th learning rate only (reduced workload)")
    ap.add_argument("--rules", help="comma-separated subset of the workload's rules")
    ap.add_argument("--out")
    args = ap.parse_args()
    w = json.load(open(f"{args.dir}/workload.json"))
    assert w["activation"] == "sigmoid", "the peer implements the sigmoid workloads only"
    reps = args.reps or w["reps"]
    rule_idx = [w["rules"].index(r) for r in args.rules.split(",")] if args.rules else range(len(w["rules"]))
    eta_idx = list(range(0, len(w["etas"]), args.eta_stride))
    epochs = 1 if w["protocol"] == "online" else w["epochs"]
    data = [(np.load(f"{args.dir}/X_{r}.npy"), np.load(f"{args.dir}/T_{r}.npy"), np.load(f"{args.dir}/W0_{r}.npy"))
            for r in range(reps)]
    last = np.full((w["reps"], len(w["rules"]), len(w["etas"])), np.nan)
    times = []
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        for r, (X, T, W0) in enumerate(data):
            for i in rule_idx:
                for e in eta_idx:
                    last[r, i, e] = run(w["rules"][i], w["etas"][e], X, T, W0, w["centering"], epochs, w["last_n"])
        times.append(time.perf_counter() - t0)
    runs = reps * len(rule_idx) * len(eta_idx)
    med = statistics.median(times)
    print(json.dumps({"peer": "numpy", "runs": runs, "median_s": med, "s_per_run": med / runs,
                      "repeat": args.repeat}))
    if args.out:
        np.save(args.out, last)


if __name__ == "__main__":
    main()
