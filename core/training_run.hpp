// A training run of the association kind, whatever engine trains it: what defines it (TrainSpec),
// what it gives (RunResult), and the measures every engine shares (forgetting curve, last-N error,
// the end of a run).
#pragma once
#include <Eigen/Dense>
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "core/activation.hpp"
#include "core/rng.hpp"
#include "core/rules.hpp"

namespace hds {

enum class Centering {
  none,     // μ = 0
  dataset,  // μ = mean of the sequence's inputs, fixed (the authors' choice; our default)
  running,  // μ = mean of the inputs presented so far, including the current one
};
enum class Protocol { online, multi_epoch };

// A pre-activation beyond this magnitude counts as divergence, like a non-finite one: such a run's
// errors (1e100 and more) would only overflow the means and spreads they enter.
constexpr double kDivergedMagnitude = 1e100;
// Which implementation trains: `direct` updates W pattern by pattern (direct_engine.hpp); `gram` works
// in the space of the P training patterns (every rule, centering none or dataset; gram_engine.hpp);
// `blocked` regroups the direct steps into blocks of matrix products (every run; blocked_engine.hpp);
// `auto` lets choose_engine (engine.hpp) pick. All give the same results up to rounding.
enum class EngineKind { auto_select, direct, gram, blocked };

bool centering_from_name(const std::string& name, Centering& c);
std::string centering_name(Centering c);
bool engine_from_name(const std::string& name, EngineKind& e);
std::string engine_name(EngineKind e);

// The divergence tests of the engines' every step, vectorised (Eigen's allFinite and all() test element
// by element with an early exit, its NaN-propagating maxCoeff is slower still): every entry finite
// (x − x is +0 for finite x and NaN otherwise, so the sum is exactly 0 or NaN); every |entry| ≤ bound,
// NaN failing (a max reduction may skip a NaN, the finiteness sum does not). One pass each.
inline bool all_finite(const Eigen::Ref<const Eigen::MatrixXd>& m) { return m.size() == 0 || (m - m).sum() == 0.0; }
inline bool all_within(const Eigen::Ref<const Eigen::MatrixXd>& m, double bound) {
  double worst = 0.0, nan = 0.0;
  for (Eigen::Index c = 0; c < m.cols(); ++c) {
    const double* x = m.col(c).data();
    const Eigen::Index n = m.rows();
#pragma omp simd reduction(max : worst) reduction(+ : nan)
    for (Eigen::Index i = 0; i < n; ++i) {
      worst = std::max(worst, std::abs(x[i]));
      nan += x[i] - x[i];
    }
  }
  return worst <= bound && nan == 0.0;
}

// Everything that defines a run apart from its data and initial weights.
struct TrainSpec {
  Rule rule = Rule::hd;
  Activation act = Activation::make(ActivationKind::sigmoid);
  double eta = 0.1;
  double weight_decay = 0.0;
  Centering centering = Centering::dataset;
  bool learn_bias = true;
  Protocol protocol = Protocol::online;
  int epochs = 1;          // multi_epoch only
  bool reshuffle = false;  // multi_epoch: a fresh random order every epoch
  int last_n = 20;
  bool error_matrix = false;
  // Error given to every pattern of a diverged run: the worst possible for targets in [0, 1].
  double diverged_error = 1.0;
  EngineKind engine = EngineKind::auto_select;
};

struct RunResult {
  Eigen::VectorXd curve;         // error of pattern p after training; p = position in the sequence
  double last_n_error = 0.0;     // mean of curve over the last_n most recently trained patterns
  bool diverged = false;         // some pre-activation or output became non-finite (or > kDivergedMagnitude)
  long diverged_step = -1;       // presentation (0-based, counting all epochs) where it did
  Eigen::MatrixXd error_matrix;  // S × P: after step s (online) or epoch s (multi-epoch)
  Eigen::MatrixXd W;             // final weights (n_in × n_out)
  Eigen::VectorXd b;             // final bias
  Eigen::VectorXd mu;            // final input offset
  std::vector<int> last_order;   // presentation order of the final epoch
  EngineKind engine_used = EngineKind::direct;
};

// Error of every pattern: mean over output units of |h_j − t_j|. Sets `finite` to false if any
// output is non-finite.
Eigen::VectorXd pattern_errors(const Activation& act, const Eigen::MatrixXd& W, const Eigen::VectorXd& b,
                               const Eigen::VectorXd& mu, const Eigen::MatrixXd& X, const Eigen::MatrixXd& T,
                               bool& finite);

// Mean of the curve over the last n entries of `order` (the most recently trained patterns).
double last_n_mean(const Eigen::VectorXd& curve, const std::vector<int>& order, int n);

// Shared by the engines: a fresh presentation order (Fisher-Yates with the run's shuffle RNG),
// and the end of a run (a diverged run's curve and later error-matrix rows become diverged_error;
// the last-N error from the curve).
void reshuffle(std::vector<int>& order, Rng& rng);
void finish_run(const TrainSpec& spec, RunResult& r);

// The measurements of the engines that keep W (direct, blocked): row `row` of the error matrix with the
// current weights (diverged_error throughout when an output is non-finite), and the final curve (a
// non-finite output or non-finite weights mark the run diverged at `presentation`).
void store_error_row(const TrainSpec& spec, const Eigen::MatrixXd& X, const Eigen::MatrixXd& T, Eigen::Index row,
                     RunResult& r);
void measure_curve(const TrainSpec& spec, const Eigen::MatrixXd& X, const Eigen::MatrixXd& T, long presentation,
                   RunResult& r);

}  // namespace hds
