#!/usr/bin/env bash
# `hds sweep` with adaptive tuning (extend / extend_to / refine, sweeps/README.md): a cell whose best
# eta lies below the initial grid reaches an interior winner; every evaluated point is stored and the
# winner is the best of them (recomputed here); an added point sees the same common random numbers
# as a plain sweep of that one point; 1 vs 2 threads bit-identical; kill -9 during the rounds, then
# resume, gives the same data; older and corrupted journals are refused; bad keys are refused in one line.
set -euo pipefail
: "${HDS:?}" "${SRC:?}" "${PYTHON:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
T=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$T"' EXIT
same_data() { "$PYTHON" "$SRC/tests/cli/same_h5_data.py" "$1" "$2" > /dev/null; }

# Linear units diverge at the whole initial grid (eta >= 10): extension walks down until they train;
# gd with sigmoid units is best at the grid's lower edge (eta = 10) and needs one step down.
cat > "$T/a.yaml" <<'YAML'
name: adaptive_test
base:
  inputs: {dataset: rand, dim: 60}
  targets: {dataset: rand, dim: 40}
  patterns: 60
  repetitions: 4
  last_n: 10
cells:
  rule: [hd, gd]
  activation: [sigmoid, linear]
tune:
  eta: {logspace: [10, 1000, 3], extend: true, extend_to: [1.0e-5, 1000], refine: 2}
YAML

"$HDS" sweep "$T/a.yaml" --dry-run > "$T/dry.out"
grep -q "adaptive: at most 21 points per cell, at most 336 runs (the initial grid's 48" "$T/dry.out" ||
  fail "dry run does not give the most runs: $(cat "$T/dry.out")"

"$HDS" sweep "$T/a.yaml" -o "$T/one.h5" --threads 1 --quiet > "$T/one.out"
"$HDS" sweep "$T/a.yaml" -o "$T/two.h5" --threads 2 --quiet > /dev/null
same_data "$T/one.h5" "$T/two.h5" || fail "adaptive sweep: 1 and 2 threads differ"
grep -q "evaluated" "$T/one.out" || fail "the table has no evaluated column: $(cat "$T/one.out")"

"$PYTHON" - "$T/one.h5" > "$T/winner.txt" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
grid = f["grid/eta"][:]
assert np.allclose(grid, [10, 100, 1000], rtol=1e-12), grid
step = np.log(10.0)
for c, label in enumerate(f["summary/label"].asstr()[:]):
    g = f[f"cells/c{c:04d}"]
    eta, err = g["evaluated/eta"][:], g["evaluated/last_n_error"][:]
    div, rnd = g["evaluated/diverged"][:], g["evaluated/round"][:]
    n = len(eta)
    assert err.shape == (n, 4) and div.shape == (n, 4) and rnd.shape == (n,), label
    # The initial grid first, in grid order, round 0; the old datasets are the initial grid.
    assert np.array_equal(eta[:3], grid) and np.all(rnd[:3] == 0) and np.all(np.diff(rnd) >= 0), (label, rnd)
    assert np.array_equal(g["last_n_error"][:], err[:3]) and np.array_equal(g["diverged"][:], div[:3])
    assert len(np.unique(eta)) == n, f"{label}: a point evaluated twice"
    assert eta.min() >= 1e-5 * (1 - 1e-9) and eta.max() <= 1000 * (1 + 1e-9)
    means = err.mean(axis=1)
    w = int(np.argmin(means))
    assert f["summary/winner_evaluated_index"][c] == w, label
    assert f["summary/winner_eta"][c] == eta[w], label
    assert abs(f["summary/last_n_mean"][c] - means[w]) < 1e-12
    assert abs(f["summary/last_n_sd"][c] - err[w].std(ddof=1)) < 1e-12
    assert f["summary/n_diverged"][c] == div[w].sum()
    assert f["summary/winner_index"][c] == int(np.argmin(means[:3])), "winner_index is the initial grid's best"
    # An interior winner, bracketed by worse points at one final step (step / 4^2) on either side.
    assert eta.min() < eta[w] < eta.max(), (label, eta[w])
    assert f["summary/winner_on_bound"][c] == 0, label
    ln = np.log(eta)
    for side in (-1, 1):
        j = np.where(np.abs(ln - (ln[w] + side * step / 16)) < 1e-9)[0]
        assert len(j) == 1 and means[j[0]] >= means[w], (label, side)
    if "linear" in label:
        # The initial grid diverges (flagged, or a finite error far above 1).
        assert eta[w] < 10 and (div[:3].any(axis=1) | (means[:3] > 1e3)).all(), f"{label}: winner below the grid"
        assert rnd.max() >= 3, label
    curve = g["forgetting_curve"][:]
    assert np.allclose(curve[:, -10:].mean(axis=1), err[w], atol=1e-12), f"{label}: detail is not the winner's"
c = [i for i, l in enumerate(f["summary/label"].asstr()[:]) if "rule=hd activation=linear" in l][0]
print(repr(float(f["summary/winner_eta"][c])), int(f["summary/winner_evaluated_index"][c]))
PY

# Common random numbers: a plain sweep of the added winning point alone gives the same scores.
read -r eta_w idx_w < "$T/winner.txt"
"$HDS" sweep "$T/a.yaml" --set "tune.eta=[$eta_w]" --set "cells.activation=[linear]" --set "cells.rule=[hd]" \
  -o "$T/point.h5" --quiet > /dev/null
"$PYTHON" - "$T/one.h5" "$T/point.h5" "$idx_w" <<'PY'
import sys, h5py, numpy as np
a, b, i = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r"), int(sys.argv[3])
c = [k for k, l in enumerate(a["summary/label"].asstr()[:]) if l == "rule=hd activation=linear"][0]
x = a[f"cells/c{c:04d}/evaluated/last_n_error"][i]
y = b["cells/c0000/last_n_error"][0]
assert np.array_equal(x, y), (x, y)
# A plain sweep stores its grid as the evaluated points, and flags a winner on its edge.
assert np.array_equal(b["cells/c0000/evaluated/eta"][:], b["grid/eta"][:])
assert b["cells/c0000/evaluated/round"][:].tolist() == [0]
PY

# A plain sweep whose winner sits on the grid's edge is flagged there (and in the table).
"$HDS" sweep "$T/a.yaml" --set "tune.eta={logspace: [0.001, 0.01, 3]}" --set "cells.activation=[linear]" \
  --set "cells.rule=[hd]" -o "$T/edge.h5" --quiet > "$T/edge.out"
"$PYTHON" - "$T/edge.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
err = f["cells/c0000/evaluated/last_n_error"][:].mean(axis=1)
assert int(np.argmin(err)) == 2 and f["summary/winner_on_bound"][0] == 1, err
PY
grep -q "on bound" "$T/edge.out" || fail "the table does not flag a winner on the bound: $(cat "$T/edge.out")"

# hds inspect: the evaluated count per cell, the flag, and every evaluated point of a cell.
"$HDS" inspect "$T/one.h5" --format csv > "$T/one.csv"
"$HDS" inspect "$T/edge.h5" --format csv > "$T/edge.csv"
"$HDS" inspect "$T/one.h5" --cell 1 --format json > "$T/cell1.json"
"$PYTHON" - "$T/one.h5" "$T/one.csv" "$T/edge.csv" "$T/cell1.json" <<'PY'
import csv, json, sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
rows, edge, cell = list(csv.DictReader(open(sys.argv[2]))), list(csv.DictReader(open(sys.argv[3]))), json.load(open(sys.argv[4]))
for c, row in enumerate(rows):
    assert int(row["evaluated"]) == len(f[f"cells/c{c:04d}/evaluated/eta"]) and row["on_bound"] == "", row
assert edge[0]["on_bound"] == "yes", edge
g = f["cells/c0001/evaluated"]
assert len(cell["rows"]) == len(g["eta"])
for i, row in enumerate(cell["rows"]):
    assert row["eta"] == g["eta"][i] and row["round"] == g["round"][i]
    assert abs(row["last_n_mean"] - g["last_n_error"][i].mean()) < 1e-15
    assert (row["winner"] == "*") == (i == f["summary/winner_evaluated_index"][1])
PY

# kill -9 while cells are in their adaptive rounds, then resume: the same data.
cat > "$T/long.yaml" <<'YAML'
name: adaptive_long
base:
  inputs: {dataset: rand, dim: 80}
  targets: {dataset: rand, dim: 60}
  patterns: 150
  repetitions: 4
  last_n: 20
cells:
  rule: [hd, gd, hebb]
  activation: [sigmoid, linear, tanh]
  centering: [none, dataset]
tune:
  eta: {logspace: [1, 100, 3], extend: true, extend_to: [1.0e-4, 100], refine: 2}
YAML
"$HDS" sweep "$T/long.yaml" -o "$T/full.h5" --threads 2 --quiet > /dev/null
"$HDS" sweep "$T/long.yaml" -o "$T/killed.h5" --threads 2 --quiet > /dev/null 2>&1 &
pid=$!
for _ in $(seq 1 3000); do
  [[ -f $T/killed.h5.journal ]] && (( $(grep -c CELL "$T/killed.h5.journal" || true) >= 3 )) && break
  sleep 0.01
done
kill -9 $pid 2>/dev/null || fail "the sweep finished before it could be killed: make it longer"
wait $pid 2>/dev/null || true
[[ -f $T/killed.h5 ]] && fail "a result file exists after kill -9"
cp "$T/killed.h5.journal" "$T/saved.journal"
"$HDS" sweep "$T/long.yaml" -o "$T/killed.h5" --threads 1 --quiet > "$T/resume.out"
grep -q "resumed from the journal" "$T/resume.out" || fail "did not resume: $(cat "$T/resume.out")"
same_data "$T/full.h5" "$T/killed.h5" || fail "resumed adaptive sweep differs"

# An older journal (format 2) and a corrupted one are refused, naming the journal and the fix.
hash=$(head -c 77 "$T/saved.journal" | cut -c13-76)
{ printf 'HDSJOURNAL2 %s\n' "$hash"; tail -c +78 "$T/saved.journal"; } > "$T/old.h5.journal"
set +e; "$HDS" sweep "$T/long.yaml" -o "$T/old.h5" --quiet > /dev/null 2> "$T/err"; rc=$?; set -e
[[ $rc -ne 0 && $(wc -l < "$T/err") -eq 1 ]] || fail "older journal: rc $rc: $(cat "$T/err")"
grep -q "old.h5.journal: was written by an earlier hds (journal format 2), which this one cannot resume; pass --force" \
  "$T/err" || fail "older journal: $(cat "$T/err")"
cp "$T/saved.journal" "$T/bad.h5.journal"
printf '\x7f' | dd of="$T/bad.h5.journal" bs=1 seek=120 conv=notrunc 2> /dev/null
set +e; "$HDS" sweep "$T/long.yaml" -o "$T/bad.h5" --quiet > /dev/null 2> "$T/err"; rc=$?; set -e
[[ $rc -ne 0 && $(wc -l < "$T/err") -eq 1 ]] || fail "corrupted journal: rc $rc: $(cat "$T/err")"
grep -q "bad.h5.journal: record 0 at byte 77 is corrupted: .*pass --force" "$T/err" || fail "corrupted journal: $(cat "$T/err")"
[[ -f $T/bad.h5 ]] && fail "a result file from a corrupted journal"

# Bad keys: one line naming the file, the key, the value and the fix.
refused() {  # refused TUNE_LINE EXPECTED
  sed "s|^  eta: .*|  eta: $1|" "$T/a.yaml" > "$T/bad.yaml"
  set +e; "$HDS" sweep "$T/bad.yaml" -o "$T/never.h5" --dry-run > /dev/null 2> "$T/err"; local rc=$?; set -e
  [[ $rc -ne 0 ]] || fail "accepted: $1"
  [[ $(wc -l < "$T/err") -eq 1 ]] || fail "$1: not one line: $(cat "$T/err")"
  grep -qF "bad.yaml" "$T/err" || fail "$1: message does not name the file: $(cat "$T/err")"
  grep -qF -- "$2" "$T/err" || fail "$1: expected '$2' in: $(cat "$T/err")"
}
refused "{logspace: [10, 1000, 3], refine: -1}" "'refine' must be a whole number in 0..6 (the number of 4x finer grids around the winner), got '-1'"
refused "{logspace: [10, 1000, 3], refine: 1.5}" "'refine' must be a whole number in 0..6"
refused "{logspace: [10, 1000, 3], extend: maybe}" "'extend' must be true or false, got 'maybe'"
refused "{logspace: [10, 1000, 3], extend: true, extend_to: [1000, 1.0e-5]}" "'extend_to' [1000, 1.0e-5] must enclose the grid [10, 1000]"
refused "{logspace: [10, 1000, 3], extend: true, extend_to: [1, 100]}" "must enclose the grid"
refused "{logspace: [10, 1000, 3], extend: true, extend_to: [0, 1000]}" "'extend_to' of a logspace needs low > 0"
refused "{logspace: [10, 1000, 3], extend: true, extend_to: 5}" "'extend_to' must be [low, high] (two numbers), got '5'"
refused "{logspace: [10, 1000, 3], extend_to: [1, 1000]}" "'extend_to' needs 'extend: true'"
refused "{linspace: [0.1, 1, 3], extend: true}" "'extend' on a linspace needs 'extend_to: [low, high]'"
refused "{logspace: [10, 10, 1], refine: 2}" "extend and refine need at least two distinct grid values"
refused "{values: [0.1, 1], refine: 2}" "extend and refine need a spaced grid"
refused "{logspace: [10, 1000, 3], extnd: true}" "did you mean 'extend'"
refused "{logspace: [10, 1000, 3], extend: true, extend_to: [-1.0e-5, 1000]}" "needs low > 0"
sed "s|^  eta: .*|  epochs: {linspace: [1, 3, 3], refine: 1}|" "$T/a.yaml" > "$T/bad.yaml"
set +e; "$HDS" sweep "$T/bad.yaml" --dry-run > /dev/null 2> "$T/err"; rc=$?; set -e
[[ $rc -ne 0 && $(wc -l < "$T/err") -eq 1 ]] || fail "whole-number axis: rc $rc: $(cat "$T/err")"
grep -qF "tuned axis 'epochs' takes whole numbers: extend and refine apply to real-valued axes only" "$T/err" ||
  fail "whole-number axis: $(cat "$T/err")"
echo "adaptive sweep checks pass"
