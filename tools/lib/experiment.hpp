// Running an experiment: per repetition, draw the pairs and the initial weights from that
// repetition's seed, train, measure; then write the HDF5 result file.
#pragma once
#include <Eigen/Dense>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "core/engine.hpp"
#include "datasets/source.hpp"
#include "tools/lib/config.hpp"

namespace hds::exp {

// The inputs and targets pools of an experiment, opened once.
struct Pools {
  std::shared_ptr<const data::PatternPool> inputs, targets;
  // Their descriptions with how rows are taken (file order, paired or not) where a file is involved.
  std::string inputs_description, targets_description;
};
Pools open_pools(const cfg::ExperimentConfig& c);

// What repetition r trains on. Depends only on (base seed, r), the sources, P and the init:
// every grid point of a sweep sees the same data for the same r (common random numbers).
struct Repetition {
  uint64_t seed = 0;
  Eigen::MatrixXd X, T;  // n_in × P, n_out × P
  Eigen::MatrixXd W0;
  Eigen::VectorXd b0;
};
Repetition prepare_repetition(const cfg::ExperimentConfig& c, const Pools& pools, int r);

struct ExperimentResult {
  std::vector<RunResult> runs;
  std::vector<Repetition> reps;  // kept only when patterns or weights are stored
  std::vector<uint64_t> seeds;
  std::vector<data::FileRecord> files;
  std::string inputs_description, targets_description;
  double seconds = 0.0;
  double last_n_mean = 0.0, last_n_sd = 0.0;
  int n_diverged = 0;
};

// Runs every repetition (OpenMP over repetitions, each run single-threaded: results do not
// depend on the thread count). `threads` <= 0 uses OpenMP's default.
ExperimentResult run_experiment(const cfg::ExperimentConfig& c, int threads);

// Writes the result file (layout in results/README.md) atomically; an existing file at `path` is
// replaced only when `replace` (--force). Its /config names `<stem>_rerun.h5`, never `path` itself.
void write_run_file(const std::string& path, const cfg::ExperimentConfig& c, const ExperimentResult& r,
                    bool replace);

// Mean and sample standard deviation (n − 1; 0 for n = 1).
void mean_sd(const std::vector<double>& v, double& mean, double& sd);

}  // namespace hds::exp
