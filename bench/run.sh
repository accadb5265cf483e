#!/usr/bin/env bash
# Builds hds (Release, -march=native) and runs the sweep benchmark on the direct and Gram engines and on the
# numpy and PyTorch peers, on the same workloads; prints one table (bench/report.py). About 5 minutes.
set -euo pipefail
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$SRC/build-bench}
OUT=${OUT:-$BUILD/bench-out}
REPEAT=${REPEAT:-5}
THREADS=${THREADS:-2}
PY=/usr/bin/python3
export HDS_DATA_DIR=${HDS_DATA_DIR:-$SRC/../shared/datasets}
# The machine may set these for its own reasons; they would slow numpy down, so the peers run without them.
PYENV=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)

bash "$SRC/tools/install-deps.sh" time python3-torch
cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DHDS_NATIVE=ON -DHDS_TESTS=OFF > /dev/null
cmake --build "$BUILD" --target hds_bench -j2 > /dev/null
BENCH=$BUILD/bench/hds_bench
mkdir -p "$OUT"
: > "$OUT/results.jsonl"

record() {  # record NAME WORKLOAD KIND JSON-FILE TIME-FILE
  local rss
  rss=$(awk '/Maximum resident set size/ {print $NF}' "$5")
  echo "{\"name\": \"$1\", \"workload\": \"$2\", \"kind\": \"$3\", \"maxrss_kb\": $rss, \"result\": $(tail -1 "$4")}" >> "$OUT/results.jsonl"
}
hds() {  # hds WORKLOAD ENGINE ARGS...: one engine on one workload
  local w=$1 e=$2; shift 2
  /usr/bin/time -v -o "$OUT/$w.$e.time" "$BENCH" --engine "$e" --threads "$THREADS" "$@" --out "$OUT/$w.$e.npy" > "$OUT/$w.$e.json"
  record "$w.$e" "$w" "hds-$e" "$OUT/$w.$e.json" "$OUT/$w.$e.time"
}
peer() {  # peer WORKLOAD numpy|torch ARGS...
  local w=$1 p=$2; shift 2
  "${PYENV[@]}" /usr/bin/time -v -o "$OUT/$w.$p.time" $PY "$SRC/bench/peers/${p}_peer.py" "$OUT/$w.data" \
    --repeat "$REPEAT" --out "$OUT/$w.$p.npy" "$@" > "$OUT/$w.$p.json"
  record "$w.$p" "$w" "$p" "$OUT/$w.$p.json" "$OUT/$w.$p.time"
}
workload() {  # workload NAME HDS-ARGS... -- NUMPY-ARGS -- TORCH-ARGS
  local w=$1; shift
  local hargs=() nargs=() targs=()
  while [[ $1 != -- ]]; do hargs+=("$1"); shift; done; shift
  while [[ $1 != -- ]]; do nargs+=("$1"); shift; done; shift
  targs=("$@")
  echo "== $w" >&2
  hds "$w" direct "${hargs[@]}" --repeat "$REPEAT" --dump "$OUT/$w.data"
  hds "$w" gram "${hargs[@]}" --repeat "$REPEAT"
  hds "$w" auto "${hargs[@]}" --repeat "$REPEAT"
  peer "$w" numpy "${nargs[@]}"
  if $PY -c "import torch" 2> /dev/null; then peer "$w" torch --threads "$THREADS" "${targs[@]}"; fi
}

# Online RAND(200) -> RAND(200), sigmoid, dataset centering, 6 rules x 20 eta x 10 repetitions.
workload online100 --P 100 --reps 10 -- --reps 1 -- --reps 2
# The same with 1000 patterns (4 repetitions to keep the bench short; peers on a reduced grid, scaled per run).
workload online1000 --P 1000 --reps 4 -- --reps 1 --eta-stride 4 -- --reps 1 --eta-stride 2
# Multi-epoch MNIST(784) -> CONNECT(126), 10 epochs, fixed order; RANDN -> RAND stand-ins without the files.
if "$BENCH" --inputs mnist --targets connect --P 10 --reps 1 --repeat 1 --engine direct > /dev/null 2>&1; then
  MULTI=(--inputs mnist --targets connect)
else
  MULTI=(--inputs randn --in-dim 784 --targets rand --out-dim 126)
fi
workload multi100 "${MULTI[@]}" --P 100 --protocol multi --epochs 10 --reps 4 -- --reps 1 --eta-stride 4 -- --reps 1

# Scaling: rule hd only, 20 eta x 2 repetitions, one timing each.
for P in 100 300 1000 3000; do
  for e in direct gram; do
    /usr/bin/time -v -o "$OUT/scaleP$P.$e.time" "$BENCH" --engine $e --rules hd --reps 2 --repeat 1 --P $P \
      --threads "$THREADS" > "$OUT/scaleP$P.$e.json"
    record "scaleP$P.$e" "scale_P" "hds-$e" "$OUT/scaleP$P.$e.json" "$OUT/scaleP$P.$e.time"
  done
done
for N in 50 200 800; do
  for e in direct gram; do
    /usr/bin/time -v -o "$OUT/scaleN$N.$e.time" "$BENCH" --engine $e --rules hd --reps 2 --repeat 1 --P 300 \
      --in-dim $N --threads "$THREADS" > "$OUT/scaleN$N.$e.json"
    record "scaleN$N.$e" "scale_n_in" "hds-$e" "$OUT/scaleN$N.$e.json" "$OUT/scaleN$N.$e.time"
  done
done

"${PYENV[@]}" $PY "$SRC/bench/report.py" "$OUT"
