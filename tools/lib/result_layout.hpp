// The documented layout of result files made explicit inside them (results/README.md, layout_version
// 2): every dataset gets a one-line `description`, `units` where they apply, and HDF5 dimension scales
// naming its axes (repetition, grid_point, position, epoch …), which netCDF-4 readers such as xarray's
// h5netcdf engine take as dimensions. Sweep files also get the cells' numeric values as typed arrays
// (/summary/value_<key>). Applied to every result file once its writer has filled it.
#pragma once
#include <string>
#include <vector>

#include "tools/lib/h5file.hpp"

namespace hds::layout {

struct Meaning {
  std::vector<std::string> dims;  // one name per axis, in the stored (C) order
  std::string description;        // empty: not in the documented layout
  std::string units;              // empty: none apply
};

// What the dataset at `path` ("/cells/c0003/forgetting_curve") of `rank` axes means in a file of
// root `kind` (run, sweep, study) and `experiment_kind` (association, network, autoassociation).
Meaning meaning(const std::string& kind, const std::string& experiment_kind, const std::string& path, size_t rank);

// Adds the descriptions, units, dimension scales and typed cell values to a file being written.
void describe(h5::File& f);

}  // namespace hds::layout
