// A sweep: a base experiment, the cell axes (what is compared: data pair, activation, rule, ...)
// and the tuned axes (what is optimised per cell: eta, weight_decay, ...), read from YAML.
#pragma once
#include <yaml-cpp/yaml.h>

#include <cstdint>
#include <string>
#include <vector>

#include <memory>

#include "core/adaptive_grid.hpp"
#include "tools/lib/kind.hpp"

namespace hds::sweep {

// Limits checked at load, before anything is allocated for them.
constexpr int64_t kMaxGridPoints = 1000000;  // per cell, and per tuned axis
constexpr int64_t kMaxCells = 100000;

// One cell: the base experiment with the cell axes' values applied.
struct Cell {
  std::string label;                       // "rule=hd activation=sigmoid"
  std::vector<std::string> key_values;     // per cell key (SweepDefinition::cell_keys), YAML flow text
  std::shared_ptr<const kind::Experiment> experiment;  // validated; tuned values not yet applied
};

struct TunedAxis {
  std::string key;             // one of the kind's tunable keys (eta, weight_decay, …)
  std::vector<double> values;  // as listed or generated (logspace, linspace): the initial grid
  AdaptiveAxis search;         // extend / extend_to / refine (sweeps/README.md); log for logspace
};

struct SweepDefinition {
  const kind::Kind* kind = nullptr;     // every cell's (the base's `kind:`)
  std::string name = "sweep";
  std::string description;
  std::string file;
  std::vector<std::string> cell_axes;   // names, in the order of the product (first = slowest)
  std::vector<std::string> cell_keys;   // the experiment keys they set (a zipped axis sets several)
  std::vector<TunedAxis> tuned;         // the grid is their Cartesian product (first = slowest)
  std::vector<Cell> cells;
  int64_t grid_size = 1;               // <= kMaxGridPoints
  int64_t max_points = 1;               // the most points a cell can evaluate (grid_size unless adaptive)
  bool adaptive() const { return max_points > grid_size; }
  std::vector<AdaptiveAxis> search_axes() const;  // one per tuned axis
  std::string output;
  std::string resolved_yaml;            // the sweep as read (after --set), for the file and the hash
  std::string hash;                     // sha256 of resolved_yaml without the output key
};

// Reads, expands and validates a sweep file of any kind; --set overrides apply to the base experiment
// ("eta=0.1", "base.patterns=50") or to sweep keys ("tune.eta=[0.1, 0.2]"). Every grid point of
// every cell passes its kind's validation, and the sweep's arrays must fit in memory, before it returns.
SweepDefinition load_sweep(const std::string& path, const std::vector<std::string>& overrides);

// The tuned values of grid point g, one per tuned axis.
std::vector<double> grid_point(const SweepDefinition& s, int64_t g);

// The cell's experiment with grid point g's values applied.
std::unique_ptr<kind::Experiment> apply_grid_point(const SweepDefinition& s, const kind::Experiment& cell, int64_t g);
// The cell's experiment with the tuned values v (one per tuned axis) applied.
std::unique_ptr<kind::Experiment> apply_point(const SweepDefinition& s, const kind::Experiment& cell,
                                              const std::vector<double>& v);

}  // namespace hds::sweep
