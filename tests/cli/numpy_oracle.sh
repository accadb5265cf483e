#!/usr/bin/env bash
# The C++ engine against the independent numpy oracle (tests/oracle/engine.py) on a fixed data
# file: every rule, several activations, centering and decay, online and multi-epoch.
set -euo pipefail
: "${HDS:?}" "${SRC:?}" "${PYTHON:?}"
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$PYTHON" - "$T" <<'PY'
import sys, numpy as np
rng = np.random.default_rng(2024)
np.save(sys.argv[1] + "/x.npy", (rng.random((60, 30)) < 0.5).astype(np.float64))
np.save(sys.argv[1] + "/t.npy", rng.random((60, 12)).astype(np.float32))
PY
cat > "$T/base.yaml" <<YAML
name: oracle
inputs: {dataset: npy, file: $T/x.npy}
targets: {dataset: npy, file: $T/t.npy}
patterns: 40
repetitions: 2
eta: 0.05
store: [patterns, weights]
YAML
i=0
for rule in hd gd hebb cov oja instar; do
  for setting in "activation=sigmoid" "activation=linear centering=none" "activation=exponential_linear weight_decay=0.02" \
                 "activation=softmax centering=running" "activation=step learn_bias=false" \
                 "activation=tanh protocol=multi_epoch epochs=3"; do
    args=()
    for kv in $setting; do args+=(--set "$kv"); done
    i=$((i + 1))
    "$HDS" run "$T/base.yaml" -o "$T/r$i.h5" --set rule=$rule "${args[@]}" > /dev/null
    (cd "$SRC/tests/oracle" && "$PYTHON" compare_run.py "$T/r$i.h5")
  done
done
echo "OK: $i configurations agree with the numpy oracle"
