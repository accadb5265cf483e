#!/usr/bin/env bash
# `hds sweep` under mpirun (docs/cluster.md). With an MPI build: -np 2 and -np 3 --oversubscribe give
# the same bytes of data as one process (an association sweep and a network sweep on the fixture),
# whatever the threads; a rank killed with kill -9 is reported with its host and runs, and the same
# command then resumes to the same file; the plain progress line appears when stderr is a file;
# provenance lists the ranks; an adaptive sweep (extend, refine 2; a whole cell per job) gives the same
# data under -np 2 and -np 3 x 2 threads, and resumes to the same file after a rank is killed with
# kill -9 or interrupted (SIGINT to rank 1 alone) while it computes one; an output directory only
# rank 0 sees is fine; bad launches are refused in one line with no result left behind.
# Without MPI (hds --version says "mpi: no"): a launch as several ranks is refused in one line.
set -euo pipefail
: "${HDS:?}" "${SRC:?}" "${PYTHON:?}" "${HDS_FIXTURE_DIR:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
T=$(mktemp -d)
trap 'kill -9 $(jobs -p) 2>/dev/null || true; rm -rf "$T"' EXIT
export HOME="$T/home"
same_data() { "$PYTHON" "$SRC/tests/cli/same_h5_data.py" "$@" > /dev/null; }
# hds: lines only (mpirun adds its own banners around a failed job).
hds_lines() { grep -c '^hds: ' "$1" || true; }

cat > "$T/s.yaml" <<'YAML'
name: mpi_test
base:
  inputs: {dataset: rand, dim: 60}
  targets: {dataset: rand, dim: 40}
  patterns: 80
  repetitions: 4
  last_n: 20
  store: [error_matrix]
cells:
  rule: [hd, gd, hebb]
  activation: [sigmoid, step]
  centering: [none, running]
tune:
  eta: {logspace: [0.001, 1, 7]}
YAML

# ---- the progress line of one process, when stderr is not a terminal ----------------------------------
# Ten times the repetitions, so that the sweep outlasts a few intervals however fast the engines get.
HDS_PROGRESS_SECONDS=0.05 "$HDS" sweep "$T/s.yaml" -o "$T/progress.h5" --threads 1 --set repetitions=40 > "$T/one.out" \
  2> "$T/one.err"
grep -Eq '^hds: sweep progress: runs [0-9]+/3360 \([0-9.]+%\), [0-9.e+]+ runs/s, ETA ' "$T/one.err" ||
  fail "no plain progress line from one process: $(cat "$T/one.err")"
"$HDS" sweep "$T/s.yaml" -o "$T/one.h5" --threads 1 --quiet > /dev/null
set +e; HDS_PROGRESS_SECONDS=soon "$HDS" sweep "$T/s.yaml" -o "$T/bad.h5" 2> "$T/err"; rc=$?; set -e
[[ $rc -eq 2 ]] && grep -q "HDS_PROGRESS_SECONDS must be a number of seconds > 0" "$T/err" || fail "bad interval: $(cat "$T/err")"
"$HDS" sweep "$T/s.yaml" -o "$T/quiet.h5" --quiet 2> "$T/quiet.err" > /dev/null
[[ -s $T/quiet.err ]] && fail "--quiet printed: $(cat "$T/quiet.err")"
"$PYTHON" - "$T/one.h5" <<'PY'
import sys, h5py
p = h5py.File(sys.argv[1], "r")["provenance"].attrs
assert p["ranks"] == 1 and len(p["rank_hosts"]) == 1 and list(p["rank_threads"]) == [1], dict(p)
PY

if "$HDS" --version | grep -q '^mpi: no'; then
  # Started as several ranks by a launcher, but built without MPI: rank 0 says so in one line and exits
  # 2; the others say it too, after a pause (so that under mpirun only rank 0's line is seen, while a
  # rank 0 of another, MPI, build does not wait for them for ever); nothing is written.
  for env in "OMPI_COMM_WORLD_SIZE=2 OMPI_COMM_WORLD_RANK=0" "PMI_SIZE=4 PMI_RANK=0"; do
    set +e; env $env "$HDS" sweep "$T/s.yaml" -o "$T/no.h5" > "$T/out" 2> "$T/err"; rc=$?; set -e
    [[ $rc -eq 2 && $(wc -l < "$T/err") -eq 1 ]] || fail "$env: exit $rc: $(cat "$T/err")"
    grep -q "but this hds was built without MPI: install OpenMPI (libopenmpi-dev openmpi-bin" "$T/err" ||
      fail "unclear refusal: $(cat "$T/err")"
    if [[ -e $T/no.h5 || -e $T/no.h5.journal ]]; then fail "$env: something was written"; fi
  done
  set +e; env OMPI_COMM_WORLD_SIZE=2 OMPI_COMM_WORLD_RANK=1 "$HDS" sweep "$T/s.yaml" -o "$T/no.h5" 2> "$T/err"; rc=$?; set -e
  [[ $rc -eq 2 ]] && grep -q "^hds: error: rank 1: started as one of 2 MPI ranks" "$T/err" ||
    fail "rank 1 of a non-MPI build: exit $rc: $(cat "$T/err")"
  if [[ -e $T/no.h5 || -e $T/no.h5.journal ]]; then fail "rank 1 of a non-MPI build wrote something"; fi
  echo "OK (built without MPI: the refusal checked; build with libopenmpi-dev for the MPI checks)"
  exit 0
fi

command -v mpirun > /dev/null || fail "hds was built with MPI, but mpirun is missing: install openmpi-bin"
MPIRUN=(mpirun --oversubscribe)
# Open MPI refuses root unless told; CI containers run as root.
if [[ $(id -u) -eq 0 ]]; then export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1; fi
# AddressSanitizer builds: what Open MPI's own libraries keep until exit is not ours to free
# (tests/lsan_openmpi.supp names them); those libraries have no frame pointers, so the slow unwinder
# is needed for LeakSanitizer to see which library allocated.
export LSAN_OPTIONS="suppressions=$SRC/tests/lsan_openmpi.supp${LSAN_OPTIONS:+:$LSAN_OPTIONS}"
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}fast_unwind_on_malloc=0"

# ---- same bytes as one process, for any number of ranks and threads ----------------------------------
"${MPIRUN[@]}" -np 2 "$HDS" sweep "$T/s.yaml" -o "$T/np2.h5" --threads 1 > "$T/np2.out" 2> "$T/np2.err" ||
  fail "mpirun -np 2: $(cat "$T/np2.err")"
same_data "$T/one.h5" "$T/np2.h5" || fail "-np 2 differs from one process"
grep -q "on 2 ranks (2 threads, 1 host); [0-9]* MPI messages" "$T/np2.out" || fail "no MPI summary: $(cat "$T/np2.out")"
grep -q "rule=gd activation=step centering=running" "$T/np2.out" || fail "no table: $(cat "$T/np2.out")"
[[ -e $T/np2.h5.journal ]] && fail "the journal was left after -np 2"
HDS_PROGRESS_SECONDS=0.05 "${MPIRUN[@]}" -np 3 "$HDS" sweep "$T/s.yaml" -o "$T/np3.h5" --threads 2 > /dev/null \
  2> "$T/np3.err" || fail "mpirun -np 3: $(cat "$T/np3.err")"
same_data "$T/one.h5" "$T/np3.h5" || fail "-np 3 x 2 threads differs from one process"
grep -Eq '^hds: sweep progress: runs [0-9]+/336 ' "$T/np3.err" || fail "no progress line under mpirun: $(cat "$T/np3.err")"
"$PYTHON" - "$T/np3.h5" <<'PY'
import sys, h5py
p = h5py.File(sys.argv[1], "r")["provenance"].attrs
assert p["ranks"] == 3 and len(p["rank_hosts"]) == 3 and list(p["rank_threads"]) == [2, 2, 2], dict(p)
PY
"${MPIRUN[@]}" -np 2 "$HDS" sweep "$T/s.yaml" -o "$T/np3.h5" | grep -q "already complete" || fail "recomputed a finished sweep"

# A network sweep (another kind, no code of its own for MPI) on the MNIST fixture.
cat > "$T/net.yaml" <<'YAML'
name: mpi_net_test
base:
  kind: network
  data: {dataset: mnist, validation: 100}
  layers: [784, 10]
  batch_size: 10
  epochs: 2
  repetitions: 2
cells:
  output_rule: [hd, gd]
  output_activation: [sigmoid, softmax]
tune:
  lr: {logspace: [0.01, 1, 3]}
YAML
export HDS_DATA_DIR="$HDS_FIXTURE_DIR"
"$HDS" sweep "$T/net.yaml" -o "$T/net1.h5" --threads 2 --quiet > /dev/null
"${MPIRUN[@]}" -np 3 "$HDS" sweep "$T/net.yaml" -o "$T/net3.h5" --threads 1 --quiet > /dev/null 2> "$T/err" ||
  fail "network sweep under mpirun: $(cat "$T/err")"
same_data "$T/net1.h5" "$T/net3.h5" || fail "the network sweep under -np 3 differs from one process"

# ---- kill -9 of one rank in the middle, then the same command again -----------------------------------
cat > "$T/long.yaml" <<'YAML'
name: mpi_kill_test
base:
  inputs: {dataset: rand, dim: 100}
  targets: {dataset: rand, dim: 60}
  patterns: 120
  repetitions: 4
cells:
  rule: [hd, gd, hebb, cov, oja, instar]
  activation: [sigmoid, linear, step]
  centering: [none, dataset, running]
tune:
  eta: {logspace: [0.001, 1, 6]}
YAML
"$HDS" sweep "$T/long.yaml" -o "$T/long1.h5" --threads 2 --quiet > /dev/null
"${MPIRUN[@]}" -np 3 "$HDS" sweep "$T/long.yaml" -o "$T/killed.h5" --threads 1 --quiet > "$T/kill.out" 2> "$T/kill.err" &
mpirun_pid=$!
for _ in $(seq 1 6000); do
  [[ -f $T/killed.h5.journal ]] && (( $(grep -c CELL "$T/killed.h5.journal" || true) >= 3 )) && break
  sleep 0.01
done
victim=""
for pid in $(pgrep -f -- "sweep $T/long.yaml -o $T/killed.h5" || true); do
  [[ $pid == "$mpirun_pid" ]] && continue
  tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=1" && victim=$pid
done
[[ -n $victim ]] || fail "rank 1 not found (or the sweep ended before it could be killed)"
kill -9 "$victim"
set +e; wait "$mpirun_pid"; rc=$?; set -e
[[ $rc -ne 0 ]] || fail "mpirun succeeded although a rank was killed"
[[ -e $T/killed.h5 ]] && fail "a result file exists after a rank was killed"
# Rank 0 says what each rank held as the job goes down when the launcher lets it (Open MPI may kill it
# first); the next run says it in any case, from OUTPUT.journal.held.
held="rank 1 \(host [^,]+, 1 thread\) held (cell [0-9]+ '[^']+' grid points [0-9]+-[0-9]+ \([0-9]+ runs\)|the winner's detail)"
if grep -q "^hds: stopping the sweep" "$T/kill.err"; then
  grep -q "^hds: stopping the sweep: finished cells are kept in $T/killed.h5.journal (run the same command again" \
    "$T/kill.err" || fail "rank 0 did not say what was kept: $(cat "$T/kill.err")"
fi
"${MPIRUN[@]}" -np 3 "$HDS" sweep "$T/long.yaml" -o "$T/killed.h5" --threads 1 --quiet > "$T/resume.out" 2> "$T/err" ||
  fail "resume under mpirun: $(cat "$T/err")"
grep -q "resumed from the journal" "$T/resume.out" || fail "did not resume: $(cat "$T/resume.out")"
grep -Eq "^hds: note: the last run of this sweep stopped with work handed out \(a rank died, or the job was stopped\): .*$held" \
  "$T/err" || fail "the killed rank's host and runs were not reported: $(cat "$T/kill.err" "$T/err")"
[[ -e $T/killed.h5.journal.held ]] && fail "the note of handed-out work was left behind"
same_data "$T/long1.h5" "$T/killed.h5" || fail "the resumed sweep differs from one process"

# ---- adaptive tuning: a whole cell per job, the same bytes as one process -----------------------------
# Linear units diverge on the whole initial grid, so extension walks down; refinement adds finer points.
cat > "$T/a.yaml" <<'YAML'
name: mpi_adaptive_test
base:
  inputs: {dataset: rand, dim: 60}
  targets: {dataset: rand, dim: 40}
  patterns: 60
  repetitions: 4
  last_n: 10
cells:
  rule: [hd, gd]
  activation: [sigmoid, linear]
tune:
  eta: {logspace: [10, 1000, 3], extend: true, extend_to: [1.0e-5, 1000], refine: 2}
YAML
"$HDS" sweep "$T/a.yaml" -o "$T/a1.h5" --threads 1 --quiet > /dev/null
"$PYTHON" - "$T/a1.h5" <<'PY'
import sys, h5py
f = h5py.File(sys.argv[1], "r")
rounds = [int(f[f"cells/c{c:04d}/evaluated/round"][:].max()) for c in range(4)]
assert min(rounds) >= 1, f"a cell without adaptive rounds: the test would not test them ({rounds})"
PY
"${MPIRUN[@]}" -np 2 "$HDS" sweep "$T/a.yaml" -o "$T/a2.h5" --threads 1 > "$T/a2.out" 2> "$T/err" ||
  fail "adaptive sweep under mpirun -np 2: $(cat "$T/err")"
same_data "$T/a1.h5" "$T/a2.h5" || fail "the adaptive sweep under -np 2 differs from one process"
# Rank 1 computed cells (its runs, adaptive rounds included, are counted in the summary).
grep -Eq "\(adaptive\), [0-9]+ runs in .* on 2 ranks .* B per run computed by ranks 1-1\)" "$T/a2.out" ||
  fail "rank 1 computed no adaptive cell: $(cat "$T/a2.out")"
"${MPIRUN[@]}" -np 3 "$HDS" sweep "$T/a.yaml" -o "$T/a3.h5" --threads 2 --quiet > /dev/null 2> "$T/err" ||
  fail "adaptive sweep under mpirun -np 3: $(cat "$T/err")"
same_data "$T/a1.h5" "$T/a3.h5" || fail "the adaptive sweep under -np 3 x 2 threads differs from one process"

# kill -9 of rank 1 while it computes an adaptive cell, then the same command again.
cat > "$T/along.yaml" <<'YAML'
name: mpi_adaptive_kill_test
base:
  inputs: {dataset: rand, dim: 100}
  targets: {dataset: rand, dim: 60}
  patterns: 120
  repetitions: 4
cells:
  rule: [hd, gd, hebb, cov, oja, instar]
  activation: [sigmoid, linear, step]
tune:
  eta: {logspace: [10, 1000, 3], extend: true, extend_to: [1.0e-4, 1000], refine: 1}
YAML
"$HDS" sweep "$T/along.yaml" -o "$T/along1.h5" --threads 2 --quiet > /dev/null
"${MPIRUN[@]}" -np 3 "$HDS" sweep "$T/along.yaml" -o "$T/akilled.h5" --threads 1 --quiet > /dev/null 2> "$T/kill.err" &
mpirun_pid=$!
for _ in $(seq 1 6000); do
  [[ -f $T/akilled.h5.journal ]] && (( $(grep -c CELL "$T/akilled.h5.journal" || true) >= 3 )) && break
  sleep 0.01
done
victim=""
for pid in $(pgrep -f -- "sweep $T/along.yaml -o $T/akilled.h5" || true); do
  [[ $pid == "$mpirun_pid" ]] && continue
  tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=1" && victim=$pid
done
[[ -n $victim ]] || fail "adaptive: rank 1 not found (or the sweep ended before it could be killed)"
kill -9 "$victim"
set +e; wait "$mpirun_pid"; rc=$?; set -e
[[ $rc -ne 0 ]] || fail "adaptive: mpirun succeeded although a rank was killed"
[[ -e $T/akilled.h5 ]] && fail "adaptive: a result file exists after a rank was killed"
"${MPIRUN[@]}" -np 2 "$HDS" sweep "$T/along.yaml" -o "$T/akilled.h5" --threads 2 --quiet > "$T/resume.out" 2> "$T/err" ||
  fail "adaptive resume under mpirun: $(cat "$T/err")"
grep -q "resumed from the journal" "$T/resume.out" || fail "adaptive: did not resume: $(cat "$T/resume.out")"
grep -Eq "^hds: note: the last run of this sweep stopped with work handed out .*rank 1 \(host [^,]+, 1 thread\) held cell [0-9]+ '[^']+' \(its initial grid and adaptive rounds, 12-[0-9]+ runs\)" \
  "$T/err" || fail "adaptive: the killed rank's cell was not reported: $(cat "$T/kill.err" "$T/err")"
[[ -e $T/akilled.h5.journal.held ]] && fail "adaptive: the note of handed-out work was left behind"
same_data "$T/along1.h5" "$T/akilled.h5" || fail "the resumed adaptive sweep differs from one process"

# Ctrl-C on rank 1 (SIGINT to it alone) while it computes an adaptive cell: rank 0 says so and what
# each rank held, mpirun fails, the journal keeps the finished cells and the same command resumes.
"${MPIRUN[@]}" -np 3 "$HDS" sweep "$T/along.yaml" -o "$T/aint.h5" --threads 1 --quiet > /dev/null 2> "$T/int.err" &
mpirun_pid=$!
for _ in $(seq 1 6000); do
  [[ -f $T/aint.h5.journal ]] && (( $(grep -c CELL "$T/aint.h5.journal" || true) >= 3 )) && break
  sleep 0.01
done
victim=""
for pid in $(pgrep -f -- "sweep $T/along.yaml -o $T/aint.h5" || true); do
  [[ $pid == "$mpirun_pid" ]] && continue
  tr '\0' '\n' < "/proc/$pid/environ" 2>/dev/null | grep -qx "OMPI_COMM_WORLD_RANK=1" && victim=$pid
done
[[ -n $victim ]] || fail "adaptive: rank 1 not found for the interruption"
kill -INT "$victim"
set +e; wait "$mpirun_pid"; rc=$?; set -e
[[ $rc -ne 0 ]] || fail "adaptive: mpirun succeeded although rank 1 was interrupted"
grep -q "^hds: rank 1 (host [^)]*) was interrupted" "$T/int.err" || fail "adaptive: no interruption: $(cat "$T/int.err")"
grep -Eq "^hds: stopping the sweep: finished cells are kept in $T/aint.h5.journal .*held cell [0-9]+ '[^']+' \(its initial grid and adaptive rounds" \
  "$T/int.err" || fail "adaptive: what was held was not said: $(cat "$T/int.err")"
# One adaptive cell per rank at a time (the next goes to whichever rank is free first).
grep -q "^hds: stopping the sweep: .*, then cell" "$T/int.err" && fail "adaptive: a rank held two cells: $(cat "$T/int.err")"
[[ -e $T/aint.h5 ]] && fail "adaptive: a result file exists after an interruption"
"${MPIRUN[@]}" -np 3 "$HDS" sweep "$T/along.yaml" -o "$T/aint.h5" --threads 1 --quiet > "$T/resume.out" 2> /dev/null ||
  fail "adaptive: resume after the interruption failed"
grep -q "resumed from the journal" "$T/resume.out" || fail "adaptive: did not resume: $(cat "$T/resume.out")"
same_data "$T/along1.h5" "$T/aint.h5" || fail "the adaptive sweep resumed after an interruption differs from one process"

# ---- an output only rank 0 can see: the other ranks never open it --------------------------------------
mkdir -p "$T/node0" "$T/node1"
"${MPIRUN[@]}" -np 1 --wdir "$T/node0" "$HDS" sweep "$T/s.yaml" -o out/r.h5 --quiet : \
  -np 1 --wdir "$T/node1" "$HDS" sweep "$T/s.yaml" -o out/r.h5 --quiet > /dev/null 2> "$T/err" ||
  fail "output seen by rank 0 only: $(cat "$T/err")"
same_data "$T/one.h5" "$T/node0/out/r.h5" || fail "output seen by rank 0 only: the data differ"
[[ -z $(ls -A "$T/node1") ]] || fail "rank 1 wrote into its own directory: $(ls -R "$T/node1")"

# ---- bad launches: one hds line, exit code not 0, nothing written -------------------------------------
refused() {  # refused WHAT EXPECTED -- mpirun arguments
  local what=$1 expected=$2; shift 3
  set +e; "${MPIRUN[@]}" "$@" > "$T/out" 2> "$T/err"; local rc=$?; set -e
  [[ $rc -ne 0 ]] || fail "$what: mpirun exited 0"
  [[ $(hds_lines "$T/err") -eq 1 ]] || fail "$what: not one hds line: $(cat "$T/err")"
  grep -qF -- "$expected" "$T/err" || fail "$what: expected '$expected' in: $(cat "$T/err")"
  [[ -e $T/bad.h5 ]] && fail "$what: a result was written"
  return 0
}
# A journal another definition wrote.
printf 'HDSJOURNAL3 %064d\n' 7 > "$T/bad.h5.journal"
refused "another journal" "bad.h5.journal: was made by a different sweep definition" -- \
  -np 2 "$HDS" sweep "$T/s.yaml" -o "$T/bad.h5" --quiet
rm -f "$T/bad.h5.journal"
# A rank that reads another definition, or cannot read the sweep file at all.
refused "another definition" "rank 1 (host " -- -np 1 "$HDS" sweep "$T/s.yaml" -o "$T/bad.h5" --quiet : \
  -np 1 "$HDS" sweep "$T/s.yaml" -o "$T/bad.h5" --quiet --set repetitions=3
grep -q "reads another sweep definition (sha256 .*): every rank must see the same sweep file" "$T/err" ||
  fail "unclear: $(cat "$T/err")"
refused "a missing file" "rank 1 (host " -- -np 1 "$HDS" sweep "$T/s.yaml" -o "$T/bad.h5" --quiet : \
  -np 1 "$HDS" sweep "$T/missing.yaml" -o "$T/bad.h5" --quiet
grep -q "missing.yaml" "$T/err" || fail "unclear: $(cat "$T/err")"
[[ -e $T/bad.h5.journal ]] && fail "a journal was left behind"
# An error in the sweep file: rank 0 says it once.
printf 'name: b\nbase:\n  inputs: rand\n  targets: rand\ncells:\n  rulez: [hd]\n' > "$T/typo.yaml"
refused "a bad file" "unknown axis 'rulez'" -- -np 3 "$HDS" sweep "$T/typo.yaml" -o "$T/bad.h5"
echo "OK"
