// The training engine (see engine.hpp).
#include "core/engine.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>

#include "core/gram_engine.hpp"
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
  Eigen::MatrixXd A = W.transpose() * (X.colwise() - mu);
  A.colwise() += b;
  Eigen::MatrixXd H(A.rows(), A.cols());
  act.apply(A, H);
  finite = H.allFinite() && A.cwiseAbs().maxCoeff() <= kDivergedMagnitude;
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
  else return false;
  return true;
}

std::string engine_name(EngineKind e) {
  switch (e) {
    case EngineKind::auto_select: return "auto";
    case EngineKind::direct: return "direct";
    case EngineKind::gram: return "gram";
  }
  return "?";
}

void reshuffle(std::vector<int>& order, Rng& rng) {
  for (int i = static_cast<int>(order.size()) - 1; i > 0; --i) std::swap(order[i], order[rng.below(i + 1)]);
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

RunResult train(const TrainSpec& spec, const Eigen::MatrixXd& X, const Eigen::MatrixXd& T,
                const Eigen::MatrixXd& W0, const Eigen::VectorXd& b0, uint64_t shuffle_seed) {
  const bool supported = gram_supports(spec);
  bool use_gram = false;
  switch (spec.engine) {
    case EngineKind::direct: break;
    case EngineKind::gram:
      if (!supported)
        throw std::invalid_argument("engine 'gram' needs centering 'none' or 'dataset' (this run: centering '" +
                                    centering_name(spec.centering) + "'); use engine 'auto' or 'direct'");
      use_gram = true;
      break;
    case EngineKind::auto_select:
      // The Gram data is built for this run alone here, so gram must win including that cost.
      use_gram = supported && gram_preferred(spec, static_cast<int>(X.cols()), static_cast<int>(X.rows()),
                                             static_cast<int>(T.rows()), false);
      break;
  }
  if (!use_gram) return train_direct(spec, X, T, W0, b0, shuffle_seed);
  return train_gram(spec, *prepare_gram(X, T, W0, b0, spec.centering), shuffle_seed);
}

RunResult train_direct(const TrainSpec& spec, const Eigen::MatrixXd& X, const Eigen::MatrixXd& T,
                const Eigen::MatrixXd& W0, const Eigen::VectorXd& b0, uint64_t shuffle_seed) {
  const int P = static_cast<int>(X.cols());
  const int n_in = static_cast<int>(X.rows());
  const int n_out = static_cast<int>(T.rows());
  const int epochs = spec.protocol == Protocol::online ? 1 : spec.epochs;
  const bool online = spec.protocol == Protocol::online;

  RunResult r;
  r.W = W0;
  r.b = b0;
  SequenceMeans means;
  means.x = X.rowwise().mean();
  means.t = T.rowwise().mean();
  r.mu = spec.centering == Centering::dataset ? means.x : Eigen::VectorXd::Zero(n_in);
  long seen = 0;  // inputs presented so far (running centering)

  const int S = online ? P : epochs;
  if (spec.error_matrix) r.error_matrix.setConstant(S, P, spec.diverged_error);

  std::vector<int> order(P);
  std::iota(order.begin(), order.end(), 0);
  Rng shuffle_rng(shuffle_seed);

  Eigen::VectorXd xc(n_in), a(n_out), h(n_out);
  RuleStep step;
  bool finite = true;
  long presentation = 0;
  for (int e = 0; e < epochs && !r.diverged; ++e) {
    if (spec.reshuffle && !online) reshuffle(order, shuffle_rng);
    for (int k = 0; k < P; ++k, ++presentation) {
      const int p = order[k];
      const auto x = X.col(p);
      if (spec.centering == Centering::running) r.mu += (x - r.mu) / static_cast<double>(++seen);
      xc.noalias() = x - r.mu;
      a.noalias() = r.W.transpose() * xc;
      a += r.b;
      spec.act.apply(a, h);
      if (!(a.cwiseAbs().maxCoeff() <= kDivergedMagnitude) || !h.allFinite()) {
        r.diverged = true;
        r.diverged_step = presentation;
        break;
      }
      rule_step(spec.rule, spec.act, xc, x, a, h, T.col(p), means, step);
      apply_step(step, spec.eta, spec.weight_decay, spec.learn_bias, r.W, r.b);
      if (spec.error_matrix && online) {
        r.error_matrix.row(k) = pattern_errors(spec.act, r.W, r.b, r.mu, X, T, finite).transpose();
        if (!finite) r.error_matrix.row(k).setConstant(spec.diverged_error);
      }
    }
    if (spec.error_matrix && !online && !r.diverged) {
      r.error_matrix.row(e) = pattern_errors(spec.act, r.W, r.b, r.mu, X, T, finite).transpose();
      if (!finite) r.error_matrix.row(e).setConstant(spec.diverged_error);
    }
  }
  r.last_order = order;

  if (!r.diverged) {
    r.curve = pattern_errors(spec.act, r.W, r.b, r.mu, X, T, finite);
    if (!finite || !r.W.allFinite()) {
      r.diverged = true;
      r.diverged_step = presentation;
    }
  }
  finish_run(spec, r);
  return r;
}

}  // namespace hds
