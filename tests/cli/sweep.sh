#!/usr/bin/env bash
# `hds sweep`: winners, 1 vs 2 threads bit-identical, resume after kill -9 and after Ctrl-C equals an
# uninterrupted run, refusal to resume another definition, clear errors for bad sweep files.
set -euo pipefail
: "${HDS:?}" "${SRC:?}" "${PYTHON:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
T=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$T"' EXIT

cat > "$T/s.yaml" <<'YAML'
name: resume_test
base:
  inputs: {dataset: rand, dim: 120}
  targets: {dataset: rand, dim: 80}
  patterns: 150
  repetitions: 6
  last_n: 20
  store: [error_matrix]
cells:
  rule: [hd, gd, hebb, oja]
  activation: [sigmoid, linear, step]
  centering: [none, dataset, running]
tune:
  eta: {logspace: [0.001, 1, 5]}
YAML

# same_data A B: every dataset bit-identical (timing and date attributes may differ).
same_data() { "$PYTHON" "$SRC/tests/cli/same_h5_data.py" "$1" "$2"; }

"$HDS" sweep "$T/s.yaml" -o "$T/one.h5" --threads 1 --quiet > "$T/one.out"
"$HDS" sweep "$T/s.yaml" -o "$T/two.h5" --threads 2 --quiet > "$T/two.out"
same_data "$T/one.h5" "$T/two.h5" || fail "1 and 2 threads differ"
grep -q "rule=hd activation=step centering=running" "$T/one.out" || fail "no table: $(cat "$T/one.out")"

# Winners are the grid points with the lowest mean last-N error, recomputed here from the raw table.
"$PYTHON" - "$T/one.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
eta = f["grid/eta"][:]
assert np.allclose(eta, np.logspace(-3, 0, 5), rtol=1e-12), eta
for c, label in enumerate(f["summary/label"].asstr()[:]):
    e = f[f"cells/c{c:04d}/last_n_error"][:]
    w = int(np.argmin(e.mean(axis=1)))
    assert f["summary/winner_index"][c] == w, label
    assert f["summary/winner_eta"][c] == eta[w]
    assert abs(f["summary/last_n_mean"][c] - e[w].mean()) < 1e-12
    assert abs(f["summary/last_n_sd"][c] - e[w].std(ddof=1)) < 1e-12
    curve = f[f"cells/c{c:04d}/forgetting_curve"][:]
    assert np.allclose(curve[:, -20:].mean(axis=1), e[w], atol=1e-12), label
    em = f[f"cells/c{c:04d}/error_matrix"][:]
    assert em.shape == (6, 150, 150) and np.allclose(em[:, -1, :], curve, atol=1e-12)
    if "rule=gd activation=step" in label:   # gd never learns with the step function: error ~ 0.5
        assert 0.4 < e.mean() < 0.6, e.mean()
print("winners check out")
PY

# kill -9 in the middle, then resume: the same data as the uninterrupted run.
"$HDS" sweep "$T/s.yaml" -o "$T/killed.h5" --threads 2 --quiet > /dev/null 2>&1 &
pid=$!
for _ in $(seq 1 3000); do
  [[ -f $T/killed.h5.journal ]] && (( $(grep -c CELL "$T/killed.h5.journal" || true) >= 2 )) && break
  sleep 0.01
done
kill -9 $pid 2>/dev/null || fail "the sweep finished before it could be killed: make it longer"
wait $pid 2>/dev/null || true
[[ -f $T/killed.h5 ]] && fail "a result file exists after kill -9"
"$HDS" sweep "$T/s.yaml" -o "$T/killed.h5" --threads 2 --quiet > "$T/resume.out"
grep -q "resumed from the journal" "$T/resume.out" || fail "did not resume: $(cat "$T/resume.out")"
same_data "$T/one.h5" "$T/killed.h5" || fail "resumed after kill -9 differs"
[[ -f $T/killed.h5.journal ]] && fail "the journal was not removed after completion"

# A torn journal record (a kill during a write) is dropped, not trusted.
"$HDS" sweep "$T/s.yaml" -o "$T/torn.h5" --threads 2 --quiet > /dev/null 2>&1 &
pid=$!
for _ in $(seq 1 3000); do
  [[ -f $T/torn.h5.journal ]] && (( $(grep -c CELL "$T/torn.h5.journal" || true) >= 2 )) && break
  sleep 0.01
done
kill -9 $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
size=$(stat -c %s "$T/torn.h5.journal")
truncate -s $((size - 7)) "$T/torn.h5.journal"
"$HDS" sweep "$T/s.yaml" -o "$T/torn.h5" --quiet > /dev/null
same_data "$T/one.h5" "$T/torn.h5" || fail "resume after a torn record differs"

# Ctrl-C (SIGINT): a clean stop that says how to resume, exit 2, then resume.
"$HDS" sweep "$T/s.yaml" -o "$T/int.h5" --threads 2 --quiet > /dev/null 2> "$T/int.err" &
pid=$!
for _ in $(seq 1 3000); do
  [[ -f $T/int.h5.journal ]] && (( $(grep -c CELL "$T/int.h5.journal" || true) >= 1 )) && break
  sleep 0.01
done
kill -INT $pid
set +e; wait $pid; rc=$?; set -e
if [[ $rc -ne 0 ]]; then
  [[ $rc -eq 2 ]] || fail "Ctrl-C exit code $rc: $(cat "$T/int.err")"
  grep -q "interrupted: finished cells are kept in $T/int.h5.journal; run the same command again to resume" "$T/int.err" ||
    fail "unclear interrupt message: $(cat "$T/int.err")"
fi
"$HDS" sweep "$T/s.yaml" -o "$T/int.h5" --quiet > /dev/null
same_data "$T/one.h5" "$T/int.h5" || fail "resume after Ctrl-C differs"

# Running a finished sweep again does nothing; another definition into the same file is refused.
"$HDS" sweep "$T/s.yaml" -o "$T/one.h5" --quiet | grep -q "already complete" || fail "recomputed a finished sweep"
set +e
"$HDS" sweep "$T/s.yaml" -o "$T/one.h5" --quiet --set repetitions=3 2> "$T/err"; rc=$?
set -e
[[ $rc -eq 2 ]] && grep -q "exists and holds a different sweep" "$T/err" || fail "overwrote another sweep: $(cat "$T/err")"
"$HDS" sweep "$T/s.yaml" -o "$T/other.h5" --quiet --set repetitions=3 > /dev/null 2>&1 &
pid=$!; sleep 0.3; kill -9 $pid 2>/dev/null || true; wait $pid 2>/dev/null || true
if [[ -f $T/other.h5.journal ]]; then
  set +e; "$HDS" sweep "$T/s.yaml" -o "$T/other.h5" --quiet 2> "$T/err"; rc=$?; set -e
  [[ $rc -eq 2 ]] && grep -q "was made by a different sweep definition" "$T/err" || fail "resumed another definition: $(cat "$T/err")"
fi

# --dry-run counts.
"$HDS" sweep "$T/s.yaml" --dry-run | grep -q "36 cells x 5 grid points x 6 repetitions = 1080 runs" || fail "dry run"

# Bad sweep files: one line with file, line and what to do.
expect_error() {
  printf '%s' "$1" > "$T/bad.yaml"
  set +e; "$HDS" sweep "$T/bad.yaml" -o "$T/bad.h5" 2> "$T/err" > /dev/null; local rc=$?; set -e
  [[ $rc -eq 2 ]] || fail "exit $rc for: $1"
  [[ $(wc -l < "$T/err") -eq 1 ]] || fail "not one line: $(cat "$T/err")"
  grep -qF -- "$2" "$T/err" || fail "expected '$2' in: $(cat "$T/err")"
}
B=$'name: b\nbase:\n  inputs: rand\n  targets: rand\n'
expect_error "${B}cells:"$'\n  rulez: [hd]\n' "$T/bad.yaml:6: unknown axis 'rulez': not an experiment key (did you mean 'rule'?)"
expect_error "${B}cells:"$'\n  rule: []\n' "cell axis 'rule' is empty"
expect_error "${B}tune:"$'\n  eta: []\n' "tuned axis 'eta' is empty: the grid would have no point"
expect_error "${B}tune:"$'\n  eta: {logspace: [-1, 10, 5]}\n' "logspace needs from > 0 and to > 0"
expect_error "${B}tune:"$'\n  eta: {linspace: [-0.5, 1, 4]}\n' "tuned axis 'eta' value -0.5 in cell 'all': key 'eta' (learning rate) must be > 0, got -0.5"
expect_error "${B}tune:"$'\n  lr: [0.1]\n' "unknown tuned axis 'lr'"
expect_error "${B}cells:"$'\n  pair:\n    zip: {inputs: [rand, randn], targets: [rand]}\n' "zipped lists must be equally long"
expect_error "${B}cells:"$'\n  rule: [hd, hebbb]\n' "$T/bad.yaml:6: key 'rule': unknown value 'hebbb'"
expect_error "${B}tunes: {}"$'\n' "unknown key 'tunes' (did you mean 'tune'?)"
echo "OK"
