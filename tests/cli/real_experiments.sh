#!/usr/bin/env bash
# Every real-data experiment file runs (with 2 repetitions) and writes its result file.
set -euo pipefail
: "${HDS:?path to the hds binary}" "${SRC:?source folder}" "${HDS_DATA_DIR:?shared data folder}"
fail() { echo "FAIL: $*" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
for x in rand_to_adult adult_to_rand mnist_to_connect randn_to_connect connect_to_cifar cifar_to_connect \
         adult_to_mnist; do
  "$HDS" run "$SRC/experiments/$x.yaml" -o "$TMP/$x.h5" --set repetitions=2 >"$TMP/$x.out" 2>&1 ||
    fail "$x: hds run exited non-zero: $(cat "$TMP/$x.out")"
  [[ -s $TMP/$x.h5 ]] || fail "$x: no result file $TMP/$x.h5"
done
echo "OK"
