#!/usr/bin/env bash
# Reading hds's own result files back from the command line: `hds inspect --cell` of any length, `init:
# from` on a foreign, future or short-bias file, and `hds plot` / tools/plot.py on damaged and
# wrong-kind files each give one line (exit 2), never a traceback or a crash.
set -euo pipefail
: "${HDS:?}" "${SRC:?}" "${PYTHON:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

cat > "$T/base.yaml" <<'YAML'
name: base
inputs: {dataset: rand, dim: 8}
targets: {dataset: rand, dim: 5}
patterns: 10
repetitions: 2
last_n: 5
store: [weights]
YAML
"$HDS" run "$T/base.yaml" -o "$T/run.h5" > /dev/null
"$PYTHON" "$SRC/tests/cli/make_sweep_file.py" "$T/sweep.h5" > /dev/null

# expect CMD... : exit 2, exactly one line on stderr, containing $MSG; nothing on stdout.
expect() {
  set +e; "$@" > "$T/out" 2> "$T/err"; local rc=$?; set -e
  [ "$rc" = 2 ] || fail "$*: exit $rc, expected 2: $(cat "$T/err")"
  [ "$(wc -l < "$T/err")" = 1 ] || fail "$*: not one line: $(cat "$T/err")"
  grep -qF -- "$MSG" "$T/err" || fail "$*: expected '$MSG', got: $(cat "$T/err")"
  [ ! -s "$T/out" ] || fail "$*: printed before refusing: $(cat "$T/out")"
}

MSG="sweep.h5: --cell 99999999999999999999999: the sweep has cells 0 to 11" \
  expect "$HDS" inspect "$T/sweep.h5" --cell 99999999999999999999999

# init: from on files that are not what it needs.
from() {  # file [repetition]
  printf 'name: from\ninputs: {dataset: rand, dim: 8}\ntargets: {dataset: rand, dim: 5}\npatterns: 10\nrepetitions: 2\nlast_n: 5\ninit: {name: from, file: %s, repetition: %s}\n' \
    "$1" "${2:--1}" > "$T/from.yaml"
  rm -f "$T/out.h5"
  "$HDS" run "$T/from.yaml" -o "$T/out.h5"
}
"$PYTHON" - "$T" <<'PY'
import shutil, sys, h5py, numpy as np
t = sys.argv[1]
def variant(name, change):
    shutil.copy(f"{t}/run.h5", f"{t}/{name}.h5")
    with h5py.File(f"{t}/{name}.h5", "a") as f:
        change(f)
def short_b(f):
    del f["weights/b"]
    f["weights/b"] = np.zeros((2, 1))
variant("short_b", short_b)
variant("v999", lambda f: f.attrs.__setitem__("layout_version", 999))
variant("foreign", lambda f: f.attrs.__setitem__("format", "other"))
variant("array_version", lambda f: f.attrs.__setitem__("layout_version", np.ones(100)))
variant("banana", lambda f: f.attrs.__setitem__("kind", "banana"))
data = bytearray(open(f"{t}/sweep.h5", "rb").read())
open(f"{t}/truncated.h5", "wb").write(data[: len(data) // 2])
PY
MSG="short_b.h5: /weights/b has shape [2, 1], but /weights/W needs [2, 5]" expect from "$T/short_b.h5"
MSG="v999.h5: layout_version 999 is newer than this hds reads (2)" expect from "$T/v999.h5"
MSG="foreign.h5: not an hds result file" expect from "$T/foreign.h5"
MSG="sweep.h5: is a sweep file; init: from needs a run file" expect from "$T/sweep.h5"
MSG="run.h5: has 2 repetitions (0 to 1), repetition 7 was asked for" expect from "$T/run.h5" 7
MSG="array_version.h5: attribute /@layout_version is float64 [100], expected a single number" \
  expect "$HDS" inspect "$T/array_version.h5"
from "$T/run.h5" 1 > /dev/null || fail "a valid init: from was refused"

# plot.py on its own: one line for a wrong kind, an array-valued version, a truncated file.
MSG="banana.h5: kind 'banana' is not run, sweep or study" expect "$PYTHON" "$SRC/tools/plot.py" "$T/banana.h5" --out "$T/figs"
MSG="array_version.h5: layout_version an array of shape (100,) is not one this reader reads" \
  expect "$PYTHON" "$SRC/tools/plot.py" "$T/array_version.h5" --out "$T/figs"
MSG="truncated.h5: not a readable HDF5 file" expect "$PYTHON" "$SRC/tools/plot.py" "$T/truncated.h5" --out "$T/figs"
"$PYTHON" - "$T" <<'PY'
import h5py, sys
with h5py.File(f"{sys.argv[1]}/sweep.h5", "a") as f:
    del f["summary/last_n_sd"]
PY
MSG="sweep.h5: cannot be plotted, a dataset or attribute is missing, damaged or of the wrong shape" \
  expect "$PYTHON" "$SRC/tools/plot.py" "$T/sweep.h5" --out "$T/figs"
# hds plot runs inspect's checks first: the damaged file is refused by hds itself, in one line.
MSG="sweep.h5: no '/summary/last_n_sd' (the per-cell summary)" expect "$HDS" plot "$T/sweep.h5" --out "$T/figs"
MSG="array_version.h5: attribute /@layout_version is float64 [100]" expect "$HDS" plot "$T/array_version.h5" --out "$T/figs"
echo "OK"
