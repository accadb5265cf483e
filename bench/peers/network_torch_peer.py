"""PyTorch CPU peer of the network benchmark (bench/network_bench.cpp): the same MNIST 784-200-200-10
network (rectifier hidden, sigmoid output), the same initial weights and the same mini-batches, in float64
or float32. The output layer learns by Hebbian descent: the signal at the output pre-activation is
delta = h - t (the sigmoid's derivative dropped), fed to autograd as the gradient of a_L (divided by the
batch size, as hds averages over the batch); the hidden layers get backprop of it by autograd, and
torch.optim does the updates. Reads `hds_network_bench --dump DIR`; prints one JSON line.

usage: network_torch_peer.py DIR [--dtype float64|float32] [--threads T] [--epochs E]
"""
import argparse
import gzip
import json
import os
import statistics
import time

import numpy as np
import torch


def read_idx(path):
    """An idx file (optionally gzipped) as a numpy array of its shape (uint8 data only)."""
    with (gzip.open if path.endswith(".gz") else open)(path, "rb") as f:
        raw = f.read()
    assert raw[2] == 0x08, f"{path}: not uint8 idx data"
    ndim = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(ndim)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


def load_mnist(files, n_train, n_val, dtype):
    """Train, validation and test parts as hds cuts them: pixels / 255 (in float32, as hds's reader), the
    validation part is the n_val patterns after the first n_train of the training file."""
    by_name = {os.path.basename(f).split("-idx")[0]: f for f in files}
    scale = lambda a: torch.from_numpy((a.reshape(a.shape[0], -1).astype(np.float32) / np.float32(255)))
    X = scale(read_idx(by_name["train-images"])).to(dtype)
    y = torch.from_numpy(read_idx(by_name["train-labels"]).astype(np.int64))
    Xt = scale(read_idx(by_name["t10k-images"])).to(dtype)
    yt = torch.from_numpy(read_idx(by_name["t10k-labels"]).astype(np.int64))
    parts = (X[:n_train].clone(), y[:n_train].clone()), (X[n_train:n_train + n_val].clone(),
                                                         y[n_train:n_train + n_val].clone()), (Xt, yt)
    return parts


def blas_libraries():
    """The BLAS shared objects this process has mapped (resolved links), to label the row."""
    libs = set()
    for line in open("/proc/self/maps"):
        path = line.split()[-1]
        if path.startswith("/") and any(k in os.path.basename(path).lower() for k in ("blas", "mkl", "blis")):
            libs.add(os.path.realpath(path))
    return sorted(libs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--dtype", choices=("float64", "float32"), default="float64")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--epochs", type=int, default=0, help="first E epochs of the dumped order (0: all)")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    dtype = getattr(torch, args.dtype)
    w = json.load(open(os.path.join(args.dir, "workload.json")))
    assert w["layers"] == [784, 200, 200, 10]
    (X, y), (Xv, yv), (Xt, yt) = load_mnist(w["files"], w["n_train"], w["n_validation"], dtype)
    order = torch.from_numpy(np.load(os.path.join(args.dir, "order.npy")))
    epochs = args.epochs or order.shape[0]
    L = len(w["layers"]) - 1
    W = [torch.tensor(np.load(os.path.join(args.dir, f"W{l}.npy")), dtype=dtype, requires_grad=True) for l in range(L)]
    b = [torch.tensor(np.load(os.path.join(args.dir, f"b{l}.npy")), dtype=dtype, requires_grad=True) for l in range(L)]
    running = w["setting"] == "adam"
    if running:  # experiments/seed000_mlp.yaml
        opts = [torch.optim.Adam(W[:-1] + b[:-1], lr=1e-3), torch.optim.SGD([W[-1], b[-1]], lr=1.25)]
    else:  # experiments/mnist_mlp.yaml
        opts = [torch.optim.SGD(W + b, lr=0.1, momentum=0.9)]
    mu = [torch.zeros(n, dtype=dtype) for n in w["layers"][:-1]]
    count = 0.0
    T = torch.nn.functional.one_hot(y, w["layers"][-1]).to(dtype)
    batch = w["batch"]

    def forward(h, train):
        nonlocal count
        for l in range(L):
            if running:
                if train:
                    with torch.no_grad():
                        mu[l] = (count * mu[l] + h.sum(0)) / (count + h.shape[0])
                h = h - mu[l]
            a = torch.addmm(b[l], h, W[l])
            h = torch.relu(a) if l < L - 1 else torch.sigmoid(a)
        if train:
            count += h.shape[0]
        return a, h

    def accuracy(Xe, ye):
        with torch.no_grad():
            correct = sum(int((forward(Xe[i:i + 1024], False)[0].argmax(1) == ye[i:i + 1024]).sum())
                          for i in range(0, Xe.shape[0], 1024))
        return correct / Xe.shape[0]

    epoch_s, eval_s, val_acc, test_acc = [], [], [], []
    steps = 0
    for e in range(epochs):
        t0 = time.perf_counter()
        for begin in range(0, X.shape[0], batch):
            idx = order[e, begin:begin + batch]
            a, h = forward(X[idx], True)
            delta = (h.detach() - T[idx]) / idx.shape[0]  # hd: h - t, batch mean
            for o in opts:
                o.zero_grad(set_to_none=True)
            a.backward(delta)
            for o in opts:
                o.step()
            steps += 1
        t1 = time.perf_counter()
        val_acc.append(accuracy(Xv, yv))
        test_acc.append(accuracy(Xt, yt))
        epoch_s.append(t1 - t0)
        eval_s.append(time.perf_counter() - t1)
    data_mb = sum(t.element_size() * t.nelement() for t in (X, Xv, Xt)) / 2**20
    print(json.dumps({"impl": "torch", "dtype": args.dtype, "setting": w["setting"], "threads": args.threads,
                      "torch": torch.__version__, "blas": blas_libraries(), "epochs": epochs, "batch": batch,
                      "n_train": X.shape[0], "steps": steps, "median_s": statistics.median(epoch_s),
                      "epoch_s": epoch_s, "eval_median_s": statistics.median(eval_s), "val_acc": val_acc,
                      "test_acc": test_acc, "data_mb": data_mb}))


if __name__ == "__main__":
    main()
