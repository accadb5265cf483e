#!/usr/bin/env bash
# Runtime instruction-set dispatch: for every level this processor has, the same sweeps (direct, Gram and
# blocked engines) and runs of the network and auto-association kinds (on the MNIST fixture) agree with the
# baseline kernels to 1e-12, record the level in /provenance@isa, and give the same bits on 1 and 2 threads; the higher levels really run other code (some value differs in the last
# bits); a bad or unavailable HDS_ISA is one clear error line.
set -euo pipefail
: "${HDS:?}" "${SRC:?}" "${PYTHON:?}" "${HDS_FIXTURE_DIR:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

"$HDS" --version | grep -Eq '^isa: (baseline|avx2|avx512)' || fail "hds --version names no level: $("$HDS" --version)"

# An unknown level: exit 2, one line naming the value and the fix.
if HDS_ISA=bogus "$HDS" --version > /dev/null 2> "$T/err"; then fail "HDS_ISA=bogus accepted"; fi
[[ $(wc -l < "$T/err") -eq 1 ]] || fail "not one line: $(cat "$T/err")"
grep -q "HDS_ISA='bogus' is not an instruction-set level; use baseline, avx2 or avx512" "$T/err" || fail "$(cat "$T/err")"

levels=()
for l in baseline avx2 avx512; do
  if HDS_ISA=$l "$HDS" --version > "$T/v" 2> "$T/err"; then
    grep -q "^isa: $l" "$T/v" || fail "HDS_ISA=$l: --version says $(grep isa "$T/v")"
    levels+=("$l")
  else
    # A level this processor (or build) lacks: one line saying so and what to use instead.
    [[ $(wc -l < "$T/err") -eq 1 ]] || fail "HDS_ISA=$l: not one line: $(cat "$T/err")"
    grep -Eq "HDS_ISA=$l( needs .*which this processor lacks|: this build holds no)" "$T/err" || fail "$(cat "$T/err")"
    echo "level $l not available here: $(cat "$T/err")"
  fi
done
[[ ${levels[0]} == baseline ]] || fail "baseline must always run"

for e in direct gram blocked; do
  cat > "$T/$e.yaml" <<YAML
name: isa_$e
base:
  inputs: {dataset: rand, dim: 48}
  targets: {dataset: rand, dim: 72}
  patterns: 160
  repetitions: 2
  protocol: multi_epoch
  epochs: 3
  reshuffle: true
  weight_decay: 0.001
  engine: $e
cells:
  rule: [hd, gd, cov, oja]
  activation: [sigmoid, exponential_linear]
  centering: [$([[ $e == gram ]] && echo "none, dataset" || echo "dataset, running")]
tune:
  eta: {logspace: [0.001, 0.03, 3]}  # stable: eta |x~|^2 < 2 also uncentred (larger is chaotic, test_gram.cpp)
YAML
  for l in "${levels[@]}"; do
    HDS_ISA=$l "$HDS" sweep "$T/$e.yaml" -o "$T/$e.$l.h5" --threads 2 --quiet > /dev/null
  done
  l=${levels[-1]}
  HDS_ISA=$l "$HDS" sweep "$T/$e.yaml" -o "$T/$e.$l.one.h5" --threads 1 --quiet > /dev/null
  "$PYTHON" "$SRC/tests/cli/same_h5_data.py" "$T/$e.$l.h5" "$T/$e.$l.one.h5" --skip config ||
    fail "$e, HDS_ISA=$l: 1 and 2 threads differ"
done

# The kinds: a short MLP run (rectifier hidden layer, backprop, momentum) and an auto-association run,
# weights stored, so that the level's products, backprop and measures are compared value by value.
cat > "$T/network.yaml" <<'YAML'
kind: network
name: isa_network
data: {dataset: mnist, validation: 100, train_limit: 200}
layers: [784, 32, 10]
hidden_activation: rectifier
output_activation: softmax
output_rule: gd
output_optimizer: {name: sgd, lr: 0.05, momentum: 0.9}
hidden_optimizer: {name: sgd, lr: 0.05, momentum: 0.9}
batch_size: 10
epochs: 2
repetitions: 2
store: [weights]
YAML
cat > "$T/auto.yaml" <<'YAML'
kind: autoassociation
name: isa_auto
data: {dataset: mnist}
patches: {size: 8}
patterns: 150
heldout: 50
hidden: 6
rule: hd
activation: sigmoid
protocol: multi_epoch
epochs: 3
batch_size: 10
eta: 0.1
repetitions: 2
store: [weights]
YAML
for k in network auto; do
  for l in "${levels[@]}"; do
    HDS_DATA_DIR="$HDS_FIXTURE_DIR" HDS_ISA=$l "$HDS" run "$T/$k.yaml" -o "$T/$k.$l.h5" --threads 2 > /dev/null
  done
  l=${levels[-1]}
  HDS_DATA_DIR="$HDS_FIXTURE_DIR" HDS_ISA=$l "$HDS" run "$T/$k.yaml" -o "$T/$k.$l.one.h5" --threads 1 > /dev/null
  "$PYTHON" "$SRC/tests/cli/same_h5_data.py" "$T/$k.$l.h5" "$T/$k.$l.one.h5" --skip config \
    --skip seconds --skip seconds_per_update --skip metrics/seconds_per_update || fail "$k, HDS_ISA=$l: 1 and 2 threads differ"
done

"$PYTHON" - "$T" "${levels[@]}" <<'PY'
import sys, h5py, numpy as np
d, levels = sys.argv[1], sys.argv[2:]
for e in ("direct", "gram", "blocked"):
    base = h5py.File(f"{d}/{e}.baseline.h5", "r")
    for l in levels:
        f = h5py.File(f"{d}/{e}.{l}.h5", "r")
        assert f["provenance"].attrs["isa"] == l, (e, l, f["provenance"].attrs["isa"])
        worst, differ, n = 0.0, False, 0
        for c in base["cells"]:
            assert f["cells"][c].attrs["engine"] == e, (e, l, c, dict(f["cells"][c].attrs))
            for name, ds in base["cells"][c].items():
                if not isinstance(ds, h5py.Dataset) or ds.dtype.kind != "f":
                    continue
                x, y = f["cells"][c][name][()], ds[()]
                worst = max(worst, float((np.abs(x - y) / np.maximum(np.abs(y), 1e-2)).max()))
                differ |= not np.array_equal(x, y)
                n += x.size
        assert n > 0
        assert worst <= 1e-12, (e, l, worst)
        # Other kernels round differently somewhere (FMA, wider sums): proof that the level's code ran.
        assert differ == (l != "baseline"), (e, l, "bit-identical to baseline" if not differ else "differs")
        print(f"{e:8s} {l:8s} vs baseline: max rel diff {worst:.2e} over {n} values")


def floats(g, out, prefix=""):
    for k, v in g.items():
        if isinstance(v, h5py.Group):
            floats(v, out, prefix + k + "/")
        elif v.dtype.kind == "f" and "seconds" not in k:  # timings differ run to run
            out[prefix + k] = v[()]


for k in ("network", "auto"):
    base = {}
    floats(h5py.File(f"{d}/{k}.baseline.h5", "r"), base)
    assert any(name.startswith("weights/") for name in base), (k, sorted(base))
    for l in levels:
        f = h5py.File(f"{d}/{k}.{l}.h5", "r")
        assert f["provenance"].attrs["isa"] == l, (k, l, f["provenance"].attrs["isa"])
        other = {}
        floats(f, other)
        assert other.keys() == base.keys(), (k, l, sorted(set(other) ^ set(base)))
        worst, differ, n = 0.0, False, 0
        for name, y in base.items():
            x = other[name]
            if np.isnan(y).all():
                assert np.isnan(x).all(), (k, l, name)
                continue
            worst = max(worst, float(np.nanmax(np.abs(x - y) / np.maximum(np.abs(y), 1e-2))))
            differ |= name.startswith("weights/") and not np.array_equal(x, y)
            n += np.size(x)
        assert worst <= 1e-12, (k, l, worst)
        assert differ == (l != "baseline"), (k, l, "weights bit-identical to baseline" if not differ else "differ")
        print(f"{k:8s} {l:8s} vs baseline: max rel diff {worst:.2e} over {n} values")
PY
