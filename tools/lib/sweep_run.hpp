// Running a sweep of any kind: every (cell, grid point, repetition) run in parallel with common random
// numbers (the kind's CellTrainer), the winner of each cell by the kind's score, a crash-safe journal
// of finished cells for resuming, and the result file.
#pragma once
#include <Eigen/Dense>
#include <atomic>
#include <string>
#include <vector>

#include "core/sweeper.hpp"
#include "tools/lib/sweep.hpp"

namespace hds::sweep {

struct CellResult {
  Eigen::MatrixXd score;               // G × R score of every run (the kind's: last-N error, accuracy …)
  Eigen::Matrix<uint8_t, Eigen::Dynamic, Eigen::Dynamic> diverged;  // G × R
  Selection best;                      // winner index, mean, sd
  int n_diverged = 0;                  // diverged repetitions of the winner
  kind::CellDetail detail;             // what the kind keeps of the winner (forgetting curves …)
};

struct SweepOptions {
  std::string output;  // result file
  int threads = 0;     // <= 0: OpenMP's default
  bool progress = true;
  bool force = false;  // replace an existing result and discard any journal: start over
};

struct SweepOutcome {
  std::vector<CellResult> cells;
  int resumed = 0;        // cells read back from the journal
  bool interrupted = false;
  bool already_complete = false;
  double seconds = 0.0;
};

// Runs (or resumes) the sweep and, when every cell is done, writes opt.output atomically and removes
// the journal (opt.output + ".journal", locked while the sweep runs: a second sweep on the same
// output is refused). When `stop` becomes true, finished cells stay in the journal and the outcome
// says interrupted. An existing opt.output is replaced only with opt.force.
SweepOutcome run_sweep(const SweepDefinition& s, const SweepOptions& opt, const std::atomic<bool>& stop);

// Total runs a sweep makes (cells × grid × repetitions).
long total_runs(const SweepDefinition& s);

}  // namespace hds::sweep
