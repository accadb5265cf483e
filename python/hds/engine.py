"""Running the C++ engine from Python: hds.run, hds.sweep, hds.train.

They do what `hds run` / `hds sweep` do, in this process (the GIL released while C++ computes, OpenMP
threads as on the command line), and return an hds.Result. Without `output=` the result stays in
memory: the engine writes it into a private temporary directory that is removed before the call
returns (Result.save(path) writes it out later). A dict configuration is written there as YAML first;
error messages then name it `<config>` in place of that file. Errors raise hds.Error with the
command line's message.
"""
import os
import shutil
import tempfile
import threading

import numpy as np

from .errors import Error
from .result import Result

_DICT_NAME = "<config>"
# One engine call at a time: the engine's settings (data directory, command line for provenance) are
# process-wide, and each call already uses OpenMP threads. Other Python threads run meanwhile.
_ENGINE_LOCK = threading.Lock()


def engine_available():
    """True when the compiled engine (hds._hds, built with pybind11) can be imported."""
    try:
        from . import _hds  # noqa: F401
        return True
    except ImportError:
        return False


def _engine():
    try:
        from . import _hds
    except ImportError as e:
        raise ImportError("hds.run / hds.sweep / hds.train need the compiled module hds._hds: build hds with "
                          "pybind11-dev and python3-dev installed (CMake says 'Python: hds._hds for …') and put "
                          f"its build/python on PYTHONPATH ({e})") from None
    return _hds


def _flow(value):
    """A Python value as YAML flow text for --set."""
    import yaml
    if isinstance(value, str):
        return value
    if isinstance(value, np.generic):
        value = value.item()
    return yaml.safe_dump(value, default_flow_style=True, width=1 << 30).strip().removesuffix("\n...").strip()


def _overrides(set_, kwargs):
    """--set strings from a dict and keywords (a double underscore in a keyword is a dot: inputs__dim)."""
    out = [f"{k}={_flow(v)}" for k, v in (set_ or {}).items()]
    out += [f"{k.replace('__', '.')}={_flow(v)}" for k, v in kwargs.items()]
    return out


def _call(which, config, output, threads, force, data_dir, set_, kwargs, command):
    import yaml
    hds = _engine()
    tmp = tempfile.mkdtemp(prefix="hds_py_")
    try:
        if isinstance(config, dict):
            path = os.path.join(tmp, "config.yaml")
            with open(path, "w") as f:
                yaml.safe_dump(config, f, sort_keys=False)
        else:
            path = os.fspath(config)
        target = os.fspath(output) if output is not None else os.path.join(tmp, "result.h5")
        try:
            with _ENGINE_LOCK:
                getattr(hds, which)(path, _overrides(set_, kwargs), target, int(threads),
                                    bool(force or output is None), data_dir or "", command)
        except hds.Error as e:
            message = str(e).replace(path, _DICT_NAME) if isinstance(config, dict) else str(e)
            raise Error(message.replace(tmp + os.sep, "")) from None
        if output is not None:
            return Result(target)
        with open(target, "rb") as f:
            return Result(None, image=f.read())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(config, *, output=None, threads=0, force=False, data_dir=None, set=None, **overrides):
    """Runs one experiment of any kind, as `hds run`: `config` a YAML path or a dict; keywords override
    keys as --set does (eta=0.5, inputs__dim=100, or set={"inputs.dim": 100}). Returns an hds.Result;
    with output= the file is written there (force=True replaces an existing one)."""
    return _call("run", config, output, threads, force, data_dir, set, overrides,
                 f"python: hds.run({config if not isinstance(config, dict) else _DICT_NAME})")


def sweep(config, *, output=None, threads=0, force=False, data_dir=None, set=None, **overrides):
    """Runs a sweep, as `hds sweep` (no journal is kept when the result stays in memory)."""
    return _call("sweep", config, output, threads, force, data_dir, set, overrides,
                 f"python: hds.sweep({config if not isinstance(config, dict) else _DICT_NAME})")


def train(X, T, *, rule="hd", activation="sigmoid", eta=0.1, repetitions=1, seed=1, output=None, threads=0,
          **keys):
    """Trains one hetero-associative network on your own patterns: inputs X [P, n_in] and targets
    T [P, n_out] (numpy arrays, presented in their row order), as `hds run` of a file with
    `inputs: {dataset: npy, file: X.npy}` and `targets: {dataset: npy, file: T.npy}` would. Further
    experiment keys go in as keywords (protocol="multi_epoch", epochs=10, centering="none", …).
    Returns an hds.Result (forgetting_curve, last_n_error …)."""
    X = np.asarray(X, dtype=np.float64)
    T = np.asarray(T, dtype=np.float64)
    if X.ndim != 2 or T.ndim != 2:
        raise Error(f"hds.train: X and T must be 2-d arrays [patterns, dimension], got shapes {X.shape} and {T.shape}")
    if X.shape[0] != T.shape[0]:
        raise Error(f"hds.train: X has {X.shape[0]} patterns but T has {T.shape[0]}; give one target row per input row")
    tmp = tempfile.mkdtemp(prefix="hds_train_")
    try:
        np.save(os.path.join(tmp, "X.npy"), X)
        np.save(os.path.join(tmp, "T.npy"), T)
        config = {"name": "train",
                  "inputs": {"dataset": "npy", "file": os.path.join(tmp, "X.npy")},
                  "targets": {"dataset": "npy", "file": os.path.join(tmp, "T.npy")},
                  "patterns": int(X.shape[0]), "sample": "sequential",
                  "rule": rule, "activation": activation, "eta": float(eta),
                  "repetitions": int(repetitions), "seed": int(seed)}
        config.update(keys)
        return run(config, output=output, threads=threads)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
