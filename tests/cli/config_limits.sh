#!/usr/bin/env bash
# Numbers nobody asked for: integers past 32 bits, grids past int, memory past the machine, and bad
# tuned values are refused at load with one line; nothing runs and nothing is written.
set -euo pipefail
: "${HDS:?}" "${SRC:?}" "${PYTHON:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# A memory bound, so that a count allocating before it is checked fails here instead of filling the
# machine; sanitizer builds reserve terabytes of shadow memory and run without it.
limit="ulimit -v 4000000"
(eval "$limit"; "$HDS" --help > /dev/null 2>&1) || { limit=":"; echo "(no memory bound: $HDS needs more address space)"; }

# expect CMD FILE_TEXT EXPECTED [args]: exit 2, one line on stderr containing EXPECTED, no output file.
expect() {
  local cmd=$1 text=$2 want=$3
  shift 3
  printf '%s' "$text" > "$T/x.yaml"
  set +e
  (eval "$limit"; timeout 60 "$HDS" "$cmd" "$T/x.yaml" -o "$T/out.h5" "$@") > "$T/stdout" 2> "$T/stderr"
  local rc=$?
  set -e
  [[ $rc -eq 2 ]] || fail "expected exit 2, got $rc for: $text $* ($(cat "$T/stderr"))"
  [[ $(wc -l < "$T/stderr") -eq 1 ]] || fail "expected one line on stderr, got: $(cat "$T/stderr")"
  grep -qF -- "$want" "$T/stderr" || fail "expected '$want' in: $(cat "$T/stderr")"
  [[ ! -e "$T/out.h5" ]] || fail "an output was written for: $text"
}

run=$'name: t\ninputs: {dataset: rand, dim: 20}\ntargets: {dataset: rand, dim: 10}\n'
expect run "${run}repetitions: 4294967297"$'\n' "$T/x.yaml:4: key 'repetitions' must be in 1..100000, got 4294967297"
expect run "${run}patterns: 4294967306"$'\n' "$T/x.yaml:4: key 'patterns' must be in 1..100000000, got 4294967306"
expect run "${run}protocol: multi_epoch"$'\n'"epochs: 4294967297"$'\n' "key 'epochs' must be in 1..1000000, got 4294967297"
expect run "$run" "--set repetitions=4294967297: key 'repetitions' must be in 1..100000, got 4294967297" \
  --set repetitions=4294967297
expect run "$run" "--set inputs.dim=4294967297: key 'inputs.dim' must be in 1..1000000, got 4294967297" \
  --set inputs.dim=4294967297
expect run "${run}diverged_error: -5"$'\n' "$T/x.yaml:4: key 'diverged_error' must be >= 1"
expect run "${run}patterns: 1000000"$'\n'"store: [error_matrix]"$'\n' "$T/x.yaml: this run would need "
grep -qF "GiB of memory of this machine" "$T/stderr" || fail "no memory size: $(cat "$T/stderr")"

sweep=$'name: s\nbase:\n  inputs: {dataset: rand, dim: 20}\n  targets: {dataset: rand, dim: 10}\n  patterns: 30\n'
expect sweep "${sweep}  repetitions: 2"$'\n'"tune:"$'\n'"  eta: {linspace: [0.1, 1, 50000]}"$'\n'"  weight_decay: {linspace: [0, 0.5, 50000]}"$'\n' \
  "the grid has 2500000000 points (eta 50000 x weight_decay 50000), more than the limit of 1000000"
expect sweep "${sweep}tune:"$'\n'"  eta: {logspace: [1.0e-4, 1, 100000000000]}"$'\n' \
  "$T/x.yaml:7: tuned axis 'eta': count must be in 1..1000000, got 100000000000"
expect sweep "${sweep}  protocol: multi_epoch"$'\n'"tune:"$'\n'"  epochs: [1, 3000000000]"$'\n' \
  "tuned axis 'epochs': values must be whole numbers in 1..1000000, got 3000000000"
expect sweep "${sweep}tune:"$'\n'"  weight_decay: {linspace: [0, .nan, 3]}"$'\n' \
  "$T/x.yaml: tuned axis 'weight_decay' value nan in cell 'all': key 'weight_decay' must be in [0, 1), got nan"
expect sweep "${sweep}tune:"$'\n'"  activation.alpha: [0, 1]"$'\n' \
  "tuned axis 'activation.alpha': cell 'all' uses sigmoid, which has no parameter alpha"
expect sweep "${sweep}  activation: scaled_tanh"$'\n'"tune:"$'\n'"  activation.alpha: [1, 0]"$'\n' \
  "tuned axis 'activation.alpha' value 0 in cell 'all': key 'activation.alpha' must be > 0 for scaled_tanh, got 0"
expect sweep "${sweep}  output: results/mine.h5"$'\n' \
  "$T/x.yaml:6: key 'base.output': a sweep writes one file; put 'output: results/mine.h5' at the top level"
expect sweep "${sweep}tune:"$'\n'"  eta: [0.1]"$'\n'"  eta: [0.2]"$'\n' "$T/x.yaml:8: duplicate key 'eta' (first on line 7)"
expect sweep "${sweep}  repetitions: 100000"$'\n'"tune:"$'\n'"  eta: {linspace: [0.1, 1, 1000]}"$'\n'"  weight_decay: {linspace: [0, 0.5, 1000]}"$'\n' \
  "$T/x.yaml: this sweep would need "

# A sweep's stored winner config reruns as the same experiment: alpha 0 is written, not dropped.
printf '%s' "${sweep}  repetitions: 2"$'\n'"  activation: leaky_rectifier"$'\n'"tune:"$'\n'"  activation.alpha: [0]"$'\n' > "$T/ok.yaml"
"$HDS" sweep "$T/ok.yaml" -o "$T/ok.h5" --quiet > /dev/null
"$PYTHON" - "$T/ok.h5" "$T/winner.yaml" <<'PY'
import sys, h5py
cfg = h5py.File(sys.argv[1], "r")["cells/c0000/config"][()]
open(sys.argv[2], "wb").write(cfg if isinstance(cfg, bytes) else cfg.encode())
PY
grep -qE "name: leaky_rectifier, alpha: 0[},]" "$T/winner.yaml" || fail "alpha 0 not in the winner: $(cat "$T/winner.yaml")"
echo "OK"
