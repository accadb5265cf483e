"""PyTorch CPU peer of the sweep benchmark (float64): for each rule, learning rates x repetitions (a chunk
of them) form one batch dimension, and only the loop over patterns is in Python. Reads `hds_bench --dump DIR`.

usage: torch_peer.py DIR [--reps K] [--eta-stride K] [--rules a,b] [--batch-reps K] [--repeat N] [--threads T]
                    [--out FILE]
"""
import argparse
import json
import statistics
import time

import numpy as np
import torch


def sweep_rule(rule, etas, X, T, W0, centering, epochs, last_n):
    """X: R x n_in x P, T: R x n_out x P, W0: R x n_in x n_out; returns last-N errors R x E."""
    R, n_in, P = X.shape
    E = etas.shape[0]
    mu = X.mean(dim=2) if centering == "dataset" else torch.zeros(R, n_in, dtype=X.dtype)
    Xc = X - mu[:, :, None]                                   # R x n_in x P
    xbar, tbar = X.mean(dim=2), T.mean(dim=2)
    # Batch B = R * E: repetition-major, so rep r's runs are rows r*E .. r*E+E-1.
    W = W0.repeat_interleave(E, dim=0).clone()               # B x n_in x n_out
    b = torch.zeros(R * E, T.shape[1], dtype=X.dtype)
    eta = etas.repeat(R)[:, None]                              # B x 1
    Xc_b = Xc.repeat_interleave(E, dim=0)                      # B x n_in x P
    T_b = T.repeat_interleave(E, dim=0)
    Xcov_b = (X - xbar[:, :, None]).repeat_interleave(E, dim=0)
    tbar_b = tbar.repeat_interleave(E, dim=0)
    finite = torch.ones(R * E, dtype=torch.bool)
    for _ in range(epochs):
        for p in range(P):
            xc, t = Xc_b[:, :, p], T_b[:, :, p]
            a = torch.bmm(xc[:, None, :], W)[:, 0, :] + b
            h = torch.sigmoid(a)
            finite &= torch.isfinite(a).all(dim=1) & torch.isfinite(h).all(dim=1)
            if rule in ("hd", "gd"):
                d = t - h if rule == "hd" else (t - h) * h * (1.0 - h)
                W.baddbmm_(xc[:, :, None], (eta * d)[:, None, :])
                b += eta * d
            elif rule == "hebb":
                W.baddbmm_(xc[:, :, None], (eta * t)[:, None, :])
                b += eta * t
            elif rule == "cov":
                d = t - tbar_b
                W.baddbmm_(Xcov_b[:, :, p][:, :, None], (eta * d)[:, None, :])
                b += eta * d
            else:
                s = t * t if rule == "oja" else t
                W.mul_((1.0 - eta * s)[:, None, :])
                W.baddbmm_(xc[:, :, None], (eta * t)[:, None, :])
                b += eta * (t - h)
    H = torch.sigmoid(torch.bmm(W.transpose(1, 2), Xc_b) + b[:, :, None])
    finite &= torch.isfinite(H).flatten(1).all(dim=1)
    err = (H - T_b).abs().mean(dim=1)                          # B x P
    last = err[:, P - last_n:].mean(dim=1)
    last[~finite] = 1.0
    return last.reshape(R, E)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--reps", type=int, default=0, help="first K repetitions only (0: all)")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--eta-stride", type=int, default=1, help="every k-th learning rate only (reduced workload)")
    ap.add_argument("--rules", help="comma-separated subset of the workload's rules")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--batch-reps", type=int, default=1,
                    help="repetitions per batch (the batch is this x etas; 1 keeps W in the cache)")
    ap.add_argument("--out")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    w = json.load(open(f"{args.dir}/workload.json"))
    assert w["activation"] == "sigmoid", "the peer implements the sigmoid workloads only"
    reps = args.reps or w["reps"]
    rule_idx = [w["rules"].index(r) for r in args.rules.split(",")] if args.rules else range(len(w["rules"]))
    eta_idx = list(range(0, len(w["etas"]), args.eta_stride))
    epochs = 1 if w["protocol"] == "online" else w["epochs"]
    load = lambda name: torch.from_numpy(np.stack([np.load(f"{args.dir}/{name}_{r}.npy") for r in range(reps)]))
    X, T, W0 = load("X"), load("T"), load("W0")
    etas = torch.tensor([w["etas"][e] for e in eta_idx], dtype=torch.float64)
    last = np.full((w["reps"], len(w["rules"]), len(w["etas"])), np.nan)
    times = []
    with torch.no_grad():
        # Untimed warm-up: the first calls of a process pay torch's one-time initialisation (about 1 s).
        sweep_rule(w["rules"][0], etas, X[:1, :, :25], T[:1, :, :25], W0[:1], w["centering"], 1, 5)
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            for i in rule_idx:
                for r0 in range(0, reps, args.batch_reps):
                    r1 = min(reps, r0 + args.batch_reps)
                    last[r0:r1, i, eta_idx] = sweep_rule(w["rules"][i], etas, X[r0:r1], T[r0:r1], W0[r0:r1],
                                                         w["centering"], epochs, w["last_n"]).numpy()
            times.append(time.perf_counter() - t0)
    runs = reps * len(rule_idx) * len(eta_idx)
    med = statistics.median(times)
    print(json.dumps({"peer": "torch", "torch": torch.__version__, "threads": args.threads, "runs": runs,
                      "median_s": med, "s_per_run": med / runs, "repeat": args.repeat}))
    if args.out:
        np.save(args.out, last)


if __name__ == "__main__":
    main()
