#!/usr/bin/env bash
# The README's first command: install what is missing, build (Release), run the quickstart experiment.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DHDS_BENCH=OFF > build.log 2>&1 || { cat build.log; exit 1; }
cmake --build build -j"$(nproc)" --target hds >> build.log 2>&1 || { tail -50 build.log; exit 1; }
# The Python package (docs/python.md): the reader always, the engine when pybind11 was found.
if cmake --build build --target help | grep -qw hds_python; then python_target=hds_python; else python_target=hds_python_package; fi
cmake --build build -j"$(nproc)" --target "$python_target" >> build.log 2>&1 || { tail -50 build.log; exit 1; }
echo "Python: PYTHONPATH=$PWD/build/python /usr/bin/python3 -c 'import hds'   (docs/python.md)"
# --force: the quickstart replaces its own earlier result, so the command can be run again.
./build/hds run experiments/quickstart.yaml --force
