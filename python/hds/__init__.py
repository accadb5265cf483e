"""hds in Python: read result files with named dimensions, and run the C++ engine in-process.

    import hds
    r = hds.open("results/fig8a_rand_rand.h5")   # any kind of result file, old layouts too
    r.winners()                                   # pandas DataFrame, one row per cell
    r.to_xarray()                                 # xarray.Dataset with named dimensions
    r = hds.run("experiments/quickstart.yaml", repetitions=3)   # the engine, no file left behind
    r = hds.train(X, T, rule="hd", activation="sigmoid", eta=0.2)

docs/python.md is the tutorial; results/README.md the file layout.
"""
from .errors import Error
from .result import LAYOUT_VERSION, Result, open
from .engine import engine_available, run, sweep, train

__all__ = ["Error", "LAYOUT_VERSION", "Result", "open", "run", "sweep", "train", "engine_available"]
