#!/usr/bin/env bash
# `hds run` of kind network on MNIST (the repository's fixture always, the full set when found):
# it learns far above chance; with a step output hd learns and gd cannot (φ′ = 0); a diverging rate
# is recorded as diverged with chance accuracy; bad input gives one line naming the key.
set -euo pipefail
: "${HDS:?}" "${SRC:?}" "${PYTHON:?}" "${HDS_FIXTURE_DIR:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

attr() { "$PYTHON" -c "import h5py,sys; print(h5py.File(sys.argv[1],'r').attrs[sys.argv[2]])" "$T/$1.h5" "$2"; }
above() { "$PYTHON" -c "import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)" "$1" "$2"; }

# suite DIR VALIDATION TRAIN_LIMIT EPOCHS: the learning checks on the MNIST found in DIR.
suite() {
  local dir=$1 val=$2 limit=$3 epochs=$4
  net() {  # net NAME EXTRA_YAML
    printf 'kind: network\nname: %s\ndata: {dataset: mnist, validation: %s, train_limit: %s}\nlayers: [784, 10]\nbatch_size: 10\nepochs: %s\n%s\n' \
      "$1" "$val" "$limit" "$epochs" "$2" > "$T/$1.yaml"
    HDS_DATA_DIR="$dir" HOME="$T/home" "$HDS" run "$T/$1.yaml" -o "$T/$1.h5" > "$T/$1.out" 2>&1 \
      || { cat "$T/$1.out"; fail "run $1 failed on $dir"; }
    rm -f "$T/$1.yaml"
  }
  rm -f "$T"/*.h5
  net hd_sigmoid $'output_activation: sigmoid\noutput_rule: hd\noutput_optimizer: {name: sgd, lr: 0.1, momentum: 0.9}'
  grep -q "test acc" "$T/hd_sigmoid.out" || fail "no per-epoch table"
  acc=$(attr hd_sigmoid score_mean)
  above "$acc" 0.6 || fail "$dir: hd sigmoid validation accuracy $acc, expected > 0.6 (chance 0.1)"

  net hd_step $'output_activation: step\noutput_rule: hd\noutput_optimizer: {name: sgd, lr: 0.1}'
  net gd_step $'output_activation: step\noutput_rule: gd\noutput_optimizer: {name: sgd, lr: 0.1}'
  hd=$(attr hd_step score_mean)
  above "$hd" 0.5 || fail "$dir: hd with a step output: accuracy $hd, expected > 0.5"
  # gd through a step output gets no signal (φ′ = 0): nothing it measures changes from epoch to epoch.
  "$PYTHON" - "$T/gd_step.h5" "$T/hd_step.h5" <<'PY' || fail "$dir: gd with a step output must not learn, hd must"
import h5py, sys
import numpy as np
g, h = (h5py.File(p, "r") for p in sys.argv[1:3])
for k in ("train_accuracy", "validation_accuracy", "train_mse"):
    v = g["metrics/" + k][0]
    assert np.all(v == v[0]), (k, v)
assert not np.all(h["metrics/train_mse"][0] == h["metrics/train_mse"][0][0])
PY

  net diverge $'output_activation: linear\noutput_rule: hd\noutput_optimizer: {name: sgd, lr: 1e30}'
  [[ $(attr diverge n_diverged) == 1 ]] || fail "lr 1e30 should diverge"
  "$PYTHON" - "$T/diverge.h5" <<'PY' || fail "a diverged run must score chance accuracy"
import h5py, sys
f = h5py.File(sys.argv[1], "r")
assert abs(f["score"][0] - 0.1) < 1e-12, f["score"][:]
PY
}

suite "$HDS_FIXTURE_DIR" 50 250 20
echo "network_run: fixture checks passed ($HDS_FIXTURE_DIR)"
if [[ -n ${HDS_DATA_DIR:-} && -d $HDS_DATA_DIR ]]; then
  suite "$HDS_DATA_DIR" 200 1000 2
  echo "full-data checks: ran on $HDS_DATA_DIR"
else
  echo "full-data checks: not run, no data set directory found (HDS_DATA_DIR='${HDS_DATA_DIR:-}')"
fi

expect_error() {  # expect_error YAML_TEXT SUBSTRING
  printf '%s' "$1" > "$T/bad.yaml"
  set +e
  HDS_DATA_DIR="$HDS_FIXTURE_DIR" HOME="$T/home" "$HDS" run "$T/bad.yaml" -o "$T/bad.h5" > /dev/null 2> "$T/err"
  local rc=$?
  set -e
  [[ $rc -eq 2 ]] || fail "expected exit 2, got $rc for: $1"
  [[ $(wc -l < "$T/err") -eq 1 ]] || fail "expected one line, got: $(cat "$T/err")"
  grep -qF -- "$2" "$T/err" || fail "expected '$2' in: $(cat "$T/err")"
  [[ ! -e "$T/bad.h5" ]] || fail "a failed run wrote a result"
}
base=$'kind: network\ndata: {dataset: mnist, validation: 50, train_limit: 100}\nepochs: 1\n'
expect_error "${base}layers: [100, 10]"$'\n' "key 'layers' starts with 100, but the inputs have 784 dimensions"
expect_error "${base}layers: [784, 7]"$'\n' "key 'layers' ends with 7, but the data have 10 classes"
expect_error "${base}layers: [784, 10]"$'\nbatch_size: 0\n' "key 'batch_size' must be in 1..1000000, got 0"
expect_error "${base}layers: [784, 10]"$'\noutput_optimizer: {name: sgd, lr: -1}\n' "key 'output_optimizer.lr' (learning rate) must be a finite number > 0"
expect_error "${base}layers: [784, 10]"$'\nlr: 0.1\n' "unknown key 'lr'"
expect_error "${base}layers: [784, 10]"$'\nprotocol: class_incremental\ntasks: [[0, 1], [2, 11]]\n' "11"
expect_error $'kind: network\ndata: {dataset: mnist, validation: 70000}\nlayers: [784, 10]\n' "validation part of 70000"
expect_error "${base}layers: [784, 10]"$'\noutput_activation: {name: scaled_tanh, alpha: -1}\n' "key 'output_activation.alpha' must be > 0 for scaled_tanh, got -1"
expect_error "${base}layers: [784, 10]"$'\nhidden_activation: {name: leaky_rectifier, alpha: .nan}\n' "bad.yaml:5: key 'alpha': expected a finite number, got '.nan'"
expect_error $'kind: netwrk\n' "kind"
echo "network_run: all checks passed"
