// `hds inspect` of an autoassociation run file (kind "run", experiment_kind "autoassociation"; layout in
// results/README.md): its settings and score, the per-epoch measures (means over the repetitions that
// did not diverge) and, when the run computed them, the checks of the rules.
#pragma once
#include <string>

#include "tools/lib/h5file.hpp"
#include "tools/lib/inspect_table.hpp"

namespace hds::inspect {

// True for a run file whose experiment_kind is "autoassociation".
bool is_autoassociation(const h5::File& f);

// One row: the run's settings, its score (held-out MSE mean ± sd) and divergences.
Table autoassociation_summary(const h5::File& f);
// Epoch 0 (before training) to E: train and held-out MSE, ‖ΔW‖, hidden spread, max principal angle,
// µs per update.
Table autoassociation_epochs(const h5::File& f);
// The /checks table (name, value, description); empty rows when the run made none.
Table autoassociation_checks(const h5::File& f);

// text: the three tables; csv: the per-epoch table; json: the summary row, then the tables `epochs` and
// (when the run made them) `checks`. Every dataset's shape is checked against the
// file's own R, E and k before it is read; a damaged file is a one-line UserError.
std::string autoassociation_report(const h5::File& f, const std::string& format);

}  // namespace hds::inspect
