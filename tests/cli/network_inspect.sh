#!/usr/bin/env bash
# `hds inspect` and `hds plot` of network run files (on the MNIST fixture): an iid run, a
# class-incremental stream of three tasks and a run whose every repetition diverges. The numbers of
# the text, CSV and JSON views agree with an independent h5py reading of the same file; plot writes
# the expected PNGs; damaged files (a missing /metrics dataset, a wrong shape of
# /accuracy_matrix/test, a score attribute of the wrong type, …) give one line naming the file.
set -euo pipefail
: "${HDS:?}" "${SRC:?}" "${PYTHON:?}" "${HDS_FIXTURE_DIR:?}"
fail() { echo "FAIL: $*" >&2; exit 1; }
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

net() {  # net NAME EXTRA_YAML: a small network on the fixture, written to $T/NAME.h5
  printf 'kind: network\nname: %s\ndata: {dataset: mnist, validation: 50, train_limit: 250}\nbatch_size: 10\n%s\n' \
    "$1" "$2" > "$T/$1.yaml"
  HDS_DATA_DIR="$HDS_FIXTURE_DIR" HOME="$T/home" "$HDS" run "$T/$1.yaml" -o "$T/$1.h5" > "$T/$1.out" 2>&1 \
    || { cat "$T/$1.out"; fail "run $1 failed"; }
}
net iid $'layers: [784, 16, 10]\noutput_activation: sigmoid\nepochs: 3\nrepetitions: 2'
net stream $'layers: [784, 16, 10]\noutput_activation: softmax\nprotocol: class_incremental\ntasks: [[0, 1], [2, 3], [4, 5]]\nepochs: 2\nrepetitions: 3'
net diverge $'layers: [784, 10]\noutput_activation: linear\noutput_optimizer: {name: sgd, lr: 1e30}\nepochs: 2\nrepetitions: 2'

for run in iid stream diverge; do
  for format in text csv json; do
    "$HDS" inspect "$T/$run.h5" --format "$format" > "$T/$run.$format" 2> "$T/err" \
      || fail "inspect $run --format $format: $(cat "$T/err")"
  done
done

# Every number shown against h5py's reading: means and sample sds over repetitions (NaN skipped,
# as inspect documents), the configuration from /config, the matrix R for the stream only.
"$PYTHON" - "$T" <<'PY'
import csv, json, math, sys
import h5py, numpy as np

T = sys.argv[1]
PARTS, MEASURES = ("train", "validation", "test"), ("accuracy", "mse", "cross_entropy")


def stat(v):
    """Mean and sample sd of the finite values over repetitions."""
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return math.nan, math.nan
    return v.mean(), (v.std(ddof=1) if len(v) > 1 else 0.0)


def same(shown, want, what):
    shown = math.nan if shown is None else float(shown)
    assert (math.isnan(shown) and math.isnan(want)) or abs(shown - want) <= 1e-12 * max(1, abs(want)), \
        (what, shown, want)


for run, R, E, tasks in (("iid", 2, 3, 1), ("stream", 3, 6, 3), ("diverge", 2, 2, 1)):
    f = h5py.File(f"{T}/{run}.h5", "r")
    text = open(f"{T}/{run}.text").read()
    rows = list(csv.DictReader(open(f"{T}/{run}.csv")))
    doc = json.load(open(f"{T}/{run}.json"))
    assert doc["file"] == f"{T}/{run}.h5" and doc["kind"] == "run" and doc["experiment_kind"] == "network", doc
    assert f["metrics/train_accuracy"].shape == (R, E), f["metrics/train_accuracy"].shape

    # The summary row.
    s = doc["rows"][0]
    assert len(doc["rows"]) == 1
    score = f["score"][:]
    assert s["score_mean"] == f.attrs["score_mean"] and s["score_sd"] == f.attrs["score_sd"], s
    same(s["score_mean"], score.mean(), "score mean")
    same(s["score_sd"], score.std(ddof=1), "score sd")
    m, sd = stat(f["stream/average_accuracy"][:])
    same(s["test_accuracy_mean"], m, "test accuracy")
    same(s["test_accuracy_sd"], sd, "test accuracy sd")
    assert s["n_diverged"] == f.attrs["n_diverged"] == f["diverged"][:].sum(), s
    assert s["repetitions"] == R and s["tasks"] == tasks and s["protocol"] == f.attrs["protocol"], s
    assert s["layers"] == ("784-10" if run == "diverge" else "784-16-10"), s
    assert s["output_activation"] == f.attrs["output_activation"] and s["output_rule"] == "hd", s
    assert (s["n_train"], s["n_validation"], s["n_test"]) == (250, 50, 100), s
    assert f"{f.attrs['score_mean']:.4f} ± {f.attrs['score_sd']:.4f}" in text, run
    assert f"diverged {f.attrs['n_diverged']} of {R}" in text, run
    assert "250 train, 50 validation, 100 test patterns" in text and "(network run)" in text, run
    assert "repetition_seeds" in text and "git_commit" in text, "the common header is missing"

    # The per-epoch table: CSV and JSON alike, every measure's mean and sd.
    epochs = doc["epochs"]["rows"]
    assert len(rows) == len(epochs) == E, (len(rows), len(epochs))
    for e, (row, jrow) in enumerate(zip(rows, epochs)):
        assert int(row["task"]) == jrow["task"] == f["metrics/task"][e], (e, row)
        assert int(row["epoch"]) == jrow["epoch"] == f["metrics/epoch"][e], (e, row)
        for p in PARTS:
            for q in MEASURES:
                m, sd = stat(f[f"metrics/{p}_{q}"][:, e])
                same(row[f"{p}_{q}_mean"], m, (run, e, p, q))
                same(jrow[f"{p}_{q}_mean"], m, (run, e, p, q))
                same(row[f"{p}_{q}_sd"], sd, (run, e, p, q, "sd"))
                same(jrow[f"{p}_{q}_sd"], sd, (run, e, p, q, "sd"))
        # The text row: task, epoch, the three accuracies and the three losses, four decimals.
        loss = "cross_entropy" if f.attrs["output_activation"] in ("sigmoid", "softmax") else "mse"
        cells = [stat(f[f"metrics/{p}_{q}"][:, e])[0] for q in ("accuracy", loss) for p in PARTS]
        line = " ".join([str(f["metrics/task"][e]), str(f["metrics/epoch"][e])] + [f"{c:.4f}" for c in cells])
        assert line in " ".join(text.split()), (run, e, line)

    if run == "diverge":
        assert f.attrs["n_diverged"] == R and all(j["train_mse_mean"] is None for j in epochs), epochs
        assert rows[-1]["train_mse_mean"] == "nan", rows[-1]
    if tasks == 1:
        assert "accuracy_matrix" not in doc and "accuracy matrix" not in text and "backward_transfer_mean" not in s
        continue

    # The stream: R (mean over repetitions) and its summaries.
    A = f["accuracy_matrix/test"][:]
    assert A.shape == (R, tasks, tasks)
    mat = doc["accuracy_matrix"]
    assert mat["columns"] == ["after_task"] + [f"task_{j}" for j in range(tasks)], mat["columns"]
    for i, row in enumerate(mat["rows"]):
        assert row["after_task"] == i
        for j in range(tasks):
            same(row[f"task_{j}"], A[:, i, j].mean(), ("R", i, j))
        line = " ".join([str(i)] + [f"{A[:, i, j].mean():.4f}" for j in range(tasks)])
        assert line in " ".join(text.split()), (i, line)
    for k in ("backward_transfer", "forgetting"):
        v = f[f"stream/{k}"][:]
        same(s[f"{k}_mean"], v.mean(), k)
        same(s[f"{k}_sd"], v.std(ddof=1), k)
        assert f"{k.replace('_', ' ')} {v.mean():.4f} ± {v.std(ddof=1):.4f}" in text, (k, text)
    assert "tasks [[0, 1], [2, 3], [4, 5]], 2 epochs each" in text, text
print("inspect views agree with h5py")
PY

# Figures: every printed path a PNG of plausible size; the matrix for the stream only.
check_pngs() {  # listing, expected name...
  "$PYTHON" - "$@" <<'PY'
import os, struct, sys
paths = [l.strip() for l in open(sys.argv[1]) if l.strip()]
names = sorted(os.path.basename(p) for p in paths)
assert names == sorted(sys.argv[2:]), (names, sys.argv[2:])
for p in paths:
    data = open(p, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", p
    w, h = struct.unpack(">II", data[16:24])
    assert len(data) > 8000 and w > 300 and h > 200, (p, len(data), w, h)
PY
}
"$HDS" plot "$T/iid.h5" --out "$T/figs" > "$T/iid.list"
check_pngs "$T/iid.list" iid_accuracy.png iid_loss.png
"$HDS" plot "$T/stream.h5" --out "$T/figs" > "$T/stream.list"
check_pngs "$T/stream.list" stream_accuracy.png stream_loss.png stream_accuracy_matrix.png
"$PYTHON" "$SRC/tools/plot.py" "$T/diverge.h5" --out "$T/figs" > "$T/diverge.list"
check_pngs "$T/diverge.list" diverge_accuracy.png diverge_loss.png
set +e
"$PYTHON" "$SRC/tools/plot.py" "$T/stream.h5" --compare "$T/iid.h5" --out "$T/figs" 2> "$T/err"; rc=$?
set -e
[ "$rc" = 2 ] && grep -qF "network runs are plotted one at a time" "$T/err" || fail "--compare: $rc $(cat "$T/err")"

# Damaged copies: one line naming the file from inspect (every format), hds plot and plot.py itself.
damage() {  # damage NAME SOURCE PYTHON_EDIT (f is the file opened for writing)
  cp "$T/$2.h5" "$T/$1.h5"
  "$PYTHON" -c "import h5py, numpy as np, sys
f = h5py.File(sys.argv[1], 'a')
$3" "$T/$1.h5"
}
damage no_metric iid 'del f["metrics/test_accuracy"]'
damage matrix_shape stream 'del f["accuracy_matrix/test"]; f["accuracy_matrix/test"] = np.zeros((3, 2, 3))'
damage score_text stream 'f.attrs["score_mean"] = "high"'
damage score_array iid 'f.attrs["score_sd"] = np.zeros(4)'
damage kind_number iid 'f.attrs["experiment_kind"] = np.int64(1)'
damage short_stream stream 'del f["stream/forgetting"]; f["stream/forgetting"] = np.zeros(2)'
damage config_text iid 'del f["config"]; f["config"] = "kind: network\nlayers: [784, 16, 10]\nepochs: [3\n"'
damage config_epochs iid 'c = f["config"].asstr()[()]; del f["config"]; f["config"] = c.replace("epochs: 3", "epochs: 4")'
damage task_label stream 'd = f["metrics/task"]; d[2] = 7'
damage protocol iid 'f.attrs["protocol"] = "permuted"'

one_line() {  # one_line FILE MESSAGE COMMAND...: exit 2, nothing on stdout, one line naming FILE with MESSAGE
  local file=$1 msg=$2; shift 2
  set +e; "$@" > "$T/out" 2> "$T/err"; local rc=$?; set -e
  [ "$rc" = 2 ] || fail "$*: exit $rc, expected 2: $(cat "$T/err")"
  [ "$(wc -l < "$T/err")" = 1 ] || fail "$*: not one line: $(cat "$T/err")"
  grep -qF -- "$file" "$T/err" && grep -qF -- "$msg" "$T/err" || fail "$*: expected '$file' and '$msg': $(cat "$T/err")"
  [ ! -s "$T/out" ] || fail "$*: printed something before refusing: $(cat "$T/out")"
}
refused() {  # refused NAME INSPECT_MESSAGE PLOT_PY_MESSAGE
  local file="$T/$1.h5"
  for format in text csv json; do one_line "$file: " "$2" "$HDS" inspect "$file" --format "$format"; done
  one_line "$file: " "$2" "$HDS" plot "$file" --out "$T/figs"
  one_line "$file" "$3" "$PYTHON" "$SRC/tools/plot.py" "$file" --out "$T/figs"
}
refused no_metric "no dataset '/metrics/test_accuracy' (expected shape [2, 3], repetitions × measured epochs)" \
  "no dataset 'metrics/test_accuracy'"
refused matrix_shape "'/accuracy_matrix/test' has shape [3, 2, 3], expected [3, 3, 3] (repetitions × tasks × tasks)" \
  "'accuracy_matrix/test' has shape [3, 2, 3], expected [3, 3, 3]"
refused score_text "attribute /@score_mean is string, expected a single number" \
  "root attribute 'score_mean' is not a single number"
refused score_array "attribute /@score_sd is float64 [4], expected a single number" \
  "root attribute 'score_sd' is not a single number"
refused kind_number "attribute /@experiment_kind is int64, expected a single string" \
  "the root attribute experiment_kind is not a string"
refused short_stream "'/stream/forgetting' has shape [2], expected [3]" "'stream/forgetting' has shape [2], expected [3]"
# What only the C++ reader checks (plot.py relies on hds plot running it first).
for format in text csv json; do
  one_line "$T/config_text.h5: " "'/config' is not readable YAML" "$HDS" inspect "$T/config_text.h5" --format "$format"
done
one_line "$T/config_epochs.h5: " "'/metrics/task' has shape [3], expected [4]" "$HDS" plot "$T/config_epochs.h5"
one_line "$T/task_label.h5: " "measurement 2 is labelled task 7 epoch 0, expected task 1 epoch 0" \
  "$HDS" inspect "$T/task_label.h5"
one_line "$T/protocol.h5: " "root attribute protocol is 'permuted', but /config says 'iid'" "$HDS" inspect "$T/protocol.h5"
one_line "$T/iid.h5: " "--cell is for sweep files; this one is a network run" "$HDS" inspect "$T/iid.h5" --cell 0
echo "network_inspect: all checks passed"
