"""Reading hds result files (results/README.md): hds.open(path) -> Result.

A Result knows the file's kind (run, sweep, study) and experiment kind, gives the resolved
configuration as a dict, the provenance, the winners of a sweep as a pandas DataFrame, every evaluated
point, and the whole file as an xarray.Dataset with named dimensions. Layout 2 files name their axes
with HDF5 dimension scales; layout 1 files (written before) get the same names from the engine's table
of the layout when the compiled module is there, else generic ones (`<name>_dim<i>`).
"""
import io
import os

import h5py
import numpy as np

from .errors import Error

LAYOUT_VERSION = 2  # the newest layout this reader reads


def _text(v):
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.ndarray) and v.shape == ():
        return _text(v[()])
    return str(v)


def _plain(v):
    """An attribute as a plain Python value (str, int, float, or a list of them)."""
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.ndarray):
        return [_plain(x) for x in v.tolist()] if v.shape != () else _plain(v[()])
    if isinstance(v, np.generic):
        return v.item()
    return v


def _commas(s):
    return [x for x in _text(s).split(",") if x] if s is not None else []


def _yaml(text):
    import yaml
    return yaml.safe_load(text)


def _is_scale(ds):
    return _text(ds.attrs.get("CLASS", b"")) == "DIMENSION_SCALE"


def open(path):
    """Opens a result file of any kind (run, sweep, study; layout 1 or 2) and checks its identity."""
    return Result(path)


class Result:
    """One hds result file, opened read-only (see hds.open). Use as a context manager or call close()."""

    def __init__(self, source, image=None):
        self._image = image
        self.path = None if image is not None else os.fspath(source)
        where = self.path if self.path is not None else "<in memory>"
        try:
            self._f = h5py.File(io.BytesIO(image) if image is not None else self.path, "r")
        except (OSError, ValueError) as e:
            raise Error(f"{where}: not a readable HDF5 file ({e})") from None
        f = self._f
        self._where = where
        if _text(f.attrs.get("format", "")) != "hds-result":
            raise Error(f'{where}: not an hds result file (no root attribute format="hds-result")')
        version = np.asarray(f.attrs.get("layout_version", -1))
        if version.shape != () or version.dtype.kind not in "iuf" or version != int(version):
            shown = version if version.size < 4 else f"an array of shape {version.shape}"
            raise Error(f"{where}: layout_version {shown} is not one this reader reads (1 to {LAYOUT_VERSION})")
        if int(version) > LAYOUT_VERSION:
            raise Error(f"{where}: layout_version {int(version)} is newer than this reader reads ({LAYOUT_VERSION}); "
                        "use a newer hds")
        if int(version) < 1:
            raise Error(f"{where}: layout_version {int(version)} is not one hds ever wrote (1 to {LAYOUT_VERSION})")
        self.layout_version = int(version)
        self.kind = _text(f.attrs.get("kind", ""))
        if self.kind not in ("run", "sweep", "study"):
            raise Error(f"{where}: kind {self.kind[:40]!r} is not run, sweep or study")
        # Sweeps and runs written before experiment kinds existed are association ones.
        self.experiment_kind = _text(f.attrs.get("experiment_kind", "association" if self.kind != "study" else ""))
        self.attrs = {k: _plain(v) for k, v in f.attrs.items()}

    # ---- basics ---------------------------------------------------------------------------------
    def close(self):
        self._f.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return f"<hds.Result {self.kind}/{self.experiment_kind} {self._where}>"

    @property
    def h5(self):
        """The open h5py.File, for anything this class does not cover."""
        return self._f

    def save(self, path):
        """Writes the file's bytes to `path` (for results computed in memory by hds.run / hds.sweep)."""
        if self._image is None:
            with io.open(self.path, "rb") as src:
                data = src.read()
        else:
            data = self._image
        with io.open(path, "wb") as out:
            out.write(data)

    @property
    def config(self):
        """The fully resolved configuration (/config) as a dict."""
        return _yaml(self._f["config"].asstr()[()]) if "config" in self._f else {}

    @property
    def provenance(self):
        """Who wrote the file, when and from what: root attributes and the data files read."""
        keys = ["hds_version", "git_commit", "host", "created", "command_line", "config_file", "base_seed",
                "layout_version"]
        p = {k: self.attrs[k] for k in keys if k in self.attrs}
        g = self._f.get("provenance")
        files = []
        if g is not None and "data_files" in g:
            n = g["data_files"].shape[0]
            col = {k: (g[k].asstr()[:] if g[k].dtype.kind == "O" else g[k][:]) for k in
                   ("data_files", "data_sha256", "data_notes", "data_bytes") if k in g}
            for i in range(n):
                files.append({"path": col["data_files"][i], "sha256": col.get("data_sha256", [""] * n)[i],
                              "bytes": int(col["data_bytes"][i]) if "data_bytes" in col else None,
                              "note": col.get("data_notes", [""] * n)[i]})
        p["data_files"] = files
        if g is not None:
            p.update({k: _plain(v) for k, v in g.attrs.items() if k in ("ranks", "rank_hosts", "rank_threads")})
        return p

    # ---- dimensions -----------------------------------------------------------------------------
    def dims_of(self, name):
        """The axis names of dataset `name` (a path in the file), in its stored order."""
        ds = self._f[name]
        dims = []
        for i, d in enumerate(ds.dims):
            scales = [s for s in d.values()]
            if scales:
                s = scales[0]
                dims.append(_text(s.attrs.get("axis", s.attrs.get("NAME", os.path.basename(s.name)))))
            else:
                dims = None
                break
        if dims is not None:
            return dims
        meaning = _engine_meaning()
        if meaning is not None:
            return list(meaning(self.kind, self.experiment_kind if self.kind != "study" else "", "/" + name.lstrip("/"),
                                ds.ndim)[0])
        base = os.path.basename(name)
        return [f"{base}_dim{i}" for i in range(ds.ndim)]

    # ---- sweeps ---------------------------------------------------------------------------------
    def _need_sweep(self, what):
        if self.kind != "sweep":
            raise Error(f"{self._where}: {what} needs a sweep file; this one is a {self.kind}")

    @property
    def cell_names(self):
        """The sweep's cell groups, c0000 …, in order."""
        self._need_sweep("cell_names")
        return sorted(self._f["cells"].keys())

    @property
    def tuned_axes(self):
        return _commas(self.attrs.get("tuned_axes"))

    @property
    def cell_keys(self):
        return _commas(self.attrs.get("cell_keys"))

    @property
    def cell_axes(self):
        return _commas(self.attrs.get("cell_axes"))

    @property
    def score(self):
        """The name of a sweep cell's G x R score table (last_n_error, validation_accuracy, heldout_mse)."""
        return _text(self.attrs.get("score", "last_n_error"))

    @property
    def summary_score(self):
        return _text(self.attrs.get("summary_score", "last_n"))

    @property
    def lower_is_better(self):
        return _text(self.attrs.get("score_order", "lower_is_better")) == "lower_is_better"

    def cell_values(self, key):
        """Every cell's value of cell key `key`: numbers when they all are (typed), else the YAML text."""
        s = self._f["summary"]
        if f"value_{key}" in s:
            return s[f"value_{key}"][:]
        texts = s[key].asstr()[:]
        parsed = [_yaml(t) for t in texts]
        if all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in parsed):
            return np.asarray(parsed, dtype=float)
        return np.asarray(texts, dtype=object)

    def grid(self):
        """The tuned values of every grid point: a DataFrame with one column per tuned axis."""
        import pandas as pd
        self._need_sweep("grid()")
        return pd.DataFrame({a: self._f["grid"][a][:] for a in self.tuned_axes})

    def cells(self):
        """One row per cell: its label and its value of every cell key."""
        import pandas as pd
        self._need_sweep("cells()")
        s = self._f["summary"]
        df = pd.DataFrame({"label": s["label"].asstr()[:]})
        for k in self.cell_keys:
            if k in s:
                df[k] = self.cell_values(k)
        df.index.name = "cell"
        return df

    def winners(self):
        """One row per cell: label, cell keys, the winner's tuned values, mean and sd of the score,
        diverged repetitions, and (when the sweep recorded them) whether the winner lies on a bound of
        the tuned range and its index among the evaluated points. A run gives its one row."""
        import pandas as pd
        if self.kind == "run":
            keys = ["name", "rule", "activation", "eta", "output_rule", "output_activation", "protocol",
                    "last_n_mean", "last_n_sd", "score_mean", "score_sd", "n_diverged"]
            return pd.DataFrame([{k: self.attrs[k] for k in keys if k in self.attrs}])
        self._need_sweep("winners()")
        s = self._f["summary"]
        df = self.cells()
        for a in self.tuned_axes:
            df[a] = s[f"winner_{a}"][:]
        stem = self.summary_score
        for suffix in ("mean", "sd"):
            if f"{stem}_{suffix}" in s:
                df[f"{stem}_{suffix}"] = s[f"{stem}_{suffix}"][:]
        for k in ("n_diverged", "winner_index", "winner_evaluated_index"):
            if k in s:
                df[k] = s[k][:]
        if "winner_on_bound" in s:
            df["on_bound"] = s["winner_on_bound"][:].astype(bool)
        return df

    def score_table(self, cell):
        """Cell `cell`'s score of every grid point and repetition, [G, R] (cell: index or cNNNN)."""
        return self._f["cells"][self._cell_name(cell)][self.score][:]

    def _cell_name(self, cell):
        self._need_sweep("a cell")
        names = self.cell_names
        if isinstance(cell, (int, np.integer)):
            if not 0 <= cell < len(names):
                raise Error(f"{self._where}: no cell {cell} (cells 0 to {len(names) - 1})")
            return names[cell]
        if cell not in names:
            raise Error(f"{self._where}: no cell {cell!r}")
        return cell

    def evaluated(self):
        """Every evaluated run of every cell, one row each: cell, label, the tuned values, round (0: the
        initial grid), repetition, the score and diverged. From /cells/cNNNN/evaluated when the sweep
        tuned adaptively, else from the grid (every point evaluated in round 0)."""
        import pandas as pd
        self._need_sweep("evaluated()")
        labels = self._f["summary/label"].asstr()[:]
        frames = []
        for c, name in enumerate(self.cell_names):
            g = self._f["cells"][name]
            if "evaluated" in g:
                e = g["evaluated"]
                score, div = e[self.score][:], e["diverged"][:]
                tuned = {a: e[a][:] for a in self.tuned_axes}
                rounds = e["round"][:] if "round" in e else np.zeros(score.shape[0], dtype=np.int64)
            else:
                score, div = g[self.score][:], g["diverged"][:]
                tuned = {a: self._f["grid"][a][:] for a in self.tuned_axes}
                rounds = np.zeros(score.shape[0], dtype=np.int64)
            n, reps = score.shape
            d = {"cell": np.full(n * reps, c), "label": np.repeat(labels[c], n * reps)}
            for a, v in tuned.items():
                d[a] = np.repeat(v, reps)
            d["round"] = np.repeat(rounds, reps)
            d["point"] = np.repeat(np.arange(n), reps)
            d["repetition"] = np.tile(np.arange(reps), n)
            d[self.score] = score.reshape(-1)
            d["diverged"] = div.reshape(-1).astype(bool)
            frames.append(pd.DataFrame(d))
        return pd.concat(frames, ignore_index=True)

    # ---- xarray ---------------------------------------------------------------------------------
    def to_xarray(self):
        """The file as an xarray.Dataset with named dimensions. A sweep's cells become dimensions of
        their own (one per cell axis) when they form the product of the axes, and its grid one per
        tuned axis (e.g. last_n_error[rule, patterns, eta, repetition]); each winner's arrays gain
        the cell dimensions (padded with NaN where cells differ in length)."""
        if self.kind == "sweep":
            return self._sweep_xarray()
        return self._plain_xarray()

    def _datasets(self, group):
        out = []

        def visit(name, obj):
            if isinstance(obj, h5py.Dataset) and not _is_scale(obj):
                out.append(name)
        group.visititems(visit)
        return out

    def _plain_xarray(self):
        import xarray as xr
        ds = xr.Dataset(attrs=self._xr_attrs())
        sizes = {}
        for name in self._datasets(self._f):
            d = self._f[name]
            if d.ndim == 0:
                continue  # /config: Result.config; attrs["config"] holds the text
            dims = self._unique_dims(self.dims_of(name), d.shape, sizes)
            ds[name] = xr.Variable(dims, self._values(d), attrs=self._var_attrs(d))
        return ds

    @staticmethod
    def _unique_dims(dims, shape, sizes):
        """Dimension names made consistent: a name already used with another length gets `_<length>`."""
        out = []
        for dim, n in zip(dims, shape):
            if sizes.setdefault(dim, n) != n:
                dim = f"{dim}_{n}"
                sizes.setdefault(dim, n)
            out.append(dim)
        return out

    @staticmethod
    def _values(d):
        return d.asstr()[()] if d.dtype.kind == "O" else d[()]

    @staticmethod
    def _var_attrs(d):
        return {k: _text(d.attrs[k]) for k in ("description", "units") if k in d.attrs}

    def _xr_attrs(self):
        a = {k: (v if not isinstance(v, list) else ",".join(map(str, v))) for k, v in self.attrs.items()}
        if "config" in self._f:
            a["config"] = self._f["config"].asstr()[()]
        return a

    @staticmethod
    def _product(columns):
        """The distinct values of each column in order of appearance, when the rows are exactly their
        C-order product (first column slowest); else None."""
        levels = []
        for col in columns:
            seen = []
            for v in col:
                if not any(_same(v, s) for s in seen):
                    seen.append(v)
            levels.append(seen)
        n = len(columns[0]) if columns else 0
        if int(np.prod([len(l) for l in levels])) != n:
            return None
        for i, idx in enumerate(np.ndindex(*[len(l) for l in levels])):
            if not all(_same(columns[k][i], levels[k][j]) for k, j in enumerate(idx)):
                return None
        return levels

    def _sweep_xarray(self):
        import xarray as xr
        f = self._f
        names = self.cell_names
        C = len(names)
        keys = self.cell_keys if len(self.cell_keys) == len(self.cell_axes) else []
        key_values = {k: self.cell_values(k) for k in self.cell_keys if k in f["summary"]}
        cell_levels = self._product([list(key_values[k]) for k in keys]) if keys and all(
            k in key_values for k in keys) else None
        cell_dims = keys if cell_levels is not None else ["cell"]
        cell_shape = [len(l) for l in cell_levels] if cell_levels is not None else [C]
        tuned = self.tuned_axes
        grid_cols = [list(f["grid"][a][:]) for a in tuned]
        grid_levels = self._product(grid_cols) if tuned else None
        grid_dims = tuned if grid_levels is not None else ["grid_point"]
        G = int(self.attrs.get("n_grid", len(grid_cols[0]) if grid_cols else 1))
        grid_shape = [len(l) for l in grid_levels] if grid_levels is not None else [G]

        ds = xr.Dataset(attrs=self._xr_attrs())
        labels = f["summary/label"].asstr()[:]
        ds.coords["label"] = (cell_dims, np.asarray(labels, dtype=object).reshape(cell_shape))
        if cell_levels is not None:
            for k, lv in zip(keys, cell_levels):
                ds.coords[k] = (k, np.asarray(lv, dtype=float if key_values[k].dtype.kind == "f" else object))
        else:
            for k, v in key_values.items():
                ds.coords[k] = ("cell", v)
        if grid_levels is not None:
            for a, lv in zip(tuned, grid_levels):
                ds.coords[a] = (a, np.asarray(lv, dtype=float))
        else:
            for a, col in zip(tuned, grid_cols):
                ds.coords[a] = ("grid_point", np.asarray(col))

        # Score and divergence of every run: [cell…, tuned…, repetition].
        for var in (self.score, "diverged"):
            stack = np.stack([f["cells"][n][var][:] for n in names])
            R = stack.shape[-1]
            data = stack.reshape(cell_shape + grid_shape + [R])
            if var == "diverged":
                data = data.astype(bool)
            ds[var] = xr.Variable(cell_dims + grid_dims + ["repetition"], data,
                                  attrs=self._var_attrs(f["cells"][names[0]][var]))
        # The summary: [cell…].
        s = f["summary"]
        for k in s:
            d = s[k]
            if _is_scale(d) or k == "label" or k in self.cell_keys or k.startswith("value_") or d.ndim != 1:
                continue
            ds["winner_" + k if not k.startswith("winner_") and k not in ("n_diverged",) else k] = xr.Variable(
                cell_dims, self._values(d).reshape(cell_shape), attrs=self._var_attrs(d))
        # What each winner kept: [cell…, its own axes], padded with NaN to the longest cell.
        first = f["cells"][names[0]]
        for k in first:
            d = first[k]
            if not isinstance(d, h5py.Dataset) or _is_scale(d) or d.ndim == 0 or k in (self.score, "diverged"):
                continue
            arrays = [f["cells"][n][k][()] for n in names]
            shape = np.max([a.shape for a in arrays], axis=0)
            filled = np.full([C] + list(shape), np.nan)
            for i, a in enumerate(arrays):
                filled[(i,) + tuple(slice(0, m) for m in a.shape)] = a
            dims = self.dims_of(f"cells/{names[0]}/{k}")
            ds["winner_" + k] = xr.Variable(cell_dims + dims, filled.reshape(cell_shape + list(shape)),
                                            attrs=self._var_attrs(d))
        return ds


def _same(a, b):
    try:
        return bool(a == b) or (isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b))
    except (TypeError, ValueError):
        return False


def _engine_meaning():
    try:
        from ._hds import meaning
        return meaning
    except ImportError:
        return None
