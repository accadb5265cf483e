"""numpy and PyTorch peers of the auto-association benchmark (bench/autoassociation_bench.cpp): the same
online pass, batch size 1, of hd or gd (tied weights, sigmoid hidden, linear visible, dataset centering,
hidden bias learned) from the same initial W over the same patterns, one thread, float64. Per pattern:

  x~ = x - mu, a = W^T x~ + b, h = sigmoid(a), e = x~ - W h
  hd: dW = e h^T,              db = W^T e
  gd: dW = e h^T + x~ g^T,     db = g,   g = (W^T e) * h (1 - h)
  W <- W + eta dW, b <- b + eta db   (every term with the W before the step)

usage: autoassociation_peer.py DIR --peer numpy|torch [--k 16,64,256] [--rules hd,gd] [--eta E] [--repeat N]
Times the update loop alone (process CPU time, like hds's thread CPU time); prints one JSON line per
(rule, k) with the median seconds per update and the largest difference of the final W from hds's.
"""
import argparse
import json
import os
import statistics
import time

import numpy as np


def run_numpy(X, W0, eta, rule):
    W = W0.copy()
    b = np.zeros(W.shape[1])
    mu = X.mean(axis=0)
    Xc = X - mu
    t0 = time.process_time()
    for xc in Xc:
        h = 1.0 / (1.0 + np.exp(-(W.T @ xc + b)))
        e = xc - W @ h
        back = W.T @ e
        if rule == "hd":
            W += eta * np.outer(e, h)
            b += eta * back
        else:
            g = back * h * (1.0 - h)
            W += eta * (np.outer(e, h) + np.outer(xc, g))
            b += eta * g
    return W, time.process_time() - t0


def run_torch(X, W0, eta, rule):
    import torch
    W = torch.from_numpy(W0.copy())
    b = torch.zeros(W.shape[1], dtype=torch.float64)
    Xt = torch.from_numpy(X)
    Xc = Xt - Xt.mean(dim=0)
    t0 = time.process_time()
    with torch.no_grad():
        for xc in Xc:
            h = torch.sigmoid(W.T @ xc + b)
            e = xc - W @ h
            back = W.T @ e
            if rule == "hd":
                W.add_(torch.outer(e, h), alpha=eta)
                b.add_(back, alpha=eta)
            else:
                g = back * h * (1.0 - h)
                W.add_(torch.outer(e, h) + torch.outer(xc, g), alpha=eta)
                b.add_(g, alpha=eta)
    return W.numpy(), time.process_time() - t0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--peer", choices=["numpy", "torch"], required=True)
    ap.add_argument("--k", default="16,64,256")
    ap.add_argument("--rules", default="hd,gd")
    ap.add_argument("--eta", type=float, default=0.001)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--patterns", type=int, default=0, help="only the first N patterns (0: all); scaled per update")
    args = ap.parse_args()
    if args.peer == "torch":
        import torch
        torch.set_num_threads(1)
        run = run_torch
    else:
        run = run_numpy
    X = np.load(os.path.join(args.dir, "X.npy"))
    if args.patterns:
        X = X[: args.patterns]
    for k in [int(v) for v in args.k.split(",")]:
        W0 = np.load(os.path.join(args.dir, f"W0_k{k}.npy"))
        for rule in args.rules.split(","):
            times, W = [], None
            for _ in range(args.repeat):
                W, t = run(X, W0, args.eta, rule)
                times.append(t / X.shape[0])
            diff = None
            ref_path = os.path.join(args.dir, f"{rule}_k{k}_W.npy")
            if not args.patterns and os.path.exists(ref_path):
                ref = np.load(ref_path)
                diff = float(np.abs(W - ref).max() / max(np.abs(ref).max(), 1e-300))
            t = statistics.median(times)
            print(json.dumps({"rule": rule, "k": k, "peer": args.peer, "updates": int(X.shape[0]),
                              "seconds_per_update": t, "updates_per_second": 1.0 / t,
                              "max_rel_diff_W_vs_hds": diff}), flush=True)


if __name__ == "__main__":
    main()
