#!/usr/bin/env bash
# `hds study`: both study files run, print the slide-like tables, and write files whose paths and
# outputs a separate numpy computation reproduces; inspect reads them; a bad key is named with its line.
set -euo pipefail
: "${HDS:?}" "${SRC:?}" "${PYTHON:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

"$HDS" study "$SRC/experiments/study1_toy_paths.yaml" -o "$T/s1.h5" > "$T/s1.txt"
"$HDS" study "$SRC/experiments/study2_where_hebb_fails.yaml" -o "$T/s2.h5" > "$T/s2.txt"
grep -qF "results: $T/s1.h5" "$T/s1.txt" || fail "no result path: $(cat "$T/s1.txt")"
grep -qE "^ +1 +\(0, 1\) +\(0, 1\) +\(0\.00, 0\.00\) .* \(0\.00, 0\.99\)" "$T/s2.txt" || fail "study 2 table: $(cat "$T/s2.txt")"

"$PYTHON" - "$T/s1.h5" "$T/s2.h5" <<'PY'
import sys, h5py, numpy as np
np.seterr(over="ignore")  # sigmoid of large |a| is exactly 0 or 1
sig = lambda a: 1 / (1 + np.exp(-a))
s1, s2 = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
for f in (s1, s2):
    assert f.attrs["format"] == "hds-result" and f.attrs["kind"] == "study" and f.attrs["layout_version"] == 2
    for k in ("hds_version", "git_commit", "host", "created", "command_line", "config_file"):
        assert k in f.attrs, k

# Study 1 by numpy: full-batch hd / gd on the squared error, natural and constant step size.
X, t = s1["inputs"][:], s1["targets"][:, 0]
for name, g in s1["paths"].items():
    rule, mode, eta = g.attrs["rule"], g.attrs["step_mode"], g.attrs["eta"]
    th = g["theta"][0].copy()
    path, loss = [th.copy()], []
    for k in range(s1.attrs["updates"]):
        h = sig(X @ th[:2] + th[2])
        loss.append(0.5 * ((h - t) ** 2).sum())
        e = (t - h) * (h * (1 - h) if rule == "gd" else 1)
        d = np.r_[X.T @ e, e.sum()]
        th = th + eta * (d / np.linalg.norm(d) if mode == "constant" else d)
        path.append(th.copy())
    loss.append(0.5 * ((sig(X @ th[:2] + th[2]) - t) ** 2).sum())
    assert np.allclose(g["theta"][:], np.array(path), rtol=0, atol=1e-9), name
    assert np.allclose(g["loss"][:], loss, rtol=0, atol=1e-12), name
final = {n: g["loss"][-1] for n, g in s1["paths"].items()}
assert final["hd_natural"] < final["gd_natural"] and final["hd_constant"] < final["gd_constant"], final
print("study 1 final loss:", final)

# Study 2 by numpy: online, centered, b = 0, eta 10, hebb/cov rescaled to norm 100.
X, T = s2["inputs"][:], s2["targets"][:]
mu = X.mean(0)
E = int(s2.attrs["epochs"])
for rule in ("hebb", "cov", "hd"):
    W = np.zeros((2, 2))
    for _ in range(E):
        for x, tt in zip(X, T):
            h = sig(W.T @ (x - mu))
            W += 10 * np.outer(x - mu, {"hebb": tt, "cov": tt - T.mean(0), "hd": tt - h}[rule])
    if rule != "hd":
        W *= 100 / np.linalg.norm(W)
    H = sig((X - mu) @ W)
    assert np.allclose(s2[f"outputs/{rule}"][:], H, rtol=0, atol=1e-9), rule
    err = np.abs(H - T).max()
    assert (err < 0.1) == (rule == "hd"), (rule, err)
print("study 2 hd outputs:", np.round(s2["outputs/hd"][:], 3).tolist())
PY

"$HDS" inspect "$T/s2.h5" --format json > "$T/s2.json"
"$PYTHON" -c "import json,sys; d=json.load(open(sys.argv[1])); assert d['kind']=='study' and len(d['rows'])==4 and d['rows'][0]['hd']=='(0.00, 0.99)', d" "$T/s2.json"
"$HDS" inspect "$T/s1.h5" | grep -qE "^hd +natural +1.5 " || fail "inspect of study 1"

printf 'study: toy_paths\ninputs: [[1, 0]]\ntargets: [[0]]\nupdate: 5\n' > "$T/bad.yaml"
set +e; "$HDS" study "$T/bad.yaml" 2> "$T/err"; rc=$?; set -e
[ "$rc" = 2 ] && grep -qF "$T/bad.yaml:4: unknown key 'update' in a toy_paths study (did you mean 'updates'?)" "$T/err" \
  || fail "bad key ($rc): $(cat "$T/err")"
echo "OK"
