// The blocked engine (the algebra is in blocked_engine.hpp).
#include "core/blocked_engine.hpp"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <vector>

#include "core/isa_kernels.hpp"
#include "core/parallel.hpp"
#include "core/rng.hpp"
#include "core/rules.hpp"

namespace hds {
namespace {

// γ is folded into α and D when it leaves [kTiny, kHuge] (as in the Gram engine), so that η/γ stays
// far from overflow and a factor c = 0 gives an exact zero column.
constexpr double kTiny = 1e-30;
constexpr double kHuge = 1e30;

// Buffers reused by the runs of one thread (a sweep runs thousands).
struct Workspace {
  Eigen::MatrixXd Xb, Ub, A0, Gb, D;
};

Workspace& thread_workspace() {
  thread_local Workspace w;
  return w;
}

class BlockedRun {
 public:
  BlockedRun(const TrainSpec& spec, const Eigen::MatrixXd& X, const Eigen::MatrixXd& T, const Eigen::MatrixXd& W0,
             const Eigen::VectorXd& b0, int block, RunResult& r)
      : spec_(spec),
        X_(X),
        T_(T),
        r_(r),
        n_in_(static_cast<int>(X.rows())),
        n_out_(static_cast<int>(T.rows())),
        B_(block),
        cov_(spec.rule == Rule::cov),
        ws_(thread_workspace()),
        gamma_(n_out_),
        alpha_(n_out_),
        coef_(n_out_),
        c_(n_out_),
        a_(n_out_),
        h_(n_out_),
        xc_(n_in_) {
    r_.W = W0;
    r_.b = b0;
    means_.x = X.rowwise().mean();
    means_.t = T.rowwise().mean();
    r_.mu = spec.centering == Centering::dataset ? means_.x : Eigen::VectorXd::Zero(n_in_);
    ws_.Xb.resize(n_in_, B_);
    if (cov_) ws_.Ub.resize(n_in_, B_);
    ws_.A0.resize(n_out_, B_);
    ws_.Gb.resize(B_, B_);
    ws_.D.resize(n_out_, B_);
  }

  // Presentations order[k0 …] of one epoch, up to B of them, starting at presentation number `first`.
  // Returns how many were trained; sets r_.diverged (and the step) when one diverged. Once a value
  // leaves the safe range the rest of the run is direct steps (one per call).
  int block(const std::vector<int>& order, int k0, long first) {
    const int P = static_cast<int>(order.size());
    if (direct_) return direct_step(order[k0], first) ? 1 : 0;
    const int nb = std::min(B_, P - k0);
    const Eigen::VectorXd mu_start = r_.mu;
    const long seen_start = seen_;
    for (int i = 0; i < nb; ++i) {
      const auto x = X_.col(order[k0 + i]);
      if (spec_.centering == Centering::running) r_.mu += (x - r_.mu) / static_cast<double>(++seen_);
      ws_.Xb.col(i) = x - r_.mu;
      if (cov_) ws_.Ub.col(i) = x - means_.x;  // rule_step's u_buf, the same arithmetic
    }
    const auto Xb = ws_.Xb.leftCols(nb);
    const auto Ub = cov_ ? ws_.Ub.leftCols(nb) : ws_.Xb.leftCols(nb);
    auto A0 = ws_.A0.leftCols(nb);
    auto Gb = ws_.Gb.topLeftCorner(nb, nb);
    auto D = ws_.D.leftCols(nb);
    A0.noalias() = r_.W.transpose() * Xb;
    Gb.noalias() = Ub.transpose() * Xb;
    gamma_.setOnes();
    alpha_.setOnes();
    coef_.setConstant(spec_.eta);
    coef_stale_ = false;
    scaled_ = false;
    const double decay = 1.0 - spec_.weight_decay;

    for (int i = 0; i < nb; ++i) {
      const int p = order[k0 + i];
      if (i > 0) {
        a_.noalias() = D.leftCols(i) * Gb.col(i).head(i);
        a_.array() += alpha_.array() * A0.col(i).array();
      } else {
        a_ = alpha_.cwiseProduct(A0.col(0));
      }
      a_.array() *= gamma_.array();
      a_ += r_.b;
      if (!all_within(a_, kDivergedMagnitude)) {
        // Continue on the direct arithmetic from this presentation: W as it stands before it, μ too.
        fold(Ub.leftCols(i), D.leftCols(i));
        r_.mu = mu_start;
        seen_ = seen_start;
        for (int q = 0; q < i && spec_.centering == Centering::running; ++q)
          r_.mu += (X_.col(order[k0 + q]) - r_.mu) / static_cast<double>(++seen_);
        direct_ = true;
        return i + (direct_step(p, first + i) ? 1 : 0);
      }
      spec_.act.apply(a_, h_);
      if (!all_finite(h_)) {
        fold(Ub.leftCols(i), D.leftCols(i));  // W as the direct path leaves it
        r_.diverged = true;
        r_.diverged_step = first + i;
        return i;
      }
      xc_ = Xb.col(i);
      rule_step(spec_.rule, spec_.act, xc_, X_.col(p), a_, h_, T_.col(p), means_, step_);
      if (step_.s.size() > 0) {
        c_ = decay - spec_.eta * step_.s.array();  // as apply_step computes it
        scale_columns(i);
      } else if (decay != 1.0) {
        c_.setConstant(decay);
        scale_columns(i);
      }
      if (coef_stale_) {
        coef_ = spec_.eta / gamma_.array();
        coef_stale_ = false;
      }
      D.col(i) = (coef_ * step_.d.array()).matrix();
      if (spec_.learn_bias) r_.b.noalias() += spec_.eta * step_.db;
    }
    fold(Ub, D);
    return nb;
  }

  bool direct_mode() const { return direct_; }

 private:
  // W ← (W diag(α) + U Dᵀ) diag(γ).
  template <typename MU, typename MD>
  void fold(const MU& U, const MD& D) {
    if (scaled_) r_.W = r_.W * alpha_.asDiagonal();
    if (U.cols() > 0) r_.W.noalias() += U * D.transpose();
    if (scaled_) r_.W.array().rowwise() *= gamma_.array().transpose();
  }

  // γ_j ← γ_j c_j for every unit with c_j ≠ 1, folded into α_j and the first i columns of D where it
  // leaves [kTiny, kHuge]: at once while every product stays in range (the usual step), else unit by
  // unit, the folded rows of D scaled in one pass down its columns when many fold together.
  void scale_columns(int i) {
    next_ = gamma_.array() * c_.array();
    if (all_within(next_, kHuge) && next_.cwiseAbs().minCoeff() >= kTiny) {
      if ((c_.array() == 1.0).all()) return;
      gamma_ = next_;
      coef_stale_ = true;
      scaled_ = true;
      return;
    }
    int folds = 0;
    fold_.setOnes(n_out_);
    for (int j = 0; j < n_out_; ++j) {
      if (c_[j] == 1.0) continue;
      coef_stale_ = true;
      scaled_ = true;
      if (std::abs(next_[j]) >= kTiny && std::abs(next_[j]) <= kHuge) {
        gamma_[j] = next_[j];
        continue;
      }
      fold_[j] = next_[j];
      alpha_[j] *= next_[j];
      gamma_[j] = 1.0;
      ++folds;
    }
    if (folds == 0) return;
    if (8 * folds < n_out_) {
      for (int j = 0; j < n_out_; ++j)
        if (fold_[j] != 1.0) ws_.D.row(j).head(i) *= fold_[j];
    } else {
      ws_.D.leftCols(i).array().colwise() *= fold_.array();
    }
  }

  // train_direct's step on pattern p (presentation number `presentation`); false when it diverged.
  bool direct_step(int p, long presentation) {
    const auto x = X_.col(p);
    if (spec_.centering == Centering::running) r_.mu += (x - r_.mu) / static_cast<double>(++seen_);
    xc_.noalias() = x - r_.mu;
    a_.noalias() = r_.W.transpose() * xc_;
    a_ += r_.b;
    spec_.act.apply(a_, h_);
    if (!all_within(a_, kDivergedMagnitude) || !all_finite(h_)) {
      r_.diverged = true;
      r_.diverged_step = presentation;
      return false;
    }
    rule_step(spec_.rule, spec_.act, xc_, x, a_, h_, T_.col(p), means_, step_);
    apply_step(step_, spec_.eta, spec_.weight_decay, spec_.learn_bias, r_.W, r_.b);
    return true;
  }

  const TrainSpec& spec_;
  const Eigen::MatrixXd &X_, &T_;
  RunResult& r_;
  const int n_in_, n_out_, B_;
  const bool cov_;
  Workspace& ws_;
  SequenceMeans means_;
  long seen_ = 0;  // inputs presented so far (running centering)
  bool direct_ = false;
  bool scaled_ = false;     // some γ_j or α_j differs from 1 in this block
  bool coef_stale_ = false;
  Eigen::VectorXd gamma_, alpha_;
  Eigen::ArrayXd coef_;  // η / γ
  Eigen::VectorXd c_, next_, fold_, a_, h_, xc_;
  RuleStep step_;
};

}  // namespace

RunResult train_blocked(const TrainSpec& spec, const Eigen::MatrixXd& X, const Eigen::MatrixXd& T,
                        const Eigen::MatrixXd& W0, const Eigen::VectorXd& b0, uint64_t shuffle_seed, int block) {
  HDS_ISA_FORWARD(train_blocked, (spec, X, T, W0, b0, shuffle_seed, block));
  EigenSerial serial;
  const int P = static_cast<int>(X.cols());
  const bool online = spec.protocol == Protocol::online;
  const int epochs = online ? 1 : spec.epochs;
  const int S = online ? P : epochs;
  // An online error matrix needs W after every presentation: blocks of one.
  const int B = spec.error_matrix && online ? 1 : std::max(1, block > 0 ? block : kDefaultBlock);

  RunResult r;
  r.engine_used = EngineKind::blocked;
  if (spec.error_matrix) r.error_matrix.setConstant(S, P, spec.diverged_error);
  BlockedRun run(spec, X, T, W0, b0, B, r);

  std::vector<int> order(P);
  std::iota(order.begin(), order.end(), 0);
  Rng shuffle_rng(shuffle_seed);
  long presentation = 0;
  for (int e = 0; e < epochs && !r.diverged; ++e) {
    if (spec.reshuffle && !online) reshuffle(order, shuffle_rng);
    for (int k = 0; k < P && !r.diverged;) {
      const int done = run.block(order, k, presentation);
      k += done;
      presentation += done;
      if (spec.error_matrix && online && !r.diverged) store_error_row(spec, X, T, k - 1, r);  // done == 1 here
    }
    if (spec.error_matrix && !online && !r.diverged) store_error_row(spec, X, T, e, r);
  }
  r.last_order = order;
  if (!r.diverged) measure_curve(spec, X, T, presentation, r);
  finish_run(spec, r);
  return r;
}

}  // namespace hds
