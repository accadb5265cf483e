#!/usr/bin/env bash
# `hds run` results: readable by h5py as the README says, complete provenance, bit-identical for
# 1 and 2 threads, `init: from` continues from stored weights, and the quickstart's numbers.
set -euo pipefail
: "${HDS:?}" "${SRC:?}" "${PYTHON:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

"$HDS" run "$SRC/experiments/quickstart.yaml" -o "$T/q1.h5" --threads 1 --set 'store=[patterns, weights, error_matrix]' > "$T/out1"
OMP_NUM_THREADS=2 "$HDS" run "$SRC/experiments/quickstart.yaml" -o "$T/q2.h5" --set 'store=[patterns, weights, error_matrix]' > "$T/out2"
grep -q "results: $T/q1.h5" "$T/out1" || fail "no result path printed: $(cat "$T/out1")"

# Bit-identical across thread counts: every dataset (the configs differ only in their output path).
"$PYTHON" "$SRC/tests/cli/same_h5_data.py" "$T/q1.h5" "$T/q2.h5" --skip config || fail "1 and 2 threads differ"
"$PYTHON" - "$T/q1.h5" <<'PY'
import sys, h5py, numpy as np
a = h5py.File(sys.argv[1], "r")
# The README's three lines.
f = a
curve = f["forgetting_curve"][:]
print(f.attrs["last_n_mean"], curve.mean(axis=0)[-20:].mean())
assert abs(f.attrs["last_n_mean"] - curve[:, -20:].mean()) < 1e-12
# Provenance and layout.
for key in ["hds_version", "git_commit", "host", "created", "command_line", "base_seed", "layout_version", "kind"]:
    assert key in f.attrs, key
assert f.attrs["kind"] == "run"
cfg = f["config"].asstr()[()]
assert "eta: 0.2" in cfg and "rule: hd" in cfg, cfg
R, P = 10, 100
assert f["forgetting_curve"].shape == (R, P)
assert f["patterns/inputs"].shape == (R, P, 200) and f["weights/W"].shape == (R, 200, 200)
assert f["error_matrix"].shape == (R, P, P)
assert np.allclose(f["error_matrix"][:, -1, :], curve, rtol=0, atol=1e-12)
seeds = f["repetition_seeds"][:]
assert len(set(seeds.tolist())) == R
# The authors' configuration: last-20 error a few hundredths, far below the first 20 patterns' ~0.23.
last20, first20 = curve[:, -20:].mean(), curve[:, :20].mean()
assert 0.01 < last20 < 0.08, last20
assert 0.18 < first20 < 0.3, first20
print("quickstart last-20", last20, "first-20", first20)
PY

# init: from — a second run starts from the first run's final weights.
cat > "$T/cont.yaml" <<YAML
name: cont
inputs: {dataset: rand, dim: 200}
targets: {dataset: rand, dim: 200}
patterns: 100
repetitions: 10
eta: 0.2
init: {name: from, file: $T/q1.h5}
store: [weights]
YAML
"$HDS" run "$T/cont.yaml" -o "$T/cont.h5" > /dev/null
"$PYTHON" - "$T/q1.h5" "$T/cont.h5" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
assert np.array_equal(a["weights/W"][:], b["weights/W0"][:])
assert np.array_equal(a["weights/b"][:], b["weights/b0"][:])
PY
# ... and refuses a file without weights, naming it.
"$HDS" run "$SRC/experiments/quickstart.yaml" -o "$T/now.h5" > /dev/null
sed -i "s|$T/q1.h5|$T/now.h5|" "$T/cont.yaml"
"$HDS" run "$T/cont.yaml" -o "$T/cont2.h5" 2> "$T/err" > /dev/null && fail "init from a file without weights worked"
grep -qF "$T/now.h5: has no final weights" "$T/err" || fail "unclear: $(cat "$T/err")"
echo "OK"
