#!/usr/bin/env bash
# `hds inspect`: the numbers of a real run file and of a hand-made sweep file agree with h5py;
# CSV and JSON parse; a file from a newer layout, or not from hds, is refused in one line (exit 2).
set -euo pipefail
: "${HDS:?}" "${SRC:?}" "${PYTHON:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

"$HDS" run "$SRC/experiments/quickstart.yaml" -o "$T/run.h5" --set repetitions=2 > /dev/null
"$HDS" inspect "$T/run.h5" > "$T/run.txt"
"$HDS" inspect "$T/run.h5" --format csv > "$T/run.csv"
"$HDS" inspect "$T/run.h5" --format json > "$T/run.json"
for word in forgetting_curve "[2, 100]" repetition_seeds git_commit "data files: none" "last_n mean ± sd"; do
  grep -qF -- "$word" "$T/run.txt" || fail "run text lacks '$word': $(cat "$T/run.txt")"
done
"$PYTHON" - "$T/run.h5" "$T/run.txt" "$T/run.csv" "$T/run.json" <<'PY'
import csv, json, sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
text, rows, doc = open(sys.argv[2]).read(), list(csv.DictReader(open(sys.argv[3]))), json.load(open(sys.argv[4]))
errs = f["last_n_error"][:]
mean, sd = errs.mean(), errs.std(ddof=1)
assert len(rows) == 1 and len(doc["rows"]) == 1, (rows, doc)
for row in (rows[0], doc["rows"][0]):
    assert float(row["last_n_mean"]) == f.attrs["last_n_mean"], row
    assert abs(float(row["last_n_mean"]) - mean) < 1e-15 and abs(float(row["last_n_sd"]) - sd) < 1e-15, (row, mean, sd)
    assert float(row["eta"]) == 0.2 and row["rule"] == "hd" and row["activation"] == "sigmoid", row
    assert int(row["repetitions"]) == 2 and int(row["patterns"]) == 100 and int(row["n_diverged"]) == 0, row
assert doc["kind"] == "run" and doc["file"] == sys.argv[1]
assert f"{mean:.4f} ± {sd:.4f}" in text, (mean, sd, text)
PY

"$PYTHON" "$SRC/tests/cli/make_sweep_file.py" "$T/sweep.h5" > /dev/null
"$HDS" inspect "$T/sweep.h5" > "$T/sweep.txt"
"$HDS" inspect "$T/sweep.h5" --format csv > "$T/sweep.csv"
"$HDS" inspect "$T/sweep.h5" --format json > "$T/sweep.json"
"$HDS" inspect "$T/sweep.h5" --cell 4 --format json > "$T/cell4.json"
"$HDS" inspect "$T/sweep.h5" --cell "inputs={dataset: rand} targets={dataset: adult} activation=step rule=gd" > "$T/cell4.txt"
grep -qF "/data/adult/a9a" "$T/sweep.txt" && grep -qF "note: test note" "$T/sweep.txt" || fail "no data file provenance"
"$PYTHON" - "$T/sweep.h5" "$T/sweep.txt" "$T/sweep.csv" "$T/sweep.json" "$T/cell4.json" "$T/cell4.txt" <<'PY'
import csv, json, sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
text, rows, doc = open(sys.argv[2]).read(), list(csv.DictReader(open(sys.argv[3]))), json.load(open(sys.argv[4]))
cell, celltext = json.load(open(sys.argv[5])), open(sys.argv[6]).read()
labels = f["summary/label"].asstr()[:]
assert len(rows) == len(labels) == len(doc["rows"]) == 12
for c, (row, jrow) in enumerate(zip(rows, doc["rows"])):
    assert row["label"] == jrow["label"] == labels[c]
    assert float(row["winner_eta"]) == jrow["winner_eta"] == f["summary/winner_eta"][c]
    assert float(row["last_n_mean"]) == jrow["last_n_mean"] == f["summary/last_n_mean"][c]
    assert int(row["n_diverged"]) == jrow["n_diverged"] == f["summary/n_diverged"][c]
    m, s = f["summary/last_n_mean"][c], f["summary/last_n_sd"][c]
    assert f"{labels[c]}" in text and f"{m:.4f} ± {s:.4f}" in text, labels[c]
err, div = f["cells/c0004/last_n_error"][:], f["cells/c0004/diverged"][:]
assert len(cell["rows"]) == err.shape[0]
for g, row in enumerate(cell["rows"]):
    assert abs(row["last_n_mean"] - err[g].mean()) < 1e-15 and abs(row["last_n_sd"] - err[g].std(ddof=1)) < 1e-15
    assert row["n_diverged"] == div[g].sum() and row["eta"] == f["grid/eta"][g]
    assert (row["winner"] == "*") == (g == f["summary/winner_index"][4])
    assert f"{err[g].mean():.4f} ± {err[g].std(ddof=1):.4f}" in celltext
PY

# Refusals: a newer layout, no format attribute, not HDF5 at all, --cell on a run file.
"$PYTHON" "$SRC/tests/cli/make_sweep_file.py" "$T/future.h5" --layout-version 3 > /dev/null
"$PYTHON" "$SRC/tests/cli/make_sweep_file.py" "$T/noformat.h5" --no-format > /dev/null
expect_refusal() {  # file, message, [extra args]
  local file=$1 msg=$2; shift 2
  set +e; "$HDS" inspect "$file" "$@" > "$T/out" 2> "$T/err"; local rc=$?; set -e
  [ "$rc" = 2 ] || fail "$file: exit $rc, expected 2"
  [ "$(wc -l < "$T/err")" = 1 ] || fail "$file: not one line: $(cat "$T/err")"
  grep -qF -- "$msg" "$T/err" || fail "$file: unclear: $(cat "$T/err")"
  [ ! -s "$T/out" ] || fail "$file: printed something before refusing: $(cat "$T/out")"
}
expect_refusal "$T/future.h5" "layout_version 3 is newer than this hds reads (2)"
expect_refusal "$T/noformat.h5" "not an hds result file (no root attribute format=\"hds-result\")"
expect_refusal "$SRC/README.md" "not a readable HDF5 file"
expect_refusal "$T/run.h5" "--cell is for sweep files" --cell 0
expect_refusal "$T/sweep.h5" "--cell 99: the sweep has cells 0 to 11" --cell 99
echo "OK"
