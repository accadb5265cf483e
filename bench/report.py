"""Prints the benchmark table from bench/run.sh's results: throughput (runs per second) of every engine and
peer per workload, the ratios of hds gram to the others, the peers' agreement with hds, and the scaling runs.

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
    workloads = [w for w in dict.fromkeys(r["workload"] for r in rows) if not w.startswith("scale")]
    print()
    print(f"{'workload':<11} {'engine/peer':<11} {'runs':>5} {'median s':>9} {'runs/s':>9} {'gram x':>8} "
          f"{'peak MB':>8}  agreement with hds (last-20 errors)")
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
            print(f"{w:<11} {r['kind']:<11} {res['runs']:>5} {res['median_s']:>9.3f} {rate:>9.1f} "
                  f"{ratio:>8.1f} {r['maxrss_kb'] / 1024:>8.0f}  {agree}")
    print()
    print("scaling (rule hd, 20 eta x 2 repetitions, one timing; ms per run = 2 threads' wall time / runs x 2)")
    print(f"{'vary':<6} {'value':>6} {'direct ms':>10} {'gram ms':>10} {'direct/gram':>12} {'peak MB d/g':>12}")
    for kind, key in (("scale_P", "P"), ("scale_n_in", "n_in")):
        sel = [r for r in rows if r["workload"] == kind]
        for value in dict.fromkeys(r["result"][key] for r in sel):
            d = next(r for r in sel if r["result"][key] == value and r["kind"] == "hds-direct")
            g = next(r for r in sel if r["result"][key] == value and r["kind"] == "hds-gram")
            ms = lambda r: r["result"]["median_s"] / r["result"]["runs"] * r["result"]["threads"] * 1e3
            print(f"{key:<6} {value:>6} {ms(d):>10.2f} {ms(g):>10.2f} {ms(d) / ms(g):>12.2f} "
                  f"{d['maxrss_kb'] / 1024:>5.0f}/{g['maxrss_kb'] / 1024:<5.0f}")


if __name__ == "__main__":
    main()
