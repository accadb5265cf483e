"""Regenerates every study of the paper (SCIENCE.md, experiments 1-10, deep networks, auto-association):
result files, figures, the findings with their verdicts (findings.json) and the report
results/REPRODUCTION.md.

  python3 tools/reproduce.py [--quick] [--out DIR] [--hds build/hds] [--data-dir DIR]

--quick uses 3 repetitions, a coarse eta grid and fewer epochs (for CI); its report goes to
DIR/REPRODUCTION.md (default DIR: results/quick). The full run writes results/ and
results/REPRODUCTION.md, figures in results/figures/. Verdicts are computed from the numbers by the
fixed rules written next to each finding below, never adjusted to the expected answer.
The analytical findings 1-8 and the further claims of the slides are in tools/reproduce_claims.py
(their runs go to DIR/claims/).
Needs numpy, h5py and python3-yaml (Debian's python3-* packages), the hds package (python/) and the hds binary.
"""
import argparse
import concurrent.futures
import contextlib
import io
import json
import os
import re
import subprocess
import sys
import time

import numpy as np

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
try:
    import hds  # the suite's reader of result files (python/hds; on PYTHONPATH under `hds reproduce`)
except ImportError:
    sys.path.insert(0, os.path.join(ROOT, "python"))
    import hds
import reproduce_claims  # noqa: E402  (the analytical findings and the further claims, issue 15)

# id, title, kind, definition file, extra --set overrides for --quick. Kind "study" runs with
# `hds study`; "sweep" (association), "network" and "auto" (autoassociation) with `hds sweep`, the
# association sweeps with QUICK_COMMON too under --quick; "auto_run" (an autoassociation experiment)
# with `hds run`.
STUDIES = [
    ("1", "Toy weight paths (hd vs gd)", "study", "experiments/study1_toy_paths.yaml", []),
    ("2", "Where Hebb fails", "study", "experiments/study2_where_hebb_fails.yaml", []),
    ("3", "Random vs correlated patterns", "sweep", "sweeps/random_vs_correlated.yaml", []),
    ("4", "Centering", "sweep", "sweeps/centering.yaml", []),
    ("5", "Multi-epoch learning on data pairs", "sweep", "sweeps/multi_epoch_pairs.yaml", ["epochs=5"]),
    ("6", "Online learning on data pairs", "sweep", "sweeps/online_pairs.yaml", []),
    ("7", "Saturating activation functions", "sweep", "sweeps/saturating_activations.yaml", []),
    ("8a", "Gradual forgetting, 100 patterns", "sweep", "sweeps/gradual_forgetting_100.yaml", []),
    ("8b", "Gradual forgetting, 1000 patterns", "sweep", "sweeps/gradual_forgetting_1000.yaml", []),
    ("9", "Weight decay, 100 patterns", "sweep", "sweeps/weight_decay_100.yaml",
     ["tune.weight_decay=[0, 0.01, 0.1]"]),
    ("9b", "Weight decay, 1000 patterns", "sweep", "sweeps/weight_decay_1000.yaml",
     ["repetitions=2", "tune.eta={logspace: [1.0e-2, 10, 4]}", "tune.weight_decay=[0, 0.01, 0.1]"]),
    ("10", "With vs without weight decay on data pairs", "sweep", "sweeps/online_pairs_decay.yaml",
     ["tune.weight_decay=[0, 0.01, 0.1]"]),
    ("11a", "Deep networks: hd vs gd, sigmoid, softmax and step outputs", "network", "sweeps/network_iid.yaml",
     ["epochs=3"]),
    ("11b", "Deep networks: class-incremental stream", "network", "sweeps/network_class_incremental.yaml", []),
    ("11c", "Deep networks: permuted stream", "network", "sweeps/network_permuted.yaml", []),
    # Auto-association under --quick: the fixture's 300 MNIST images (250 patterns), fewer epochs.
    ("12a", "Auto-association: identities of the rules, full-batch convergence, Jacobian", "auto_run",
     "experiments/auto_identities.yaml", ["patterns=200", "heldout=50", "epochs=200", "repetitions=1"]),
    ("12b", "Auto-association: the principal subspace (Oja, Sanger, linear and sigmoid hd)", "auto",
     "sweeps/auto_principal.yaml", ["patterns=200", "heldout=50", "epochs=150", "repetitions=1",
                                    "tune.eta=[0.1, 0.3]"]),
    ("12c", "Auto-association: hd vs gd, tuned", "auto", "sweeps/auto_hd_vs_gd.yaml",
     ["patterns=200", "heldout=50", "epochs=3", "repetitions=1", "hidden=16", "tune.eta=[0.003, 0.03]"]),
]
SWEEP_KINDS = ("sweep", "network", "auto")
QUICK_COMMON = ["repetitions=3", "tune.eta={logspace: [1.0e-3, 10, 9]}"]
# Network sweeps under --quick: a few hundred images (the fixture's MNIST has 300), one repetition.
QUICK_NETWORK = ["data.validation=100", "data.train_limit=200", "repetitions=1"]


def text(v):
    return v.decode() if isinstance(v, bytes) else str(v)


def draw(path, figs, compare=None):
    """Every figure of a result file, drawn in the figure process (tools/plot.py as a module: one Python
    and one matplotlib start-up for the whole reproduction, not one per file). Returns the log's lines."""
    import plot  # matplotlib loads only when figures are wanted
    t = time.time()
    paths = io.StringIO()
    with contextlib.redirect_stdout(paths):  # the figures' paths
        plot.plot_files(argparse.Namespace(file=path, out=figs, compare=compare))
    return paths.getvalue() + f"plot {path}{' --compare ' + compare if compare else ''} ({time.time() - t:.1f} s)\n"


class Figures:
    """The studies' figures, drawn in one other process while the next studies run (the sweeps leave a
    core's worth of gaps: start-up, data loading, writing, the single-threaded kinds), so that they cost
    little wall time beyond the last study's. Each result file is drawn once it is complete; wait()
    writes the log's lines in the order of submission and stops on the first figure that failed."""

    def __init__(self, enabled):
        self.pool = concurrent.futures.ProcessPoolExecutor(max_workers=1) if enabled else None
        self.jobs = []

    def submit(self, log, path, figs, compare=None):
        if self.pool:
            log.flush()  # the figure process is forked at the first submit: nothing buffered to inherit
            self.jobs.append((path, self.pool.submit(draw, path, figs, compare)))

    def wait(self, log):
        try:
            for path, job in self.jobs:
                try:
                    log.write(job.result())
                except (Exception, SystemExit) as e:  # noqa: BLE001  (plot.py's fail() exits; or the process died)
                    why = f"plot.py exited with {e.code} (its message above)" if isinstance(e, SystemExit) \
                        else f"{type(e).__name__}: {e}"
                    raise SystemExit(f"reproduce.py: the figures of {path} failed: {why}")
        finally:
            if self.pool:
                self.pool.shutdown(cancel_futures=True)


def run(cmd, log):
    t = time.time()
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    log.write("$ " + " ".join(cmd) + "\n" + p.stdout + "\n")
    if p.returncode != 0:
        sys.stderr.write(p.stdout)
        raise SystemExit(f"reproduce.py: command failed ({p.returncode}): {' '.join(cmd)}")
    return time.time() - t


# ---- reading sweep results -------------------------------------------------------------------------

class Sweep:
    """The winners of a sweep file as rows: {axis: value, ..., mean, sd, curve, ...}."""

    def __init__(self, path):
        self.path = path
        self.result = hds.open(path)
        r, f = self.result, self.result.h5
        self.f = f
        self.axes = r.cell_keys
        self.tuned = r.tuned_axes
        winners = r.winners()
        stem = r.summary_score
        self.rows = []
        for c, label in enumerate(winners["label"]):
            row = {"label": label, "c": c}
            for item in re.findall(r"(\w+)=(\S+)", label):
                row[item[0]] = item[1]
            for a in self.axes:
                value = text(f["summary/" + a][c])
                # A list (layers: [784, 10]) has spaces that the label's key=value split cuts.
                row[a] = value if a not in row or value.startswith("[") else row[a]
            if "inputs" in row and "targets" in row:
                row["pair"] = f"{short(row['inputs'])}->{short(row['targets'])}"
            row["mean"] = float(winners[f"{stem}_mean"][c])
            row["sd"] = float(winners[f"{stem}_sd"][c])
            if f"cells/c{c:04d}/test_accuracy" in f:   # networks: the winner's test accuracy, only reported
                test = f[f"cells/c{c:04d}/test_accuracy"][:]
                row["test"], row["test_sd"] = float(test.mean()), float(test.std(ddof=1)) if test.size > 1 else 0.0
                row["bwt"] = float(f[f"cells/c{c:04d}/backward_transfer"][:].mean())
                row["forgetting"] = float(f[f"cells/c{c:04d}/forgetting"][:].mean())
            row["n_diverged"] = int(winners["n_diverged"][c])
            for t in self.tuned:
                row[t] = float(winners[t][c])
            self.rows.append(row)
        for r in self.rows:
            r["on_bound"] = bool(self.edges_of(r))

    def curve(self, row):
        return self.f[f"cells/c{row['c']:04d}/forgetting_curve"][:].mean(axis=0)

    def grid_errors(self, row):
        """The cell's G x R score table (last-N error, or validation accuracy for networks)."""
        return self.result.score_table(row["c"])

    def grid(self, axis):
        return self.f["grid/" + axis][:]

    def evaluated(self, row, name):
        """Every evaluated point's `name` (a tuned axis, or the score table) of the cell; the initial
        grid in files written before adaptive tuning."""
        g = f"cells/c{row['c']:04d}"
        if f"{g}/evaluated/{name}" in self.f:
            return self.f[f"{g}/evaluated/{name}"][:]
        return self.grid(name) if name in self.tuned else self.grid_errors(row)

    def edges_of(self, row):
        """The tuned axes along which the cell's winner sits at an end of its evaluated points (not
        tuned there: a bound of the extension, or an axis not extended); none for cells whose error
        does not depend on the tuned values (gd with the step function)."""
        if np.ptp(self.evaluated(row, text(self.f.attrs.get("score", "last_n_error"))).mean(axis=1)) == 0:
            return []
        out = []
        for t in self.tuned:
            g = self.evaluated(row, t)
            # A lower end at 0 or below (no weight decay) is the axis's natural end, not a tuning limit.
            if g.max() > g.min() and (row[t] == g.max() or (row[t] == g.min() and g.min() > 0)):
                out.append((t, "upper" if row[t] == g.max() else "lower", len(g)))
        return out

    def edge_winners(self):
        out = []
        for r in self.rows:
            for t, end, n in self.edges_of(r):
                out.append(f"{r['label']}: {t} = {r[t]:g} at the {end} end of its {n} evaluated points")
        return out

    def find(self, **kv):
        out = [r for r in self.rows if all(r.get(k) == v for k, v in kv.items())]
        return out

    def one(self, **kv):
        rows = self.find(**kv)
        if len(rows) != 1:
            raise KeyError(f"{self.path}: {len(rows)} cells match {kv}")
        return rows[0]

    def values(self, key):
        seen = []
        for r in self.rows:
            if r.get(key) not in seen:
                seen.append(r.get(key))
        return seen


def short(source):
    m = re.match(r"(\w+)", source)
    return m.group(1).upper() if m else source


def fmt(m, s=None):
    return f"{m:.4f}" if s is None else f"{m:.4f} ± {s:.4f}"


# ---- findings ---------------------------------------------------------------------------------------

def verdict(fraction, full=1.0, part=0.5):
    if fraction >= full:
        return "reproduced"
    if fraction >= part:
        return "partly"
    return "not reproduced"


def finding_centering(s):
    """Centering helps: for every rule, the tuned error with dataset centering is below that without.
    Reproduced if it holds for every rule, partly if for at least half."""
    rows, wins = [], 0
    for rule in s.values("rule"):
        c, n = s.one(rule=rule, centering="dataset"), s.one(rule=rule, centering="none")
        ok = c["mean"] < n["mean"]
        wins += ok
        rows.append(f"{rule}: centered {fmt(c['mean'], c['sd'])} vs none {fmt(n['mean'], n['sd'])}")
    rules = s.values("rule")
    return verdict(wins / len(rules)), f"centering lowers the error for {wins} of {len(rules)} rules", rows


def hd_vs(s, others, group_keys):
    """Cells grouped by group_keys; counts the groups where hd's error is at most every rule's in others."""
    groups = {}
    for r in s.rows:
        groups.setdefault(tuple(r.get(k) for k in group_keys), {})[r["rule"]] = r
    wins, total, lines = 0, 0, []
    for key, by_rule in groups.items():
        if "hd" not in by_rule or not all(o in by_rule for o in others):
            continue
        best_other = min(by_rule[o]["mean"] for o in others)
        total += 1
        # A tie within 1e-12 counts for hd: with a linear unit hd and gd are the same rule.
        ok = by_rule["hd"]["mean"] <= best_other + 1e-12
        wins += ok
        if not ok:
            lines.append(f"{' '.join(str(k) for k in key)}: hd {fmt(by_rule['hd']['mean'])} vs best of "
                         f"{'/'.join(others)} {fmt(best_other)}")
    return wins, total, lines


def finding_hd_beats_hebb(sweeps):
    """HD beats Hebb's and the covariance rule: in every compared cell (all sweeps that have the
    three rules), hd's tuned error is below both. Reproduced if in every cell, partly if in half."""
    wins = total = 0
    lines = []
    for name, s, keys in sweeps:
        w, t, l = hd_vs(s, ["hebb", "cov"], keys)
        wins, total = wins + w, total + t
        lines += [f"{name}: {x}" for x in l]
    return verdict(wins / max(total, 1)), f"hd below both hebb and cov in {wins} of {total} cells", lines


def finding_hd_gd_multi(s):
    """HD ≈ GD in multi-epoch learning: for the activations with φ' > 0 somewhere (all but step),
    |hd − gd| <= max(0.01, 10% of the larger). Reproduced if in at least 80% of the cells, partly if
    in half."""
    close = total = 0
    lines = []
    for pair in s.values("pair"):
        for act in s.values("activation"):
            if act == "step":
                continue
            hd, gd = s.one(pair=pair, activation=act, rule="hd"), s.one(pair=pair, activation=act, rule="gd")
            total += 1
            ok = abs(hd["mean"] - gd["mean"]) <= max(0.01, 0.1 * max(hd["mean"], gd["mean"]))
            close += ok
            lines.append(f"{pair} {act}: hd {fmt(hd['mean'])} gd {fmt(gd['mean'])}{'' if ok else '  (differ)'}")
    return verdict(close / max(total, 1), full=0.8), f"hd and gd within max(0.01, 10%) in {close} of {total} cells", lines


def finding_hd_best_online(s):
    """HD is clearly best online: in every (pair, activation) cell hd has the lowest error of the
    rules compared. Reproduced if in at least 80% of the cells, partly if in half."""
    others = [r for r in s.values("rule") if r != "hd"]
    w, t, lines = hd_vs(s, others, ["pair", "activation"])
    return verdict(w / max(t, 1), full=0.8), f"hd lowest of {['hd'] + others} in {w} of {t} cells", lines


def finding_step(sweeps):
    """HD learns with the step function while GD stays at chance: for activation step, gd's error
    is within 0.05 of 0.5 on binary targets and hd's is lower than gd's. Reproduced if both hold in
    every cell, partly if in half."""
    ok_cells = total = 0
    lines = []
    binary = {"ADULT", "CONNECT", "RAND"}
    for name, s in sweeps:
        for pair in s.values("pair"):
            sel = {"activation": "step"}
            if pair:
                sel["pair"] = pair
            hd, gd = s.find(rule="hd", **sel), s.find(rule="gd", **sel)
            if not hd or not gd:
                continue
            hd, gd = hd[0], gd[0]
            target = pair.split("->")[1] if pair else "RAND"
            chance = abs(gd["mean"] - 0.5) <= 0.05 if target in binary else True
            ok = chance and hd["mean"] < gd["mean"]
            total += 1
            ok_cells += ok
            lines.append(f"{name} {pair or 'RAND->RAND'}: hd {fmt(hd['mean'])} gd {fmt(gd['mean'])}"
                         f"{'' if ok else '  (does not hold)'}")
    return verdict(ok_cells / max(total, 1)), f"holds in {ok_cells} of {total} step cells", lines


def finding_gradual(s):
    """HD forgets gradually: on 1000 patterns, hd's error on the 20 newest patterns is the lowest of
    all rules and its curve rises with age (oldest 100 at least 0.05 above the newest 20), while
    for the other rules the rise is smaller. Reproduced if all three hold, partly if the first does."""
    stats = {}
    for r in s.rows:
        c = s.curve(r)
        stats[r["rule"]] = (c[-20:].mean(), c[:100].mean())
    hd_new, hd_old = stats["hd"]
    lowest = all(hd_new <= v[0] for k, v in stats.items())
    rises = hd_old - hd_new >= 0.05
    others_flatter = all((v[1] - v[0]) < (hd_old - hd_new) for k, v in stats.items() if k != "hd")
    lines = [f"{k}: newest 20 {fmt(v[0])}, oldest 100 {fmt(v[1])}, rise {v[1] - v[0]:+.4f}" for k, v in stats.items()]
    v = "reproduced" if lowest and rises and others_flatter else ("partly" if lowest else "not reproduced")
    return v, f"hd newest-20 lowest: {lowest}; hd rises by {hd_old - hd_new:.3f}; other rules flatter: {others_flatter}", lines


def decay_gain(s, row):
    """The error of the best eta with ω = 0 minus the tuned (eta, ω) error, from the cell's raw grid."""
    errs = s.grid_errors(row).mean(axis=1)
    wd = s.grid("weight_decay")
    return errs[wd == 0].min() - errs.min(), errs[wd == 0].min()


def finding_decay(s100, s_pairs):
    """HD gains least from weight decay yet is best overall: on 100 RAND patterns, hd's gain
    (error at ω = 0 minus error with ω tuned) is the smallest of all rules and its tuned error the
    lowest; across the data pairs, hd's gain is the smallest of the rules in most cells.
    Reproduced if both parts hold (pairs: >= 80% of cells), partly if one does."""
    gains = {r["rule"]: (decay_gain(s100, r)[0], r["mean"], r["weight_decay"]) for r in s100.rows}
    part1 = all(gains["hd"][0] <= g[0] for g in gains.values()) and all(gains["hd"][1] <= g[1] for g in gains.values())
    lines = [f"RAND->RAND {k}: gain {v[0]:.4f}, tuned error {fmt(v[1])} at ω = {v[2]:g}" for k, v in gains.items()]
    wins = total = 0
    groups = {}
    for r in s_pairs.rows:
        groups.setdefault((r["pair"], r["activation"]), {})[r["rule"]] = decay_gain(s_pairs, r)[0]
    for key, g in groups.items():
        total += 1
        wins += g["hd"] <= min(g.values())
    part2 = wins / max(total, 1) >= 0.8
    v = "reproduced" if part1 and part2 else ("partly" if part1 or part2 else "not reproduced")
    return v, f"RAND->RAND: hd smallest gain and lowest error: {part1}; pairs: hd smallest gain in {wins} of {total} cells", lines


def finding_random_correlated(s):
    """Mapping random onto correlated patterns is easier than the reverse: for each rule, the tuned
    error of RAND->ADULT is below that of ADULT->RAND. Reproduced for every rule, partly for half."""
    wins, lines = 0, []
    rules = s.values("rule")
    for rule in rules:
        a, b = s.one(pair="RAND->ADULT", rule=rule), s.one(pair="ADULT->RAND", rule=rule)
        wins += a["mean"] < b["mean"]
        lines.append(f"{rule}: RAND->ADULT {fmt(a['mean'], a['sd'])}, ADULT->RAND {fmt(b['mean'], b['sd'])}")
    return verdict(wins / len(rules)), f"RAND->ADULT easier for {wins} of {len(rules)} rules", lines


def finding_net_hd_similar_gd(s):
    """When training deep networks, HD performs better than or similar to GD: for each network
    (784-10, 784-100-10) and output with φ' > 0 (sigmoid, softmax), the test accuracy of hd's tuned
    winner is at least gd's minus 0.01. Reproduced if in every cell pair, partly if in half."""
    ok = total = 0
    lines = []
    for layers in s.values("layers"):
        for act in ["sigmoid", "softmax"]:
            hd, gd = s.one(layers=layers, output_activation=act, output_rule="hd"), \
                s.one(layers=layers, output_activation=act, output_rule="gd")
            good = hd["test"] >= gd["test"] - 0.01
            ok, total = ok + good, total + 1
            lines.append(f"{layers} {act}: hd test {fmt(hd['test'], hd['test_sd'])} (lr {hd['lr']:g}), gd test "
                         f"{fmt(gd['test'], gd['test_sd'])} (lr {gd['lr']:g}){'' if good else '  (gd better)'}")
    return verdict(ok / max(total, 1)), f"hd at least gd − 0.01 in test accuracy in {ok} of {total} cells", lines


def finding_net_step(s):
    """HD learns through a step output while GD cannot (φ' = 0): for each network, gd's validation
    accuracy is the same at every learning rate of the grid (per repetition: nothing it trains
    changes the output) and hd's tuned test accuracy is at least 0.3 above gd's. Reproduced if both
    hold for every network, partly if for half."""
    ok = total = 0
    lines = []
    for layers in s.values("layers"):
        hd, gd = s.one(layers=layers, output_activation="step", output_rule="hd"), \
            s.one(layers=layers, output_activation="step", output_rule="gd")
        flat = bool(np.all(np.ptp(s.grid_errors(gd), axis=0) == 0))
        good = flat and hd["test"] >= gd["test"] + 0.3
        ok, total = ok + good, total + 1
        lines.append(f"{layers}: hd test {fmt(hd['test'], hd['test_sd'])}, gd test {fmt(gd['test'], gd['test_sd'])}, "
                     f"gd unchanged by lr: {flat}")
    return verdict(ok / max(total, 1)), f"holds for {ok} of {total} networks", lines


def finding_net_stream(s, name):
    """In a continual stream (NAME), HD does at least as well as GD: for sigmoid and softmax outputs,
    the average test accuracy over the tasks after the last one of hd's tuned winner is at least gd's
    minus 0.01. Reproduced if for both outputs, partly if for one."""
    ok = total = 0
    lines = []
    for act in ["sigmoid", "softmax"]:
        hd, gd = s.one(output_activation=act, output_rule="hd"), s.one(output_activation=act, output_rule="gd")
        good = hd["test"] >= gd["test"] - 0.01
        ok, total = ok + good, total + 1
        lines.append(f"{act}: hd average accuracy {fmt(hd['test'])} (backward transfer {hd['bwt']:+.4f}, forgetting "
                     f"{hd['forgetting']:.4f}); gd {fmt(gd['test'])} (backward transfer {gd['bwt']:+.4f}, forgetting "
                     f"{gd['forgetting']:.4f})")
    return verdict(ok / max(total, 1)), f"{name}: hd at least gd − 0.01 in average accuracy for {ok} of {total} outputs", lines


# ---- auto-association (findings 15-20 of the slides) -----------------------------------------------

IDENTITY_TOL = 1e-12   # an identity of two rules holds when their updates differ by at most this
ANGLE_BOUND = 0.1      # radians: "reaches the principal subspace"
CONVERGED_DROP = 100   # first epoch's ‖ΔW‖ over the last epoch's
ASYMMETRIC = 0.01      # ‖J − Jᵀ‖/‖J‖ above this: not a gradient field
SYMMETRIC = 1e-6       # ... below this: symmetric to rounding (central differences, step 1e-6)
SLIGHTLY_WORSE = 1.5   # hd's tuned held-out MSE at most this times gd's


class AutoRun:
    """An autoassociation run file: its settings, per-epoch measures and checks."""

    def __init__(self, path):
        self.path = path
        self.result = hds.open(path)
        f = self.f = self.result.h5
        if "checks/name" not in f:
            raise SystemExit(f"reproduce.py: {path} has no /checks; its experiment must ask for checks: [identities, jacobian]")
        self.checks = dict(zip(f["checks/name"].asstr()[:], (float(v) for v in f["checks/value"][:])))
        self.attrs = self.result.attrs

    def metric(self, name):
        return self.f["metrics/" + name][:]


def auto_cell(s, c, name):
    return s.f[f"cells/c{c:04d}/{name}"][:]


def finding_auto_rbm(run):
    """HD is related to contrastive learning in RBMs: contrastive divergence with the hidden units clamped
    to h(x) in both phases (cd1_clamped) makes exactly hd's ΔW. Reproduced if the largest absolute
    difference between cd1_clamped's and hd's per-pattern ΔW over the training patterns of
    experiments/auto_identities.yaml (at its trained state) is at most IDENTITY_TOL = 1e-12; not
    reproduced otherwise. How far plain cd1 (negative phase h(r)) is from hd is reported, not judged:
    the angle between their mean updates."""
    c = run.checks
    ok = c["cd1_clamped_minus_hd"] <= IDENTITY_TOL
    lines = [f"max |ΔW(cd1_clamped) − ΔW(hd)| = {c['cd1_clamped_minus_hd']:.3g} over {int(c['patterns'])} patterns "
             f"(largest |ΔW(hd)| entry {c['hd_update_max_abs']:.3g})",
             f"plain cd1 vs hd: angle between the mean updates {np.degrees(c['cd1_hd_angle']):.1f}°, relative "
             f"difference {c['cd1_hd_relative_difference']:.3f}"]
    return ("reproduced" if ok else "not reproduced"), \
        f"cd1 with clamped hidden units = hd to {c['cd1_clamped_minus_hd']:.1e}; plain cd1 is " \
        f"{np.degrees(c['cd1_hd_angle']):.1f}° from hd", lines


def finding_auto_gd_part(run):
    """HD corresponds to one part of gradient descent. In our model (tied weights, W used twice) gd's ΔW
    is the sum of the term from W's use in the reconstruction (gd_decoder, δ_v h̃ᵀ) and the term from its
    use in the encoder (gd_encoder); with linear visible units hd's ΔW = e h̃ᵀ is exactly the first (the
    slides call it "the encoder related part"; we name the terms by the use of W that makes them).
    Reproduced if the run of experiments/auto_identities.yaml has linear visible units and both
    max |ΔW(gd_decoder) − ΔW(hd)| and max |ΔW(gd) − ΔW(gd_decoder) − ΔW(gd_encoder)| over its patterns
    are at most 1e-12; not reproduced otherwise. The size of the part hd leaves out (the encoder term's
    share of gd's mean update) and the angle between hd's and gd's mean updates are reported."""
    c = run.checks
    linear = run.attrs.get("visible") == "linear"
    ok = linear and c["gd_decoder_minus_hd"] <= IDENTITY_TOL and c["gd_minus_decoder_encoder"] <= IDENTITY_TOL
    lines = [f"visible units: {run.attrs.get('visible')}",
             f"max |ΔW(gd_decoder) − ΔW(hd)| = {c['gd_decoder_minus_hd']:.3g}",
             f"max |ΔW(gd) − ΔW(gd_decoder) − ΔW(gd_encoder)| = {c['gd_minus_decoder_encoder']:.3g}",
             f"|mean ΔW(gd_encoder)| / |mean ΔW(gd)| = {c['encoder_share']:.3f}; angle between hd's and gd's mean "
             f"updates {np.degrees(c['gd_hd_angle']):.1f}°"]
    return ("reproduced" if ok else "not reproduced"), \
        f"hd = gd's decoder term to {c['gd_decoder_minus_hd']:.1e}, gd = decoder + encoder to " \
        f"{c['gd_minus_decoder_encoder']:.1e}; the encoder term is {c['encoder_share']:.2f} of gd's mean update", lines


def finding_auto_oja(run, s):
    """HD is a non-linear Oja's / Sanger's rule: (a) with φ linear, b = 0 and no hidden offset, hd's
    per-pattern ΔW equals Oja's and hd_sanger's equals Sanger's to 1e-12 (checks of
    experiments/auto_identities.yaml); (b) whole runs agree bit for bit: in sweeps/auto_principal.yaml
    the tuned linear hd cell's per-epoch training errors equal oja's and hd_sanger's equal sanger's;
    (c) linear hd reaches the principal subspace: the largest principal angle between span(W) and the
    top-k principal subspace of the training data after the last epoch, mean over repetitions, is below
    ANGLE_BOUND = 0.1 rad. Reproduced if (a), (b) and (c) hold, partly if (a) and (b) do, not reproduced
    otherwise. The angles of the sigmoid hd and hd_sanger cells are reported: how close the non-linear
    rules stay to the principal subspace is not judged."""
    c = run.checks
    a = c["linear_hd_minus_oja"] <= IDENTITY_TOL and c["linear_hd_sanger_minus_sanger"] <= IDENTITY_TOL
    rows = {(r["rule"], r["activation"]): r for r in s.rows}
    same, lines = True, [f"per pattern: max |ΔW(hd) − ΔW(oja)| = {c['linear_hd_minus_oja']:.3g}, "
                         f"max |ΔW(hd_sanger) − ΔW(sanger)| = {c['linear_hd_sanger_minus_sanger']:.3g}"]
    for hd, classic in [("hd", "oja"), ("hd_sanger", "sanger")]:
        x, y = rows[(hd, "linear")], rows[(classic, "linear")]
        equal = np.array_equal(auto_cell(s, x["c"], "epoch_train_mse"), auto_cell(s, y["c"], "epoch_train_mse"))
        same &= equal
        lines.append(f"whole runs, linear {hd} vs {classic}: per-epoch training errors "
                     f"{'identical' if equal else 'DIFFER'} (eta {x['eta']:g} and {y['eta']:g})")
    angles = {}
    for (rule, act), r in rows.items():
        angles[(rule, act)] = float(np.nanmean(auto_cell(s, r["c"], "epoch_max_angle")[:, -1]))
        lines.append(f"{rule} {act}: largest principal angle {angles[(rule, act)]:.4f} rad "
                     f"({np.degrees(angles[(rule, act)]):.2f}°), held-out MSE {fmt(r['mean'], r['sd'])}, eta {r['eta']:g}")
    reached = angles[("hd", "linear")] < ANGLE_BOUND
    v = "reproduced" if a and same and reached else ("partly" if a and same else "not reproduced")
    return v, f"linear hd = oja to {c['linear_hd_minus_oja']:.1e} (whole runs identical: {same}); linear hd's " \
              f"largest angle {angles[('hd', 'linear')]:.3f} rad (bound {ANGLE_BOUND}); sigmoid hd's " \
              f"{angles[('hd', 'sigmoid')]:.3f} rad", lines


def finding_auto_converges(run):
    """HD has no objective function, but still it converges: (a) in the full-batch run of
    experiments/auto_identities.yaml (sigmoid hd, η = 0.3 on the batch mean, one step per epoch) ‖ΔW‖
    of the first epoch is at least CONVERGED_DROP = 100 times that of the last (mean over
    repetitions); (b) at its trained state the Jacobian J of hd's mean update field is measurably
    non-symmetric, ‖J − Jᵀ‖/‖J‖ > 0.01 (so the field is not the gradient of any function), while gd's is
    symmetric to rounding, < 1e-6. Reproduced if (a) and (b) hold, partly if one does, not reproduced
    otherwise. Reported too: ‖ΔW‖ over the last tenth of the epochs and the largest real part of the
    eigenvalues of hd's J (negative: a stable fixed point of the mean field)."""
    dw = run.metric("dw_norm")
    first, last = float(np.nanmean(dw[:, 0])), float(np.nanmean(dw[:, -1]))
    drop = first / last if last > 0 else float("inf")
    c = run.checks
    a = drop >= CONVERGED_DROP
    b = c["jacobian_asymmetry_hd"] > ASYMMETRIC and c["jacobian_asymmetry_gd"] < SYMMETRIC
    E = dw.shape[1]
    tail = np.nanmean(dw[:, -max(1, E // 10):], axis=0)
    lines = [f"‖ΔW‖ per epoch (mean over {dw.shape[0]} repetitions): first {first:.4g}, last {last:.4g} "
             f"(drop ×{drop:.3g}); over the last {len(tail)} epochs from {tail[0]:.3g} to {tail[-1]:.3g}, "
             f"max {tail.max():.3g}",
             f"‖J − Jᵀ‖/‖J‖: hd {c['jacobian_asymmetry_hd']:.3g}, gd {c['jacobian_asymmetry_gd']:.3g}",
             f"largest real part of hd's Jacobian eigenvalues: {c['jacobian_max_real_eigenvalue']:.3g}; "
             f"|mean ΔW(hd)| at the end {c['mean_field_norm']:.3g}"]
    # ‖ΔW‖ leaves out the hidden bias: whether it still moves shows in the units' mean activities.
    spread = np.nanmean(run.metric("hidden_spread"), axis=0)
    lines.append(f"hidden spread (the bias is not in ‖ΔW‖): {spread[E // 2 - 1 if E > 1 else 0]:.4f} after epoch "
                 f"{max(E // 2, 1)}, {spread[-1]:.4f} after epoch {E}")
    v = "reproduced" if a and b else ("partly" if a or b else "not reproduced")
    return v, f"‖ΔW‖ falls ×{drop:.3g} over {E} full-batch epochs; Jacobian asymmetry hd " \
              f"{c['jacobian_asymmetry_hd']:.3g} vs gd {c['jacobian_asymmetry_gd']:.1e}", lines


def auto_pairs(s):
    """The hd and gd cells of the hd-vs-gd sweep, by hidden centering."""
    out = []
    for hc in s.values("hidden_centering"):
        out.append((hc, s.one(hidden_centering=hc, rule="hd"), s.one(hidden_centering=hc, rule="gd")))
    return out


def finding_auto_equal_activity(s):
    """HD learns a hidden representation with equal average activity across units: in the tuned runs of
    sweeps/auto_hd_vs_gd.yaml (the same MNIST digits and initial weights for both rules), the spread of
    the hidden units' mean activities (their population sd over the k units) after the last epoch, mean
    over repetitions, is lower for hd than for gd. Judged without and with hidden centering; reproduced
    if in both, partly if in one, not reproduced otherwise."""
    ok, lines = 0, []
    pairs = auto_pairs(s)
    for hc, hd, gd in pairs:
        a = float(np.nanmean(auto_cell(s, hd["c"], "epoch_hidden_spread")[:, -1]))
        b = float(np.nanmean(auto_cell(s, gd["c"], "epoch_hidden_spread")[:, -1]))
        ok += a < b
        lines.append(f"hidden_centering {hc}: spread of the units' mean activity hd {a:.4f}, gd {b:.4f}"
                     f"{'' if a < b else '  (gd lower)'}")
    return verdict(ok / len(pairs)), f"hd's hidden spread below gd's in {ok} of {len(pairs)} settings", lines


def finding_auto_cheaper(s):
    """HD performs slightly worse than GD but is computationally cheaper: in the tuned runs of
    sweeps/auto_hd_vs_gd.yaml, hd's held-out reconstruction MSE is at most SLIGHTLY_WORSE = 1.5 times
    gd's, and hd's fastest time per update (the minimum over repetitions and epochs of the winner's
    wall time per update) is below gd's. Reproduced if both hold without and with hidden centering,
    partly if in one setting, not reproduced otherwise. (Biological plausibility is not a number here.)
    The time is the training thread's CPU time. It was wall time in our first full run, on a machine
    with load 9 on 2 cores, where gd's fastest update took half of hd's although gd does strictly more
    arithmetic (the load, not the rule, was measured); the rule itself was not changed."""
    ok, lines = 0, []
    pairs = auto_pairs(s)
    for hc, hd, gd in pairs:
        t_hd = float(s.f[f"cells/c{hd['c']:04d}"].attrs["seconds_per_update_min"])
        t_gd = float(s.f[f"cells/c{gd['c']:04d}"].attrs["seconds_per_update_min"])
        ratio = hd["mean"] / gd["mean"]
        good = ratio <= SLIGHTLY_WORSE and t_hd < t_gd
        ok += good
        lines.append(f"hidden_centering {hc}: held-out MSE hd {fmt(hd['mean'], hd['sd'])} (eta {hd['eta']:g}), gd "
                     f"{fmt(gd['mean'], gd['sd'])} (eta {gd['eta']:g}), ratio {ratio:.3f}; time per update hd "
                     f"{1e6 * t_hd:.1f} µs, gd {1e6 * t_gd:.1f} µs{'' if good else '  (does not hold)'}")
    return verdict(ok / len(pairs)), f"hd within ×{SLIGHTLY_WORSE} of gd's error and faster per update in {ok} of " \
                                     f"{len(pairs)} settings", lines


# ---- the report -------------------------------------------------------------------------------------

def best_text(r, t):
    """A winner's tuned value for a table, flagged when it sits on a bound (not tuned there)."""
    return f"{r[t]:.3g}" + (" (on bound)" if r.get("on_bound") else "")


def table(s, keys):
    head = "| " + " | ".join(keys + [f"best {t}" for t in s.tuned] + ["last-N error (mean ± sd)", "diverged"]) + " |"
    sep = "|" + "---|" * (len(keys) + len(s.tuned) + 2)
    out = [head, sep]
    for r in s.rows:
        out.append("| " + " | ".join([str(r.get(k, "")) for k in keys] + [best_text(r, t) for t in s.tuned] +
                                     [fmt(r["mean"], r["sd"]), str(r["n_diverged"])]) + " |")
    return "\n".join(out)


def network_table(s):
    keys = [k for k in ["layers", "output_activation", "output_rule"] if any(k in r for r in s.rows)]
    stream = any(r.get("bwt", 0) != 0 or r.get("forgetting", 0) != 0 for r in s.rows)
    head = keys + [f"best {t}" for t in s.tuned] + ["validation accuracy", "test accuracy"] + \
        (["backward transfer", "forgetting"] if stream else []) + ["diverged"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in s.rows:
        cells = [str(r.get(k, "")) for k in keys] + [best_text(r, t) for t in s.tuned] + \
            [fmt(r["mean"], r["sd"]), fmt(r["test"], r["test_sd"])] + \
            ([f"{r['bwt']:+.4f}", f"{r['forgetting']:.4f}"] if stream else []) + [str(r["n_diverged"])]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def auto_table(s):
    keys = [k for k in s.axes if any(k in r for r in s.rows)]
    head = keys + [f"best {t}" for t in s.tuned] + ["held-out MSE", "hidden spread", "largest angle (rad)",
                                                    "µs per update", "diverged"]
    out = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in s.rows:
        g = s.f[f"cells/c{r['c']:04d}"]
        spread = float(np.nanmean(g["epoch_hidden_spread"][:, -1]))
        angle = float(np.nanmean(g["epoch_max_angle"][:, -1]))
        cells = [str(r.get(k, "")) for k in keys] + [best_text(r, t) for t in s.tuned] + \
            [fmt(r["mean"], r["sd"]), f"{spread:.4f}", f"{angle:.4f}",
             f"{1e6 * float(g.attrs['seconds_per_update_min']):.1f}", str(r["n_diverged"])]
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out)


def auto_run_table(run):
    a, f = run.attrs, run.f
    E = f["metrics/train_mse"].shape[1]
    out = [f"{a['rule']}, {a['activation']} hidden, {a['visible']} visible units, k = {a['hidden']}, n_in = {a['n_in']}, "
           f"{a['patterns']} training and {a['heldout']} held-out patterns, {E} epochs, eta {a['eta']:g}; "
           f"held-out MSE {fmt(a['score_mean'], a['score_sd'])}, diverged {a['n_diverged']}", "",
           "| check | value |", "|---|---|"]
    out += [f"| {k} | {v:.4g} |" for k, v in run.checks.items()]
    return "\n".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="3 repetitions, coarse grid (CI)")
    ap.add_argument("--out", default=None, help="result folder (default results/, or results/quick with --quick)")
    ap.add_argument("--hds", default=os.path.join(ROOT, "build", "hds"))
    ap.add_argument("--data-dir", default=None)
    ap.add_argument("--threads", default=None)
    ap.add_argument("--no-plots", action="store_true")
    ap.add_argument("--report-only", action="store_true",
                    help="rewrite the findings and the report from the result files already in --out")
    ap.add_argument("--keep", default="",
                    help="comma-separated study ids (e.g. 11a,11b) whose result files already in --out are used "
                         "as they are, not run again (their definitions must be unchanged since); the report says so")
    args = ap.parse_args()
    keep = {k for k in args.keep.split(",") if k}
    unknown = keep - {sid for sid, *_ in STUDIES}
    if unknown:
        raise SystemExit(f"reproduce.py: --keep: no study {', '.join(sorted(unknown))}; the ids are "
                         + ", ".join(sid for sid, *_ in STUDIES))
    out = args.out or os.path.join(ROOT, "results", "quick" if args.quick else "")
    figs = os.path.join(out, "figures")
    os.makedirs(figs, exist_ok=True)
    log = open(os.path.join(out, "reproduce.log"), "a" if args.report_only else "w")
    extra = (["--data-dir", args.data_dir] if args.data_dir else []) + (["--threads", args.threads] if args.threads else [])

    files, commands, times = {}, {}, {}
    start = time.time()
    figures = Figures(not args.no_plots and not args.report_only)

    def draw_study(sid):
        figures.submit(log, files[sid], figs)
        if sid == "10":  # with vs without weight decay: study 6 (run before it) is the without
            figures.submit(log, files[sid], figs, compare=files["6"])

    previous = {}
    if args.report_only or keep:
        previous = json.load(open(os.path.join(out, "findings.json")))
    for sid, title, kind, definition, quick in STUDIES:
        path = os.path.join(out, os.path.splitext(os.path.basename(definition))[0] + ".h5")
        sets = []
        if args.quick and kind != "study":
            common = {"sweep": QUICK_COMMON, "network": QUICK_NETWORK}.get(kind, [])
            for kv in common + quick:
                sets += ["--set", kv]
        if kind in SWEEP_KINDS:
            # The old result is removed below; no --force, so that an interrupted reproduction resumes its journals.
            cmd = [args.hds, "sweep", os.path.join(ROOT, definition), "-o", path, "--quiet"] + sets + extra
        elif kind == "auto_run":
            cmd = [args.hds, "run", os.path.join(ROOT, definition), "-o", path, "--force"] + sets + extra
        else:
            cmd = [args.hds, "study", os.path.join(ROOT, definition), "-o", path, "--force"]
        files[sid] = path
        commands[sid] = " ".join(os.path.relpath(c, ROOT) if c.startswith(ROOT) else c for c in cmd)
        if args.report_only or sid in keep:
            if not os.path.exists(path):
                raise SystemExit(f"reproduce.py: --keep {sid}: {path} does not exist; run that study (leave it out of --keep)")
            times[sid] = previous["study_seconds"][sid]
            draw_study(sid)  # complete already
            continue
        if os.path.exists(path) and kind in SWEEP_KINDS:
            os.remove(path)
        print(f"[{sid}] {title} ...", flush=True)
        times[sid] = run(cmd, log)
        draw_study(sid)
    # The runs of the analytical findings and the further claims (reproduce_claims.py).
    claim_files, claim_seconds = reproduce_claims.run_claims(args.hds, out, args.quick,
                                                             None if args.report_only else run, log, extra)
    times["claims"] = previous["study_seconds"].get("claims", 0.0) if args.report_only else claim_seconds
    figures.wait(log)
    total = previous["seconds"] if args.report_only else time.time() - start + sum(times[k] for k in keep)

    S = {sid: Sweep(files[sid]) for sid, _, kind, _, _ in STUDIES if kind in SWEEP_KINDS}
    findings = []

    def add(name, statement, result, section="associations"):
        v, summary, lines = result
        findings.append({"finding": name, "statement": statement, "verdict": v, "summary": summary, "details": lines,
                         "section": section})

    add("centering_helps", "Centering always helps.", finding_centering(S["4"]))
    add("hd_beats_hebb_cov", "HD outperforms Hebb's and the covariance rule.",
        finding_hd_beats_hebb([("centering", S["4"], ["centering"]), ("saturating", S["7"], ["activation"]),
                               ("online pairs", S["6"], ["pair", "activation"]),
                               ("multi-epoch pairs", S["5"], ["pair", "activation"]),
                               ("random/correlated", S["3"], ["pair"])]))
    add("hd_equals_gd_multi_epoch", "HD performs like gradient descent in multi-epoch learning.", finding_hd_gd_multi(S["5"]))
    add("hd_best_online", "HD performs clearly best in online learning.", finding_hd_best_online(S["6"]))
    add("step_function", "HD works with the step function; GD stays at chance (error ≈ 0.5).",
        finding_step([("online", S["6"]), ("multi-epoch", S["5"]), ("saturating", S["7"])]))
    add("gradual_forgetting", "HD forgets gradually, keeping recent patterns; other rules interfere catastrophically.",
        finding_gradual(S["8b"]))
    add("weight_decay", "HD profits least from weight decay but has the best performance overall.",
        finding_decay(S["9"], S["10"]))
    add("random_to_correlated", "Mapping random onto correlated patterns is easier than the reverse.",
        finding_random_correlated(S["3"]))
    add("net_hd_similar_gd", "Deep networks: HD has better or similar performance as GD.",
        finding_net_hd_similar_gd(S["11a"]), "networks")
    add("net_step", "Deep networks: HD learns through a step output; GD cannot (φ′ = 0).", finding_net_step(S["11a"]),
        "networks")
    add("net_class_incremental", "Deep networks, class-incremental stream: HD at least as good as GD.",
        finding_net_stream(S["11b"], "class-incremental"), "networks")
    add("net_permuted", "Deep networks, permuted stream: HD at least as good as GD.",
        finding_net_stream(S["11c"], "permuted"), "networks")
    run12 = AutoRun(files["12a"])
    add("auto_rbm", "Auto-association: HD is related to contrastive learning in RBMs.", finding_auto_rbm(run12),
        "autoassociation")
    add("auto_gd_part", "Auto-association: HD corresponds to one part of gradient descent (slides: the encoder "
        "related part).", finding_auto_gd_part(run12), "autoassociation")
    add("auto_oja", "Auto-association: HD can be understood as a non-linear Oja's / Sanger's rule.",
        finding_auto_oja(run12, S["12b"]), "autoassociation")
    add("auto_converges", "Auto-association: HD has no objective function, but still it converges.",
        finding_auto_converges(run12), "autoassociation")
    add("auto_equal_activity", "Auto-association: HD learns a hidden representation with equal average activity "
        "across units.", finding_auto_equal_activity(S["12c"]), "autoassociation")
    add("auto_cheaper", "Auto-association: HD performs slightly worse than GD but is computationally cheaper.",
        finding_auto_cheaper(S["12c"]), "autoassociation")

    more, figure_data = reproduce_claims.claims({**files, **claim_files}, S)
    findings += more
    if not args.no_plots:
        reproduce_claims.draw_figures(figure_data, figs)

    with open(os.path.join(out, "findings.json"), "w") as fj:
        json.dump({"quick": args.quick, "seconds": total, "study_seconds": times, "findings": findings}, fj, indent=1)
    write_report(out, figs, S, files, commands, times, findings, args.quick, total, keep)
    counts = {v: sum(f["verdict"] == v for f in findings) for v in ["reproduced", "partly", "not reproduced"]}
    print(f"done in {total:.0f}s: " + ", ".join(f"{n} {v}" for v, n in counts.items()))
    for f in findings:
        print(f"  {f['verdict']:15s} {f['finding']}: {f['summary']}")


def write_report(out, figs, S, files, commands, times, findings, quick, total, keep=()):
    md = []
    md.append("# Reproduction of the slides' studies" + (" (quick run)" if quick else ""))
    md.append("")
    commit = text(hds.open(files["3"]).attrs["git_commit"])
    md.append("Made by `tools/reproduce.py" + (" --quick" if quick else "") + f"` in {total:.0f} s on "
              f"{os.uname().nodename} (2 cores), hds commit `{commit}`. Every number below is read from the "
              "result files listed with each study; verdicts follow the fixed rules stated with each finding "
              "in `tools/reproduce.py` (the one change made after a first run: an exact tie counts for hd, "
              "since with a linear unit hd is gd). Errors are mean absolute errors over output units, "
              "averaged over the last N trained patterns, mean ± sample sd over repetitions, each cell's "
              "learning rate (and weight decay where swept) tuned on that same error."
              + (f" Studies {', '.join(sorted(keep))} were not run again: their result files (and times) come "
                 "from an earlier run of unchanged definitions (`--keep`); each file's provenance names the "
                 "commit that made it." if keep else ""))
    if quick:
        md.append("")
        md.append("**Quick run**: 3 repetitions, a 9-point η grid, 5 epochs multi-epoch: for CI, not for conclusions.")
    md.append("")
    md.append("## Findings")
    for section, title in [("associations", "Hetero-association"), ("networks", "Deep networks"),
                           ("autoassociation", "Auto-association"), ("analytical", "Analytical findings (1–8)"),
                           ("further", "Further claims of the slides")]:
        md.append("")
        md.append(f"**{title}**")
        md.append("")
        md.append("| finding (slides) | verdict | deciding numbers |")
        md.append("|---|---|---|")
        for f in findings:
            if f.get("section", "associations") == section:
                md.append(f"| {f['statement']} | **{f['verdict']}** | {f['summary']} |")
    md.append("")
    md.append("Deep networks: validation accuracy tunes each cell's learning rate; the test accuracy of the "
              "tuned winner decides (a stream's: the average over its tasks after the last one).")
    md.append("")
    claim_sections = {"analytical": ("Analytical findings (1–8)", "claims_analytical.png"),
                      "further": ("Further claims of the slides", "claims_further.png")}
    seen = set()
    for f in findings:
        section = f.get("section")
        if section in claim_sections and section not in seen:
            seen.add(section)
            title, png = claim_sections[section]
            md.append(f"## {title}")
            md.append("")
            md.append("Checked by `tools/reproduce_claims.py` from what the engine computes (runs in `claims/`, "
                      f"{times.get('claims', 0):.1f} s, and the studies below); each rule is in its function's docstring.")
            md.append("")
            if os.path.exists(os.path.join(figs, png)):
                md.append(f"![{png}](figures/{png})")
                md.append("")
        md.append(f"### {f['statement']} — {f['verdict']}")
        md.append("")
        md.append(f"{f['summary']}.")
        md.append("")
        for line in f["details"][:60]:
            md.append(f"- {line}")
        md.append("")
    discussion = os.path.join(ROOT, "results", "discussion.md")
    if not quick and os.path.exists(discussion):
        md.append("## Discussion")
        md.append("")
        md.append(open(discussion).read().strip())
        md.append("")
    md.append("## Studies")
    for sid, title, kind, definition, _ in STUDIES:
        md.append("")
        md.append(f"### Study {sid}: {title}")
        md.append("")
        md.append(f"`{commands[sid]}` ({times[sid]:.1f} s) → `{os.path.relpath(files[sid], out)}`")
        md.append("")
        stem = os.path.splitext(os.path.basename(files[sid]))[0]
        pngs = sorted(p for p in os.listdir(figs) if p.startswith(stem + "_") or p.startswith(stem + "."))
        for p in pngs[:6]:
            md.append(f"![{p}](figures/{p})")
        md.append("")
        if kind == "auto_run":
            md.append(auto_run_table(AutoRun(files[sid])))
        elif kind != "study":
            s = S[sid]
            if kind == "network":
                md.append(network_table(s))
            elif kind == "auto":
                md.append(auto_table(s))
            else:
                keys = [k for k in ["pair", "activation", "rule", "centering"] if any(k in r for r in s.rows)]
                md.append(table(s, keys))
            edges = s.edge_winners()
            if edges:
                md.append("")
                md.append(f"Winners on a bound of their evaluated points, flagged \"(on bound)\" in the table "
                          f"({len(edges)} of {len(s.rows)} cells; extension could not go further, or was not asked "
                          "for: their error may be lower beyond):")
                md.append("")
                md += [f"- {e}" for e in edges[:40]]
                if len(edges) > 40:
                    md.append(f"- … and {len(edges) - 40} more")
        else:
            p = subprocess.run([os.path.join(ROOT, "build", "hds"), "inspect", files[sid]], stdout=subprocess.PIPE,
                               text=True)
            # The table only (what `hds inspect` prints after the file's tree and provenance).
            lines = p.stdout.strip().splitlines()
            start = max((i for i, l in enumerate(lines) if "(study):" in l), default=0)
            md.append("```")
            md += lines[start:]
            md.append("```")
    with open(os.path.join(out, "REPRODUCTION.md"), "w") as fo:
        fo.write("\n".join(md) + "\n")


if __name__ == "__main__":
    main()
