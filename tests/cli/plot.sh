#!/usr/bin/env bash
# Figures: tools/plot.py (and `hds plot`) turn a run file, a hand-made sweep file (with and without a
# weight_decay axis, and --compare) and the study files into non-empty PNGs, and refuse non-hds files.
set -euo pipefail
: "${HDS:?}" "${SRC:?}" "${PYTHON:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# Every path printed is a PNG of plausible size; the expected names are among them.
check_pngs() {  # listing, expected name...
  local listing=$1; shift
  "$PYTHON" - "$listing" "$@" <<'PY'
import os, struct, sys
paths = [l.strip() for l in open(sys.argv[1]) if l.strip()]
assert paths, "no PNG path printed"
for p in paths:
    data = open(p, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", p
    w, h = struct.unpack(">II", data[16:24])
    assert len(data) > 8000 and w > 300 and h > 200, (p, len(data), w, h)
names = [os.path.basename(p) for p in paths]
for want in sys.argv[2:]:
    assert want in names, (want, names)
PY
}

"$HDS" run "$SRC/experiments/quickstart.yaml" -o "$T/run.h5" --set repetitions=2 --set 'store=[error_matrix]' > /dev/null
"$PYTHON" "$SRC/tools/plot.py" "$T/run.h5" --out "$T/figs" > "$T/run.list"
check_pngs "$T/run.list" run_forgetting.png run_error_matrix.png

"$PYTHON" "$SRC/tests/cli/make_sweep_file.py" "$T/sweep.h5" > /dev/null
"$PYTHON" "$SRC/tests/cli/make_sweep_file.py" "$T/decay.h5" --weight-decay > /dev/null
"$PYTHON" "$SRC/tools/plot.py" "$T/sweep.h5" --out "$T/figs" > "$T/sweep.list"
check_pngs "$T/sweep.list" sweep_bars.png sweep_forgetting_00.png sweep_forgetting_01.png sweep_error_matrix_c0000.png
"$PYTHON" "$SRC/tools/plot.py" "$T/decay.h5" --out "$T/figs" --compare "$T/sweep.h5" > "$T/decay.list"
check_pngs "$T/decay.list" decay_bars.png decay_weight_decay.png decay_compare.png

# hds plot runs the same script; by default the PNGs go beside the file.
"$HDS" plot "$T/sweep.h5" > "$T/hds.list"
check_pngs "$T/hds.list" sweep_bars.png
grep -qF "$T/sweep_bars.png" "$T/hds.list" || fail "not beside the file: $(cat "$T/hds.list")"

for study in study1_toy_paths study2_where_hebb_fails; do
  "$HDS" study "$SRC/experiments/$study.yaml" -o "$T/$study.h5" > /dev/null
  "$HDS" plot "$T/$study.h5" --out "$T/figs" > "$T/$study.list"
  check_pngs "$T/$study.list"
done
grep -q "study1_toy_paths_paths.png" "$T/study1_toy_paths.list" || fail "no toy path figure"
grep -q "study2_where_hebb_fails_outputs.png" "$T/study2_where_hebb_fails.list" || fail "no output figure"

# Refusals: not an hds file, a newer layout.
"$PYTHON" "$SRC/tests/cli/make_sweep_file.py" "$T/future.h5" --layout-version 3 > /dev/null
set +e
"$PYTHON" "$SRC/tools/plot.py" "$T/future.h5" --out "$T/figs" 2> "$T/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -qF "layout_version 3" "$T/err" || fail "newer layout not refused ($rc): $(cat "$T/err")"
set +e
"$HDS" plot "$SRC/README.md" 2> "$T/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -qF "not a readable HDF5 file" "$T/err" || fail "non-HDF5 not refused ($rc): $(cat "$T/err")"
echo "OK"
