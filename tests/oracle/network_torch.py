"""PyTorch peer of the network trainer (core/network_trainer.hpp): the same initial weights, data and
mini-batches, 50 steps, float64; the final weights and biases of every layer must agree to 1e-10.
hd is written as a loss whose gradient with respect to a_L is (h_L - t) / B (h_L detached); gd is
autograd through phi of 0.5 |h_L - t|^2 / B; hidden layers by autograd; optimizers torch.optim's.

usage: network_torch.py PEER_EXECUTABLE   (fails, never skips, when torch is missing)
"""
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch

torch.set_default_dtype(torch.float64)
torch.set_num_threads(1)

STEPS, BATCH, N = 50, 16, 200
LAYERS = [20, 16, 12, 5]
TOL = 1e-10

ACT = {"rectifier": torch.relu, "tanh": torch.tanh, "sigmoid": torch.sigmoid,
       "softmax": lambda a: torch.softmax(a, dim=1), "step": lambda a: (a > 0).to(a.dtype),
       "linear": lambda a: a}

SGD = ("sgd", 0.5, 0.9, 0.0)                 # lr, momentum, weight decay
ADAM = ("adam", 1e-2, 0.9, 0.999, 1e-8, 0.0)  # lr, beta1, beta2, eps, weight decay

# (name, rule, output, hidden activation, hidden optimizer, output optimizer, centering, hidden rule)
CASES = [(f"{rule}-{out}-{opt[0]}", rule, out, "rectifier", opt, opt, "none", "backprop")
         for rule in ("hd", "gd") for out in ("sigmoid", "softmax") for opt in (SGD, ADAM)]
CASES += [
    ("seed000-adam-hidden-sgd-output", "hd", "sigmoid", "rectifier", ADAM, ("sgd", 2.0, 0.0, 0.0), "none", "backprop"),
    ("running-centering-decay-tanh", "hd", "softmax", "tanh", ("adam", 1e-2, 0.8, 0.99, 1e-6, 1e-2),
     ("sgd", 0.3, 0.5, 1e-2), "running", "backprop"),
    ("gd-running-centering", "gd", "sigmoid", "rectifier", SGD, SGD, "running", "backprop"),
    ("frozen-hidden-step-output", "hd", "step", "rectifier", SGD, ("sgd", 0.1, 0.9, 1e-3), "none", "frozen"),
]


def opt_line(o):
    return " ".join(str(v) for v in o)


def torch_run(X, labels, order, W0, b0, rule, out, hidden, hopt, oopt, centering, hidden_rule):
    W = [torch.tensor(w, requires_grad=True) for w in W0]
    b = [torch.tensor(v, requires_grad=True) for v in b0]
    L = len(W)

    def make(o, ws, bs):
        groups = [{"params": ws, "weight_decay": o[-1]}, {"params": bs, "weight_decay": 0.0}]
        if o[0] == "sgd":
            return torch.optim.SGD(groups, lr=o[1], momentum=o[2])
        return torch.optim.Adam(groups, lr=o[1], betas=(o[2], o[3]), eps=o[4])

    opts = [make(oopt, [W[-1]], [b[-1]])]
    if hidden_rule == "backprop":
        opts.append(make(hopt, W[:-1], b[:-1]))
    mu = [torch.zeros(w.shape[0]) for w in W]
    count = 0.0
    Xt = torch.tensor(X)
    T_all = torch.nn.functional.one_hot(torch.tensor(labels), LAYERS[-1]).to(torch.float64)
    for s in range(order.shape[0]):
        idx = torch.tensor(order[s])
        h, t = Xt[idx], T_all[idx]
        B = h.shape[0]
        for l in range(L):
            if centering == "running":
                with torch.no_grad():
                    mu[l] = (count * mu[l] + h.detach().sum(0)) / (count + B)
                h = h - mu[l]
            a = h @ W[l] + b[l]
            h = ACT[out if l == L - 1 else hidden](a)
        count += B
        if rule == "hd":
            loss = ((h.detach() - t) * a).sum() / B
        else:
            loss = 0.5 * ((h - t) ** 2).sum() / B
        for o in opts:
            o.zero_grad()
        loss.backward()
        for o in opts:
            o.step()
    return [w.detach().numpy() for w in W], [v.detach().numpy() for v in b]


def main():
    peer = sys.argv[1]
    rng = np.random.default_rng(11)
    failures = 0
    for (name, rule, out, hidden, hopt, oopt, centering, hidden_rule) in CASES:
        X = rng.uniform(0.0, 1.0, (N, LAYERS[0]))
        labels = rng.integers(0, LAYERS[-1], N)
        order = np.stack([rng.permutation(N)[:BATCH] for _ in range(STEPS)]).astype(np.int64)
        W0 = [rng.uniform(-1, 1, (i, o)) * np.sqrt(6.0 / (i + o)) for i, o in zip(LAYERS[:-1], LAYERS[1:])]
        b0 = [rng.uniform(-0.1, 0.1, o) for o in LAYERS[1:]]
        with tempfile.TemporaryDirectory() as d:
            np.save(os.path.join(d, "X.npy"), X)
            np.save(os.path.join(d, "labels.npy"), labels.astype(np.int64))
            np.save(os.path.join(d, "order.npy"), order)
            for l, (w, v) in enumerate(zip(W0, b0)):
                np.save(os.path.join(d, f"W{l}.npy"), w)
                np.save(os.path.join(d, f"b{l}.npy"), v)
            with open(os.path.join(d, "config.txt"), "w") as f:
                f.write(f"layers {' '.join(map(str, LAYERS))}\nhidden {hidden}\noutput {out}\nrule {rule}\n"
                        f"hidden_rule {hidden_rule}\ncentering {centering}\n"
                        f"hidden_optimizer {opt_line(hopt)}\noutput_optimizer {opt_line(oopt)}\n")
            subprocess.run([peer, d], check=True)
            Wc = [np.load(os.path.join(d, f"W{l}_out.npy")) for l in range(len(W0))]
            bc = [np.load(os.path.join(d, f"b{l}_out.npy")) for l in range(len(W0))]
        Wt, bt = torch_run(X, labels, order, W0, b0, rule, out, hidden, hopt, oopt, centering, hidden_rule)
        diff = max(max(np.abs(c - t).max() for c, t in zip(Wc, Wt)), max(np.abs(c - t).max() for c, t in zip(bc, bt)))
        # Each trained layer must have moved far more than the tolerance, or the comparison says nothing.
        trained = range(len(W0)) if hidden_rule == "backprop" else [len(W0) - 1]
        moved = min(np.abs(Wt[l] - W0[l]).max() for l in trained)
        frozen_kept = all(np.array_equal(Wc[l], W0[l]) for l in range(len(W0)) if l not in trained)
        ok = diff <= TOL and moved > 1e-3 and frozen_kept
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {name:34s} max |C++ - torch| = {diff:.2e}, smallest layer change {moved:.2e}"
              + ("" if frozen_kept else ", frozen layer changed"))
    if failures:
        print(f"{failures} of {len(CASES)} cases differ from PyTorch")
        return 1
    print(f"OK: {len(CASES)} cases agree with PyTorch to {TOL:g} after {STEPS} steps")
    return 0


if __name__ == "__main__":
    sys.exit(main())
