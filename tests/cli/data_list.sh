#!/usr/bin/env bash
# `hds data list|verify` see every set as found and verified; `hds data fetch --from` imports a set
# into an empty data directory, verifies it, and refuses a damaged copy without leaving files; a full
# CIFAR batch is never "verified" on its size. Runs on the fixtures (tests/fixtures/data) always and on
# the full data sets ($HDS_DATA_DIR) when they are there.
set -euo pipefail
: "${HDS:?path to the hds binary}" "${HDS_FIXTURE_DIR:?fixture data folder}"
fail() { echo "FAIL: $*" >&2; exit 1; }
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT

check_dir() {  # DIR full|fixture
  local dir=$1 kind=$2 files a9a
  rm -rf "$TMP"/*
  if [[ $kind == full ]]; then
    files="train-images-idx3-ubyte train-labels-idx1-ubyte t10k-images-idx3-ubyte t10k-labels-idx1-ubyte
           data_batch_1_first4000.bin test_batch_first1000.bin connect-4 a9a a9a.t"
    a9a=a9a
  else
    files="train-images-idx3-ubyte_first300 train-labels-idx1-ubyte_first300 t10k-images-idx3-ubyte_first100
           t10k-labels-idx1-ubyte_first100 data_batch_1_first120.bin test_batch_first40.bin connect-4_first300
           a9a_first300 a9a.t_first100"
    a9a=a9a_first300
  fi
  list=$(HDS_DATA_DIR=$dir "$HDS" data list)
  for set in mnist cifar connect adult; do
    grep -q "^$set: " <<<"$list" || fail "$kind: data list does not show $set"
  done
  for f in $files; do
    grep -Eq "^  $f +verified +$dir/" <<<"$list" || fail "$kind: data list: $f not found+verified"
  done
  [[ $(grep -c "status: ready" <<<"$list") == 4 ]] || fail "$kind: data list: not every set is ready"
  if [[ $kind == full ]]; then
    grep -q "subset: first 4000 records of data_batch_1.bin" <<<"$list" || fail "data list: no subset note"
    grep -q "TEST FIXTURE" <<<"$list" && fail "data list shows fixture files that are not there"
  else
    [[ $(grep -c "status: ready, SUBSET ONLY" <<<"$list") == 4 ]] || fail "fixture: data list does not say SUBSET ONLY"
    grep -q "TEST FIXTURE: the first 300 records of train-images-idx3-ubyte" <<<"$list" || fail "no fixture note"
  fi

  verify=$(HDS_DATA_DIR=$dir "$HDS" data verify) || fail "$kind: data verify exited non-zero"
  grep -q "MISMATCH" <<<"$verify" && fail "$kind: data verify reports a mismatch"
  grep -q "all files found match" <<<"$verify" || fail "$kind: data verify: no success line"

  HDS_DATA_DIR="$TMP/data" "$HDS" data fetch mnist --from "$dir/mnist" >"$TMP/fetch.out"
  [[ $(ls "$TMP/data/mnist" | wc -l) == 4 ]] || fail "$kind: fetch --from did not write the 4 mnist files"
  grep -q "mnist: ready" "$TMP/fetch.out" || fail "$kind: fetch --from did not report ready"
  HDS_DATA_DIR="$TMP/data" "$HDS" data verify mnist >/dev/null || fail "$kind: verify after fetch failed"
  ls "$TMP/data/mnist" | grep -q '\.part$' && fail "$kind: fetch left a .part file"

  # A damaged copy is refused, with one error line naming the file, and nothing is kept.
  mkdir -p "$TMP/bad"
  zcat "$dir/adult/$a9a.gz" | sed '1s/^-1/+1/' >"$TMP/bad/$a9a"
  if HDS_DATA_DIR="$TMP/data" "$HDS" data fetch adult --from "$TMP/bad" 2>"$TMP/err" >/dev/null; then
    fail "$kind: fetch accepted a damaged $a9a"
  fi
  [[ $(wc -l <"$TMP/err") == 1 ]] || fail "$kind: fetch error is not one line: $(cat "$TMP/err")"
  grep -q "$a9a" "$TMP/err" || fail "$kind: fetch error does not name the file"
  [[ -z $(ls -A "$TMP/data/adult" 2>/dev/null) ]] || fail "$kind: fetch kept files of a damaged copy"

  # A full CIFAR batch of the right size: a batch without reference is UNVERIFIED in list and verify.
  mkdir -p "$TMP/cifar/cifar10"
  local first
  first=$(ls "$dir"/cifar10/test_batch_first*.bin* | head -1)
  "${PYTHON:-python3}" - "$first" "$TMP/cifar/cifar10" <<'PY'
import gzip, sys
d = open(sys.argv[1], "rb").read()
d = gzip.decompress(d) if d[:2] == b"\x1f\x8b" else d
full = (d * (30730000 // len(d) + 1))[:30730000]
open(sys.argv[2] + "/data_batch_2.bin", "wb").write(full)
b = bytearray(full); b[5000 * 3073 + 9] ^= 1  # beyond the published first 1000 records
open(sys.argv[2] + "/test_batch.bin", "wb").write(bytes(b))
b = bytearray(full); b[500 * 3073 + 9] ^= 1   # within them
open(sys.argv[2] + "/../bad_test_batch.bin", "wb").write(bytes(b))
PY
  list=$(HDS_DATA_DIR="$TMP/cifar" "$HDS" data list)
  grep -Eq "^  data_batch_2.bin +UNVERIFIED +$TMP/cifar/cifar10/data_batch_2.bin" <<<"$list" ||
    fail "$kind: a size-only CIFAR batch is not listed as UNVERIFIED: $list"
  grep -q "UNVERIFIED: no reference checksum is known for data_batch_2.bin; only its size (30730000 bytes) was checked" \
    <<<"$list" || fail "$kind: data list does not say what was checked"
  if [[ $kind == full ]]; then
    grep -Eq "^  test_batch.bin +UNVERIFIED" <<<"$list" || fail "test_batch with published first records: $list"
    printf 'name: c\ninputs: {dataset: cifar, split: test}\ntargets: rand\nrepetitions: 1\n' > "$TMP/c.yaml"
    HDS_DATA_DIR="$TMP/cifar" "$HDS" run "$TMP/c.yaml" -o "$TMP/c.h5" >"$TMP/out" 2>"$TMP/err" ||
      fail "run on an unverified batch: $(cat "$TMP/err")"
    grep -q "^hds: warning: $TMP/cifar/cifar10/test_batch.bin: first 1000 records verified (sha256 of test_batch_first1000.bin); the other 9000 are UNVERIFIED" \
      "$TMP/err" || fail "no warning line for an unverified batch: $(cat "$TMP/err")"
    grep -q "full official batches, UNVERIFIED" "$TMP/out" || fail "the run's description does not say UNVERIFIED"
    mv "$TMP/cifar/bad_test_batch.bin" "$TMP/cifar/cifar10/test_batch.bin"
    if HDS_DATA_DIR="$TMP/cifar" "$HDS" run "$TMP/c.yaml" -o "$TMP/d.h5" >/dev/null 2>"$TMP/err"; then
      fail "a test_batch.bin with a changed byte in its published records was accepted"
    fi
    grep -q "its first 1000 records have sha256" "$TMP/err" || fail "$(cat "$TMP/err")"
  else
    grep -Eq "^  test_batch.bin +MISMATCH" <<<"$list" || fail "fixture records as test_batch.bin not refused: $list"
  fi
  echo "$kind data checks: ran on $dir"
}

check_dir "$HDS_FIXTURE_DIR" fixture
if [[ -n ${HDS_DATA_DIR:-} && -d $HDS_DATA_DIR ]]; then
  check_dir "$HDS_DATA_DIR" full
  echo "full-data checks: ran on $HDS_DATA_DIR"
else
  echo "full-data checks: not run, no data set directory found (HDS_DATA_DIR='${HDS_DATA_DIR:-}')"
fi

# Without network, a download fails with one clean line.
if HDS_DATA_DIR="$TMP/net" timeout 120 "$HDS" data fetch connect >/dev/null 2>"$TMP/err"; then
  echo "note: network available, connect downloaded"
else
  [[ $(wc -l <"$TMP/err") == 1 ]] || fail "download error is not one line: $(cat "$TMP/err")"
  grep -q "^hds: error: could not download connect-4" "$TMP/err" || fail "unexpected download error: $(cat "$TMP/err")"
fi
echo "OK"
