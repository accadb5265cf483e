"""tools/reproduce.py draws the studies' figures in one other process while the next studies run
(reproduce.Figures): every submitted file's figures are written, the log gets each file's PNG paths and
its "plot" line in the order of submission, and a file whose figures fail stops the reproduction with
one message naming that file."""
import io
import os
import sys

import pytest

from conftest import SRC

sys.path.insert(0, os.path.join(SRC, "tools"))
import reproduce  # noqa: E402


def test_figures_are_drawn_in_the_other_process_in_order(files, tmp_path):
    figs = tmp_path / "figures"
    figs.mkdir()
    log = io.StringIO()
    f = reproduce.Figures(True)
    f.submit(log, files["sweep"], str(figs))
    f.submit(log, files["net"], str(figs))
    f.submit(log, files["sweep"], str(figs), compare=files["sweep"])
    f.wait(log)
    pngs = sorted(p.name for p in figs.iterdir())
    assert any(p.startswith("sweep_") for p in pngs) and any(p.startswith("net_") for p in pngs), pngs
    lines = log.getvalue().splitlines()
    plots = [l for l in lines if l.startswith("plot ")]
    assert [p.split(" (")[0] for p in plots] == [f"plot {files['sweep']}", f"plot {files['net']}",
                                                f"plot {files['sweep']} --compare {files['sweep']}"], plots
    # Each PNG path the plots printed exists, and was printed before its file's "plot" line.
    printed = [l for l in lines if l.endswith(".png")]
    assert printed and all(os.path.exists(p) for p in printed), printed
    first_net = next(i for i, l in enumerate(lines) if os.path.basename(l).startswith("net_"))
    assert lines.index(plots[0]) < first_net < lines.index(plots[1]), lines


def test_a_failing_figure_names_its_file(files, tmp_path):
    bad = tmp_path / "broken.h5"
    bad.write_bytes(open(files["sweep"], "rb").read()[:2000])  # truncated: no hds result any more
    log = io.StringIO()
    f = reproduce.Figures(True)
    f.submit(log, files["net"], str(tmp_path))
    f.submit(log, str(bad), str(tmp_path))
    with pytest.raises(SystemExit) as e:
        f.wait(log)
    assert str(bad) in str(e.value) and "figures" in str(e.value), e.value
    assert f"plot {files['net']}" in log.getvalue()  # what came before is kept


def test_no_figures_no_process(tmp_path):
    f = reproduce.Figures(False)
    f.submit(io.StringIO(), "/nonexistent.h5", str(tmp_path))
    f.wait(io.StringIO())  # nothing drawn, nothing failed
    assert f.pool is None and not f.jobs
