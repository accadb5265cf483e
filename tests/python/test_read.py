"""hds.open on every kind of result file, layout 2 and layout 1: identity, config, provenance, winners,
evaluated points and to_xarray() against what h5py reads from the same file."""
import shutil

import h5py
import numpy as np
import pytest
import xarray as xr
import yaml

import hds

KINDS = ["assoc", "sweep", "net", "netsweep", "auto", "autosweep", "study1", "study2"]


def scale_names(ds):
    return [d[0].attrs["axis"].decode() if isinstance(d[0].attrs["axis"], bytes) else d[0].attrs["axis"]
            for d in ds.dims]


def datasets(f):
    out = []
    f.visititems(lambda n, o: out.append(n) if isinstance(o, h5py.Dataset) and o.attrs.get("CLASS") is None else None)
    return out


@pytest.mark.parametrize("kind", KINDS)
def test_every_dataset_is_described_and_has_named_axes(files, kind):
    with h5py.File(files[kind], "r") as f:
        assert f.attrs["layout_version"] == 2
        names = datasets(f)
        assert names
        for n in names:
            ds = f[n]
            assert ds.attrs.get("description"), f"{kind}: {n} has no description"
            assert all(len(d) == 1 for d in ds.dims), f"{kind}: {n} lacks a dimension scale"
            for axis, d in enumerate(ds.dims):
                assert d[0].shape == (ds.shape[axis],)
                assert np.array_equal(d[0][:], np.arange(ds.shape[axis])), f"{kind}: {n} axis {axis}"
            assert not any(s.endswith("_dim0") for s in scale_names(ds)), f"{kind}: {n} not in the layout table"


@pytest.mark.parametrize("kind", KINDS)
def test_open_gives_kind_config_and_provenance(files, kind):
    r = hds.open(files[kind])
    with h5py.File(files[kind], "r") as f:
        assert r.kind == f.attrs["kind"]
        assert r.config == yaml.safe_load(f["config"].asstr()[()])
        p = r.provenance
        assert p["git_commit"] == f.attrs["git_commit"] and p["layout_version"] == 2
        assert [d["path"] for d in p["data_files"]] == list(f["provenance/data_files"].asstr()[:])
        assert [d["bytes"] for d in p["data_files"]] == list(f["provenance/data_bytes"][:])
    assert r.experiment_kind == {"assoc": "association", "sweep": "association", "net": "network",
                                 "netsweep": "network", "auto": "autoassociation", "autosweep": "autoassociation",
                                 "study1": "", "study2": ""}[kind]


@pytest.mark.parametrize("kind", ["assoc", "net", "auto", "study1", "study2"])
def test_to_xarray_of_runs_and_studies_equals_h5py(files, kind):
    x = hds.open(files[kind]).to_xarray()
    with h5py.File(files[kind], "r") as f:
        for n in datasets(f):
            ds = f[n]
            if ds.ndim == 0:
                continue
            v = x[n]
            assert list(v.dims) == scale_names(ds), n
            want = ds.asstr()[()] if ds.dtype.kind == "O" else ds[()]
            assert np.array_equal(v.values, want), n
            assert v.attrs["description"] == ds.attrs["description"]


def sweep_cell(f, **values):
    """The index of the sweep cell with these (text) values, found from /summary/<key>."""
    match = [c for c in range(f["summary/label"].shape[0])
             if all(f[f"summary/{k}"].asstr()[c] == str(v) for k, v in values.items())]
    assert len(match) == 1
    return match[0]


def test_sweep_to_xarray_has_cell_and_tuned_dimensions(files):
    x = hds.open(files["sweep"]).to_xarray()
    assert x["last_n_error"].dims == ("rule", "patterns", "eta", "repetition")
    assert list(x["rule"].values) == ["hd", "gd"] and list(x["patterns"].values) == [10, 15]
    with h5py.File(files["sweep"], "r") as f:
        eta = f["grid/eta"][:]
        assert np.array_equal(x["eta"].values, eta)
        for rule in ("hd", "gd"):
            for patterns in (10, 15):
                c = sweep_cell(f, rule=rule, patterns=patterns)
                g = f[f"cells/c{c:04d}"]
                for i, e in enumerate(eta):
                    got = x["last_n_error"].sel(rule=rule, patterns=patterns, eta=e).values
                    assert np.array_equal(got, g["last_n_error"][i])
                assert np.array_equal(x["diverged"].sel(rule=rule, patterns=patterns).values, g["diverged"][:] == 1)
                assert x["winner_eta"].sel(rule=rule, patterns=patterns) == f["summary/winner_eta"][c]
                # The winner's curves: [repetition, position], NaN beyond the cell's own patterns.
                curve = x["winner_forgetting_curve"].sel(rule=rule, patterns=patterns).values
                assert np.array_equal(curve[:, :patterns], g["forgetting_curve"][:])
                assert np.isnan(curve[:, patterns:]).all()


@pytest.mark.parametrize("kind", ["netsweep", "autosweep"])
def test_sweeps_of_other_kinds_to_xarray(files, kind):
    r = hds.open(files[kind])
    x = r.to_xarray()
    axis = r.tuned_axes[0]
    assert x[r.score].dims == (r.cell_keys[0], axis, "repetition")
    with h5py.File(files[kind], "r") as f:
        for c, value in enumerate(f[f"summary/{r.cell_keys[0]}"].asstr()[:]):
            assert np.array_equal(x[r.score].sel({r.cell_keys[0]: value}).values, f[f"cells/c{c:04d}/{r.score}"][:])


@pytest.mark.parametrize("kind", ["sweep", "netsweep", "autosweep"])
def test_winners_are_the_best_mean_of_the_score_table(files, kind):
    r = hds.open(files[kind])
    w = r.winners()
    with h5py.File(files[kind], "r") as f:
        for c in range(len(w)):
            means = f[f"cells/c{c:04d}/{r.score}"][:].mean(axis=1)
            best = int(np.argmin(means) if r.lower_is_better else np.argmax(means))  # ties: the lowest index
            assert w["winner_index"][c] == best
            assert w[r.tuned_axes[0]][c] == f[f"grid/{r.tuned_axes[0]}"][best]
            assert w[f"{r.summary_score}_mean"][c] == pytest.approx(means[best], rel=1e-12, abs=1e-15)
            # A plain grid on one tuned axis: the winner is on a bound exactly when it is an end of the grid.
            if len(r.tuned_axes) == 1:
                assert bool(w["on_bound"][c]) == (best in (0, len(means) - 1))


def test_evaluated_from_the_grid_and_from_adaptive_records(files, tmp_path):
    r = hds.open(files["sweep"])
    e = r.evaluated()
    G, R = r.score_table(0).shape
    assert len(e) == len(r.cell_names) * G * R and set(e["round"]) == {0}
    row = e[(e.cell == 1) & (e.point == 2) & (e.repetition == 1)]
    assert row["last_n_error"].item() == r.score_table(1)[2, 1]
    # What the adaptive sweeper adds (evaluated points beyond the grid, bound flags) is used when present.
    p = tmp_path / "adaptive.h5"
    shutil.copy(files["sweep"], p)
    with h5py.File(p, "a") as f:
        # The sweeper writes the initial grid as the evaluated points of a plain sweep (checked above);
        # replace them by a made-up adaptive record.
        for name in ("summary/winner_on_bound", "summary/winner_evaluated_index"):
            if name in f:
                del f[name]
        for c in range(4):
            if "evaluated" in f[f"cells/c{c:04d}"]:
                del f[f"cells/c{c:04d}/evaluated"]
            g = f[f"cells/c{c:04d}"].create_group("evaluated")
            g["eta"] = np.array([0.01, 0.1, 1.0, 3.0])
            g["last_n_error"] = np.arange(8.0).reshape(4, 2) + c
            g["diverged"] = np.zeros((4, 2), dtype=np.uint8)
            g["round"] = np.array([0, 0, 0, 1])
        f["summary/winner_on_bound"] = np.array([1, 0, 0, 1], dtype=np.uint8)
        f["summary/winner_evaluated_index"] = np.array([3, 2, 2, 3])
    a = hds.open(p)
    w = a.winners()
    assert list(w["on_bound"]) == [True, False, False, True]
    assert list(w["winner_evaluated_index"]) == [3, 2, 2, 3]
    e = a.evaluated()
    assert len(e) == 4 * 4 * 2 and sorted(set(e["eta"])) == [0.01, 0.1, 1.0, 3.0]
    assert e[(e.cell == 2) & (e.point == 3) & (e.repetition == 0)]["last_n_error"].item() == 6.0 + 2
    assert list(e[(e.cell == 0) & (e.repetition == 0)]["round"]) == [0, 0, 0, 1]


def test_xarray_open_dataset_reads_groups_of_our_files(files):
    """netCDF-4 readers see our dimension scales as dimensions: whole groups open with h5netcdf."""
    with h5py.File(files["sweep"], "r") as f:
        with xr.open_dataset(files["sweep"], engine="h5netcdf", group="cells/c0001") as x:
            assert x["last_n_error"].dims == ("grid_point", "repetition")
            assert np.array_equal(x["last_n_error"].values, f["cells/c0001/last_n_error"][:])
            assert x["forgetting_curve"].dims == ("repetition", "position")
            assert x["last_n_error"].attrs["description"] == f["cells/c0001/last_n_error"].attrs["description"]
        with xr.open_dataset(files["sweep"], engine="h5netcdf", group="summary") as x:
            assert np.array_equal(x["winner_eta"].values, f["summary/winner_eta"][:])
            assert list(x["label"].values) == list(f["summary/label"].asstr()[:])
    with h5py.File(files["assoc"], "r") as f, xr.open_dataset(files["assoc"], engine="h5netcdf") as x:
        assert x["error_matrix"].dims == ("repetition", "step", "position")
        assert np.array_equal(x["forgetting_curve"].values, f["forgetting_curve"][:])
        assert x["config"].values[()] == f["config"].asstr()[()]
    with h5py.File(files["auto"], "r") as f, xr.open_dataset(files["auto"], engine="h5netcdf", group="metrics") as x:
        assert x["angles"].dims == ("repetition", "epoch", "principal_angle") and x["angles"].attrs["units"] == "rad"
        assert np.array_equal(x["train_mse"].values, f["metrics/train_mse"][:])


def make_old(path, to):
    """A layout-1 copy: no dimension scales, descriptions, units or typed cell values."""
    shutil.copy(path, to)
    with h5py.File(to, "a") as f:
        names, scales = [], []
        f.visititems(lambda n, o: (scales if o.attrs.get("CLASS") is not None else names).append(n)
                     if isinstance(o, h5py.Dataset) else None)
        for n in names:
            ds = f[n]
            for axis, d in enumerate(ds.dims):
                for s in list(d.values()):
                    ds.dims[axis].detach_scale(s)
            for a in ("description", "units"):
                if a in ds.attrs:
                    del ds.attrs[a]
            if n.startswith("summary/value_"):
                del f[n]
        for s in scales:
            del f[s]
        f.attrs["layout_version"] = np.int64(1)


@pytest.mark.parametrize("kind", KINDS)
def test_old_layout_files_read_alike(files, kind, tmp_path):
    old = tmp_path / f"{kind}_v1.h5"
    make_old(files[kind], old)
    with h5py.File(old, "r") as f:
        assert f.attrs["layout_version"] == 1 and not any("description" in f[n].attrs for n in datasets(f))
    a, b = hds.open(files[kind]), hds.open(old)
    assert b.layout_version == 1 and a.config == b.config
    xa, xb = a.to_xarray(), b.to_xarray()
    assert set(xa.data_vars) == set(xb.data_vars)
    for v in xa.data_vars:
        assert xa[v].dims == xb[v].dims, v
        assert np.array_equal(xa[v].values, xb[v].values, equal_nan=xa[v].dtype.kind == "f"), v
    if a.kind == "sweep":
        assert a.winners().equals(b.winners())


def test_refusals_are_one_line(files, tmp_path):
    newer = tmp_path / "newer.h5"
    shutil.copy(files["assoc"], newer)
    with h5py.File(newer, "a") as f:
        f.attrs["layout_version"] = np.int64(3)
    with pytest.raises(hds.Error, match=r"newer\.h5: layout_version 3 is newer than this reader reads \(2\)"):
        hds.open(newer)
    foreign = tmp_path / "foreign.h5"
    with h5py.File(foreign, "w") as f:
        f["x"] = 1
    with pytest.raises(hds.Error, match=r'foreign\.h5: not an hds result file \(no root attribute format="hds-result"\)'):
        hds.open(foreign)
    text = tmp_path / "text.h5"
    text.write_text("not hdf5")
    with pytest.raises(hds.Error, match=r"text\.h5: not a readable HDF5 file"):
        hds.open(text)
    with pytest.raises(hds.Error, match=r"winners\(\) needs a sweep file; this one is a study"):
        hds.open(files["study1"]).winners()
    with pytest.raises(hds.Error, match=r"no cell 9 \(cells 0 to 3\)"):
        hds.open(files["sweep"]).score_table(9)
