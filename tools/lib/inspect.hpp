// Reading an hds result file (run, sweep or study) for `hds inspect`: its tree, its provenance and
// a summary table, following the layout of results/README.md (layout_version 1 and 2).
#pragma once
#include <string>

#include "tools/lib/h5file.hpp"
#include "tools/lib/inspect_table.hpp"

namespace hds::inspect {

constexpr int kLayoutVersion = 2;  // the newest layout this build reads

// Throws a one-line UserError unless the file says format="hds-result" with a layout this build reads.
void check_result_file(const h5::File& f);

// The `kind` root attribute ("run", "sweep", "study", …).
std::string kind(const h5::File& f);

// Every group and dataset with its shape and type, indented; long runs of sibling groups (the cells
// of a big sweep) are shortened to the first few.
std::string tree_text(const h5::File& f);

// Root attributes, then the data files read (path, bytes, sha256, note).
std::string provenance_text(const h5::File& f);

// run: one row (an autoassociation run: its own row); sweep: one row per cell; study: the file's own
// /summary columns. Other kinds: a UserError saying there is no summary.
Table summary(const h5::File& f);

// A sweep cell's every grid point: tuned values, last-N mean ± sd over repetitions, divergences.
// `cell` is the cell's index or its label (or a part of the label that names one cell).
Table cell_detail(const h5::File& f, const std::string& cell);

// What `hds inspect` prints: for "text" the tree, provenance and summary (or the cell's grid), for
// "csv" / "json" the table only. Network runs (experiment_kind "network") and autoassociation runs
// have their own summaries (inspect_network.hpp, inspect_autoassociation.hpp). Opens and checks the file
// itself; errors are one-line UserErrors.
// HDF5 can crash on damaged files: callers reading a user's file wrap this in h5::guarded_read.
std::string report(const std::string& path, const std::string& cell, const std::string& format);

}  // namespace hds::inspect
