#!/usr/bin/env python3
"""The cost of the MPI path of `hds sweep` (docs/cluster.md): a sweep run alternately in one process
on T threads and under `mpirun -np T` with one thread per rank, on the same cores. For each run it
prints the sweep time hds records (the result's `seconds`: from the journal's lock to the result
written; process and MPI start-up excluded), the wall time of the command, and the CPU time (user +
system) of everything the command started (mpirun and its ranks included); then the medians, the
overheads and the MPI message volume. Wall times compare only on an otherwise idle machine; CPU time
is what the MPI path costs in work, whatever else runs.

usage: tools/mpi_overhead.py [SWEEP.yaml] [--repeats 7] [--np 2] [--hds build/hds]
"""
import argparse
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import h5py

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ap = argparse.ArgumentParser()
ap.add_argument("sweep", nargs="?", default=os.path.join(ROOT, "sweeps/fig8a_rand_rand.yaml"))
ap.add_argument("--repeats", type=int, default=7)
ap.add_argument("--np", type=int, default=2)
ap.add_argument("--hds", default=os.path.join(ROOT, "build/hds"))
a = ap.parse_args()

version = subprocess.run([a.hds, "--version"], stdout=subprocess.PIPE, text=True).stdout
if "mpi: yes" not in version:
    sys.exit("build hds with MPI first (libopenmpi-dev; cmake finds it)")
env = dict(os.environ)
if os.getuid() == 0:
    env.update(OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def run(cmd, out):
    cpu, wall = children_cpu(), time.monotonic()
    p = subprocess.run(cmd + ["-o", out, "--quiet", "--force"], stdout=subprocess.PIPE, text=True, env=env)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed")
    wall, cpu = time.monotonic() - wall, children_cpu() - cpu
    return h5py.File(out, "r").attrs["seconds"], wall, cpu, p.stdout


with tempfile.TemporaryDirectory() as tmp:
    one_h5, mpi_h5 = os.path.join(tmp, "one.h5"), os.path.join(tmp, "mpi.h5")
    one_cmd = [a.hds, "sweep", a.sweep, "--threads", str(a.np)]
    mpi_cmd = ["mpirun", "-np", str(a.np), a.hds, "sweep", a.sweep, "--threads", "1"]
    rows = {"one": [], "mpi": []}
    summary = ""
    for i in range(a.repeats):
        rows["one"].append(run(one_cmd, one_h5)[:3])
        *m, out = run(mpi_cmd, mpi_h5)
        rows["mpi"].append(tuple(m))
        summary = out
        o, p = rows["one"][-1], rows["mpi"][-1]
        print(f"run {i + 1}: one process {o[0]:.3f} s (wall {o[1]:.3f} s, cpu {o[2]:.3f} s); "
              f"mpirun -np {a.np} {p[0]:.3f} s (wall {p[1]:.3f} s, cpu {p[2]:.3f} s)", flush=True)
    same = subprocess.run([sys.executable, os.path.join(ROOT, "tests/cli/same_h5_data.py"), one_h5, mpi_h5])
    if same.returncode != 0:
        sys.exit("the MPI result differs from one process")

med = {k: [statistics.median(col) for col in zip(*v)] for k, v in rows.items()}
for j, name in enumerate(["sweep time", "wall time", "cpu time"]):
    o, p = med["one"][j], med["mpi"][j]
    print(f"median {name}: one process on {a.np} threads {o:.3f} s, mpirun -np {a.np} x 1 thread {p:.3f} s: "
          f"{100 * (p - o) / o:+.1f}%")
m = re.search(r"on \d+ ranks.*", summary)
print(m.group(0) if m else summary)
