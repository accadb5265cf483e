// A training run, whatever engine trains it (see training_run.hpp).
#include "core/training_run.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "core/rng.hpp"

namespace hds {

bool centering_from_name(const std::string& name, Centering& c) {
  if (name == "none") c = Centering::none;
  else if (name == "dataset") c = Centering::dataset;
  else if (name == "running") c = Centering::running;
  else return false;
  return true;
}

std::string centering_name(Centering c) {
  switch (c) {
    case Centering::none: return "none";
    case Centering::dataset: return "dataset";
    case Centering::running: return "running";
  }
  return "?";
}

Eigen::VectorXd pattern_errors(const Activation& act, const Eigen::MatrixXd& W, const Eigen::VectorXd& b,
                               const Eigen::VectorXd& mu, const Eigen::MatrixXd& X, const Eigen::MatrixXd& T,
                               bool& finite) {
  // Buffers of n × P reused by the calls of one thread: a sweep's runs each end here, and fresh ones
  // (megabytes at P = 1000) would come from the kernel page by page and go back to it every run.
  thread_local Eigen::MatrixXd Xc, A, H;
  Xc = X.colwise() - mu;
  A.noalias() = W.transpose() * Xc;
  A.colwise() += b;
  H.resize(A.rows(), A.cols());
  act.apply(A, H);
  finite = all_finite(H) && all_within(A, kDivergedMagnitude);
  return (H - T).cwiseAbs().colwise().mean().transpose();
}

double last_n_mean(const Eigen::VectorXd& curve, const std::vector<int>& order, int n) {
  const int P = static_cast<int>(order.size());
  const int k = std::min(n, P);
  if (k <= 0) return 0.0;
  double sum = 0.0;
  for (int i = P - k; i < P; ++i) sum += curve[order[i]];
  return sum / k;
}

bool engine_from_name(const std::string& name, EngineKind& e) {
  if (name == "auto") e = EngineKind::auto_select;
  else if (name == "direct") e = EngineKind::direct;
  else if (name == "gram") e = EngineKind::gram;
  else if (name == "blocked") e = EngineKind::blocked;
  else return false;
  return true;
}

std::string engine_name(EngineKind e) {
  switch (e) {
    case EngineKind::auto_select: return "auto";
    case EngineKind::direct: return "direct";
    case EngineKind::gram: return "gram";
    case EngineKind::blocked: return "blocked";
  }
  return "?";
}

void reshuffle(std::vector<int>& order, Rng& rng) {
  for (int i = static_cast<int>(order.size()) - 1; i > 0; --i) std::swap(order[i], order[rng.below(i + 1)]);
}

void store_error_row(const TrainSpec& spec, const Eigen::MatrixXd& X, const Eigen::MatrixXd& T, Eigen::Index row,
                     RunResult& r) {
  bool finite = true;
  r.error_matrix.row(row) = pattern_errors(spec.act, r.W, r.b, r.mu, X, T, finite).transpose();
  if (!finite) r.error_matrix.row(row).setConstant(spec.diverged_error);
}

void measure_curve(const TrainSpec& spec, const Eigen::MatrixXd& X, const Eigen::MatrixXd& T, long presentation,
                   RunResult& r) {
  bool finite = true;
  r.curve = pattern_errors(spec.act, r.W, r.b, r.mu, X, T, finite);
  if (!finite || !r.W.allFinite()) {
    r.diverged = true;
    r.diverged_step = presentation;
  }
}

void finish_run(const TrainSpec& spec, RunResult& r) {
  const int P = static_cast<int>(r.last_order.size());
  if (r.diverged) {
    r.curve = Eigen::VectorXd::Constant(P, spec.diverged_error);
    if (spec.error_matrix) {
      // Rows from the diverging step (online) or epoch (multi-epoch) on.
      const long from = spec.protocol == Protocol::online ? r.diverged_step : r.diverged_step / std::max(P, 1);
      for (long s = std::max<long>(from, 0); s < r.error_matrix.rows(); ++s)
        r.error_matrix.row(s).setConstant(spec.diverged_error);
    }
  }
  r.last_n_error = last_n_mean(r.curve, r.last_order, spec.last_n);
}

}  // namespace hds
