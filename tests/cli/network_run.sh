#!/usr/bin/env bash
# `hds run` of kind network on MNIST (the full set when found, else the repository's fixture):
# it learns far above chance; with a step output hd learns and gd cannot (φ′ = 0); a diverging rate
# is recorded as diverged with chance accuracy; bad input gives one line naming the key.
set -euo pipefail
: "${HDS:?}" "${SRC:?}" "${PYTHON:?}" "${HDS_DATA_DIR:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
echo "network_run: data from $HDS_DATA_DIR"

net() {  # net NAME EXTRA_YAML
  printf 'kind: network\nname: %s\ndata: {dataset: mnist, validation: 200, train_limit: 1000}\nlayers: [784, 10]\nbatch_size: 20\nepochs: 2\n%s\n' "$1" "$2" > "$T/$1.yaml"
  "$HDS" run "$T/$1.yaml" -o "$T/$1.h5" > "$T/$1.out" 2>&1 || { cat "$T/$1.out"; fail "run $1 failed"; }
}
attr() { "$PYTHON" -c "import h5py,sys; print(h5py.File(sys.argv[1],'r').attrs[sys.argv[2]])" "$T/$1.h5" "$2"; }
above() { "$PYTHON" -c "import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) else 1)" "$1" "$2"; }

net hd_sigmoid $'output_activation: sigmoid\noutput_rule: hd\noutput_optimizer: {name: sgd, lr: 0.1, momentum: 0.9}'
grep -q "test acc" "$T/hd_sigmoid.out" || fail "no per-epoch table"
acc=$(attr hd_sigmoid score_mean)
above "$acc" 0.6 || fail "hd sigmoid validation accuracy $acc, expected > 0.6 (chance 0.1)"

net hd_step $'output_activation: step\noutput_rule: hd\noutput_optimizer: {name: sgd, lr: 0.1}'
net gd_step $'output_activation: step\noutput_rule: gd\noutput_optimizer: {name: sgd, lr: 0.1}'
hd=$(attr hd_step score_mean); gd=$(attr gd_step score_mean)
above "$hd" 0.5 || fail "hd with a step output: accuracy $hd, expected > 0.5"
above 0.2 "$gd" || fail "gd with a step output: accuracy $gd, expected chance (< 0.2): φ′ = 0 gives no signal"

net diverge $'output_activation: linear\noutput_rule: hd\noutput_optimizer: {name: sgd, lr: 1e30}'
[[ $(attr diverge n_diverged) == 1 ]] || fail "lr 1e30 should diverge"
"$PYTHON" - "$T/diverge.h5" <<'PY' || fail "a diverged run must score chance accuracy"
import h5py, sys
f = h5py.File(sys.argv[1], "r")
assert abs(f["score"][0] - 0.1) < 1e-12, f["score"][:]
PY

expect_error() {  # expect_error YAML_TEXT SUBSTRING
  printf '%s' "$1" > "$T/bad.yaml"
  set +e
  "$HDS" run "$T/bad.yaml" -o "$T/bad.h5" > /dev/null 2> "$T/err"
  local rc=$?
  set -e
  [[ $rc -eq 2 ]] || fail "expected exit 2, got $rc for: $1"
  [[ $(wc -l < "$T/err") -eq 1 ]] || fail "expected one line, got: $(cat "$T/err")"
  grep -qF -- "$2" "$T/err" || fail "expected '$2' in: $(cat "$T/err")"
  [[ ! -e "$T/bad.h5" ]] || fail "a failed run wrote a result"
}
base=$'kind: network\ndata: {dataset: mnist, validation: 200, train_limit: 500}\nepochs: 1\n'
expect_error "${base}layers: [100, 10]"$'\n' "key 'layers' starts with 100, but the inputs have 784 dimensions"
expect_error "${base}layers: [784, 7]"$'\n' "key 'layers' ends with 7, but the data have 10 classes"
expect_error "${base}layers: [784, 10]"$'\nbatch_size: 0\n' "key 'batch_size' must be in 1..1000000, got 0"
expect_error "${base}layers: [784, 10]"$'\noutput_optimizer: {name: sgd, lr: -1}\n' "key 'output_optimizer.lr' (learning rate) must be a finite number > 0"
expect_error "${base}layers: [784, 10]"$'\nlr: 0.1\n' "unknown key 'lr'"
expect_error "${base}layers: [784, 10]"$'\nprotocol: class_incremental\ntasks: [[0, 1], [2, 11]]\n' "11"
expect_error $'kind: network\ndata: {dataset: mnist, validation: 70000}\nlayers: [784, 10]\n' "validation part of 70000"
expect_error $'kind: netwrk\n' "kind"
echo "network_run: all checks passed"
