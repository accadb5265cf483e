#!/usr/bin/env bash
# The user's own files are used as given: rows of paired npy/csv files stay paired (sample: random)
# or come in file order (sample: sequential); a file next to a generated set is said to be drawn
# independently; values outside a source's range are refused in one line naming file, row, column.
set -euo pipefail
: "${HDS:?}" "${PYTHON:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# X: 100 random rows; T row i is the one-hot code of i, so a trained pair names its own row.
"$PYTHON" - "$T" <<'PY'
import sys, numpy as np
d = sys.argv[1]
rng = np.random.default_rng(7)
X = rng.random((100, 6))
np.save(d + "/X.npy", X)
np.save(d + "/T.npy", np.eye(100))
np.save(d + "/T80.npy", np.eye(100)[:80])
np.savetxt(d + "/T.csv", np.eye(100), delimiter=",", fmt="%g")
bad = X.copy(); bad[37, 4] = 255
np.save(d + "/bad.npy", bad)
with open(d + "/bad.csv", "w") as f:
    f.write("a,b\n0.5,0.25\n0.5,-2\n")
PY
run() {  # run NAME INPUTS TARGETS [EXTRA YAML LINE]
  printf 'name: %s\ninputs: %s\ntargets: %s\npatterns: %s\nrepetitions: 3\nstore: [patterns]\n%s\n' \
    "$1" "$2" "$3" "${P:-100}" "${4:-}" > "$T/$1.yaml"
  "$HDS" run "$T/$1.yaml" -o "$T/$1.h5" > "$T/$1.out" || fail "$1: hds run failed: $(cat "$T/$1.out")"
}
X="{dataset: npy, file: $T/X.npy}"
run paired "$X" "{dataset: npy, file: $T/T.npy}"
run paired_csv "$X" "{dataset: csv, file: $T/T.csv}"
P=60 run sequential "$X" "{dataset: npy, file: $T/T.npy}" "sample: sequential"
P=60 run unequal "$X" "{dataset: npy, file: $T/T80.npy}"
P=60 run one_side "$X" "{dataset: rand, dim: 10}"

"$PYTHON" - "$T" <<'PY'
import sys, h5py, numpy as np
d = sys.argv[1]
X = np.load(d + "/X.npy")
def pats(name):
    f = h5py.File(f"{d}/{name}.h5", "r")
    return f["patterns/inputs"][:], f["patterns/targets"][:], f
def rows_of(xs):  # the row of X each stored input is
    idx = [int(np.argmin(np.abs(X - x).sum(axis=1))) for x in xs]
    assert all(np.abs(X[i] - x).max() < 1e-6 for i, x in zip(idx, xs)), "an input is not a row of X.npy"
    return idx
for name in ["paired", "paired_csv"]:
    xs, ts, f = pats(name)
    for r in range(xs.shape[0]):
        idx = rows_of(xs[r])
        assert np.array_equal(ts[r].argmax(axis=1), idx), (name, r, idx[:5], ts[r].argmax(axis=1)[:5])
        assert np.allclose(ts[r].sum(axis=1), 1)
        assert idx != list(range(100)), "random sampling kept the file order"
        assert len(set(idx)) == 100
    assert "paired: the same randomly drawn rows" in f.attrs["targets"], f.attrs["targets"]
xs, ts, f = pats("sequential")
for r in range(xs.shape[0]):
    assert rows_of(xs[r]) == list(range(60)), "sequential inputs are not the file's first 60 rows in order"
    assert list(ts[r].argmax(axis=1)) == list(range(60)), "sequential targets are not in file order"
assert "first P rows in file order" in f.attrs["inputs"] and "sample: sequential" in f.attrs["targets"]
assert "sample: sequential" in f["config"][()].decode()
# Pairing changes only the targets: the inputs are the rows unpaired sampling takes.
xs_one, ts_one, f = pats("one_side")
xs_uneq, _, g = pats("unequal")
assert np.array_equal(xs_one, xs_uneq)
assert "NOT paired with the inputs" in f.attrs["targets"] and "only one side is a user file" in f.attrs["targets"]
assert "the files have 100 and 80 rows" in g.attrs["targets"], g.attrs["targets"]
print("pairs and order as given")
PY
grep -q "NOT paired with the inputs" "$T/one_side.out" || fail "the printed line does not say the rows are unpaired"
grep -q "paired: the same randomly drawn rows" "$T/paired.out" || fail "the printed line does not say paired"

# sample: sequential with only generated sources is refused.
printf 'name: g\ninputs: rand\ntargets: rand\nsample: sequential\n' > "$T/g.yaml"
if "$HDS" run "$T/g.yaml" -o "$T/g.h5" 2> "$T/err"; then fail "sequential on generated sources accepted"; fi
grep -qF "$T/g.yaml:4: key 'sample': sequential takes the first P rows of a file" "$T/err" || fail "$(cat "$T/err")"

# Values outside [0, 1]: one line naming the file, row, column and value; 'range' declares others.
expect_range_error() {  # FILE DATASET WANT
  printf 'name: b\ninputs: {dataset: %s, file: %s}\ntargets: rand\npatterns: 2\n' "$2" "$1" > "$T/b.yaml"
  if "$HDS" run "$T/b.yaml" -o "$T/b.h5" > /dev/null 2> "$T/err"; then fail "$1: out-of-range values accepted"; fi
  [[ $(wc -l < "$T/err") -eq 1 ]] || fail "not one line: $(cat "$T/err")"
  grep -qF -- "$3" "$T/err" || fail "expected '$3' in: $(cat "$T/err")"
}
expect_range_error "$T/bad.npy" npy "$T/bad.npy: value 255 at row 37, column 4 (counting from 0) is outside [0, 1]"
expect_range_error "$T/bad.csv" csv "$T/bad.csv: value -2 at row 1, column 1 (counting from 0) is outside [0, 1]"
P=2 run any "{dataset: npy, file: $T/bad.npy, range: any}" rand
P=2 run wide "{dataset: csv, file: $T/bad.csv, range: [-2, 1]}" rand
printf 'name: b\ninputs: {dataset: npy, file: x.npy, range: [1, 0]}\ntargets: rand\n' > "$T/b.yaml"
if "$HDS" run "$T/b.yaml" 2> "$T/err"; then fail "range [1, 0] accepted"; fi
grep -qF "key 'inputs.range': expected [lo, hi] with lo <= hi, or any, got [1, 0]" "$T/err" || fail "$(cat "$T/err")"
echo "OK"
