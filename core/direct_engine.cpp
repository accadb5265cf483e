// The direct engine (see direct_engine.hpp).
#include "core/direct_engine.hpp"

#include <algorithm>
#include <numeric>

#include "core/isa_kernels.hpp"
#include "core/rng.hpp"
#include "core/rules.hpp"

namespace hds {

RunResult train_direct(const TrainSpec& spec, const Eigen::MatrixXd& X, const Eigen::MatrixXd& T,
                const Eigen::MatrixXd& W0, const Eigen::VectorXd& b0, uint64_t shuffle_seed) {
  HDS_ISA_FORWARD(train_direct, (spec, X, T, W0, b0, shuffle_seed));
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
      if (!all_within(a, kDivergedMagnitude) || !all_finite(h)) {
        r.diverged = true;
        r.diverged_step = presentation;
        break;
      }
      rule_step(spec.rule, spec.act, xc, x, a, h, T.col(p), means, step);
      apply_step(step, spec.eta, spec.weight_decay, spec.learn_bias, r.W, r.b);
      if (spec.error_matrix && online) store_error_row(spec, X, T, k, r);
    }
    if (spec.error_matrix && !online && !r.diverged) store_error_row(spec, X, T, e, r);
  }
  r.last_order = order;

  if (!r.diverged) measure_curve(spec, X, T, presentation, r);
  finish_run(spec, r);
  return r;
}

}  // namespace hds
