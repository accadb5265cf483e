"""Prints the benchmark tables from bench/run.sh's results: the machine's double GEMM speed, the portable
build against the native one on the fig8a sweep, throughput (runs per second) of every engine and peer per
sweep workload with the ratios of hds gram to the others, each engine's useful FLOP/s as a fraction of the
GEMM speed, the peers' agreement with hds, and the scaling runs (also drawn: OUT_DIR/scaling.png, log-log
time per run against P and n_in); then the network benchmark (seconds per MNIST epoch of hds and the PyTorch
peer, accuracies, memory); then the auto-association updates per second against numpy and PyTorch. Any part
may be missing (run.sh network / run.sh sweep / run.sh auto).

usage: report.py OUT_DIR
"""
import json
import os
import platform
import sys

import numpy as np


def blas_libraries():
    """The BLAS/LAPACK shared objects this process has mapped after a numpy product (resolved links)."""
    np.ones((2, 2)) @ np.ones((2, 2))
    libs = set()
    for line in open("/proc/self/maps"):
        path = line.split()[-1]
        if path.startswith("/") and any(k in os.path.basename(path).lower() for k in ("blas", "lapack", "mkl", "blis")):
            libs.add(os.path.realpath(path))
    return sorted(libs)


def main():
    out = sys.argv[1]
    rows = [json.loads(line) for line in open(os.path.join(out, "results.jsonl"))]
    cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
    print(f"machine: {cpu}, {os.cpu_count()} cores, {platform.python_version()} python, numpy {np.__version__}")
    try:
        from threadpoolctl import threadpool_info
        info = "; ".join(f"{i['internal_api']} {i.get('version')} ({i['filepath']}) threads={i['num_threads']}"
                         for i in threadpool_info())
    except ImportError:
        info = ""
    print("numpy BLAS:", info or f"not reported by threadpoolctl; loaded: {', '.join(blas_libraries()) or '?'}")
    gemm = [r for r in rows if r["workload"] == "gemm"]
    for r in gemm:
        res = r["result"]
        print(f"{r['name']}: double GEMM {res['gemm']}^3 on {res['threads']} threads ({res['isa']}): "
              f"{res['gflops']:.1f} GFLOP/s (median of {res.get('repeat', 9)}; load {r['load']})")
    limit = float(np.median([r["result"]["gflops"] for r in gemm])) if gemm else None
    fig8a_table([r for r in rows if r["workload"] == "fig8a"])
    sweep_table(out, [r for r in rows if r["workload"] not in ("gemm", "fig8a") and not r["workload"].startswith("network")],
                limit)
    network_table([r for r in rows if r["workload"].startswith("network")])
    auto_table(out)


def fig8a_table(rows):
    """Portable against native build, `hds sweep sweeps/fig8a_rand_rand.yaml`, timed alternately."""
    if not rows:
        return
    print()
    print("fig8a sweep (hds sweep sweeps/fig8a_rand_rand.yaml, wall time, median of the repeats)")
    for r in rows:
        res = r["result"]
        print(f"  {r['name']:<16} isa {res['isa']:<16} median {res['median_s']:.3f} s  min {res['min_s']:.3f} s  "
              f"load {r['load']}")
    port = [r["result"]["median_s"] for r in rows if r["name"].startswith("fig8a_portable")]
    nat = [r["result"]["median_s"] for r in rows if r["name"].startswith("fig8a_native")]
    if port and nat:
        print(f"  portable / native: {np.median(port) / np.median(nat):.2f} (medians of the alternating rounds)")


def sweep_table(out, rows, limit=None):
    if not rows:
        return
    workloads = [w for w in dict.fromkeys(r["workload"] for r in rows) if not w.startswith("scale")]
    print()
    print(f"{'workload':<11} {'engine/peer':<11} {'runs':>5} {'median s':>9} {'runs/s':>9} {'gram x':>8} "
          f"{'GFLOP/s':>8} {'of GEMM':>8} {'peak MB':>8}  agreement with hds (last-20 errors)")
    for w in workloads:
        sel = [r for r in rows if r["workload"] == w]
        gram = next(r for r in sel if r["kind"] == "hds-gram")
        ref = np.load(os.path.join(out, f"{w}.gram.npy"))
        for r in sel:
            res = r["result"]
            rate = res["runs"] / res["median_s"]
            ratio = gram["result"]["runs"] / gram["result"]["median_s"] / rate
            agree = ""
            path = os.path.join(out, f"{r['name']}.npy")
            if r["kind"] != "hds-gram" and os.path.exists(path):
                other = np.load(path)
                done = ~np.isnan(other)
                diff = np.abs(other[done] - ref[done])
                agree = (f"max |diff| {diff.max():.1e} over {done.sum()} runs, "
                         f"{(diff < 1e-9).mean() * 100:.0f}% within 1e-9")
            gf = res.get("gflops")
            gfs = f"{gf:>8.2f}" if gf is not None else f"{'-':>8}"
            frac = f"{gf / limit * 100:>7.0f}%" if gf is not None and limit else f"{'-':>8}"
            print(f"{w:<11} {r['kind']:<11} {res['runs']:>5} {res['median_s']:>9.3f} {rate:>9.1f} "
                  f"{ratio:>8.1f} {gfs} {frac} {r['maxrss_kb'] / 1024:>8.0f}  {agree}")
    print()
    print("scaling (rule hd, 20 eta x 2 repetitions, one timing; ms per run = 2 threads' wall time / runs x 2)")
    print(f"{'vary':<6} {'value':>6} {'direct ms':>10} {'gram ms':>10} {'blocked ms':>11} {'direct/gram':>12} "
          f"{'direct/blocked':>15} {'blocked of GEMM':>16}")
    ms = lambda r: r["result"]["median_s"] / r["result"]["runs"] * r["result"]["threads"] * 1e3
    curves = {}
    for kind, key in (("scale_P", "P"), ("scale_n_in", "n_in")):
        sel = [r for r in rows if r["workload"] == kind]
        for value in dict.fromkeys(r["result"][key] for r in sel):
            d, g, b = (next((r for r in sel if r["result"][key] == value and r["kind"] == f"hds-{e}"), None)
                       for e in ("direct", "gram", "blocked"))
            if not (d and g):
                continue
            bms = f"{ms(b):>11.2f}" if b else f"{'-':>11}"
            db = f"{ms(d) / ms(b):>15.2f}" if b else f"{'-':>15}"
            frac = f"{b['result']['gflops'] / limit * 100:>15.0f}%" if b and limit and "gflops" in b["result"] else ""
            print(f"{key:<6} {value:>6} {ms(d):>10.2f} {ms(g):>10.2f} {bms} {ms(d) / ms(g):>12.2f} {db} {frac}")
            for e, r in (("direct", d), ("gram", g), ("blocked", b)):
                if r:
                    curves.setdefault((key, e), []).append((value, ms(r)))
    plot_scaling(out, curves)


def plot_scaling(out, curves):
    """Log-log time per run against P (n_in = 200) and n_in (P = 300), one line per engine, with the
    slopes of the cost model's terms as guides."""
    if not curves:
        return
    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        print("(matplotlib missing: no scaling plot)")
        return
    fig, axes = plt.subplots(1, 2, figsize=(10, 4))
    for ax, key, label in ((axes[0], "P", "P (patterns), n_in = n_out = 200"), (axes[1], "n_in", "n_in, P = 300, n_out = 200")):
        for e, style in (("direct", "o-"), ("gram", "s-"), ("blocked", "^-")):
            pts = sorted(curves.get((key, e), []))
            if pts:
                ax.loglog([p[0] for p in pts], [p[1] for p in pts], style, label=e)
        ax.set_xlabel(label)
        ax.set_ylabel("ms per run (one thread)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend()
    axes[0].set_title("time per run ~ min(P² n_out, P n_in n_out)")
    fig.tight_layout()
    path = os.path.join(out, "scaling.png")
    fig.savefig(path, dpi=120)
    print(f"scaling plot: {path}")


def network_table(rows):
    """One row per implementation and precision: median seconds per epoch, the hds float64 median over the
    row's (below 1: hds is faster), peak memory, and validation/test accuracy after the first and last epoch."""
    if not rows:
        return
    print()
    print("network: MNIST 784-200-200-10, batch 32, iid, one epoch = 50,000 patterns (1563 steps), measuring excluded")
    print(f"{'setting':<8} {'impl':<14} {'dtype':<8} {'thr':>3} {'ep':>3} {'median s':>9} {'min s':>7} {'hds64/row':>9} "
          f"{'peak MB':>8} {'data MB':>8} {'load':>5}  {'val acc 1st/last':>16} {'test acc':>8}  BLAS")
    for w in dict.fromkeys(r["workload"] for r in rows):
        sel = [r for r in rows if r["workload"] == w]
        hds = next((r for r in sel if r["kind"].startswith("hds")), None)
        for r in sel:
            res = r["result"]
            ratio = f"{hds['result']['median_s'] / res['median_s']:.2f}" if hds else "-"
            blas = ", ".join(os.path.basename(b) for b in res.get("blas", [])) or ("Eigen" if r is hds else "?")
            load = f"{r['load']:.1f}" if r.get("load") is not None else "-"
            acc = f"{res['val_acc'][0]:.4f}/{res['val_acc'][-1]:.4f}"
            print(f"{res['setting']:<8} {r['kind'].rsplit('-', 1)[0]:<14} {res['dtype']:<8} {res['threads']:>3} "
                  f"{res['epochs']:>3} {res['median_s']:>9.3f} {min(res['epoch_s']):>7.3f} {ratio:>9} "
                  f"{r['maxrss_kb'] / 1024:>8.0f} {res['data_mb']:>8.0f} {load:>5}  {acc:>16} "
                  f"{res['test_acc'][-1]:>8.4f}  {blas}")



def auto_table(out):
    """Batch-size-1 auto-association updates: updates per second of hds and the peers (medians), hds's
    speed-up, hds's least traffic (one read and one write of W) against an n_in x k copy, the peers'
    agreement with hds's final W."""
    path = os.path.join(out, "auto.jsonl")
    rows = [json.loads(line) for line in open(path)] if os.path.exists(path) else []
    hds = [r for r in rows if "fraction_of_copy" in r]
    if not hds:
        return
    load = next((r["load"] for r in rows if "load" in r and len(r) == 1), None)
    peers = {(r["peer"], r["rule"], r["k"]): r for r in rows if "peer" in r}
    print()
    print(f"auto-association: one online pass, batch size 1, {hds[0]['updates']} {hds[0]['data']} patterns, "
          f"n_in = {hds[0]['n_in']}, sigmoid hidden, linear visible; CPU time of the updates; load before: {load}")
    print(f"{'rule':<5} {'k':>4} {'hds upd/s':>10} {'numpy upd/s':>12} {'torch upd/s':>12} {'vs numpy':>9} "
          f"{'vs torch':>9} {'GB/s min':>9} {'copy GB/s':>10} {'of copy':>8}  max rel diff W (numpy, torch)")
    for r in hds:
        n = peers.get(("numpy", r["rule"], r["k"]))
        t = peers.get(("torch", r["rule"], r["k"]))
        rate = r["updates_per_second"]

        def cell(p):
            return f"{p['updates_per_second']:12.0f}" if p else f"{'-':>12}"

        def ratio(p):
            return f"{rate / p['updates_per_second']:8.1f}x" if p else f"{'-':>9}"

        def diff(p):
            return f"{p['max_rel_diff_W_vs_hds']:.1e}" if p and p["max_rel_diff_W_vs_hds"] is not None else "-"

        print(f"{r['rule']:<5} {r['k']:>4} {rate:10.0f} {cell(n)} {cell(t)} {ratio(n)} {ratio(t)} "
              f"{r['min_traffic_gbs']:9.1f} {r['copy_gbs']:10.1f} {r['fraction_of_copy']:8.2f}  {diff(n)}, {diff(t)}")


if __name__ == "__main__":
    main()
