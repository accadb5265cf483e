// Running a sweep of any kind: every (cell, grid point, repetition) run in parallel with common random
// numbers (the kind's CellTrainer), the winner of each cell by the kind's score, a crash-safe journal
// of finished cells for resuming, and the result file. Who computes the cells is a Backend: this
// process (the default), or the ranks of an MPI job (sweep_mpi.hpp); the rest is the same for both.
#pragma once
#include <Eigen/Dense>
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/sweeper.hpp"
#include "tools/lib/progress.hpp"
#include "tools/lib/provenance.hpp"
#include "tools/lib/sweep.hpp"

namespace hds::sweep {

struct CellResult {
  // Every evaluated point, in evaluation order: the initial grid (rows 0 … G-1, grid order), then the
  // points of each adaptive round. N = G for a plain sweep.
  Eigen::MatrixXd score;               // N × R score of every run (the kind's: last-N error, accuracy …)
  Eigen::Matrix<uint8_t, Eigen::Dynamic, Eigen::Dynamic> diverged;  // N × R
  Eigen::MatrixXd points;              // N × (tuned axes): the tuned values of each point
  std::vector<int64_t> round;          // N: 0 for the initial grid, then 1, 2, … per adaptive round
  Selection best;                      // winner (an index into the N points), mean, sd
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
  std::vector<prov::Rank> ranks;  // the processes that computed (provenance)
  std::string how;                // a few words on how, for the summary line ("" for one process)
};

// What computes the cells a sweep still needs.
class Backend {
 public:
  virtual ~Backend() = default;
  // Computes the cells `todo` (ascending) and calls finished(c, result) for each one as soon as it is
  // complete, in any order, on the calling thread. Returns when all are done, or early once `stop`
  // is set (cells cut short are not passed on). `runs_done`: runs finished before (resumed).
  virtual void compute(const SweepDefinition& s, const SweepOptions& opt, const std::vector<int>& todo,
                       const std::atomic<bool>& stop, Progress& progress, long runs_done,
                       const std::function<void(int, CellResult&&)>& finished) = 0;
  virtual std::vector<prov::Rank> ranks(const SweepOptions& opt) const = 0;
  virtual std::string how() const { return {}; }
};

// Runs (or resumes) the sweep and, when every cell is done, writes opt.output atomically and removes
// the journal (opt.output + ".journal", locked while the sweep runs: a second sweep on the same
// output is refused). When `stop` becomes true, finished cells stay in the journal and the outcome
// says interrupted. An existing opt.output is replaced only with opt.force. Without a backend, this
// process computes every cell.
SweepOutcome run_sweep(const SweepDefinition& s, const SweepOptions& opt, const std::atomic<bool>& stop);
SweepOutcome run_sweep(const SweepDefinition& s, const SweepOptions& opt, const std::atomic<bool>& stop,
                       Backend& backend);

// Total runs a sweep makes (cells × grid × repetitions), and those of one cell; with `most`, the
// most an adaptive sweep can make (max_points instead of the grid).
long total_runs(const SweepDefinition& s, bool most = false);
long cell_runs(const SweepDefinition& s, int cell, bool most = false);
// Sizes the evaluated points of `out` to the initial grid (points, round 0), keeping what is there.
void set_initial_points(const SweepDefinition& s, CellResult& out);
// Whether the winner of a finished cell sits on an edge of its evaluated points (adaptive_on_edge).
bool winner_on_bound(const SweepDefinition& s, const CellResult& r);

// The pieces a backend is made of, so that every backend computes a cell with the same arithmetic.
// The trainer of cell c: its data and common random numbers made once, for every grid point.
std::unique_ptr<kind::CellTrainer> make_trainer(const SweepDefinition& s, int c, int threads);
// Runs every repetition of grid points [g0, g1) into rows g0 … g1-1 of out.score and out.diverged
// (sized G × R by the caller). False when `stop` cut it short. `tick(n)`: n runs of the block done.
bool run_block(const SweepDefinition& s, int c, kind::CellTrainer& trainer, int g0, int g1, int threads,
               const std::atomic<bool>* stop, const std::function<void(long)>& tick, CellResult& out);
// With every score in: the winner, its diverged count and its detail (from the trainer that ran the
// winner's repetitions).
void finish_cell(const SweepDefinition& s, int c, kind::CellTrainer& trainer, int threads, CellResult& out);
// The adaptive rounds of cell c (s.adaptive()) after its initial grid, which `r` holds, run on
// `initial` (taken over): rounds until the search is done, then the winner and its detail. False
// when `stop` cut it short. `tick(n)`: n runs of the current round done; `runs_done` grows by each
// finished round's runs.
bool run_rounds(const SweepDefinition& s, int c, std::unique_ptr<kind::CellTrainer>& initial, int threads,
                const std::atomic<bool>* stop, const std::function<void(long)>& tick, CellResult& r, long* runs_done);
// The winner and its diverged count from the scores (all N points), without the detail.
void select_winner(const SweepDefinition& s, int c, CellResult& out);

// The number of threads `threads` means (<= 0: OpenMP's default).
int resolve_threads(int threads);

}  // namespace hds::sweep
