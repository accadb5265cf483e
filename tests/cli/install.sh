#!/usr/bin/env bash
# `cmake --install` puts bin/hds, the experiment and sweep files, the Python tools and the Python
# package under a prefix; from there `import hds` works with PYTHONPATH=PREFIX/share/hds/python, the
# installed hds runs an installed experiment and plots it, and the package reads what it wrote.
set -euo pipefail
: "${HDS:?}" "${SRC:?}" "${PYTHON:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
cmake --install "$(dirname "$HDS")" --prefix "$T/prefix" > "$T/install.log" || fail "install failed: $(cat "$T/install.log")"
P="$T/prefix"
for f in bin/hds share/hds/experiments/quickstart.yaml share/hds/sweeps/fig8a_rand_rand.yaml \
         share/hds/tools/plot.py share/hds/tools/reproduce.py share/hds/python/hds/__init__.py \
         share/hds/python/hds/result.py; do
  [ -e "$P/$f" ] || fail "not installed: $f"
done
cd "$T"
"$P/bin/hds" run "$P/share/hds/experiments/quickstart.yaml" --set repetitions=2 -o "$T/q.h5" > /dev/null
"$P/bin/hds" plot "$T/q.h5" --out "$T/figs" > "$T/plot.list"
grep -q "q_forgetting.png" "$T/plot.list" || fail "no figure: $(cat "$T/plot.list")"
PYTHONPATH="$P/share/hds/python" "$PYTHON" - "$T/q.h5" "$P" <<'PY'
import sys, h5py, numpy as np
import hds
assert hds.__file__.startswith(sys.argv[2]), hds.__file__
r = hds.open(sys.argv[1])
with h5py.File(sys.argv[1], "r") as f:
    assert np.array_equal(r.to_xarray()["forgetting_curve"].values, f["forgetting_curve"][:])
if hds.engine_available():  # installed with the compiled module: it runs, the same numbers
    again = hds.run(sys.argv[2] + "/share/hds/experiments/quickstart.yaml", repetitions=2)
    assert again.h5["forgetting_curve"][()].tobytes() == r.h5["forgetting_curve"][()].tobytes()
PY
echo OK
