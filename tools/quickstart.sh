#!/usr/bin/env bash
# The README's first command: install what is missing, build (Release), run the quickstart experiment.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DHDS_BENCH=OFF > build.log 2>&1 || { cat build.log; exit 1; }
cmake --build build -j"$(nproc)" --target hds >> build.log 2>&1 || { tail -50 build.log; exit 1; }
# --force: the quickstart replaces its own earlier result, so the command can be run again.
./build/hds run experiments/quickstart.yaml --force
