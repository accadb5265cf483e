"""hds.run / hds.sweep / hds.train against the command line: the same arrays bit for bit, the same
one-line errors, the GIL released while C++ runs, and no memory kept by runs that raise."""
import os
import threading
import time

import h5py
import numpy as np
import pytest
import yaml

import hds
from conftest import DEFINITIONS, hds_cli

# Provenance and timings differ between any two runs; everything else must be equal bit for bit.
VARYING_ATTRS = {"created", "command_line", "config_file", "seconds", "host", "seconds_per_update_min",
                 "seconds_per_update_median"}
VARYING_DATA = {"seconds", "seconds_per_update", "metrics/seconds_per_update"}


def contents(f):
    """{dataset: array} and {object@attr: value} of an open h5py.File, timings and provenance left out."""
    data, attrs = {}, {}

    def visit(name, obj):
        for k, v in obj.attrs.items():
            if k not in VARYING_ATTRS and k not in ("DIMENSION_LIST", "REFERENCE_LIST"):
                attrs[f"{name}@{k}"] = v
        if isinstance(obj, h5py.Dataset) and name not in VARYING_DATA:
            v = obj.asstr()[()] if obj.dtype.kind == "O" else obj[()]
            if name.endswith("config"):
                c = yaml.safe_load(v)
                c.pop("output", None)  # names the file it was written to
                v = c
            data[name] = v
    f.visititems(visit)
    return data, attrs


def assert_same(result, path):
    a_data, a_attrs = contents(result.h5)
    with h5py.File(path, "r") as f:
        b_data, b_attrs = contents(f)
        b_root = {k: v for k, v in f.attrs.items() if k not in VARYING_ATTRS}
    a_root = {k: v for k, v in result.h5.attrs.items() if k not in VARYING_ATTRS}
    assert a_data.keys() == b_data.keys()
    for k in a_data:
        a, b = a_data[k], b_data[k]
        if isinstance(a, np.ndarray):
            assert a.dtype == b.dtype and a.shape == b.shape, k
            if a.dtype.kind == "O":
                assert a.tolist() == b.tolist(), f"{k} differs"
            else:
                assert a.tobytes() == b.tobytes(), f"{k} differs"  # bit for bit, NaN included
        else:
            assert a == b, k
    assert a_attrs.keys() == b_attrs.keys()
    assert all(np.array_equal(a_attrs[k], b_attrs[k]) for k in a_attrs)
    assert a_root.keys() == b_root.keys() and all(np.array_equal(a_root[k], b_root[k]) for k in a_root)


@pytest.mark.parametrize("stem", ["assoc", "net", "auto"])
def test_run_equals_the_cli_bit_for_bit(files, stem):
    r = hds.run(files[stem + "_yaml"], threads=2)
    assert r.path is None and r.kind == "run"  # in memory
    assert_same(r, files[stem])


@pytest.mark.parametrize("stem", ["sweep", "autosweep"])
def test_sweep_equals_the_cli_bit_for_bit(files, stem):
    assert_same(hds.sweep(files[stem + "_yaml"], threads=2), files[stem])


def test_dict_config_with_overrides_equals_the_cli_with_set(files, tmp_path):
    config = yaml.safe_load(DEFINITIONS["assoc.yaml"])
    cli = tmp_path / "cli.h5"
    hds_cli("run", files["assoc_yaml"], "--set", "eta=0.3", "--set", "inputs.dim=12", "-o", str(cli))
    r = hds.run(config, eta=0.3, inputs__dim=12)
    assert_same(r, cli)
    assert r.config["eta"] == 0.3 and r.config["inputs"]["dim"] == 12
    assert_same(hds.run(config, set={"eta": 0.3, "inputs.dim": 12}), cli)


def test_one_and_two_threads_give_the_same_result(files):
    one = hds.run(files["assoc_yaml"], threads=1)
    assert_same(one, files["assoc"])


def test_output_writes_the_file_and_returns_it(files, tmp_path):
    out = tmp_path / "kept.h5"
    r = hds.run(files["assoc_yaml"], output=out)
    assert r.path == str(out) and os.path.exists(out)
    assert_same(r, files["assoc"])
    with pytest.raises(hds.Error, match=r"kept\.h5: exists; pass --force to replace it"):
        hds.run(files["assoc_yaml"], output=out)
    mem = hds.run(files["assoc_yaml"])
    mem.save(tmp_path / "saved.h5")
    assert_same(hds.open(tmp_path / "saved.h5"), files["assoc"])


def test_train_on_user_arrays_equals_the_cli_on_the_same_npy_files(tmp_path):
    rng = np.random.default_rng(7)
    X = rng.integers(0, 2, (40, 16)).astype(float)
    T = rng.integers(0, 2, (40, 6)).astype(float)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "T.npy", T)
    (tmp_path / "user.yaml").write_text(f"""name: train
inputs: {{dataset: npy, file: {tmp_path}/X.npy}}
targets: {{dataset: npy, file: {tmp_path}/T.npy}}
patterns: 40
sample: sequential
rule: gd
activation: sigmoid
eta: 0.3
repetitions: 2
seed: 5
store: [patterns]
""")
    hds_cli("run", str(tmp_path / "user.yaml"), "-o", str(tmp_path / "cli.h5"))
    r = hds.train(X, T, rule="gd", activation="sigmoid", eta=0.3, repetitions=2, seed=5, store=["patterns"])
    with h5py.File(tmp_path / "cli.h5", "r") as f:
        for k in ("forgetting_curve", "last_n_error", "diverged", "repetition_seeds", "patterns/inputs"):
            assert r.h5[k][()].tobytes() == f[k][()].tobytes(), k
    # The user's rows, in their order, are what was trained on (independent of the CLI).
    assert np.array_equal(r.h5["patterns/inputs"][0], X) and np.array_equal(r.h5["patterns/targets"][1], T)


def cli_error(tmp_path, *args):
    p = hds_cli(*args, check=False)
    assert p.returncode == 2
    lines = p.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("hds: error: ")
    return lines[0][len("hds: error: "):]


def test_errors_raise_the_cli_message(files, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEFINITIONS["assoc.yaml"] + "eta: -1\n")
    message = cli_error(tmp_path, "run", str(bad), "-o", str(tmp_path / "x.h5"))
    assert "eta" in message and str(bad) in message
    with pytest.raises(hds.Error) as e:
        hds.run(bad)
    assert str(e.value) == message
    assert isinstance(e.value, ValueError)
    # An override, a missing file, a bad sweep definition: the same lines.
    message = cli_error(tmp_path, "run", files["assoc_yaml"], "--set", "etaa=1", "-o", str(tmp_path / "x.h5"))
    with pytest.raises(hds.Error) as e:
        hds.run(files["assoc_yaml"], etaa=1)
    assert str(e.value) == message and "did you mean 'eta'" in message
    missing = str(tmp_path / "missing.yaml")
    message = cli_error(tmp_path, "run", missing)
    with pytest.raises(hds.Error) as e:
        hds.run(missing)
    assert str(e.value) == message
    message = cli_error(tmp_path, "sweep", files["sweep_yaml"], "--set", "tune.eta=[-1]", "-o", str(tmp_path / "x.h5"))
    with pytest.raises(hds.Error) as e:
        hds.sweep(files["sweep_yaml"], set={"tune.eta": [-1]})
    assert str(e.value) == message
    # A dict has no file: its messages name it <config>, with the same text after the place.
    config = yaml.safe_load(DEFINITIONS["assoc.yaml"])
    config["eta"] = -1
    with pytest.raises(hds.Error) as e:
        hds.run(config)
    assert str(e.value).startswith("<config>:") and str(e.value).split(": ", 1)[1] == message_after_place(bad, tmp_path)
    with pytest.raises(hds.Error, match=r"hds\.train: X has 3 patterns but T has 2"):
        hds.train(np.zeros((3, 4)), np.zeros((2, 4)))


def message_after_place(path, tmp_path):
    return cli_error(tmp_path, "run", str(path), "-o", str(tmp_path / "x.h5")).split(": ", 1)[1]


def rss_kib():
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))


def test_runs_that_raise_keep_no_memory(files, tmp_path):
    """Failing runs, at validation and after the data are loaded, repeated: the process does not grow."""
    bad_data = dict(yaml.safe_load(DEFINITIONS["assoc.yaml"]), inputs={"dataset": "npy", "file": str(tmp_path / "no.npy")})
    big = dict(yaml.safe_load(DEFINITIONS["assoc.yaml"]), patterns=400, inputs={"dataset": "rand", "dim": 300},
               targets={"dataset": "rand", "dim": 300}, repetitions=4, eta=-1)

    def fail_all():
        for config in (bad_data, big):
            with pytest.raises(hds.Error):
                hds.run(config)
        with pytest.raises(hds.Error):
            hds.run(files["assoc_yaml"], patterns=0)
    for _ in range(20):
        fail_all()
    before = rss_kib()
    for _ in range(200):
        fail_all()
    grown = rss_kib() - before
    assert grown < 4096, f"RSS grew by {grown} KiB over 600 failing runs"


def test_the_gil_is_released_while_the_engine_runs(files):
    """A Python thread keeps running while hds.run computes in another one: the longest pause between
    two of its steps stays a small part of the run (holding the GIL, the engine would pause it for
    the whole C++ part of the run)."""
    done, took = threading.Event(), []

    def work():
        t0 = time.perf_counter()
        hds.run(files["assoc_yaml"], patterns=100, inputs__dim=200, targets__dim=200, repetitions=32, threads=1)
        took.append(time.perf_counter() - t0)
        done.set()
    t = threading.Thread(target=work)
    t.start()
    last, longest = time.perf_counter(), 0.0
    while not done.is_set():
        now = time.perf_counter()
        longest, last = max(longest, now - last), now
    t.join()
    assert took[0] > 0.3, f"the run took {took[0]:.3f}s: too short to tell"
    assert longest < 0.3 * took[0], f"this thread stood still for {longest:.3f}s of the run's {took[0]:.3f}s"
