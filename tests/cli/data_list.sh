#!/usr/bin/env bash
# `hds data list|verify` see every shared set as found and verified; `hds data fetch --from` imports a
# set into an empty data directory, verifies it, and refuses a damaged copy without leaving files.
set -euo pipefail
: "${HDS:?path to the hds binary}" "${HDS_DATA_DIR:?shared data folder}"
fail() { echo "FAIL: $*" >&2; exit 1; }
[[ -d $HDS_DATA_DIR ]] || fail "HDS_DATA_DIR=$HDS_DATA_DIR is not a directory"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

list=$("$HDS" data list)
for set in mnist cifar connect adult; do
  grep -q "^$set: " <<<"$list" || fail "data list does not show $set"
done
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte \
         data_batch_1_first4000.bin test_batch_first1000.bin connect-4 a9a a9a.t; do
  grep -Eq "^  $f +verified +$HDS_DATA_DIR/" <<<"$list" || fail "data list: $f not found+verified"
done
[[ $(grep -c "status: ready" <<<"$list") == 4 ]] || fail "data list: not every set is ready"
grep -q "SUBSET" <<<"$list" || fail "data list does not say that CIFAR is a subset"
grep -q "subset: first 4000 records of data_batch_1.bin" <<<"$list" || fail "data list: no subset note"

verify=$("$HDS" data verify) || fail "data verify exited non-zero"
grep -q "MISMATCH" <<<"$verify" && fail "data verify reports a mismatch"
grep -q "all files found match" <<<"$verify" || fail "data verify: no success line"

HDS_DATA_DIR="$TMP/data" "$HDS" data fetch mnist --from "$HDS_DATA_DIR/mnist" >"$TMP/fetch.out"
for f in train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte; do
  [[ -f $TMP/data/mnist/$f.gz ]] || fail "fetch --from did not write mnist/$f.gz"
done
grep -q "mnist: ready" "$TMP/fetch.out" || fail "fetch --from did not report ready"
HDS_DATA_DIR="$TMP/data" "$HDS" data verify mnist >/dev/null || fail "verify after fetch failed"
ls "$TMP/data/mnist" | grep -q '\.part$' && fail "fetch left a .part file"

# A damaged copy is refused, with one error line naming the file, and nothing is kept.
mkdir -p "$TMP/bad"
zcat "$HDS_DATA_DIR/adult/a9a.gz" | sed '1s/^-1/+1/' >"$TMP/bad/a9a"
if HDS_DATA_DIR="$TMP/data" "$HDS" data fetch adult --from "$TMP/bad" 2>"$TMP/err" >/dev/null; then
  fail "fetch accepted a damaged a9a"
fi
[[ $(wc -l <"$TMP/err") == 1 ]] || fail "fetch error is not one line: $(cat "$TMP/err")"
grep -q "a9a" "$TMP/err" || fail "fetch error does not name the file"
[[ -z $(ls -A "$TMP/data/adult" 2>/dev/null) ]] || fail "fetch kept files of a damaged copy"

# Without network, a download fails with one clean line.
if HDS_DATA_DIR="$TMP/data" timeout 120 "$HDS" data fetch connect >/dev/null 2>"$TMP/err"; then
  echo "note: network available, connect downloaded"
else
  [[ $(wc -l <"$TMP/err") == 1 ]] || fail "download error is not one line: $(cat "$TMP/err")"
  grep -q "^hds: error: could not download connect-4" "$TMP/err" || fail "unexpected download error: $(cat "$TMP/err")"
fi
echo "OK"
