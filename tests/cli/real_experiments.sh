#!/usr/bin/env bash
# Every real-data experiment file runs (with 2 repetitions) and writes its result file, whose
# descriptions name the data used: on the fixtures (tests/fixtures/data) always, and on the full data
# sets ($HDS_DATA_DIR) when they are there.
set -euo pipefail
: "${HDS:?path to the hds binary}" "${SRC:?source folder}" "${PYTHON:?}" "${HDS_FIXTURE_DIR:?fixture data folder}"
fail() { echo "FAIL: $*" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
check() {  # DATA_DIR KIND
  for x in rand_to_adult adult_to_rand mnist_to_connect randn_to_connect connect_to_cifar cifar_to_connect \
           adult_to_mnist; do
    # Only DATA_DIR on the search path, so that full files cannot stand in for the fixtures.
    HDS_DATA_DIR="$1" HOME="$TMP/home" "$HDS" run "$SRC/experiments/$x.yaml" -o "$TMP/$2_$x.h5" \
      --set repetitions=2 >"$TMP/$x.out" 2>&1 || fail "$2 $x: hds run exited non-zero: $(cat "$TMP/$x.out")"
    [[ -s $TMP/$2_$x.h5 ]] || fail "$2 $x: no result file"
    "$PYTHON" - "$TMP/$2_$x.h5" "$2" "$1" <<'PY' || fail "$2 $x: result file"
import sys, h5py, numpy as np
f = h5py.File(sys.argv[1], "r")
text = f.attrs["inputs"] + " " + f.attrs["targets"]
assert ("TEST FIXTURE" in text) == (sys.argv[2] == "fixture"), text
err = f["last_n_error"][:]
assert err.shape == (2,) and np.all(np.isfinite(err)) and np.all((err >= 0) & (err <= 1)), err
assert not f["diverged"][:].any()
paths = [p.decode() if isinstance(p, bytes) else p for p in f["provenance/data_files"][:]]
assert paths and all(p.startswith(sys.argv[3] + "/") for p in paths), paths
PY
  done
  echo "$2 checks: ran on $1"
}
check "$HDS_FIXTURE_DIR" fixture
if [[ -n ${HDS_DATA_DIR:-} && -d $HDS_DATA_DIR ]]; then
  check "$HDS_DATA_DIR" full
  echo "full-data checks: ran on $HDS_DATA_DIR"
else
  echo "full-data checks: not run, no data set directory found (HDS_DATA_DIR='${HDS_DATA_DIR:-}')"
fi
echo "OK"
