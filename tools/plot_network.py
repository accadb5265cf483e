"""Figures of a network run file (kind "run", experiment_kind "network"; results/README.md), for plot.py.

accuracy: train / validation / test accuracy after every epoch, mean ± sd over repetitions (tasks of a
stream in turn, shaded); loss: the mse and, where the output defines it, the cross entropy, the same
way; accuracy_matrix (streams only): the test accuracy matrix R, mean over repetitions, annotated.
Every dataset is checked for its shape before it is used; a mismatch raises Invalid with one line.
"""
import warnings

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import MaxNLocator

PARTS = ("train", "validation", "test")
MEASURES = ("accuracy", "mse", "cross_entropy")
STREAM = ("average_accuracy", "backward_transfer", "forgetting")
COLOURS = {"train": "tab:blue", "validation": "tab:orange", "test": "tab:green"}


class Invalid(Exception):
    """The file does not hold what the layout says (the message names the dataset and the shapes)."""


def attr_text(f, name):
    v = f.attrs.get(name)
    v = v[()] if isinstance(v, np.ndarray) and v.shape == () else v
    if isinstance(v, bytes):
        v = v.decode()
    if not isinstance(v, str):
        raise Invalid(f"root attribute {name!r} is missing or not a string")
    return v


def attr_number(f, name):
    v = np.asarray(f.attrs.get(name, np.nan))
    if v.shape != () or v.dtype.kind not in "iuf":
        raise Invalid(f"root attribute {name!r} is not a single number")
    return float(v)


def dataset(f, name, shape, what, kinds="iuf"):
    """The dataset as an array after checking its shape (None in `shape`: any length) and type."""
    if name not in f or not hasattr(f[name], "shape"):
        raise Invalid(f"no dataset {name!r} ({what})")
    ds = f[name]
    ok = len(ds.shape) == len(shape) and all(w is None or w == d for w, d in zip(shape, ds.shape))
    if not ok:
        got = ", ".join(str(d) for d in ds.shape)
        want = ", ".join("any" if w is None else str(w) for w in shape)
        raise Invalid(f"{name!r} has shape [{got}], expected [{want}] ({what})")
    if ds.dtype.kind not in kinds:
        raise Invalid(f"{name!r} has type {ds.dtype}, expected numbers ({what})")
    return np.asarray(ds[()])


class NetworkRun:
    """The datasets of a network run file, checked against each other."""

    def __init__(self, f):
        self.name = attr_text(f, "name")
        self.protocol = attr_text(f, "protocol")
        self.output = f"{attr_text(f, 'output_activation')} output ({attr_text(f, 'output_rule')})"
        self.data = short_data(attr_text(f, "data"), [int(attr_number(f, k)) for k in ("n_train", "n_validation",
                                                                                       "n_test")])
        self.score = attr_text(f, "score")
        self.score_mean, self.score_sd = attr_number(f, "score_mean"), attr_number(f, "score_sd")
        self.R = dataset(f, "score", (None,), "one score per repetition").shape[0]
        if self.R < 1:
            raise Invalid("'score' is empty: the file holds no repetition")
        self.task = dataset(f, "metrics/task", (None,), "the task of each measurement", "iu").astype(int)
        self.epoch = dataset(f, "metrics/epoch", (len(self.task),), "the epoch of each measurement", "iu")
        self.E = len(self.task)
        if self.E < 1 or self.task.min() < 0 or np.any(np.diff(self.task) < 0):
            raise Invalid("'metrics/task' is empty or not tasks in turn from 0")
        self.T = int(self.task.max()) + 1
        self.metrics = {f"{p}_{m}": dataset(f, f"metrics/{p}_{m}", (self.R, self.E),
                                            "[repetitions, measured epochs]").astype(float)
                        for p in PARTS for m in MEASURES}
        self.stream = {s: dataset(f, f"stream/{s}", (self.R,), "one value per repetition").astype(float)
                       for s in STREAM}
        self.is_stream = self.protocol != "iid"
        self.matrix = None
        if self.is_stream:
            self.matrix = dataset(f, "accuracy_matrix/test", (self.R, self.T, self.T),
                                  "[repetitions, tasks, tasks]").astype(float)

    def title(self):
        return (f"{self.name}: {self.output}, protocol {self.protocol}, {self.R} repetition"
                f"{'s' if self.R != 1 else ''}\n{self.data}")


def short_data(description, sizes):
    """'MNIST train (300 x 784, …; TEST FIXTURE: …) …' -> 'MNIST (test fixture): 250 train / 50 validation /
    100 test': the full description is long (hds inspect shows it)."""
    name = description.split("(")[0].strip().removesuffix(" train") or "data"
    fixture = " (test fixture)" if "TEST FIXTURE" in description else ""
    return f"{name}{fixture}: {sizes[0]} train / {sizes[1]} validation / {sizes[2]} test patterns"


def finite_mean_sd(a, axis=0):
    """Mean and sample sd over `axis` of the finite entries (a diverged repetition has no loss)."""
    a = np.where(np.isfinite(a), a, np.nan)
    n = np.sum(np.isfinite(a), axis=axis)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        m = np.nanmean(a, axis=axis)
        s = np.where(n > 1, np.nanstd(a, axis=axis, ddof=1), 0.0)
    return m, s


def mark_tasks(ax, run):
    """Shades every other task of a stream and names the tasks above the plot."""
    if run.T < 2:
        return
    for t in range(run.T):
        at = np.flatnonzero(run.task == t)
        if len(at) == 0:
            continue
        lo, hi = at[0] + 0.5, at[-1] + 1.5
        if t % 2:
            ax.axvspan(lo, hi, color="0.92", zorder=0)
        ax.text((lo + hi) / 2, 1.0, f"task {t}", transform=ax.get_xaxis_transform(), ha="center", va="bottom",
                fontsize=7)


def curves(ax, run, measure, ylabel):
    x = np.arange(1, run.E + 1)
    drawn = False
    for part in PARTS:
        m, s = finite_mean_sd(run.metrics[f"{part}_{measure}"])
        if not np.any(np.isfinite(m)):
            continue
        last = m[np.isfinite(m)][-1]
        ax.plot(x, m, color=COLOURS[part], marker="o" if run.E <= 30 else None, ms=3,
                label=f"{part} (last {last:.4f})")
        ax.fill_between(x, m - s, m + s, color=COLOURS[part], alpha=0.2, lw=0)
        drawn = True
    mark_tasks(ax, run)
    ax.set_xlabel("epochs trained" if run.T == 1 else "epochs trained (tasks in turn)")
    ax.xaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylabel(ylabel)
    ax.set_xlim(0.5, run.E + 0.5)
    ax.grid(alpha=0.3)
    if drawn:
        ax.legend(fontsize=8)
    return drawn


def plot_accuracy(run, save):
    fig, ax = plt.subplots(figsize=(7, 4.2))
    curves(ax, run, "accuracy", "accuracy" + (" on the current task" if run.is_stream else ""))
    ax.set_ylim(0, 1.02)
    ax.set_title(f"accuracy, mean ± sd over repetitions; {run.score} {run.score_mean:.4f} ± {run.score_sd:.4f}\n"
                 f"{run.title()}", fontsize=9, pad=14 if run.T > 1 else 6)
    save(fig, "accuracy")


def plot_loss(run, save):
    has_ce = any(np.any(np.isfinite(run.metrics[f"{p}_cross_entropy"])) for p in PARTS)
    panels = [("mse", "mean squared error")] + ([("cross_entropy", "cross entropy")] if has_ce else [])
    fig, axs = plt.subplots(1, len(panels), figsize=(6.2 * len(panels), 4.2), squeeze=False)
    for ax, (measure, label) in zip(axs[0], panels):
        if not curves(ax, run, measure, label):
            ax.text(0.5, 0.5, "no finite values (every repetition diverged)", transform=ax.transAxes,
                    ha="center", fontsize=9)
    fig.suptitle(f"loss after every epoch, mean ± sd over the repetitions that did not diverge\n{run.title()}",
                 fontsize=9)
    fig.tight_layout()
    save(fig, "loss")


def plot_matrix(run, save):
    m, _ = finite_mean_sd(run.matrix)
    fig, ax = plt.subplots(figsize=(1.0 * run.T + 3.2, 0.8 * run.T + 2.6))
    im = ax.imshow(m, cmap="viridis", vmin=0, vmax=1, origin="upper")
    if run.T <= 20:
        for (i, j), v in np.ndenumerate(m):
            ax.text(j, i, "–" if not np.isfinite(v) else f"{v:.2f}", ha="center", va="center", fontsize=9,
                    color="black" if np.isfinite(v) and v > 0.6 else "white")
    ax.set_xticks(range(run.T))
    ax.set_yticks(range(run.T))
    ax.set_xlabel("task j (tested)")
    ax.set_ylabel("after training task i")
    s = {k: finite_mean_sd(v)[0] for k, v in run.stream.items()}
    ax.set_title(f"test accuracy R[i, j], mean over {run.R} repetitions\naverage accuracy "
                 f"{s['average_accuracy']:.4f}, backward transfer {s['backward_transfer']:.4f}, forgetting "
                 f"{s['forgetting']:.4f}\n{run.title()}", fontsize=8)
    fig.colorbar(im, ax=ax, label="accuracy")
    save(fig, "accuracy_matrix")


def plot_network(f, save):
    """Draws the figures of an open network run file; `save(fig, name)` writes each."""
    run = NetworkRun(f)
    plot_accuracy(run, save)
    plot_loss(run, save)
    if run.is_stream:
        plot_matrix(run, save)
