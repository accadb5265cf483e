#!/usr/bin/env bash
# Builds hds (Release, the portable build: kernels for baseline x86-64, AVX2 and AVX-512, the best chosen at
# start) and runs the sweep benchmark on the direct, Gram and blocked engines and on the numpy and PyTorch
# peers, with the machine's double GEMM speed measured before and after; the portable build against a
# -DHDS_NATIVE=ON build (in $BUILD-native) on `hds sweep sweeps/fig8a_rand_rand.yaml`; then the network
# benchmark (MNIST 784-200-200-10, one epoch at a time) against the PyTorch peer in float64 and float32;
# prints the tables and draws the scaling plot (bench/report.py). About 15 minutes.
#
# Then the auto-association updates (batch size 1, 784 x k, k = 16, 64, 256) against numpy and PyTorch.
#
# usage: bench/run.sh [all|sweep|network|auto]    (default all)
set -euo pipefail
PART=${1:-all}
case $PART in all | sweep | network | auto) ;; *) echo "usage: $0 [all|sweep|network|auto]" >&2; exit 2 ;; esac
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=${BUILD:-$SRC/build-bench}
OUT=${OUT:-$BUILD/bench-out}
REPEAT=${REPEAT:-5}
THREADS=${THREADS:-2}
NET_EPOCHS=${NET_EPOCHS:-5}          # network: epochs of hds and torch+OpenBLAS; the table shows their median
NET_REF_EPOCHS=${NET_REF_EPOCHS:-2}  # network: epochs of torch on the reference BLAS (10-40 s each here)
PY=/usr/bin/python3
export HDS_DATA_DIR=${HDS_DATA_DIR:-$SRC/../shared/datasets}
# The machine may set these for its own reasons; they would slow numpy down, so the peers run without them.
PYENV=(env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE)

bash "$SRC/tools/install-deps.sh" time python3-torch
NATIVE=${NATIVE:-$BUILD-native}  # NATIVE=none: no native build, no portable-vs-native rows
cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DHDS_NATIVE=OFF -DHDS_TESTS=OFF > /dev/null
mkdir -p "$BUILD"
# GCC 12 warns (-Wmaybe-uninitialized) inside Eigen's AVX-512 code; the log is shown only if the build fails.
cmake --build "$BUILD" --target hds hds_bench hds_network_bench hds_auto_bench -j2 > "$BUILD/bench-build.log" 2>&1 ||
  { tail -50 "$BUILD/bench-build.log"; exit 1; }
if [[ ($PART == all || $PART == sweep) && $NATIVE != none ]]; then
  cmake -S "$SRC" -B "$NATIVE" -DCMAKE_BUILD_TYPE=Release -DHDS_NATIVE=ON -DHDS_TESTS=OFF > /dev/null
  cmake --build "$NATIVE" --target hds -j2 > "$NATIVE/bench-build.log" 2>&1 || { tail -50 "$NATIVE/bench-build.log"; exit 1; }
fi
BENCH=$BUILD/bench/hds_bench
NET_BENCH=$BUILD/bench/hds_network_bench
mkdir -p "$OUT"
: > "$OUT/results.jsonl"
: > "$OUT/auto.jsonl"

record() {  # record NAME WORKLOAD KIND JSON-FILE TIME-FILE [LOAD]: LOAD = the 1-minute load average before the run
  local rss
  rss=$(awk '/Maximum resident set size/ {print $NF}' "$5")
  echo "{\"name\": \"$1\", \"workload\": \"$2\", \"kind\": \"$3\", \"maxrss_kb\": $rss, \"load\": ${6:-null}, \"result\": $(tail -1 "$4")}" >> "$OUT/results.jsonl"
}
load1() { cut -d' ' -f1 /proc/loadavg; }
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
  hds "$w" blocked "${hargs[@]}" --repeat "$REPEAT"
  hds "$w" auto "${hargs[@]}" --repeat "$REPEAT"
  peer "$w" numpy "${nargs[@]}"
  if $PY -c "import torch" 2> /dev/null; then peer "$w" torch --threads "$THREADS" "${targs[@]}"; fi
}

gemm() {  # gemm NAME: the machine's double GEMM speed (1000 x 1000, Eigen, THREADS threads), the limit
  local load
  load=$(load1)
  /usr/bin/time -v -o "$OUT/$1.time" "$BENCH" --gemm 1000 --threads "$THREADS" --repeat 9 > "$OUT/$1.json"
  record "$1" gemm gemm "$OUT/$1.json" "$OUT/$1.time" "$load"
}
fig8a() {  # fig8a NAME HDS-BINARY: `hds sweep sweeps/fig8a_rand_rand.yaml`, REPEAT wall times
  local t=() load i s0 s1
  load=$(load1)
  for ((i = 0; i < REPEAT; i++)); do
    s0=$(date +%s.%N)
    "$2" sweep "$SRC/sweeps/fig8a_rand_rand.yaml" -o "$OUT/$1.h5" --threads "$THREADS" --quiet --force > /dev/null
    s1=$(date +%s.%N)
    t+=("$(echo "$s1 - $s0" | bc)")
  done
  printf '%s\n' "${t[@]}" | sort -g | awk -v n="$1" -v isa="$("$2" --version | sed -n 's/^isa: \([^ ]*\).*/\1/p')" \
    '{a[NR] = $1} END {printf "{\"fig8a\": \"%s\", \"isa\": \"%s\", \"median_s\": %.4f, \"min_s\": %.4f, \"repeat\": %d}\n", n, isa, a[int((NR + 1) / 2)], a[1], NR}' \
    > "$OUT/$1.json"
  echo "{\"name\": \"$1\", \"workload\": \"fig8a\", \"kind\": \"$1\", \"maxrss_kb\": 0, \"load\": $load, \"result\": $(cat "$OUT/$1.json")}" >> "$OUT/results.jsonl"
}

if [[ $PART == all || $PART == sweep ]]; then
  gemm gemm_before
  # The binary a researcher gets against one built for this processor, alternately.
  fig8a fig8a_portable "$BUILD/hds"
  if [[ $NATIVE != none ]]; then
    fig8a fig8a_native "$NATIVE/hds"
    fig8a fig8a_portable2 "$BUILD/hds"
    fig8a fig8a_native2 "$NATIVE/hds"
  fi
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
    for e in direct gram blocked; do
      /usr/bin/time -v -o "$OUT/scaleP$P.$e.time" "$BENCH" --engine $e --rules hd --reps 2 --repeat 1 --P $P \
        --threads "$THREADS" > "$OUT/scaleP$P.$e.json"
      record "scaleP$P.$e" "scale_P" "hds-$e" "$OUT/scaleP$P.$e.json" "$OUT/scaleP$P.$e.time"
    done
  done
  for N in 50 200 800; do
    for e in direct gram blocked; do
      /usr/bin/time -v -o "$OUT/scaleN$N.$e.time" "$BENCH" --engine $e --rules hd --reps 2 --repeat 1 --P 300 \
        --in-dim $N --threads "$THREADS" > "$OUT/scaleN$N.$e.json"
      record "scaleN$N.$e" "scale_n_in" "hds-$e" "$OUT/scaleN$N.$e.json" "$OUT/scaleN$N.$e.time"
    done
  done
  gemm gemm_after
fi

# Network: MNIST 784-200-200-10, batch 32, NET_EPOCHS epochs of iid training from the same initial weights on the
# same batches, each epoch timed; settings sgd (experiments/mnist_mlp.yaml) and adam (seed000_mlp.yaml).
# PyTorch runs twice per precision: with the BLAS this machine's python3-torch loads (Debian's libblas.so.3,
# the reference BLAS unless an optimised one is installed), and with OpenBLAS from Debian's
# libopenblas0-pthread, unpacked into the build directory and put first on LD_LIBRARY_PATH for that process
# only (the system's BLAS alternative is left alone). Rows whose peer cannot run are left out with a note.
openblas_dir() {  # prints the directory holding OpenBLAS's libblas.so.3, fetching the package once
  local dir=$BUILD/openblas lib=usr/lib/x86_64-linux-gnu/openblas-pthread
  if [[ ! -e $dir/$lib/libblas.so.3 ]]; then
    rm -rf "$dir" && mkdir -p "$dir"
    (cd "$dir" && apt-get download -q libopenblas0-pthread > /dev/null 2>&1 && dpkg-deb -x libopenblas0-pthread_*.deb .) ||
      { echo "network: could not fetch libopenblas0-pthread; the torch+OpenBLAS rows are left out" >&2; return 1; }
  fi
  echo "$dir/$lib"
}
net_peer() {  # net_peer SETTING WORKLOAD KIND DTYPE EPOCHS THREADS [LD_LIBRARY_PATH]
  local s=$1 w=$2 kind=$3 dtype=$4 name="$2.$3-$4" load
  load=$(load1)
  if ! "${PYENV[@]}" ${7:+LD_LIBRARY_PATH=$7} OPENBLAS_NUM_THREADS="$6" /usr/bin/time -v -o "$OUT/$name.time" \
    $PY "$SRC/bench/peers/network_torch_peer.py" "$OUT/net_$s" --dtype "$dtype" --threads "$6" --epochs "$5" \
    > "$OUT/$name.json"; then
    echo "network: $name failed (see above); row left out" >&2
    return 0
  fi
  record "$name" "$w" "$kind-$dtype" "$OUT/$name.json" "$OUT/$name.time" "$load"
}
net_hds() {  # net_hds SETTING WORKLOAD THREADS [--dump DIR]
  local s=$1 w=$2 t=$3 load
  shift 3
  load=$(load1)
  /usr/bin/time -v -o "$OUT/$w.hds.time" "$NET_BENCH" --setting "$s" --epochs "$NET_EPOCHS" --threads "$t" "$@" \
    > "$OUT/$w.hds.json"
  record "$w.hds" "$w" "hds-float64" "$OUT/$w.hds.json" "$OUT/$w.hds.time" "$load"
}
if [[ $PART == all || $PART == network ]]; then
  OPENBLAS=$(openblas_dir) || OPENBLAS=
  TORCH=true
  $PY -c "import torch" 2> /dev/null || { TORCH=false; echo "network: python3-torch is missing; no PyTorch rows" >&2; }
  for s in sgd adam; do
    echo "== network $s" >&2
    net_hds $s network_$s "$THREADS" --dump "$OUT/net_$s"
    $TORCH || continue
    for dtype in float64 float32; do
      if [[ -n $OPENBLAS ]]; then net_peer $s network_$s torch+openblas $dtype "$NET_EPOCHS" "$THREADS" "$OPENBLAS"; fi
      net_peer $s network_$s torch $dtype "$NET_REF_EPOCHS" "$THREADS"
    done
  done
  # One thread each (sgd, hds and torch+OpenBLAS): no thread waits for another, so a busy machine slows
  # every row alike; on 2 threads OpenBLAS's spinning helpers suffer most from other processes.
  if [[ $THREADS != 1 ]]; then
    echo "== network sgd, 1 thread" >&2
    net_hds sgd network_sgd_1thread 1
    if $TORCH && [[ -n $OPENBLAS ]]; then
      for dtype in float64 float32; do net_peer sgd network_sgd_1thread torch+openblas $dtype "$NET_EPOCHS" 1 "$OPENBLAS"; done
    fi
  fi
fi

# Auto-association: one online pass over AUTO_PATTERNS MNIST images (RANDN stand-ins without the files),
# hd and gd, each (rule, k) timed AUTO_REPEAT times by CPU time of the update loop; the peers (one thread,
# float64) run the same updates from the same W0 and report how far their final W lies from hds's.
AUTO_PATTERNS=${AUTO_PATTERNS:-5000}
AUTO_REPEAT=${AUTO_REPEAT:-5}
if [[ $PART == all || $PART == auto ]]; then
  echo "== auto-association updates" >&2
  AUTO_BENCH=$BUILD/bench/hds_auto_bench
  AUTO_DATA=(--data mnist)
  "$AUTO_BENCH" --patterns 10 --k 16 --rules hd --repeat 1 > /dev/null 2>&1 || AUTO_DATA=(--data randn)
  echo "{\"load\": $(load1)}" >> "$OUT/auto.jsonl"
  "$AUTO_BENCH" "${AUTO_DATA[@]}" --patterns "$AUTO_PATTERNS" --repeat "$AUTO_REPEAT" --dump "$OUT/auto" >> "$OUT/auto.jsonl"
  for p in numpy torch; do
    if [[ $p == torch ]] && ! $PY -c "import torch" 2> /dev/null; then continue; fi
    # The peers are 4-5x slower per update: 3 timings each.
    "${PYENV[@]}" $PY "$SRC/bench/peers/autoassociation_peer.py" "$OUT/auto" --peer $p --repeat 3 >> "$OUT/auto.jsonl"
  done
fi

"${PYENV[@]}" $PY "$SRC/bench/report.py" "$OUT"
