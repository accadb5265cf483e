#!/usr/bin/env bash
# tools/reproduce_claims.py (the analytical findings 1-8 and the further claims of `hds reproduce`):
# its numpy side (φ, φ′, Φ, the softmax Jacobian) against finite differences; the checks on real
# one-step and full-batch runs of the engine give "reproduced"; and a run tampered with (gd's step
# changed in one activation, hd's full-batch path stopped early) turns the verdict, so the rules can fail.
set -euo pipefail
: "${HDS:?}" "${SRC:?}" "${PYTHON:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cd "$T"
"$PYTHON" - "$HDS" "$SRC" "$T" <<'PY'
import io, os, shutil, subprocess, sys, time
import h5py, numpy as np
hds, src, out = sys.argv[1:4]
sys.path.insert(0, os.path.join(src, "tools"))
import reproduce_claims as C

# numpy side: Φ′ = φ, φ′ = dφ/da, softmax Jacobian, by central differences away from the kinks at 0.
a = np.concatenate([np.linspace(-6, -0.05, 40), np.linspace(0.05, 6, 40)])
e = 1e-6
for act in C.POSITIVE:
    fd = (C.antiderivative(act, a + e) - C.antiderivative(act, a - e)) / (2 * e)
    assert np.abs(fd - C.phi(act, a)).max() < 1e-7, act
    assert abs(C.antiderivative(act, np.array([0.0]))[0]) < 1e-15, act
for act in [x for x in C.ACTIVATIONS if x != "softmax"]:
    fd = (C.phi(act, a + e) - C.phi(act, a - e)) / (2 * e)
    assert np.abs(fd - C.dphi(act, a)).max() < 1e-6, act
rng = np.random.default_rng(1)
z, v = rng.normal(size=5), rng.normal(size=5)
J = np.array([(C.phi("softmax", z + e * np.eye(5)[k]) - C.phi("softmax", z - e * np.eye(5)[k])) / (2 * e) for k in range(5)])
assert np.abs(J.T @ v - C.jacobian_apply("softmax", z, v)).max() < 1e-8
# IRLS against the closed form of a one-feature case with a saturated model: P(t=1 | x) = mean of t per x.
X = np.array([[0.0], [0.0], [0.0], [1.0], [1.0], [1.0], [1.0]])
t = np.array([1, 0, 0, 1, 1, 1, 0.0])
th = C.irls(X, t)
logit = lambda p: np.log(p / (1 - p))
assert abs(th[1] - logit(1 / 3)) < 1e-12 and abs(th[0] + th[1] - logit(3 / 4)) < 1e-12, th

# The η range: a hand-made grid cell.
class FakeSweep:
    tuned = ["eta"]
    def grid(self, axis): return np.array([1e-3, 1e-2, 1e-1, 1, 10])
    def grid_errors(self, row): return np.array([[0.5], [0.105], [0.1], [0.109], [0.3]])
lo, hi, width, edge = C.eta_range(FakeSweep(), None)
assert (lo, hi) == (1e-2, 1) and abs(width - 2) < 1e-12 and not edge, (lo, hi, width, edge)

# The real engine runs, then tampered copies.
log = io.StringIO()
def run(cmd, log):
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    assert p.returncode == 0, p.stdout
    return 0.0
files, _ = C.run_claims(hds, out, True, run, log, [])
fig = {}
for name, statement, fn in C.ANALYTICAL:
    v, summary, lines = fn(files, fig)
    assert v == "reproduced", (name, v, summary)
assert C.c_centering_equivalence(files, fig)[0] == "reproduced"
assert C.c_cov_forward(files, {}, fig)[0] == "reproduced"

bad = dict(files)
bad["step_gd_sigmoid"] = os.path.join(out, "tampered_gd.h5")
shutil.copy(files["step_gd_sigmoid"], bad["step_gd_sigmoid"])
with h5py.File(bad["step_gd_sigmoid"], "r+") as f:
    f["weights/W"][0, 0, 0] += 1e-6          # one entry of one step
v, summary, _ = C.a1_identity(bad, {})
assert v == "partly" and "10 of 11" in summary, (v, summary)
bad["glm"] = os.path.join(out, "short_glm.h5")
# 20 updates are not enough to reach the maximum-likelihood weights to 1e-6.
f = os.path.join(out, "glm20.yaml")
open(f, "w").write(open(os.path.join(src, C.GLM)).read().replace("updates: 3000", "updates: 20"))
subprocess.run([hds, "study", f, "-o", bad["glm"], "--force"], check=True, stdout=subprocess.DEVNULL)
assert C.a8_glm(bad, {})[0] == "not reproduced"
print("claims checks: numpy side, engine runs and tampered runs as expected")
PY
