"""Writes a small sweep result file by hand, following results/README.md (layout_version 1), so that
inspect and plot.py can be tested before and independently of `hds sweep`.

usage: make_sweep_file.py OUT.h5 [--weight-decay] [--layout-version N] [--no-format]
"""
import argparse
import itertools

import h5py
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("out")
ap.add_argument("--weight-decay", action="store_true", help="add a weight_decay cell axis (0 and 0.01)")
ap.add_argument("--layout-version", type=int, default=1)
ap.add_argument("--no-format", action="store_true")
a = ap.parse_args()

rng = np.random.default_rng(7)
pairs = [("rand", "adult"), ("adult", "rand")]
activations = ["sigmoid", "step"]
rules = ["hd", "gd", "hebb"]
decays = ["0", "0.01"] if a.weight_decay else [None]
etas = np.array([0.01, 0.1, 1.0, 10.0])
R, P, G, last_n = 3, 30, len(etas), 20
axes = ["inputs", "targets", "activation"] + (["weight_decay"] if a.weight_decay else []) + ["rule"]
quality = {"hd": 0.05, "gd": 0.15, "hebb": 0.3}

cells = []
for (inp, tgt), act, dec, rule in itertools.product(pairs, activations, decays, rules):
    values = {"inputs": f"{{dataset: {inp}}}", "targets": f"{{dataset: {tgt}}}", "activation": act, "rule": rule}
    if dec is not None:
        values["weight_decay"] = dec
    base = quality[rule] + (0.3 if act == "step" and rule == "gd" else 0) + (0.02 if dec == "0.01" else 0)
    # A U-shaped error over log eta around eta = 1, with noise per repetition.
    err = base + 0.05 * (np.log10(etas)[:, None] ** 2) + 0.01 * rng.random((G, R))
    div = np.zeros((G, R), np.uint8)
    div[-1, 0] = 1
    err[-1, 0] = 1.0
    cells.append((values, err, div))

with h5py.File(a.out, "w") as f:
    if not a.no_format:
        f.attrs["format"] = "hds-result"
    f.attrs["layout_version"] = np.int64(a.layout_version)
    f.attrs["kind"] = "sweep"
    for k, v in [("hds_version", "0.1.0"), ("git_commit", "handmade"), ("host", "test"),
                 ("created", "2026-01-01T00:00:00Z"), ("command_line", "make_sweep_file.py"),
                 ("config_file", "handmade.yaml"), ("name", "handmade_sweep"), ("sweep_hash", "0" * 64)]:
        f.attrs[k] = v
    f.attrs["base_seed"] = np.int64(1)
    f.attrs["repetitions"] = np.int64(R)
    f.attrs["last_n"] = np.int64(last_n)
    f.attrs["n_cells"] = np.int64(len(cells))
    f.attrs["n_grid"] = np.int64(G)
    f.attrs["cell_axes"] = ",".join(axes)
    f.attrs["tuned_axes"] = "eta"
    f.attrs["seconds"] = 1.5
    s = h5py.string_dtype()
    f.create_dataset("config", data="name: handmade_sweep\n", dtype=s)
    f.create_dataset("provenance/data_files", data=["/data/adult/a9a"], dtype=s)
    f.create_dataset("provenance/data_sha256", data=["ab" * 32], dtype=s)
    f.create_dataset("provenance/data_notes", data=["test note"], dtype=s)
    f.create_dataset("provenance/data_bytes", data=np.array([1234], np.uint64))
    f.create_dataset("grid/eta", data=etas)
    labels, winners, means, sds, ndiv = [], [], [], [], []
    for c, (values, err, div) in enumerate(cells):
        w = int(np.argmin(err.mean(axis=1)))
        labels.append(" ".join(f"{k}={values[k]}" for k in axes))
        winners.append(w)
        means.append(err[w].mean())
        sds.append(err[w].std(ddof=1))
        ndiv.append(int(div[w].sum()))
        g = f.create_group(f"cells/c{c:04d}")
        g["last_n_error"] = err
        g["diverged"] = div
        age = np.arange(P)[::-1]
        g["forgetting_curve"] = means[-1] + 0.3 * (1 - np.exp(-age / 10.0))[None, :] + 0.01 * rng.random((R, P))
        if c == 0:
            g["error_matrix"] = rng.random((R, P, P))
        g.create_dataset("config", data=f"rule: {values['rule']}\n", dtype=s)
    f.create_dataset("summary/label", data=labels, dtype=s)
    for ax in axes:
        f.create_dataset(f"summary/{ax}", data=[v[ax] for v, _, _ in cells], dtype=s)
    f["summary/winner_index"] = np.array(winners, np.int64)
    f["summary/winner_eta"] = etas[winners]
    f["summary/last_n_mean"] = np.array(means)
    f["summary/last_n_sd"] = np.array(sds)
    f["summary/n_diverged"] = np.array(ndiv, np.int64)
print(a.out)
