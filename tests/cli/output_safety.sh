#!/usr/bin/env bash
# Results a user can lose: no result replaced without --force (run, sweep, study), stored configs
# that do not name their own file, no writing over devices, FIFOs, directories or links, a full disk
# (file size limit) giving one line and keeping the old file, stale temporaries removed, one sweep
# per output at a time, and journals that are stale or corrupted named as such and discarded by --force.
set -euo pipefail
: "${HDS:?}" "${SRC:?}" "${PYTHON:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
T=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$T"' EXIT

# expect CODE SUBSTRING CMD...: exit code CODE (2 = a user error), one line on stderr containing SUBSTRING.
expect() {
  local want_rc=$1 want=$2
  shift 2
  set +e
  "$@" > "$T/stdout" 2> "$T/stderr"
  local rc=$?
  set -e
  [[ $rc -eq $want_rc ]] || fail "exit $rc (expected $want_rc) for: $* -- $(cat "$T/stderr")"
  [[ $(wc -l < "$T/stderr") -eq 1 ]] || fail "expected one line on stderr for: $* -- got: $(cat "$T/stderr")"
  grep -qF -- "$want" "$T/stderr" || fail "expected '$want' for: $* -- got: $(cat "$T/stderr")"
}
sum() { sha256sum < "$1"; }

cat > "$T/x.yaml" <<'YAML'
name: safety_run
inputs: {dataset: rand, dim: 20}
targets: {dataset: rand, dim: 10}
patterns: 20
repetitions: 2
YAML
cat > "$T/s.yaml" <<'YAML'
name: safety_sweep
base:
  inputs: {dataset: rand, dim: 20}
  targets: {dataset: rand, dim: 10}
  patterns: 20
  repetitions: 2
cells:
  rule: [hd, gd]
tune:
  eta: [0.1, 0.3, 1.0]
YAML

# ---- 1. an existing result is replaced only with --force (run, study, sweep) --------------------
"$HDS" run "$T/x.yaml" -o "$T/r.h5" > /dev/null
before=$(sum "$T/r.h5")
expect 2 "$T/r.h5: exists; pass --force to replace it, or choose another -o" "$HDS" run "$T/x.yaml" -o "$T/r.h5" --set seed=7
[[ $(sum "$T/r.h5") == "$before" ]] || fail "hds run replaced an existing result without --force"
"$HDS" run "$T/x.yaml" -o "$T/r.h5" --set seed=7 --force > /dev/null
[[ $(sum "$T/r.h5") != "$before" ]] || fail "--force did not replace the result"

"$HDS" study "$SRC/experiments/study1_toy_paths.yaml" -o "$T/study.h5" > /dev/null
before=$(sum "$T/study.h5")
expect 2 "$T/study.h5: exists; pass --force to replace it" "$HDS" study "$SRC/experiments/study1_toy_paths.yaml" -o "$T/study.h5"
[[ $(sum "$T/study.h5") == "$before" ]] || fail "hds study replaced an existing result without --force"
"$HDS" study "$SRC/experiments/study1_toy_paths.yaml" -o "$T/study.h5" --force > /dev/null

before=$(sum "$T/r.h5")
expect 2 "$T/r.h5: exists and holds something else; pass --force to replace it" "$HDS" sweep "$T/s.yaml" -o "$T/r.h5" --quiet
[[ $(sum "$T/r.h5") == "$before" ]] || fail "hds sweep replaced a run file"
[[ -e $T/r.h5.journal ]] && fail "a refused sweep left a journal behind"

# ---- 2. stored configs never name the file that stores them ----------------------------------------
"$HDS" sweep "$T/s.yaml" -o "$T/sw.h5" --quiet > /dev/null
"$PYTHON" - "$T/sw.h5" "$T/r.h5" "$T/winner.yaml" <<'PY'
import sys, h5py, yaml
sweep, run, out = sys.argv[1:]
with h5py.File(sweep, "r") as f:
    for c in f["cells"]:
        cfg = yaml.safe_load(f[f"cells/{c}/config"].asstr()[()])
        assert cfg["output"] == f"results/safety_sweep_{c}.h5", cfg["output"]
    winner = f["cells/c0001/config"].asstr()[()]
with h5py.File(run, "r") as f:
    cfg = yaml.safe_load(f["config"].asstr()[()])
    assert cfg["output"] == run[:-3] + "_rerun.h5", cfg["output"]
open(out, "w").write(winner)
PY
# Rerunning a winner as sweeps/README.md says leaves the sweep file alone.
before=$(sum "$T/sw.h5")
(cd "$T" && "$HDS" run winner.yaml > /dev/null)
[[ -f $T/results/safety_sweep_c0001.h5 ]] || fail "the winner's rerun did not go to its own file"
[[ $(sum "$T/sw.h5") == "$before" ]] || fail "rerunning a winner changed the sweep file"

# ---- 3. never a device, FIFO, directory or symlink ---------------------------------------------------
if [[ -c /dev/full && -w /dev/full ]]; then
  expect 2 "/dev/full: is a character device, not a regular file; choose a file name with -o" "$HDS" run "$T/x.yaml" -o /dev/full
  expect 2 "/dev/full: is a character device" "$HDS" run "$T/x.yaml" -o /dev/full --force
  expect 2 "/dev/full: is a character device" "$HDS" sweep "$T/s.yaml" -o /dev/full --quiet --force
  [[ -c /dev/full ]] || fail "/dev/full is no longer a device"
fi
mkfifo "$T/fifo"
expect 2 "$T/fifo: is a FIFO, not a regular file" "$HDS" run "$T/x.yaml" -o "$T/fifo" --force
[[ -p $T/fifo ]] || fail "the FIFO was replaced"
mkdir "$T/dir.h5"
expect 2 "$T/dir.h5: is a directory, not a regular file" "$HDS" run "$T/x.yaml" -o "$T/dir.h5" --force
expect 2 "$T/dir.h5: is a directory" "$HDS" study "$SRC/experiments/study1_toy_paths.yaml" -o "$T/dir.h5" --force
ln -s "$T/r.h5" "$T/link.h5"
before=$(sum "$T/r.h5")
expect 2 "$T/link.h5: is a symbolic link; hds does not write through links" "$HDS" run "$T/x.yaml" -o "$T/link.h5" --force
expect 2 "$T/link.h5: is a symbolic link" "$HDS" sweep "$T/s.yaml" -o "$T/link.h5" --quiet --force
[[ -L $T/link.h5 && $(sum "$T/r.h5") == "$before" ]] || fail "the link or its target was changed"
ln -s "$T/nowhere.h5" "$T/dangling.h5"
expect 2 "$T/dangling.h5: is a symbolic link" "$HDS" run "$T/x.yaml" -o "$T/dangling.h5"
[[ -e $T/nowhere.h5 ]] && fail "wrote through a dangling link"
# The sweep journal itself is not written through a link either.
ln -s "$T/victim" "$T/js.h5.journal"
echo keep > "$T/victim"
expect 2 "$T/js.h5.journal: is a symbolic link" "$HDS" sweep "$T/s.yaml" -o "$T/js.h5" --quiet
[[ $(cat "$T/victim") == keep ]] || fail "wrote through the journal's link"

# ---- 4. a full disk: one line, exit 2 (no crash in HDF5's close), the old file kept ------------------
cat > "$T/big.yaml" <<'YAML'
name: big
inputs: {dataset: rand, dim: 200}
targets: {dataset: rand, dim: 100}
patterns: 100
repetitions: 4
store: [weights, patterns]
YAML
"$HDS" run "$T/x.yaml" -o "$T/full.h5" > /dev/null
before=$(sum "$T/full.h5")
# A 100 KiB file size limit with SIGXFSZ ignored: writes beyond it fail with EFBIG, as on a full disk.
limited() { (ulimit -f 100; trap '' XFSZ; exec "$@"); }
expect 2 "$T/full.h5: writing the result failed (File too large); nothing was replaced" limited "$HDS" run "$T/big.yaml" -o "$T/full.h5" --force
[[ $(sum "$T/full.h5") == "$before" ]] || fail "a failed write changed the old result"
ls "$T" | grep -q 'full\.h5\.tmp\.' && fail "a failed write left its temporary file"
# The sweep: its journal (about 1 KiB) fits under 8 KiB, its result (about 20 KiB) does not.
expect 2 "$T/sfull.h5: writing the result failed (File too large)" bash -c "ulimit -f 8; trap '' XFSZ; exec \"\$0\" sweep \"\$1\" -o \"\$2\" --quiet" "$HDS" "$T/s.yaml" "$T/sfull.h5"
[[ -f $T/sfull.h5.journal && ! -e $T/sfull.h5 ]] || fail "a failed sweep write lost its journal or left a result"
"$HDS" sweep "$T/s.yaml" -o "$T/sfull.h5" --quiet | grep -q "2 cells resumed from the journal" || fail "no resume after a full disk"
"$PYTHON" "$SRC/tests/cli/same_h5_data.py" "$T/sw.h5" "$T/sfull.h5" || fail "the resumed sweep differs"

# ---- 5. stale temporaries of killed writers are removed (ours only, dead processes only) -------------
sh -c 'exit 0' & dead=$!; wait $dead
while kill -0 "$dead" 2>/dev/null; do dead=$((dead + 1)); done
echo stale > "$T/tmpd.h5.tmp.$dead"
echo live > "$T/tmpd.h5.tmp.$$"
echo other > "$T/tmpd.h5.tmp.notapid"
"$HDS" run "$T/x.yaml" -o "$T/tmpd.h5" > /dev/null 2> "$T/stderr"
[[ -e $T/tmpd.h5.tmp.$dead ]] && fail "a stale temporary file was kept"
grep -qF "hds: note: removed $T/tmpd.h5.tmp.$dead, left by an hds process ($dead) that was killed while writing" "$T/stderr" ||
  fail "no note about the removed temporary: $(cat "$T/stderr")"
[[ -f $T/tmpd.h5.tmp.$$ && -f $T/tmpd.h5.tmp.notapid ]] || fail "removed a temporary of a live process, or not ours"

# ---- 6. one sweep per output at a time --------------------------------------------------------------
cat > "$T/long.yaml" <<'YAML'
name: long
base:
  inputs: {dataset: rand, dim: 100}
  targets: {dataset: rand, dim: 60}
  patterns: 300
  repetitions: 6
  engine: direct
cells:
  rule: [hd, gd]
  activation: [sigmoid, linear, step]
  centering: [none, dataset, running]
tune:
  eta: {logspace: [0.001, 1, 5]}
YAML
"$HDS" sweep "$T/long.yaml" -o "$T/long.h5" --threads 1 --quiet > /dev/null 2>&1 &
pid=$!
for _ in $(seq 1 3000); do
  [[ -f $T/long.h5.journal ]] && (( $(grep -c CELL "$T/long.h5.journal" || true) >= 1 )) && break
  sleep 0.01
done
kill -0 $pid 2>/dev/null || fail "the first sweep finished too early: make it longer"
expect 2 "$T/long.h5.journal: another hds sweep (process $pid) is writing this output now; wait for it to finish" \
  "$HDS" sweep "$T/long.yaml" -o "$T/long.h5" --quiet
expect 2 "another hds sweep (process $pid)" "$HDS" sweep "$T/long.yaml" -o "$T/long.h5" --quiet --force
kill -9 $pid 2>/dev/null || fail "the first sweep finished while the second was refused: make it longer"
wait $pid 2>/dev/null || true
cp "$T/long.h5.journal" "$T/real.journal"

# ---- 7. stale and corrupted journals: named precisely; --force discards them -------------------------
hlen=77  # "HDSJOURNAL3 " + 64 hex digits + newline
# A journal of another definition.
{ printf 'HDSJOURNAL3 %064d\n' 0; tail -c +$((hlen + 1)) "$T/real.journal"; } > "$T/stale.h5.journal"
expect 2 "$T/stale.h5.journal: was made by a different sweep definition (journal 000000000000, this sweep" \
  "$HDS" sweep "$T/s.yaml" -o "$T/stale.h5" --quiet
grep -qF "pass --force to discard the journal and start the sweep over" "$T/stderr" || fail "no --force hint: $(cat "$T/stderr")"
"$HDS" sweep "$T/s.yaml" -o "$T/stale.h5" --quiet --force > "$T/stdout"
grep -q "resumed" "$T/stdout" && fail "--force resumed a stale journal"
[[ -f $T/stale.h5 && ! -e $T/stale.h5.journal ]] || fail "--force did not start over"
"$PYTHON" "$SRC/tests/cli/same_h5_data.py" "$T/sw.h5" "$T/stale.h5" || fail "the forced sweep differs"
# An unreadable header.
echo "garbage that is not a journal" > "$T/junk.h5.journal"
expect 2 "$T/junk.h5.journal: header unreadable (not an hds sweep journal, or damaged); pass --force to discard" \
  "$HDS" sweep "$T/s.yaml" -o "$T/junk.h5" --quiet
"$HDS" sweep "$T/s.yaml" -o "$T/junk.h5" --quiet --force > /dev/null || fail "--force did not get past a garbage journal"
# A byte changed inside the first record of a real journal: its checksum no longer matches.
cp "$T/real.journal" "$T/flip.h5.journal"
printf '\xff' | dd of="$T/flip.h5.journal" bs=1 seek=$((hlen + 40)) conv=notrunc status=none
expect 2 "$T/flip.h5.journal: record 0 at byte $hlen is corrupted: checksum mismatch; pass --force to discard" \
  "$HDS" sweep "$T/long.yaml" -o "$T/flip.h5" --quiet
# A record marker destroyed.
cp "$T/real.journal" "$T/mark.h5.journal"
printf 'XXXX' | dd of="$T/mark.h5.journal" bs=1 seek=$hlen conv=notrunc status=none
expect 2 "$T/mark.h5.journal: record 0 at byte $hlen is corrupted: no record marker" \
  "$HDS" sweep "$T/long.yaml" -o "$T/mark.h5" --quiet
echo "OK"
