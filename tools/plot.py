"""Figures like the paper's from an hds result file (layout: results/README.md), written as PNGs.

  python3 tools/plot.py FILE.h5 [--out DIR] [--compare OTHER.h5]

sweep: grouped bars of each cell winner's last-N error (± sd) per rule, one panel per activation and
one group per data pair; forgetting curves (winner's error against pattern age, mean over repetitions,
one line per rule); error-matrix heat maps where stored; with a weight_decay cell axis (or --compare)
a with/without comparison. run: the forgetting curve (and the error matrix when stored); a network run
(experiment_kind network): accuracy and loss curves and, for streams, the accuracy matrix
(plot_network.py); an autoassociation run: its error, ‖ΔW‖, hidden activity and angles per epoch and
its filters (plot_autoassociation.py), and of an autoassociation sweep also the winners' measures per
epoch. study: the toy weight paths (study 1) or the output table (study 2). Prints the path of every
PNG written.
Needs numpy, h5py, pandas, python3-yaml and matplotlib (Debian's python3-* packages) and the hds
package (python/).
"""
import argparse
import os
import re
import sys

import h5py
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

import plot_autoassociation  # noqa: E402
import plot_network  # noqa: E402

try:
    import hds  # noqa: E402  the suite's reader of result files (python/hds; on PYTHONPATH under `hds plot`)
except ImportError:
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "python"))
    import hds  # noqa: E402

MAX_HEATMAPS = 12  # error matrices drawn per sweep (the first cells that store one)


def fail(msg):
    print(f"plot.py: error: {msg}", file=sys.stderr)
    sys.exit(2)


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def open_result(path):
    """The file as h5py.File, once hds.open has checked that it is an hds result it can read."""
    try:
        return hds.open(path).h5
    except hds.Error as e:
        fail(str(e))


def scalar_text(v):
    """A string attribute's value; anything else (an array, a number) as '' so that checks refuse it."""
    v = v[()] if isinstance(v, np.ndarray) and v.shape == () else v
    return text(v) if isinstance(v, (str, bytes)) else ""


def strings(ds):
    return [text(x) for x in ds[()]]


def dataset_name(flow):
    """'{dataset: rand, dim: 200}' -> 'rand'; anything else unchanged."""
    m = re.search(r"dataset:\s*([\w.-]+)", flow)
    return m.group(1) if m else flow


def stem(path):
    return os.path.splitext(os.path.basename(path))[0]


class Writer:
    def __init__(self, out, prefix):
        self.out, self.prefix, self.paths = out, prefix, []

    def save(self, fig, name):
        path = os.path.join(self.out, f"{self.prefix}_{name}.png")
        fig.savefig(path, dpi=110, bbox_inches="tight")
        plt.close(fig)
        self.paths.append(path)


def title_of(f):
    return f"{text(f.attrs.get('name', '?'))} ({text(f.attrs['kind'])} from {text(f.attrs.get('config_file', '?'))})"


# ---------------------------------------------------------------- runs

def mean_curve(curve):
    """[R, P] errors by sequence position -> mean and sd by age (0 = newest)."""
    c = np.asarray(curve)[:, ::-1]
    return c.mean(axis=0), (c.std(axis=0, ddof=1) if c.shape[0] > 1 else np.zeros(c.shape[1]))


def run_label(f):
    return f"{text(f.attrs['rule'])}, {text(f.attrs['activation'])}, eta={float(f.attrs['eta']):.3g}"


def plot_run(f, w, compare=None):
    fig, ax = plt.subplots(figsize=(7, 4.2))
    for g, label in [(f, run_label(f))] + ([(compare, "compare: " + run_label(compare))] if compare else []):
        m, s = mean_curve(g["forgetting_curve"])
        age = np.arange(len(m))
        ax.plot(age, m, label=f"{label} (last-{int(g.attrs['last_n'])}: {float(g.attrs['last_n_mean']):.4f})")
        ax.fill_between(age, m - s, m + s, alpha=0.2)
    ax.set_xlabel("pattern age (0 = most recently trained)")
    ax.set_ylabel("mean absolute error")
    ax.set_title(f"forgetting curve: {text(f.attrs.get('inputs', '?'))} → {text(f.attrs.get('targets', '?'))}\n"
                 f"{title_of(f)}, {f['forgetting_curve'].shape[0]} repetitions", fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    w.save(fig, "forgetting")
    if "error_matrix" in f:
        heatmap(np.asarray(f["error_matrix"]).mean(axis=0), f"error matrix, {run_label(f)}\n{title_of(f)}", w,
                "error_matrix")


def heatmap(E, title, w, name):
    fig, ax = plt.subplots(figsize=(5.5, 4.5))
    im = ax.imshow(E, aspect="auto", origin="lower", cmap="viridis", vmin=0)
    ax.set_xlabel("pattern p (position in the sequence)")
    ax.set_ylabel("step s (online) or epoch (multi-epoch)")
    ax.set_title(title, fontsize=9)
    fig.colorbar(im, ax=ax, label="error of pattern p after step s (mean over repetitions)")
    w.save(fig, name)


# ---------------------------------------------------------------- sweeps

class Sweep:
    """The cells of a sweep file with their axis values, winners and curves."""

    def __init__(self, f):
        self.f = f
        r = hds.Result(f.filename) if not isinstance(f, hds.Result) else f
        # The experiment keys the cell axes set (a zipped pair sets inputs and targets).
        self.axes = r.cell_keys or r.cell_axes
        self.labels = strings(f["summary/label"])
        n = len(self.labels)
        self.values = {a: [dataset_name(v) for v in strings(f[f"summary/{a}"])] if f"summary/{a}" in f else [""] * n
                       for a in self.axes}
        # The score of the sweep's kind (association: last-N error; network: validation accuracy);
        # files from before sweeps had kinds are association sweeps (the reader says so).
        stem = r.summary_score
        self.score = r.score
        winners = r.winners()
        self.mean = winners[f"{stem}_mean"].to_numpy()
        self.sd = winners[f"{stem}_sd"].to_numpy()
        self.last_n = int(r.attrs.get("last_n", 20))
        self.reps = int(r.attrs.get("repetitions", 0))
        self.score_label = f"last-{self.last_n} MAE" if stem == "last_n" else self.score.replace("_", " ")
        self.lower_is_better = r.lower_is_better
        self.experiment_kind = r.experiment_kind
        self.tuned = r.tuned_axes
        colour = [a for a in ("rule", "output_rule") if a in self.axes]
        self.colour_axis = colour[0] if colour else (self.axes[-1] if self.axes else None)
        panel = [a for a in ("activation", "output_activation") if a in self.axes and a != self.colour_axis]
        self.panel_axis = panel[0] if panel else None

    def value(self, axis, c):
        return self.values[axis][c] if axis else ""

    def group_key(self, c, skip=()):
        """The cell's values on the axes that are neither panel nor colour (nor in skip)."""
        parts, v = [], {a: self.values[a][c] for a in self.axes}
        rest = [a for a in self.axes if a not in (self.panel_axis, self.colour_axis) and a not in skip]
        if "inputs" in rest and "targets" in rest:
            parts.append(f"{v['inputs']}→{v['targets']}")
            rest = [a for a in rest if a not in ("inputs", "targets")]
        parts += [f"{a}={v[a]}" for a in rest]
        return ", ".join(parts) or "all"

    def distinct(self, items):
        return list(dict.fromkeys(items))

    def cells(self):
        return range(len(self.labels))


def colours(keys):
    cmap = plt.get_cmap("tab10")
    return {k: cmap(i % 10) for i, k in enumerate(keys)}


def plot_sweep_bars(s, w, tag=""):
    panels = s.distinct(s.value(s.panel_axis, c) for c in s.cells())
    bars = s.distinct(s.value(s.colour_axis, c) for c in s.cells())
    groups = s.distinct(s.group_key(c) for c in s.cells())
    col = colours(bars)
    width = 0.8 / max(len(bars), 1)
    fig, axs = plt.subplots(len(panels), 1, figsize=(max(7, 0.35 * len(groups) * (len(bars) + 1) + 2), 3.4 * len(panels)),
                            squeeze=False)
    for ax, panel in zip(axs[:, 0], panels):
        for b, bar in enumerate(bars):
            xs, ys, es = [], [], []
            for g, group in enumerate(groups):
                for c in s.cells():
                    if s.value(s.panel_axis, c) == panel and s.value(s.colour_axis, c) == bar and s.group_key(c) == group:
                        xs.append(g + (b - (len(bars) - 1) / 2) * width)
                        ys.append(s.mean[c])
                        es.append(s.sd[c])
            ax.bar(xs, ys, width, yerr=es, capsize=2, color=col[bar], label=bar)
        ax.set_xticks(range(len(groups)))
        ax.set_xticklabels([re.sub(r",\s(?![^\[]*\])", "\n", g) for g in groups], fontsize=8)
        ax.set_ylabel(f"{s.score_label} (winner)")
        ax.set_title(f"{s.panel_axis}={panel}" if s.panel_axis else "all cells", fontsize=9)
        ax.grid(axis="y", alpha=0.3)
        ax.legend(title=s.colour_axis, fontsize=8, title_fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1))
    fig.suptitle(f"{title_of(s.f)}{tag}: best tuned {s.score_label} per cell, mean ± sd over {s.reps} repetitions",
                 fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 0.985))
    w.save(fig, "bars")


def plot_sweep_curves(s, w, dataset, xlabel, ylabel, name):
    """The winners' curves (mean over repetitions) of `dataset` in /cells/cNNNN, one figure per group
    of cells, one panel per panel-axis value: forgetting curves (association), accuracy per epoch
    (network). Nothing when no cell has the dataset."""
    if not any(f"cells/c{c:04d}/{dataset}" in s.f for c in s.cells()):
        return
    groups = s.distinct(s.group_key(c) for c in s.cells())
    panels = s.distinct(s.value(s.panel_axis, c) for c in s.cells())
    col = colours(s.distinct(s.value(s.colour_axis, c) for c in s.cells()))
    for gi, group in enumerate(groups):
        fig, axs = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.6), squeeze=False, sharey=True)
        for ax, panel in zip(axs[0], panels):
            for c in s.cells():
                if s.group_key(c) != group or s.value(s.panel_axis, c) != panel:
                    continue
                key = f"cells/c{c:04d}/{dataset}"
                if key not in s.f:
                    continue
                m, _ = mean_curve(s.f[key])
                bar = s.value(s.colour_axis, c)
                ax.plot(np.arange(len(m)), m, color=col[bar], label=bar)
            ax.set_title(f"{s.panel_axis}={panel}" if s.panel_axis else group, fontsize=9)
            ax.set_xlabel(xlabel)
            ax.grid(alpha=0.3)
            ax.legend(title=s.colour_axis, fontsize=8, title_fontsize=8)
        axs[0][0].set_ylabel(ylabel)
        fig.suptitle(f"{name.replace('_', ' ')}, {group} — {title_of(s.f)}", fontsize=10)
        fig.tight_layout()
        w.save(fig, f"{name}_{gi:02d}")


def plot_sweep_tuning(s, w):
    """Each cell's score (mean over repetitions) against its first tuned axis at every evaluated point
    (the initial grid and what adaptive tuning added), the winner marked and ringed when it sits on a
    bound: how sharp the optimum is and whether it is tuned."""
    if not s.tuned:
        return
    axis = s.tuned[0]
    grid = np.asarray(s.f[f"grid/{axis}"])
    col = colours(s.distinct(s.value(s.colour_axis, c) for c in s.cells()))
    def panel_of(c):
        parts = ([f"{s.panel_axis}={s.value(s.panel_axis, c)}"] if s.panel_axis else []) + [s.group_key(c)]
        return ", ".join(p for p in parts if p != "all") or "all"
    panels = s.distinct(panel_of(c) for c in s.cells())
    cols = min(4, len(panels))
    rows = (len(panels) + cols - 1) // cols
    fig, axs = plt.subplots(rows, cols, figsize=(3.6 * cols, 2.9 * rows), squeeze=False)
    any_bound = False
    for i, panel in enumerate(panels):
        ax = axs[i // cols][i % cols]
        shown = []
        for c in s.cells():
            if panel_of(c) != panel:
                continue
            # Every evaluated point (files since adaptive tuning), else the initial grid.
            ev = f"cells/c{c:04d}/evaluated"
            if f"{ev}/{axis}" in s.f:
                xs_all = np.asarray(s.f[f"{ev}/{axis}"], dtype=float)
                table = np.asarray(s.f[f"{ev}/{s.score}"], dtype=float)
                wi = int(s.f["summary/winner_evaluated_index"][c])
            else:
                xs_all = grid
                table = np.asarray(s.f[f"cells/c{c:04d}/{s.score}"], dtype=float)
                wi = int(s.f["summary/winner_index"][c])
            means = table.mean(axis=1)
            # With several tuned axes: the best over the others at each value of this one.
            better = np.argmin if s.lower_is_better else np.argmax
            xs = np.unique(xs_all)
            ys = [means[xs_all == x][better(means[xs_all == x])] for x in xs]
            bar = s.value(s.colour_axis, c)
            ax.plot(xs, ys, "o-", ms=3, color=col[bar], label=bar)
            shown += [y for y in ys if np.isfinite(y)]
            ax.plot([xs_all[wi]], [means[wi]], "*", ms=11, color=col[bar], markeredgecolor="k")
            if "summary/winner_on_bound" in s.f and s.f["summary/winner_on_bound"][c]:
                ax.plot([xs_all[wi]], [means[wi]], "o", ms=15, mfc="none", mec="red", mew=1.2)
                any_bound = True
        if np.all(grid > 0):
            ax.set_xscale("log")
        # A diverged run's huge finite error would flatten every other point: clip the axis there.
        if shown and s.lower_is_better:
            lo, q = min(shown), float(np.percentile(shown, 75))
            if q > lo and max(shown) > lo + 20 * (q - lo):
                ax.set_ylim(lo - 0.05 * (q - lo), q + 0.5 * (q - lo))
                panel += " (axis clipped)"
        ax.set_title(panel, fontsize=8)
        ax.set_xlabel(axis)
        ax.grid(alpha=0.3)
        if i % cols == 0:
            ax.set_ylabel(s.score_label)
        ax.legend(fontsize=7)
    for j in range(len(panels), rows * cols):
        axs[j // cols][j % cols].axis("off")
    fig.suptitle(f"{title_of(s.f)}: {s.score_label} against {axis} at every evaluated point (★ the winner"
                 + (", red ring: on a bound of the evaluated points" if any_bound else "") + ")", fontsize=10)
    fig.tight_layout()
    w.save(fig, "tuning")


def plot_sweep_heatmaps(s, w):
    drawn = 0
    for c in s.cells():
        key = f"cells/c{c:04d}/error_matrix"
        if key in s.f and drawn < MAX_HEATMAPS:
            heatmap(np.asarray(s.f[key]).mean(axis=0), f"error matrix of the winner\n{s.labels[c]}", w,
                    f"error_matrix_c{c:04d}")
            drawn += 1


def scatter_compare(pairs, xlabel, ylabel, title, w, name):
    """pairs: list of (colour key, x, y, x sd, y sd)."""
    fig, ax = plt.subplots(figsize=(5.5, 5.2))
    col = colours(list(dict.fromkeys(p[0] for p in pairs)))
    for key in col:
        pts = np.array([p[1:] for p in pairs if p[0] == key])
        ax.errorbar(pts[:, 0], pts[:, 1], xerr=pts[:, 2], yerr=pts[:, 3], fmt="o", color=col[key], label=key,
                    capsize=2, ms=5)
    hi = max(max(p[1], p[2]) for p in pairs) * 1.1 or 1.0
    ax.plot([0, hi], [0, hi], "k--", lw=0.8, label="equal")
    ax.set_xlim(0, hi)
    ax.set_ylim(0, hi)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=9)
    ax.legend(fontsize=8)
    ax.grid(alpha=0.3)
    w.save(fig, name)


def plot_decay_axis(s, w):
    """Each cell with weight decay 0 against the same cell's best non-zero decay."""
    by_key = {}
    for c in s.cells():
        key = (s.group_key(c, skip=("weight_decay",)), s.value(s.panel_axis, c), s.value(s.colour_axis, c))
        by_key.setdefault(key, []).append(c)
    pairs = []
    for key, cs in by_key.items():
        zero = [c for c in cs if float(s.values["weight_decay"][c]) == 0.0]
        other = [c for c in cs if float(s.values["weight_decay"][c]) != 0.0]
        if zero and other:
            best = min(other, key=lambda c: s.mean[c])
            pairs.append((key[2], s.mean[zero[0]], s.mean[best], s.sd[zero[0]], s.sd[best]))
    if pairs:
        scatter_compare(pairs, f"last-{s.last_n} MAE without weight decay", f"last-{s.last_n} MAE with weight decay",
                        f"weight decay: below the line it helps\n{title_of(s.f)}", w, "weight_decay")


def plot_sweep_compare(s, t, w, other_path):
    def key(sw, c):
        return re.sub(r"\s*weight_decay=\S+", "", sw.labels[c]).strip()
    index = {key(t, c): c for c in t.cells()}
    pairs = [(s.value(s.colour_axis, c), s.mean[c], t.mean[index[key(s, c)]], s.sd[c], t.sd[index[key(s, c)]])
             for c in s.cells() if key(s, c) in index]
    if not pairs:
        fail(f"--compare {other_path}: no cell label in common with {s.f.filename}")
    scatter_compare(pairs, f"{stem(s.f.filename)}: last-{s.last_n} MAE", f"{stem(other_path)}: last-{t.last_n} MAE",
                    f"{stem(s.f.filename)} vs {stem(other_path)}, one point per cell", w, "compare")


def plot_sweep(f, w, compare=None, compare_path=""):
    s = Sweep(f)
    plot_sweep_bars(s, w)
    plot_sweep_tuning(s, w)
    error = "reconstruction MSE" if s.experiment_kind == "autoassociation" else "MAE"
    plot_sweep_curves(s, w, "forgetting_curve", "pattern age (0 = newest)", f"{error} of the winner (mean over repetitions)",
                      "forgetting")
    plot_sweep_curves(s, w, "epoch_validation_accuracy", "epoch (over all tasks)",
                      "validation accuracy of the winner", "validation_accuracy")
    plot_sweep_heatmaps(s, w)
    if s.experiment_kind == "autoassociation":
        try:
            plot_autoassociation.plot_sweep(f, w.save)
        except plot_autoassociation.Invalid as e:
            fail(f"{f.filename}: {e}; check it with hds inspect")
    if "weight_decay" in s.axes:
        plot_decay_axis(s, w)
    if compare is not None:
        if text(compare.attrs["kind"]) != "sweep":
            fail(f"--compare {compare_path}: a sweep compares with a sweep, not a {text(compare.attrs['kind'])} file")
        plot_sweep_compare(s, Sweep(compare), w, compare_path)


# ---------------------------------------------------------------- studies

def plot_toy_paths(f, w):
    names = sorted(f["paths"].keys())
    modes = sorted(dict.fromkeys(text(f[f"paths/{n}"].attrs["step_mode"]) for n in names), key=lambda m: m != "natural")
    rules = list(dict.fromkeys(text(f[f"paths/{n}"].attrs["rule"]) for n in names))
    col = colours(rules)
    fig, axs = plt.subplots(len(modes), 3, figsize=(13, 3.8 * len(modes)), squeeze=False)
    for row, mode in zip(axs, modes):
        for n in names:
            g = f[f"paths/{n}"]
            if text(g.attrs["step_mode"]) != mode:
                continue
            th, loss, rule = np.asarray(g["theta"]), np.asarray(g["loss"]), text(g.attrs["rule"])
            label = f"{rule} (eta={float(g.attrs['eta']):.3g})"
            half = len(th) // 2
            for ax, (i, j) in zip(row[:2], [(0, 1), (None, 2)]):
                x = th[:, 0] if i == 0 else th[:, :2].mean(axis=1)
                y = th[:, j]
                ax.plot(x, y, "-", color=col[rule], label=label, lw=1.5)
                ax.plot(x[0], y[0], "ko", ms=4)
                ax.plot(x[half], y[half], "o", color=col[rule], ms=6)
                ax.plot(x[-1], y[-1], "s", color=col[rule], ms=6)
            row[2].semilogy(np.arange(len(loss)), loss, color=col[rule], label=label)
        row[0].set_xlabel("w1")
        row[0].set_ylabel("w2")
        row[1].set_xlabel("(w1 + w2) / 2")
        row[1].set_ylabel("b")
        row[2].set_xlabel("full-batch update")
        row[2].set_ylabel("squared error ½Σ(h − t)²")
        for ax in row:
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8)
        row[0].set_title(f"{mode} step size: weights (● start, ● update {half}, ■ end)", fontsize=9)
        row[1].set_title(f"{mode} step size: mean weight vs bias", fontsize=9)
        row[2].set_title(f"{mode} step size: loss", fontsize=9)
    fig.suptitle(f"toy paths: (1,0),(0,1),(1,1) → 0,0,1, sigmoid, {len(f[f'paths/{names[0]}/loss']) - 1} updates — "
                 f"{title_of(f)}", fontsize=10)
    fig.tight_layout()
    w.save(fig, "paths")


def plot_where_hebb_fails(f, w):
    rules = [c for c in text(f["summary"].attrs["columns"]).split(",")
             if c in f["outputs"] and "CLASS" not in f[f"outputs/{c}"].attrs]  # not a dimension scale
    T = np.asarray(f["targets"])
    X = np.asarray(f["inputs"])
    fig, axs = plt.subplots(1, len(rules) + 1, figsize=(2.6 * (len(rules) + 1), 3.6))
    panels = [("target", T)] + [(r, np.asarray(f[f"outputs/{r}"])) for r in rules]
    for ax, (name, M) in zip(axs, panels):
        ax.imshow(M, cmap="gray_r", vmin=0, vmax=1)
        for (i, j), v in np.ndenumerate(M):
            ax.text(j, i, f"{v:.2f}", ha="center", va="center", color="red", fontsize=9)
        ax.set_xticks(range(M.shape[1]))
        ax.set_xticklabels([f"out {j + 1}" for j in range(M.shape[1])], fontsize=8)
        ax.set_yticks(range(M.shape[0]))
        ax.set_yticklabels([f"x={tuple(int(v) for v in x)}" for x in X], fontsize=8)
        ax.set_title(name, fontsize=10)
    fig.suptitle(f"where Hebb fails: outputs per pattern after training — {title_of(f)}", fontsize=10)
    fig.tight_layout()
    w.save(fig, "outputs")


def plot_study(f, w):
    study = text(f.attrs.get("study", ""))
    if study == "toy_paths":
        plot_toy_paths(f, w)
    elif study == "where_hebb_fails":
        plot_where_hebb_fails(f, w)
    else:
        fail(f"{f.filename}: study '{study}' has no plot")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("file", help="result file written by hds run, sweep or study")
    ap.add_argument("--out", default=None, help="directory for the PNGs (default: beside the file)")
    ap.add_argument("--compare", default=None, help="a second result file to set against the first")
    a = ap.parse_args()
    try:
        plot_files(a)
    except Exception as e:  # a damaged or hand-made file: one line, not a traceback
        what = str(e).splitlines()[0] if str(e) else ""
        fail(f"{a.file}{' or ' + a.compare if a.compare else ''}: cannot be plotted, a dataset or attribute is "
             f"missing, damaged or of the wrong shape ({type(e).__name__}: {what[:200]}); check it with hds inspect")


def plot_experiment_kind(f, w, a):
    """A run of another experiment kind than association: its own module draws it."""
    experiment_kind = scalar_text(f.attrs["experiment_kind"])
    if not experiment_kind:
        fail(f"{a.file}: the root attribute experiment_kind is not a string; check it with hds inspect")
    modules = {"network": plot_network, "autoassociation": plot_autoassociation}
    if experiment_kind not in modules:
        fail(f"{a.file}: experiment_kind {experiment_kind[:40]!r} has no plots (this plot.py draws network and "
             f"autoassociation runs)")
    if a.compare:
        fail(f"--compare {a.compare}: {experiment_kind} runs are plotted one at a time")
    module = modules[experiment_kind]
    try:
        if module is plot_network:
            plot_network.plot_network(f, w.save)
        else:
            plot_autoassociation.plot_run(f, w.save)
    except module.Invalid as e:
        fail(f"{a.file}: {e}; check it with hds inspect")


def plot_files(a):
    f = open_result(a.file)
    out = a.out or os.path.dirname(os.path.abspath(a.file))
    os.makedirs(out, exist_ok=True)
    w = Writer(out, stem(a.file))
    other = open_result(a.compare) if a.compare else None
    kind = text(f.attrs["kind"])
    if kind == "run" and "experiment_kind" in f.attrs:
        plot_experiment_kind(f, w, a)
    elif kind == "run":
        if other is not None and text(other.attrs["kind"]) != "run":
            fail(f"--compare {a.compare}: a run compares with a run, not a {text(other.attrs['kind'])} file")
        plot_run(f, w, other)
    elif kind == "sweep":
        plot_sweep(f, w, other, a.compare)
    elif kind == "study":
        plot_study(f, w)
    else:
        fail(f"{a.file}: no plots for kind '{kind}'")
    for p in w.paths:
        print(p)


if __name__ == "__main__":
    main()
