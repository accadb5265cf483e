#!/usr/bin/env bash
# `kind: autoassociation` on the MNIST fixture (8 x 8 patches): hds run writes the documented layout
# with the identities of the rules holding, the same data on 1 and 2 threads; a diverging rate is
# flagged with the finite worst score; a sweep's winners are the lowest mean held-out MSE, 1 and 2
# threads give the same bytes, a killed sweep resumes to the same file and the winner's stored config
# reruns to its numbers; inspect and plot work; bad input gives one line naming the key.
set -euo pipefail
: "${HDS:?}" "${SRC:?}" "${PYTHON:?}" "${HDS_FIXTURE_DIR:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
T=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$T"' EXIT
export HDS_DATA_DIR="$HDS_FIXTURE_DIR" HOME="$T/home"
same_data() { "$PYTHON" "$SRC/tests/cli/same_h5_data.py" "$@"; }

cat > "$T/run.yaml" <<'YAML'
kind: autoassociation
name: auto_run_test
data: {dataset: mnist}
patches: {size: 8}
patterns: 150
heldout: 50
hidden: 6
rule: hd
activation: sigmoid
protocol: multi_epoch
epochs: 4
batch_size: 10
eta: 0.1
repetitions: 2
checks: [identities, jacobian]
store: [weights]
YAML
"$HDS" run "$T/run.yaml" -o "$T/run.h5" --threads 1 > "$T/run.out"
grep -q "held-out MSE" "$T/run.out" || fail "no per-epoch table: $(cat "$T/run.out")"
grep -q "cd1_clamped_minus_hd" "$T/run.out" || fail "no checks printed"
"$HDS" run "$T/run.yaml" -o "$T/run2.h5" --threads 2 > /dev/null
# The same data on any thread count; timings and the stored output name aside.
same_data "$T/run.h5" "$T/run2.h5" --skip config --skip seconds_per_update --skip metrics/seconds_per_update \
  || fail "1 and 2 threads differ"

"$PYTHON" - "$T/run.h5" <<'PY'
import sys, yaml, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
a = f.attrs
assert a["kind"] == "run" and a["experiment_kind"] == "autoassociation", dict(a)
assert a["score"] == "heldout_mse" and a["score_order"] == "lower_is_better"
assert a["n_in"] == 64 and a["hidden"] == 6 and a["image_side"] == 8 and a["n_diverged"] == 0
R, E, k, N, n = 2, 4, 6, 150, 64
shapes = {"repetition_seeds": (R,), "score": (R,), "diverged": (R,), "diverged_step": (R,), "updates": (R,),
          "seconds_per_update": (R,), "forgetting_curve": (R, N), "metrics/hidden_mean": (R, E, k),
          "metrics/angles": (R, E, k), "initial/hidden_mean": (R, k), "initial/angles": (R, k),
          "weights/W0": (R, n, k), "weights/W": (R, n, k), "weights/b": (R, k), "weights/c": (R, n),
          "weights/mu": (R, n), "weights/lambda": (R, k)}
for m in ["train_mse", "heldout_mse", "dw_norm", "hidden_spread", "max_angle", "seconds_per_update"]:
    shapes["metrics/" + m] = (R, E)
for m in ["train_mse", "heldout_mse", "hidden_spread", "max_angle"]:
    shapes["initial/" + m] = (R,)
for name, shape in shapes.items():
    assert f[name].shape == shape, (name, f[name].shape, shape)
held = f["metrics/heldout_mse"][:]
assert np.array_equal(f["score"][:], held[:, -1]), "the score is the last epoch's held-out MSE"
assert abs(a["score_mean"] - held[:, -1].mean()) < 1e-15
assert np.all(held[:, -1] < f["initial/heldout_mse"][:]), "training must lower the held-out error"
assert np.all(f["updates"][:] == E * 15), f["updates"][:]        # 150 patterns in batches of 10
# The spread is the population sd of the units' mean activities; every angle is in [0, pi/2].
hm = f["metrics/hidden_mean"][:]
assert np.allclose(f["metrics/hidden_spread"][:], hm.std(axis=2), atol=1e-12)
assert np.all((f["metrics/angles"][:] >= 0) & (f["metrics/angles"][:] <= np.pi / 2 + 1e-12))
assert np.allclose(f["metrics/max_angle"][:], f["metrics/angles"][:].max(axis=2))
checks = dict(zip(f["checks/name"].asstr()[:], f["checks/value"][:]))
assert len(f["checks/description"]) == len(checks)
for name in ["cd1_clamped_minus_hd", "gd_decoder_minus_hd", "gd_minus_decoder_encoder", "linear_hd_minus_oja",
             "linear_hd_sanger_minus_sanger"]:
    assert checks[name] <= 1e-12, (name, checks[name])
assert checks["jacobian_asymmetry_gd"] < 1e-6 < 1e-2 < checks["jacobian_asymmetry_hd"], checks
config = yaml.safe_load(f["config"].asstr()[()])
assert config["kind"] == "autoassociation" and config["output"].endswith("run_rerun.h5"), config["output"]
print("run file checks out")
PY

# The stored config reruns to the same numbers.
"$PYTHON" -c "import h5py,sys; open(sys.argv[2],'w').write(h5py.File(sys.argv[1],'r')['config'].asstr()[()])" \
  "$T/run.h5" "$T/rerun.yaml"
"$HDS" run "$T/rerun.yaml" -o "$T/rerun.h5" > /dev/null
same_data "$T/run.h5" "$T/rerun.h5" --skip config --skip seconds_per_update --skip metrics/seconds_per_update \
  || fail "the stored config does not rerun to the same numbers"

# Online, on generated data: the forgetting curve has one entry per pattern; a diverging rate is flagged
# and scores the finite worst value.
printf 'kind: autoassociation\ndata: {dataset: randn, dim: 12}\npatterns: 40\nheldout: 8\nhidden: 3\nactivation: linear\nlearn_bias: false\neta: %s\nrepetitions: 2\n' 0.05 > "$T/online.yaml"
"$HDS" run "$T/online.yaml" -o "$T/online.h5" > /dev/null
printf 'kind: autoassociation\ndata: {dataset: randn, dim: 12}\npatterns: 40\nheldout: 8\nhidden: 3\nactivation: linear\neta: 1e30\nrepetitions: 2\n' > "$T/diverge.yaml"
"$HDS" run "$T/diverge.yaml" -o "$T/diverge.h5" > /dev/null
"$PYTHON" - "$T/online.h5" "$T/diverge.h5" <<'PY'
import sys, h5py, numpy as np
f, g = (h5py.File(p, "r") for p in sys.argv[1:3])
assert f["forgetting_curve"].shape == (2, 40) and f["metrics/train_mse"].shape == (2, 1)
assert np.all(np.isfinite(f["forgetting_curve"][:]))
assert g.attrs["n_diverged"] == 2 and np.all(g["diverged"][:] == 1)
assert np.all(g["score"][:] == 1e150) and np.all(g["diverged_step"][:] >= 0)
assert np.all(np.isnan(g["metrics/heldout_mse"][:]))
print("online and diverged runs check out")
PY

# inspect: the run's tables, csv and json; plot: the figures, the filters as image tiles.
"$HDS" inspect "$T/run.h5" > "$T/inspect.txt"
for s in "autoassociation run" "heldout_mse mean ± sd" "us_per_update" "cd1_clamped_minus_hd" "jacobian_asymmetry_hd"; do
  grep -qF "$s" "$T/inspect.txt" || fail "inspect lacks '$s'"
done
"$HDS" inspect "$T/run.h5" --format csv > "$T/inspect.csv"
[[ $(head -1 "$T/inspect.csv") == "epoch,train_mse,heldout_mse,dw_norm,hidden_spread,max_angle,us_per_update" ]] \
  || fail "csv header: $(head -1 "$T/inspect.csv")"
[[ $(wc -l < "$T/inspect.csv") -eq 6 ]] || fail "csv rows: epochs 0..4 expected"
"$HDS" inspect "$T/run.h5" --format json | "$PYTHON" -c "
import json, sys
d = json.load(sys.stdin)
assert len(d['rows']) == 1 and d['rows'][0]['rule'] == 'hd', d
assert len(d['epochs']['rows']) == 5 and d['checks']['rows'][1]['check'] == 'cd1_clamped_minus_hd', d"
"$HDS" plot "$T/run.h5" --out "$T/figs" > "$T/plot.out"
for p in error hidden filters; do [[ -s "$T/figs/run_$p.png" ]] || fail "no $p figure: $(cat "$T/plot.out")"; done
"$HDS" plot "$T/online.h5" --out "$T/figs" > /dev/null
[[ -s "$T/figs/online_forgetting.png" ]] || fail "no forgetting curve of the online run"

# A sweep: 1 and 2 threads, the winners, kill -9 and resume, the winner rerun.
cat > "$T/s.yaml" <<'YAML'
name: auto_sweep_test
base:
  kind: autoassociation
  data: {dataset: mnist}
  patches: {size: 6}
  patterns: 120
  heldout: 40
  hidden: 4
  protocol: multi_epoch
  epochs: 3
  repetitions: 2
cells:
  rule: [hd, gd, cd1]
  hidden_centering: [none, running]
tune:
  eta: {logspace: [0.001, 100, 3]}
  batch_size: [1, 20]
YAML
"$HDS" sweep "$T/s.yaml" -o "$T/one.h5" --threads 1 --quiet > "$T/one.out"
"$HDS" sweep "$T/s.yaml" -o "$T/two.h5" --threads 2 --quiet > /dev/null
same_data "$T/one.h5" "$T/two.h5" || fail "1 and 2 threads differ"
grep -q "held-out MSE (mean±sd)" "$T/one.out" || fail "no table: $(cat "$T/one.out")"
"$PYTHON" - "$T/one.h5" <<'PY'
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
assert f.attrs["experiment_kind"] == "autoassociation" and f.attrs["score"] == "heldout_mse"
assert f.attrs["score_order"] == "lower_is_better"
saw_diverged = False
for c, label in enumerate(f["summary/label"].asstr()[:]):
    s = f[f"cells/c{c:04d}/heldout_mse"][:]
    d = f[f"cells/c{c:04d}/diverged"][:]
    assert s.shape == (6, 2) and np.all(np.isfinite(s)), label
    assert np.all(s[d == 1] == 1e150), label                  # diverged: the finite worst value
    saw_diverged |= bool(d.any())
    w = int(np.argmin(s.mean(axis=1)))                         # the lowest mean; ties to the lowest index
    assert f["summary/winner_index"][c] == w, label
    assert abs(f["summary/heldout_mse_mean"][c] - s[w].mean()) < 1e-15
    g = f[f"cells/c{c:04d}"]
    for name, shape in [("epoch_train_mse", (2, 3)), ("epoch_heldout_mse", (2, 3)), ("epoch_dw_norm", (2, 3)),
                        ("epoch_hidden_spread", (2, 3)), ("epoch_max_angle", (2, 3)), ("hidden_mean", (2, 4)),
                        ("angles", (2, 4)), ("forgetting_curve", (2, 120))]:
        assert g[name].shape == shape, (label, name, g[name].shape)
    assert np.array_equal(g["epoch_heldout_mse"][:, -1], s[w]), label
    assert float(g.attrs["seconds_per_update_min"]) > 0 and "MNIST" in g.attrs["data"]
assert saw_diverged, "eta = 100 should diverge somewhere"
print("autoassociation winners check out")
PY
"$PYTHON" -c "import h5py,sys; open(sys.argv[2],'w').write(h5py.File(sys.argv[1],'r')['cells/c0001/config'].asstr()[()])" \
  "$T/one.h5" "$T/winner.yaml"
"$HDS" run "$T/winner.yaml" -o "$T/winner.h5" > /dev/null
"$PYTHON" - "$T/one.h5" "$T/winner.h5" <<'PY'
import sys, h5py, numpy as np
s, r = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
w = s["summary/winner_index"][1]
assert np.array_equal(s["cells/c0001/heldout_mse"][w], r["score"][:]), "rerun of the winner differs"
assert np.array_equal(s["cells/c0001/epoch_train_mse"][:], r["metrics/train_mse"][:])
PY
"$HDS" inspect "$T/one.h5" | grep -q "heldout_mse mean ± sd" || fail "inspect of the sweep"
"$HDS" plot "$T/one.h5" --out "$T/figs" > /dev/null
for p in bars epochs; do [[ -s "$T/figs/one_$p.png" ]] || fail "no sweep $p figure"; done

# With more epochs, so that the kill lands between the first and the last cell.
"$HDS" sweep "$T/s.yaml" --set epochs=40 -o "$T/long.h5" --threads 2 --quiet > /dev/null
"$HDS" sweep "$T/s.yaml" --set epochs=40 -o "$T/killed.h5" --threads 1 --quiet > /dev/null 2>&1 &
pid=$!
for _ in $(seq 1 3000); do
  [[ -s "$T/killed.h5.journal" ]] && grep -q CELL "$T/killed.h5.journal" 2>/dev/null && break
  kill -0 "$pid" 2>/dev/null || break
  sleep 0.01
done
kill -9 "$pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || true
"$HDS" sweep "$T/s.yaml" --set epochs=40 -o "$T/killed.h5" --threads 2 --quiet > "$T/resumed.out"
grep -q "resumed from the journal" "$T/resumed.out" || fail "the kill did not land mid-sweep: $(cat "$T/resumed.out")"
same_data "$T/long.h5" "$T/killed.h5" || fail "resumed sweep differs"

# Bad input: one line naming the file, the line where there is one, and the key.
expect_error() {  # expect_error COMMAND YAML SUBSTRING
  printf '%s' "$2" > "$T/bad.yaml"
  set +e
  local quiet=()
  [[ $1 == sweep ]] && quiet=(--quiet)
  "$HDS" "$1" "$T/bad.yaml" -o "$T/bad.h5" "${quiet[@]}" > /dev/null 2> "$T/err" || true
  set -e
  [[ $(wc -l < "$T/err") -eq 1 ]] || fail "expected one line, got: $(cat "$T/err")"
  grep -qF -- "$3" "$T/err" || fail "expected '$3' in: $(cat "$T/err")"
  [[ ! -e "$T/bad.h5" ]] || fail "a failed command wrote a result"
}
printf '0.5,1.5,0.2\n0.1,0.2,0.3\n0.3,0.3,0.3\n0.4,-0.5,0.1\n' > "$T/d.csv"
B=$'kind: autoassociation\ndata: {dataset: randn, dim: 20}\npatterns: 30\nheldout: 10\n'
expect_error run "${B}hidden: 21"$'\n' "bad.yaml:5: key 'hidden': k = 21 hidden units exceeds the input dimension 20"
expect_error run $'kind: autoassociation\ndata: {dataset: mnist}\npatches: {size: 4}\nhidden: 17\n' "bad.yaml:4: key 'hidden': k = 17"
expect_error run $'kind: autoassociation\ndata: {dataset: csv, file: '"$T"$'/d.csv, range: [-1, 2]}\npatterns: 3\nheldout: 1\nhidden: 2\nvisible: sigmoid\n' \
  "bad.yaml: key 'visible': sigmoid visible units reconstruct values in [0, 1], but the data"
expect_error run "${B}activation: linear"$'\nhidden_centering: running\n' "bad.yaml:6: key 'hidden_centering': 'running' with a linear activation"
expect_error run "${B}rule: hdd"$'\n' "bad.yaml:5: key 'rule': unknown value 'hdd' (expected one of hd | hd_sanger"
expect_error run "${B}rule: oja"$'\n' "bad.yaml:5: key 'activation': rule 'oja' is the linear classic"
expect_error run "${B}protocol: online"$'\nbatch_size: 8\n' "bad.yaml:6: key 'batch_size': the online protocol presents one pattern per step"
expect_error run $'kind: autoassociation\ndata: {dataset: mnist}\npatterns: 290\nheldout: 20\n' "key 'patterns': MNIST train"
S=$'name: bad\nbase:\n  kind: autoassociation\n  data: {dataset: randn, dim: 20}\n  patterns: 30\n  heldout: 10\n  hidden: 3\n'
expect_error sweep "${S}"$'  store: [weights]\n' "a sweep stores no weights"
expect_error sweep "${S}"$'  checks: [identities]\n' "a sweep computes no checks"
expect_error sweep "${S}tune:"$'\n  epochs: [1, 2]\n' "tuning 'epochs' needs 'protocol: multi_epoch'"
expect_error sweep "${S}tune:"$'\n  eta: [0.1, 0]\n' "tuned axis 'eta' value 0 in cell 'all': key 'eta' (learning rate) must be a finite number > 0"
expect_error sweep "${S}tune:"$'\n  lr: [0.1]\n' "unknown tuned axis 'lr' (tunable in kind autoassociation: eta, weight_decay, epochs, batch_size"
echo "OK"
