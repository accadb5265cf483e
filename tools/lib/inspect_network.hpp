// `hds inspect` of a network run file (kind "run", experiment_kind "network"; results/README.md): the
// configuration, the score, the measures after every epoch and, for streams, the test accuracy matrix.
#pragma once
#include <string>

#include "tools/lib/h5file.hpp"

namespace hds::inspect {

// True when the root attribute experiment_kind is "network"; false when it is absent. An
// experiment_kind that is not a single string is a one-line UserError.
bool is_network(const h5::File& f);

// The network part of `hds inspect` (the caller prints the tree and provenance above the text):
//   text: the configuration and score lines, the per-epoch table, for streams the matrix R and its
//         summaries;
//   csv:  the per-epoch table (mean and sd over repetitions of every measure);
//   json: the summary row as the other kinds' JSON has it, then "epochs" and, for streams,
//         "accuracy_matrix" as further tables.
// Every attribute and dataset it uses is checked (type, shape, agreement with /config) before use:
// a damaged file is a one-line UserError naming it.
std::string network_report(const h5::File& f, const std::string& format);

}  // namespace hds::inspect
