"""Figures of autoassociation result files (experiment_kind "autoassociation"; layout: results/README.md),
drawn for tools/plot.py, which dispatches on experiment_kind.

run: reconstruction error (train and held-out) and ‖ΔW‖ per epoch, mean ± sd over repetitions; each hidden
unit's mean activity and the spread across units per epoch; the largest principal angle per epoch; the
forgetting curve (online: each pattern's error after training against its age); the learned filters
(columns of W) as image tiles when the input is an image and the weights are stored.
sweep: each cell winner's held-out error, ‖ΔW‖, hidden spread and largest angle per epoch (plot.py draws
the bars and tuning curves of every kind's sweep).
Every function takes an open h5py.File and save(fig, name); shapes are checked before use (Invalid).
"""
import numpy as np
import matplotlib.pyplot as plt

MAX_FILTERS = 64  # tiles drawn of one W


class Invalid(Exception):
    """A dataset or attribute is missing or has the wrong shape."""


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def array(f, name, shape=None):
    if name not in f:
        raise Invalid(f"no {name}")
    a = np.asarray(f[name][()])
    if shape is not None and (a.ndim != len(shape) or any(s is not None and s != d for s, d in zip(shape, a.shape))):
        raise Invalid(f"{name} has shape {a.shape}, expected {tuple('?' if s is None else s for s in shape)}")
    return a


def band(ax, x, values, label, color=None, log=False):
    """Mean ± sd over the rows of values (NaN rows of diverged repetitions left out)."""
    with np.errstate(all="ignore"):
        m = np.nanmean(values, axis=0)
        s = np.nanstd(values, axis=0, ddof=1) if values.shape[0] > 1 else np.zeros_like(m)
    line, = ax.plot(x, m, label=label, color=color)
    lo = np.maximum(m - s, m * 1e-3) if log else m - s
    ax.fill_between(x, lo, m + s, alpha=0.2, color=line.get_color())
    if log and np.any(m > 0):
        ax.set_yscale("log")


def title_of(f):
    return (f"{text(f.attrs.get('name', '?'))}: {text(f.attrs.get('rule', '?'))}, "
            f"{text(f.attrs.get('activation', '?'))} hidden, {text(f.attrs.get('visible', '?'))} visible, "
            f"k = {int(f.attrs.get('hidden', 0))}")


def plot_run(f, save):
    R = array(f, "score", (None,)).shape[0]
    train = array(f, "metrics/train_mse", (R, None))
    E = train.shape[1]
    held = array(f, "metrics/heldout_mse", (R, E))
    dw = array(f, "metrics/dw_norm", (R, E))
    spread = array(f, "metrics/hidden_spread", (R, E))
    angle = array(f, "metrics/max_angle", (R, E))
    k = int(f.attrs.get("hidden", 0))
    hidden = array(f, "metrics/hidden_mean", (R, E, k))
    init_train = array(f, "initial/train_mse", (R,))
    init_held = array(f, "initial/heldout_mse", (R,))
    epochs = np.arange(E + 1)
    data = text(f.attrs.get("data", ""))
    sub = f"{title_of(f)}, {R} repetition{'s' if R > 1 else ''}\n{data if len(data) < 110 else data[:107] + '…'}"

    fig, axs = plt.subplots(1, 2, figsize=(11, 4))
    band(axs[0], epochs, np.column_stack([init_train, train]), "train", log=True)
    band(axs[0], epochs, np.column_stack([init_held, held]), "held-out", log=True)
    axs[0].set_xlabel("epoch (0: before training)")
    axs[0].set_ylabel("reconstruction MSE")
    axs[0].legend(fontsize=8)
    band(axs[1], epochs[1:], dw, "‖ΔW‖ of the epoch", log=True)
    axs[1].set_xlabel("epoch")
    axs[1].set_ylabel("‖W_end − W_start‖_F")
    for ax in axs:
        ax.grid(alpha=0.3)
    fig.suptitle(sub, fontsize=9)
    fig.tight_layout()
    save(fig, "error")

    fig, axs = plt.subplots(1, 3, figsize=(14, 3.8))
    last = hidden[:, -1, :]
    with np.errstate(all="ignore"):
        m = np.nanmean(last, axis=0)
        s = np.nanstd(last, axis=0, ddof=1) if R > 1 else np.zeros(k)
    axs[0].bar(np.arange(k), m, yerr=s, capsize=2)
    axs[0].axhline(np.nanmean(m), color="k", lw=0.8, ls="--", label="mean over units")
    axs[0].set_xlabel("hidden unit")
    axs[0].set_ylabel("mean activity after training")
    axs[0].legend(fontsize=8)
    band(axs[1], epochs[1:], spread, "sd of the units' means")
    axs[1].set_xlabel("epoch")
    axs[1].set_ylabel("hidden spread")
    band(axs[2], epochs[1:], angle, "largest principal angle")
    axs[2].set_xlabel("epoch")
    axs[2].set_ylabel("radians")
    for ax in axs:
        ax.grid(alpha=0.3)
    fig.suptitle("hidden activity and subspace — " + sub, fontsize=9)
    fig.tight_layout()
    save(fig, "hidden")

    curve = array(f, "forgetting_curve", (R, None))
    if text(f.attrs.get("protocol", "")) == "online" and curve.shape[1] > 1:
        fig, ax = plt.subplots(figsize=(7, 4))
        band(ax, np.arange(curve.shape[1]), curve[:, ::-1], "reconstruction MSE")
        ax.set_xlabel("pattern age (0 = most recently trained)")
        ax.set_ylabel("MSE after training")
        ax.grid(alpha=0.3)
        ax.set_title("forgetting curve — " + sub, fontsize=9)
        save(fig, "forgetting")

    side = int(f.attrs.get("image_side", 0))
    if side > 0 and "weights/W" in f:
        W = array(f, "weights/W", (R, side * side, k))[0]
        filters(W, side, f"filters (columns of W), repetition 0 — {sub}", save)


def filters(W, side, title, save):
    k = min(W.shape[1], MAX_FILTERS)
    cols = int(np.ceil(np.sqrt(k)))
    rows = int(np.ceil(k / cols))
    fig, axs = plt.subplots(rows, cols, figsize=(1.3 * cols + 0.5, 1.3 * rows + 0.8), squeeze=False)
    for i, ax in enumerate(axs.flat):
        ax.axis("off")
        if i < k:
            w = W[:, i].reshape(side, side)
            lim = np.abs(w).max() or 1.0
            ax.imshow(w, cmap="RdBu_r", vmin=-lim, vmax=lim)
    fig.suptitle(title, fontsize=8)
    save(fig, "filters")


def plot_sweep(f, save):
    """The winners' measures per epoch (plot.py draws the sweep's bars and tuning curves)."""
    labels = [text(x) for x in array(f, "summary/label", (None,))]
    panels = [("epoch_heldout_mse", "held-out MSE", True), ("epoch_dw_norm", "‖ΔW‖ of the epoch", True),
              ("epoch_hidden_spread", "hidden spread", False), ("epoch_max_angle", "largest principal angle", False)]
    fig, axs = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.8))
    colours = plt.get_cmap("tab10")
    for c, label in enumerate(labels):
        for ax, (name, ylabel, log) in zip(axs, panels):
            v = array(f, f"cells/c{c:04d}/{name}", (None, None))
            band(ax, np.arange(1, v.shape[1] + 1), v, label, color=colours(c % 10), log=log)
            ax.set_xlabel("epoch")
            ax.set_ylabel(ylabel)
    for ax in axs:
        ax.grid(alpha=0.3)
    axs[0].legend(fontsize=7)
    fig.suptitle(f"{text(f.attrs.get('name', '?'))}: the winners per epoch", fontsize=10)
    fig.tight_layout()
    save(fig, "epochs")
