#!/usr/bin/env bash
# `hds reproduce --quick` on the shared data: every study runs, the report and verdicts are written,
# and the findings that must hold on any honest run hold, checked here from the result files.
set -euo pipefail
: "${HDS:?}" "${SRC:?}" "${PYTHON:?}" "${HDS_DATA_DIR:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$HDS" reproduce --quick --no-plots --out "$T" > "$T/out.txt"
cat "$T/out.txt"
"$PYTHON" - "$T" <<'PY'
import json, os, sys
import h5py, numpy as np
out = sys.argv[1]
report = open(os.path.join(out, "REPRODUCTION.md")).read()
findings = json.load(open(os.path.join(out, "findings.json")))["findings"]
assert len(findings) == 8, len(findings)
for f in findings:
    assert f["verdict"] in ("reproduced", "partly", "not reproduced"), f
    assert f["statement"] in report

def rows(path):
    f = h5py.File(os.path.join(out, path), "r")
    labels = f["summary/label"].asstr()[:]
    return [(dict(kv.split("=", 1) for kv in l.split()), m) for l, m in zip(labels, f["summary/last_n_mean"][:])]

def get(rs, **kv):
    hits = [m for lab, m in rs if all(lab.get(k) == v for k, v in kv.items())]
    assert len(hits) == 1, (kv, len(hits))
    return hits[0]

# gd with the step function never learns: error ~0.5 on binary targets; hd learns.
for path in ["online_pairs.h5", "multi_epoch_pairs.h5"]:
    rs = rows(path)
    for inputs, targets in [("rand(dim=200)", "adult"), ("randn(dim=200)", "connect"), ("mnist", "connect")]:
        gd = get(rs, inputs=inputs, targets=targets, activation="step", rule="gd")
        hd = get(rs, inputs=inputs, targets=targets, activation="step", rule="hd")
        assert abs(gd - 0.5) < 0.05, (path, inputs, targets, gd)
        assert hd < gd - 0.2, (path, inputs, targets, hd, gd)
# Centering does not hurt hd (RAND -> RAND online, tuned).
rs = rows("centering.h5")
assert get(rs, rule="hd", centering="dataset") <= get(rs, rule="hd", centering="none")
# hd's last-20 error beats hebb's and cov's on RAND -> RAND online.
hd = get(rs, rule="hd", centering="dataset")
assert hd < get(rs, rule="hebb", centering="dataset") and hd < get(rs, rule="cov", centering="dataset")
# hd forgets gradually on 1000 patterns: recent patterns far better kept than old ones.
f = h5py.File(os.path.join(out, "gradual_forgetting_1000.h5"), "r")
c = [i for i, l in enumerate(f["summary/label"].asstr()[:]) if l == "rule=hd"][0]
curve = f[f"cells/c{c:04d}/forgetting_curve"][:].mean(axis=0)
assert curve[-20:].mean() + 0.1 < curve[:100].mean(), (curve[-20:].mean(), curve[:100].mean())
print("the must-hold findings hold")
PY
