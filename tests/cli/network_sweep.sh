#!/usr/bin/env bash
# `hds sweep` of kind network (through the kind seam, tools/lib/kind.hpp), on the MNIST fixture: the
# winners are the grid points with the highest mean validation accuracy (recomputed from the raw
# table), 1 and 2 threads give the same bytes, a killed sweep resumes to the same file, the winner's
# stored config reruns to its own numbers, and what a network sweep cannot do is refused in one line.
set -euo pipefail
: "${HDS:?}" "${SRC:?}" "${PYTHON:?}" "${HDS_FIXTURE_DIR:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
T=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$T"' EXIT
export HDS_DATA_DIR="$HDS_FIXTURE_DIR" HOME="$T/home"

cat > "$T/s.yaml" <<'YAML'
name: net_sweep_test
base:
  kind: network
  data: {dataset: mnist, validation: 100}
  layers: [784, 10]
  batch_size: 10
  epochs: 2
  repetitions: 2
cells:
  output_rule: [hd, gd]
  output_activation: [sigmoid, softmax, step]
tune:
  lr: {logspace: [0.01, 1, 3]}
YAML
same_data() { "$PYTHON" "$SRC/tests/cli/same_h5_data.py" "$@"; }

"$HDS" sweep "$T/s.yaml" -o "$T/one.h5" --threads 1 --quiet > "$T/one.out"
"$HDS" sweep "$T/s.yaml" -o "$T/two.h5" --threads 2 --quiet > "$T/two.out"
same_data "$T/one.h5" "$T/two.h5" || fail "1 and 2 threads differ"
grep -q "validation accuracy (mean±sd)" "$T/one.out" || fail "no table: $(cat "$T/one.out")"

"$PYTHON" - "$T/one.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
assert f.attrs["experiment_kind"] == "network" and f.attrs["score"] == "validation_accuracy"
assert f.attrs["score_order"] == "higher_is_better"
lr = f["grid/lr"][:]
assert np.allclose(lr, [0.01, 0.1, 1.0], rtol=1e-12), lr
for c, label in enumerate(f["summary/label"].asstr()[:]):
    a = f[f"cells/c{c:04d}/validation_accuracy"][:]
    assert a.shape == (3, 2), a.shape
    w = int(np.argmax(a.mean(axis=1)))        # the highest mean; ties to the lowest index
    assert f["summary/winner_index"][c] == w, label
    assert f["summary/winner_lr"][c] == lr[w]
    assert abs(f["summary/validation_accuracy_mean"][c] - a[w].mean()) < 1e-12
    curve = f[f"cells/c{c:04d}/epoch_validation_accuracy"][:]
    assert curve.shape == (2, 2) and np.array_equal(curve[:, -1], a[w]), label
    assert f[f"cells/c{c:04d}/accuracy_matrix_test"].shape == (2, 1, 1)
    if "output_rule=gd output_activation=step" in label:   # φ′ = 0: gd cannot learn through a step
        assert a.max() == a.min(), (label, a)
    if "output_rule=hd output_activation=step" in label:   # hd can
        assert a[w].mean() > 0.5, (label, a)
print("network winners check out")
PY

# The winner's stored config reruns (hds run) to the accuracy the sweep recorded for it.
"$PYTHON" -c "import h5py,sys; open(sys.argv[2],'w').write(h5py.File(sys.argv[1],'r')['cells/c0000/config'][()].decode())" \
  "$T/one.h5" "$T/winner.yaml"
grep -q "kind: network" "$T/winner.yaml" || fail "the winner's config is not a network experiment"
"$HDS" run "$T/winner.yaml" -o "$T/winner.h5" > /dev/null
"$PYTHON" - "$T/one.h5" "$T/winner.h5" <<'PY'
import sys, h5py, numpy as np
s, r = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
w = s["summary/winner_index"][0]
assert np.array_equal(s["cells/c0000/validation_accuracy"][w], r["score"][:]), "rerun of the winner differs"
PY

# kill -9 after the first cells are journalled, then resume: the same data as the uninterrupted run.
"$HDS" sweep "$T/s.yaml" -o "$T/killed.h5" --threads 1 --quiet > /dev/null 2>&1 &
pid=$!
for _ in $(seq 1 3000); do
  [[ -s "$T/killed.h5.journal" ]] && grep -q CELL "$T/killed.h5.journal" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.01
done
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
"$HDS" sweep "$T/s.yaml" -o "$T/killed.h5" --threads 2 --quiet > /dev/null
same_data "$T/one.h5" "$T/killed.h5" || fail "resumed network sweep differs"

# Shorthand scalars (data: mnist, hidden_optimizer: adam) are read as {dataset: …} and {name: …}.
printf 'kind: network\ndata: mnist\nlayers: [784, 10]\nhidden_optimizer: adam\nepochs: 1\n' > "$T/short.yaml"
"$HDS" run "$T/short.yaml" -o "$T/short.h5" > /dev/null || fail "shorthand scalars refused"
"$PYTHON" -c "import h5py,sys; c=h5py.File(sys.argv[1],'r')['config'][()].decode(); assert 'name: adam' in c and 'dataset: mnist' in c, c" \
  "$T/short.h5" || fail "shorthand scalars not read as written"

# What a network sweep cannot do: one line naming the file and the key.
expect_error() {  # expect_error YAML SUBSTRING
  printf '%s' "$1" > "$T/bad.yaml"
  if "$HDS" sweep "$T/bad.yaml" -o "$T/bad.h5" --quiet > "$T/bad.out" 2>&1; then fail "accepted: $1"; fi
  grep -q -- "$2" "$T/bad.out" || fail "expected '$2', got: $(cat "$T/bad.out")"
  [[ $(wc -l < "$T/bad.out") -eq 1 ]] || fail "more than one line: $(cat "$T/bad.out")"
}
B=$'name: bad\nbase:\n  kind: network\n  data: {dataset: mnist, validation: 100}\n  layers: [784, 10]\n'
expect_error "${B}tune:"$'\n  eta: [0.1]\n' "unknown tuned axis 'eta' (tunable in kind network: lr,"
expect_error "${B}tune:"$'\n  lr: [0.1, -1]\n' "tuned axis 'lr' value -1"
expect_error "${B}"$'  hidden_optimizer: adam\ntune:\n  hidden_optimizer.momentum: [0.5]\n' "uses adam, which has beta1 instead of momentum"
expect_error "${B}tune:"$'\n  batch_size: [10, 2.5]\n' "tuned axis 'batch_size': values must be whole numbers"
expect_error "${B}cells:"$'\n  kind: [network, association]\n' "'kind' cannot be a cell axis"
expect_error "${B}"$'  store: [weights]\n' "a sweep stores no weights"
expect_error $'name: bad\nbase:\n  kind: study\n' "experiments of kind 'study' cannot be swept"
expect_error "${B/layers: \[784, 10\]/layers: [784, 7]}" "key 'layers' ends with 7, but the data have 10 classes"
echo "OK"
