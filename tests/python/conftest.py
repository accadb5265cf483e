"""Shared fixtures of the hds package tests: small result files of every kind, written by the CLI."""
import os
import subprocess

import pytest

HDS = os.environ.get("HDS", "")
FIXTURES = os.environ.get("HDS_FIXTURE_DIR", "")
SRC = os.environ.get("SRC", os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

DEFINITIONS = {
    "assoc.yaml": """name: assoc
inputs: {dataset: rand, dim: 20}
targets: {dataset: rand, dim: 10}
patterns: 15
repetitions: 3
store: [patterns, weights, error_matrix]
""",
    "sweep.yaml": """name: sweep
base:
  inputs: {dataset: rand, dim: 20}
  targets: {dataset: rand, dim: 10}
  patterns: 15
  repetitions: 2
cells:
  rule: [hd, gd]
  patterns: [10, 15]
tune:
  eta: {logspace: [0.01, 1, 3]}
""",
    "net.yaml": """kind: network
name: net
data: {dataset: mnist, validation: 100}
layers: [784, 10]
batch_size: 10
epochs: 2
repetitions: 2
store: [weights]
""",
    "netsweep.yaml": """name: netsweep
base:
  kind: network
  data: {dataset: mnist, validation: 100}
  layers: [784, 10]
  batch_size: 10
  epochs: 1
  repetitions: 2
cells:
  output_rule: [hd, gd]
tune:
  lr: {logspace: [0.01, 1, 2]}
""",
    "auto.yaml": """kind: autoassociation
name: auto
data: {dataset: mnist}
patches: {size: 8}
patterns: 60
heldout: 20
hidden: 4
rule: hd
activation: sigmoid
protocol: multi_epoch
epochs: 2
batch_size: 10
eta: 0.1
repetitions: 2
checks: [identities]
store: [weights]
""",
    "autosweep.yaml": """name: autosweep
base:
  kind: autoassociation
  data: {dataset: mnist}
  patches: {size: 8}
  patterns: 60
  heldout: 20
  hidden: 4
  protocol: multi_epoch
  epochs: 2
  batch_size: 10
  repetitions: 2
cells:
  rule: [hd, gd]
tune:
  eta: {logspace: [0.01, 0.1, 2]}
""",
}
COMMANDS = {"assoc": "run", "sweep": "sweep", "net": "run", "netsweep": "sweep", "auto": "run", "autosweep": "sweep"}


def hds_cli(*args, cwd=None, check=True):
    assert HDS, "HDS (the hds binary) must be set; run through ctest"
    p = subprocess.run([HDS, *args], cwd=cwd, capture_output=True, text=True,
                       env=dict(os.environ, HDS_DATA_DIR=FIXTURES))
    if check and p.returncode != 0:
        raise AssertionError(f"hds {' '.join(args)} failed: {p.stderr}")
    return p


@pytest.fixture(scope="session", autouse=True)
def data_dir():
    os.environ["HDS_DATA_DIR"] = FIXTURES
    return FIXTURES


@pytest.fixture(scope="session")
def files(tmp_path_factory):
    """{name: path} of one result file of every kind (and the YAML each came from, under name + '_yaml')."""
    d = tmp_path_factory.mktemp("kinds")
    out = {}
    for name, text in DEFINITIONS.items():
        stem = name[:-5]
        (d / name).write_text(text)
        hds_cli(COMMANDS[stem], str(d / name), "-o", str(d / f"{stem}.h5"), *(["--quiet"] if COMMANDS[stem] == "sweep" else []))
        out[stem], out[stem + "_yaml"] = str(d / f"{stem}.h5"), str(d / name)
    for study in ("study1_toy_paths", "study2_where_hebb_fails"):
        hds_cli("study", os.path.join(SRC, "experiments", study + ".yaml"), "-o", str(d / f"{study}.h5"))
        out[study.split("_")[0]] = str(d / f"{study}.h5")
    return out
