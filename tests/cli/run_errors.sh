#!/usr/bin/env bash
# Bad input to `hds run`: exit code 2, one line naming the file, line and key; earlier results intact.
set -euo pipefail
: "${HDS:?}" "${SRC:?}" "${PYTHON:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# expect_error CONFIG_TEXT EXPECTED_SUBSTRING [extra args]
expect_error() {
  local text=$1 want=$2
  shift 2
  printf '%s' "$text" > "$T/x.yaml"
  set +e
  "$HDS" run "$T/x.yaml" -o "$T/out.h5" "$@" > "$T/stdout" 2> "$T/stderr"
  local rc=$?
  set -e
  [[ $rc -eq 2 ]] || fail "expected exit 2, got $rc for: $text"
  [[ $(wc -l < "$T/stderr") -eq 1 ]] || fail "expected one line on stderr, got: $(cat "$T/stderr")"
  grep -qF -- "$want" "$T/stderr" || fail "expected '$want' in: $(cat "$T/stderr")"
}

base=$'name: t\ninputs: {dataset: rand, dim: 20}\ntargets: {dataset: rand, dim: 10}\npatterns: 30\nrepetitions: 2\n'
expect_error "${base}lr: 0.1"$'\n' "$T/x.yaml:6: unknown key 'lr' (did you mean 'eta'?)"
expect_error "${base}eta: -0.1"$'\n' "$T/x.yaml:6: key 'eta' (learning rate) must be > 0, got -0.1"
expect_error "${base}eta: abc"$'\n' "$T/x.yaml:6: key 'eta': expected a finite number, got 'abc'"
expect_error "$base" "--set lr=1: unknown key 'lr' (did you mean 'eta'?)" --set lr=1

# A missing user data file, and a user file with fewer rows than 'patterns'.
expect_error $'name: t\ninputs: {dataset: npy, file: '"$T"$'/nope.npy}\ntargets: rand\npatterns: 10\n' "nope.npy"
"$PYTHON" -c "import numpy as np; np.save('$T/small.npy', np.random.default_rng(0).random((50, 8)))"
expect_error $'name: t\ninputs: {dataset: npy, file: '"$T"$'/small.npy}\ntargets: rand\npatterns: 100\n' "small.npy"
grep -qF "50" "$T/stderr" || fail "the shape message should give the file's 50 rows: $(cat "$T/stderr")"

# A missing experiment file.
set +e; "$HDS" run "$T/none.yaml" 2> "$T/stderr"; rc=$?; set -e
[[ $rc -eq 2 ]] && grep -qF "$T/none.yaml: cannot open the file" "$T/stderr" || fail "missing file: $(cat "$T/stderr")"

# An existing result is never overwritten by a failing run, nor half-written.
printf '%s' "$base" > "$T/good.yaml"
"$HDS" run "$T/good.yaml" -o "$T/keep.h5" > /dev/null
sum_before=$(sha256sum < "$T/keep.h5")
printf '%s' "${base}eta: -1"$'\n' > "$T/bad.yaml"
"$HDS" run "$T/bad.yaml" -o "$T/keep.h5" > /dev/null 2>&1 && fail "bad run succeeded"
[[ $(sha256sum < "$T/keep.h5") == "$sum_before" ]] || fail "a failing run changed the existing result"
# A result into a directory that cannot be created fails cleanly, leaving no temporary file.
touch "$T/blocker"
"$HDS" run "$T/good.yaml" -o "$T/blocker/sub/x.h5" > /dev/null 2> "$T/stderr" && fail "wrote below a file"
grep -qF "cannot create the directory" "$T/stderr" || fail "unclear message: $(cat "$T/stderr")"
ls "$T" | grep -q '\.tmp\.' && fail "a temporary file was left behind"
echo "OK"
