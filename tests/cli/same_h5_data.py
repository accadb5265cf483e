"""Exits non-zero unless two hds result files hold the same datasets with bit-identical values.
Attributes (dates, timings) are not compared. --skip NAME leaves a dataset out (e.g. /config of two
runs written to different -o paths).  Usage: same_h5_data.py A.h5 B.h5 [--skip NAME ...]"""
import argparse

import h5py
import numpy as np

ap = argparse.ArgumentParser()
ap.add_argument("a")
ap.add_argument("b")
ap.add_argument("--skip", action="append", default=[])
args = ap.parse_args()


def walk(g, out, prefix=""):
    for k, v in g.items():
        if isinstance(v, h5py.Group):
            walk(v, out, prefix + k + "/")
        elif prefix + k not in args.skip:
            out[prefix + k] = np.asarray(v[()])


da, db = {}, {}
walk(h5py.File(args.a, "r"), da)
walk(h5py.File(args.b, "r"), db)
assert da.keys() == db.keys(), f"different datasets: {sorted(set(da) ^ set(db))}"
for k in da:
    x, y = da[k], db[k]
    assert x.shape == y.shape, f"{k}: shapes {x.shape} and {y.shape}"
    same = np.array_equal(x, y) if x.dtype.kind in "OSU" else np.array_equal(x, y, equal_nan=True)
    assert same, f"dataset {k} differs"
print(f"{len(da)} datasets identical")
