// The Gram-space engine (the algebra is in gram_engine.hpp).
#include "core/gram_engine.hpp"

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>
#include <string>

#include "core/isa_kernels.hpp"
#include "core/rng.hpp"

namespace hds {
namespace {

// Beyond this pre-activation magnitude a run continues on the direct path: the run is diverging
// (or about to), and only the direct arithmetic tells at which step a value becomes non-finite.
// It is the direct path's divergence threshold, so both paths stop at the same step.
constexpr double kSafeMagnitude = kDivergedMagnitude;
// The scale γ is folded into D and α when it leaves [kTiny, kHuge], so that the coefficients
// η/γ stay far from overflow however long the decay runs (0.9^100000 underflows).
constexpr double kTiny = 1e-30;
constexpr double kHuge = 1e30;
// The longest block of the left-looking forward pass (GramRun::begin_block); an epoch is cut into
// blocks of equal length up to this. hds_bench runs per second on online100 / multi100 (2 threads, one
// timing each, about ±5% apart from run to run) with blocks of at most 12, 16, 20, 32, 50:
// 22.2k/4.01k, 20.5k/3.60k, 22.4k–22.5k/4.13k–4.23k, 21.7k/3.98k, 19.3k/3.62k.
constexpr int kGramMaxBlock = 20;

int gram_block(int P) {
  const int blocks = (P + kGramMaxBlock - 1) / kGramMaxBlock;
  return blocks > 0 ? (P + blocks - 1) / blocks : 1;
}

// Eigen parallelises large products with OpenMP outside parallel regions, and its blocking (hence
// its rounding) depends on the thread count; a run must not. omp_set_num_threads only changes the
// calling thread's setting, so this is safe while other threads run.
class SingleThreaded {
 public:
  SingleThreaded() : saved_(omp_get_max_threads()) { omp_set_num_threads(1); }
  ~SingleThreaded() { omp_set_num_threads(saved_); }
  SingleThreaded(const SingleThreaded&) = delete;
  SingleThreaded& operator=(const SingleThreaded&) = delete;

 private:
  int saved_;
};

bool within_safe(const Eigen::Ref<const Eigen::MatrixXd>& m) {
  return all_within(m, kSafeMagnitude);  // false for NaN too
}

// Buffers of P × n_out (100 kB and more) reused by the runs of one thread: fresh ones for each of a
// sweep's thousands of runs would come from the kernel, page by page, and go back to it every run.
// At most one GramRun per thread uses them (train_gram runs to completion before the next).
struct Workspace {
  Eigen::MatrixXd D, Z, A, H, S, Ablk, Dblk, Kblk, Cblk;
};

Workspace& thread_workspace() {
  thread_local Workspace w;
  return w;
}

// One run's state. In gram mode column j of W is γ_j (α_j W₀_j + U D_jᵀ) (D_j: row j of D); once a
// value grows past kSafeMagnitude it switches for good to direct mode, where W is explicit and every
// step is train_direct's.
class GramRun {
 public:
  GramRun(const TrainSpec& spec, const GramData& g)
      : spec_(spec),
        g_(g),
        U_(g.u_matrix(spec.rule)),
        Kt_(g.kt_matrix(spec.rule)),
        symmetric_K_(&Kt_ == &g.Kt),
        forward_free_(spec.rule == Rule::hebb || spec.rule == Rule::cov),
        project_(spec.error_matrix && spec.protocol == Protocol::online),
        track_(spec.protocol == Protocol::online && !project_ && !forward_free_),
        D_(thread_workspace().D),
        Z_(thread_workspace().Z),
        A_(thread_workspace().A),
        H_(thread_workspace().H),
        S_(thread_workspace().S),
        Ablk_(thread_workspace().Ablk),
        Dblk_(thread_workspace().Dblk),
        Kblk_(thread_workspace().Kblk),
        Cblk_(thread_workspace().Cblk),
        gamma_(Eigen::VectorXd::Ones(g.n_out)),
        alpha_(Eigen::VectorXd::Ones(g.n_out)),
        d_sum_(Eigen::VectorXd::Zero(g.n_out)),
        coef_(Eigen::ArrayXd::Constant(g.n_out, spec.eta)),
        c_(g.n_out),
        next_(g.n_out),
        b_(g.b0),
        a_(g.n_out),
        h_(g.n_out),
        xc_(g.n_in) {
    D_.setZero(g.n_out, g.P);
    A_.resize(g.n_out, g.P);
    H_.resize(g.n_out, g.P);
    if (project_) {
      Z_ = g.G0;
      krow_.resize(g.P);
    }
    if (track_) S_.resize(g.n_out, g.P);
  }

  // The left-looking forward pass: before the steps on `patterns[0..count)` (distinct patterns of one
  // epoch), their pre-activations against the D of now, D Kᵀ[:, patterns] in one product; each step
  // then adds only the block's own earlier updates (Dblk, with the block's small Gram matrix C), so the
  // P-long gemv per step becomes one GEMM per block. Only for the rules whose every step reads the
  // output (the forward-free ones skip the forward pass while their bound allows).
  void begin_block(const int* patterns, int count) {
    blk_count_ = 0;
    blk_ = nullptr;
    if (direct_ || forward_free_ || count < 2) return;
    blk_ = patterns;
    blk_len_ = count;
    Ablk_.resize(g_.n_out, count);
    Dblk_.resize(g_.n_out, count);
    Cblk_.resize(count, count);
    for (int i = 0; i < count; ++i)
      for (int k = 0; k < count; ++k) Cblk_(k, i) = Kt_(patterns[k], patterns[i]);
    if (hi_ == 0) {
      Ablk_.setZero();
      return;
    }
    bool contiguous = true;
    for (int i = 1; i < count; ++i) contiguous &= patterns[i] == patterns[0] + i;
    if (contiguous) {
      Ablk_.noalias() = D_.leftCols(hi_) * Kt_.block(0, patterns[0], hi_, count);
    } else {
      Kblk_.resize(hi_, count);
      for (int i = 0; i < count; ++i) Kblk_.col(i) = Kt_.col(patterns[i]).head(hi_);
      Ablk_.noalias() = D_.leftCols(hi_) * Kblk_;
    }
  }

  bool direct_mode() const { return direct_; }
  const Eigen::VectorXd& bias() const { return b_; }
  const Eigen::MatrixXd& weights() const { return W_; }

  // The forward pass of pattern p with the current weights into a_, h_. False when non-finite
  // (the direct path's divergence test). Skipped for hebb and cov while a bound on |a| proves it
  // finite: their update does not read h.
  bool forward(int p) {
    if (!direct_) {
      if (forward_free_ && a_bound() <= kSafeMagnitude) return true;
      gram_preactivation(p);
      if (within_safe(a_)) {  // kSafeMagnitude is the divergence bound: only h is left to test
        spec_.act.apply(a_, h_);
        return all_finite(h_);
      }
      switch_to_direct();
    }
    xc_ = g_.x_tilde().col(p);
    a_.noalias() = W_.transpose() * xc_;
    a_ += b_;
    spec_.act.apply(a_, h_);
    return all_within(a_, kDivergedMagnitude) && all_finite(h_);
  }

  // W_j ← c_j W_j + η u d_j with c_j = (1 − ω) − η s_j (s = 0 for the rules without column shrink),
  // b ← b + η Δb for pattern p, after forward(p). In gram mode c_j goes into γ_j, and η d_j / γ_j
  // (the new γ_j) into D[j, p].
  void update(int p) {
    rule_step(spec_.rule, spec_.act, xc_, g_.X.col(p), a_, h_, g_.T.col(p), g_.means, step_);
    if (direct_) {
      apply_step(step_, spec_.eta, spec_.weight_decay, spec_.learn_bias, W_, b_);
      return;
    }
    const double decay = 1.0 - spec_.weight_decay;
    const bool shrink = step_.s.size() > 0;
    if (shrink) {
      // γ ⊙ c at once while every product stays in [kTiny, kHuge] (the usual step); else unit by unit,
      // folding where it leaves the range. Factors of exactly 1 leave γ_j, and so η/γ_j, as they were.
      const int n = g_.n_out;
      const double* s = step_.s.data();
      const double* gamma = gamma_.data();
      double* c = c_.data();
      double* next = next_.data();
      double lo = kHuge, hi = 0.0;
      int ones = 0;
#pragma omp simd reduction(min : lo) reduction(max : hi) reduction(+ : ones)
      for (int j = 0; j < n; ++j) {
        c[j] = decay - spec_.eta * s[j];  // as apply_step computes it
        next[j] = gamma[j] * c[j];
        lo = std::min(lo, std::abs(next[j]));
        hi = std::max(hi, std::abs(next[j]));
        ones += c[j] == 1.0;
      }
      if (lo >= kTiny && hi <= kHuge) {  // false for NaN: c is finite, as η and the targets are
        if (ones < n) {
          gamma_ = next_;
          coef_stale_ = true;
        }
      } else {
        scale_columns(c_);
      }
    } else if (decay != 1.0) {
      next_ = gamma_ * decay;
      if (all_within(next_, kHuge) && next_.cwiseAbs().minCoeff() >= kTiny) {
        gamma_ = next_;
        coef_stale_ = true;
      } else {
        c_.setConstant(decay);
        scale_columns(c_);
      }
    }
    if (coef_stale_) {
      coef_ = spec_.eta / gamma_.array();
      coef_stale_ = false;
    }
    if (blk_ && blk_count_ < blk_len_ && blk_[blk_count_] == p) {
      Dblk_.col(blk_count_).array() = coef_ * step_.d.array();
      D_.col(p) += Dblk_.col(blk_count_);
      ++blk_count_;
    } else {
      blk_ = nullptr;  // a step outside the block's sequence: the block no longer describes D
      D_.col(p).array() += coef_ * step_.d.array();
    }
    hi_ = std::max(hi_, p + 1);
    if (forward_free_) d_sum_.array() += coef_.abs() * step_.d.array().abs();
    if (spec_.learn_bias) b_.noalias() += spec_.eta * step_.db;
    if (project_) update_projection(p, shrink, decay);
  }

  // Errors of all patterns with the current weights into `row` (pattern_errors' semantics: false
  // when an output is non-finite).
  bool errors(Eigen::Ref<Eigen::RowVectorXd, 0, Eigen::InnerStride<>> row) {
    if (!direct_) {
      if (project_) {
        A_ = Z_;
      } else {
        all_preactivations_without_bias();
      }
      A_.colwise() += b_;
      if (within_safe(A_)) {
        spec_.act.apply(A_, H_);
        row = (H_ - g_.T).cwiseAbs().colwise().mean();
        if (row.allFinite()) return true;  // finite targets: a finite row means a finite H
      }
      rebuild_weights(W_);
      return errors_from(W_, row);
    }
    return errors_from(W_, row);
  }

  // The final errors (never through the online projection Z, so that they do not depend on
  // whether an error matrix was asked for).
  bool final_errors(Eigen::VectorXd& curve) {
    curve.resize(g_.P);
    if (!direct_) {
      if (track_) {
        final_preactivations();
      } else {
        all_preactivations_without_bias();
        A_.colwise() += b_;
      }
      if (within_safe(A_)) {
        spec_.act.apply(A_, H_);
        curve = (H_ - g_.T).cwiseAbs().colwise().mean().transpose();
        if (curve.allFinite()) return true;  // as in errors()
      }
      switch_to_direct();
    }
    bool finite = true;
    curve = pattern_errors(spec_.act, W_, b_, g_.mu, g_.X, g_.T, finite);
    return finite;
  }

  // W = (α W₀ + U Dᵀ) diag(γ) with α diagonal too; in direct mode W is explicit already.
  void rebuild_weights(Eigen::MatrixXd& W) const {
    if (direct_) {
      W = W_;
      return;
    }
    W = g_.W0 * alpha_.asDiagonal();
    if (hi_ > 0) W.noalias() += U_.leftCols(hi_) * D_.leftCols(hi_).transpose();
    W.array().rowwise() *= gamma_.array().transpose();
  }

  void switch_to_direct() {
    if (direct_) return;
    rebuild_weights(W_);
    direct_ = true;
  }

 private:
  // γ_j ← γ_j c_j for every unit with c_j ≠ 1. When γ_j c_j leaves [kTiny, kHuge] it is folded into
  // α_j and D_j instead (γ_j = 1), so η/γ_j stays far from overflow; c_j = 0 (oja and instar at
  // η s_j = 1 − ω) folds to an exact zero column, as the direct path's W_j·0. Many units fold at once
  // at such rates: then the rows are scaled in one pass down the columns, not row by row.
  void scale_columns(const Eigen::VectorXd& c) {
    int folds = 0;
    fold_.setOnes(g_.n_out);
    for (int j = 0; j < g_.n_out; ++j) {
      if (c[j] == 1.0) continue;
      coef_stale_ = true;
      const double next = gamma_[j] * c[j];
      if (std::abs(next) >= kTiny && std::abs(next) <= kHuge) {
        gamma_[j] = next;
        continue;
      }
      fold_[j] = next;
      alpha_[j] *= next;
      d_sum_[j] *= std::abs(next);
      gamma_[j] = 1.0;
      ++folds;
    }
    if (folds == 0) return;
    // D, the partial sums and the block's products and updates are all in D's units.
    if (8 * folds < g_.n_out) {
      for (int j = 0; j < g_.n_out; ++j) {
        const double f = fold_[j];
        if (f == 1.0) continue;
        D_.row(j).head(hi_) *= f;
        if (track_) S_.row(j).head(s_cols_) *= f;
        if (blk_) {
          Ablk_.row(j) *= f;
          Dblk_.row(j).head(blk_count_) *= f;
        }
      }
    } else {
      D_.leftCols(hi_).array().colwise() *= fold_.array();
      if (track_) S_.leftCols(s_cols_).array().colwise() *= fold_.array();
      if (blk_) {
        Ablk_.array().colwise() *= fold_.array();
        Dblk_.leftCols(blk_count_).array().colwise() *= fold_.array();
      }
    }
  }

  // a = γ ⊙ (α ⊙ G₀[:, p] + D K[p, :]ᵀ) + b; only the first hi_ columns of D have been touched.
  void gram_preactivation(int p) {
    if (blk_ && blk_count_ < blk_len_ && blk_[blk_count_] == p) {
      const int i = blk_count_;
      if (i > 0) {
        a_.noalias() = Dblk_.leftCols(i) * Cblk_.col(i).head(i);
      } else {
        a_.setZero();
      }
      // The rest in one pass (as below, in the same order of operations).
      if (track_) {
        S_.col(p) = a_ + Ablk_.col(i);
        s_cols_ = std::max(s_cols_, p + 1);
        a_.array() = (S_.col(p).array() + alpha_.array() * g_.G0.col(p).array()) * gamma_.array() + b_.array();
      } else {
        a_.array() = ((a_ + Ablk_.col(i)).array() + alpha_.array() * g_.G0.col(p).array()) * gamma_.array() +
                     b_.array();
      }
      return;
    } else if (hi_ > 0) {
      a_.noalias() = D_.leftCols(hi_) * Kt_.col(p).head(hi_);
    } else {
      a_.setZero();
    }
    if (track_) {
      S_.col(p) = a_;
      s_cols_ = std::max(s_cols_, p + 1);
    }
    a_.array() += alpha_.array() * g_.G0.col(p).array();
    a_.array() *= gamma_.array();
    a_ += b_;
  }

  // A = diag(γ) (diag(α) G₀ + D Kᵀ) without the bias, for all patterns at once.
  void all_preactivations_without_bias() {
    A_ = alpha_.asDiagonal() * g_.G0;
    if (hi_ > 0) A_.noalias() += D_.leftCols(hi_) * Kt_.topRows(hi_);
    A_.array().colwise() *= gamma_.array();
  }

  // The same at the end of an online run from the partial sums S: pattern p's column of D Kᵀ sums over
  // q < p, fixed since step p (each column of D is written once, at its own step), plus the terms q ≥ p,
  // D times the lower triangle of Kᵀ: half the product all_preactivations_without_bias computes.
  void final_preactivations() {
    A_ = alpha_.asDiagonal() * g_.G0 + S_;
    A_.noalias() += D_ * Kt_.triangularView<Eigen::Lower>();
    A_.array() = (A_.array().colwise() * gamma_.array()).colwise() + b_.array();
  }

  // Z = Wᵀ X̃ after the step on pattern q: Z ← diag(c) Z + η d K[:, q]ᵀ, with K[j, q] = Kt(q, j);
  // c = c_ (per unit) when `shrink`, else the scalar 1 − ω.
  void update_projection(int q, bool shrink, double decay) {
    if (symmetric_K_) {
      krow_ = Kt_.col(q);
    } else {
      krow_ = Kt_.row(q).transpose();
    }
    for (int j = 0; j < g_.P; ++j) {
      if (shrink) {
        Z_.col(j).array() *= c_.array();
      } else if (decay != 1.0) {
        Z_.col(j) *= decay;
      }
      Z_.col(j) += (spec_.eta * krow_[j]) * step_.d;
    }
  }

  // |a_j| ≤ |γ_j| (|α_j| max|G₀| + Σ_q |D_jq| max|K|) + ‖b‖∞, where d_sum_[j] bounds Σ_q |D_jq|
  // (kept for the forward-free rules only).
  double a_bound() const {
    return (gamma_.array().abs() * (alpha_.array().abs() * g_.g0_max + d_sum_.array() * g_.k_max)).maxCoeff() +
           b_.cwiseAbs().maxCoeff();
  }

  bool errors_from(const Eigen::MatrixXd& W, Eigen::Ref<Eigen::RowVectorXd, 0, Eigen::InnerStride<>> row) const {
    bool finite = true;
    row = pattern_errors(spec_.act, W, b_, g_.mu, g_.X, g_.T, finite).transpose();
    return finite;
  }

  const TrainSpec& spec_;
  const GramData& g_;
  const Eigen::MatrixXd& U_;
  const Eigen::MatrixXd& Kt_;
  const bool symmetric_K_;
  const bool forward_free_;

  const bool project_;  // online error matrix: keep Z = Wᵀ X̃ up to date
  // Online, every step's forward computed: keep each pattern's partial sum D Kᵀ over the columns
  // before it (S), so that the final errors need only the rest.
  const bool track_;

  Eigen::MatrixXd& D_;
  Eigen::MatrixXd& Z_;       // online error matrix: Wᵀ X̃, updated by rank one per step
  Eigen::MatrixXd &A_, &H_;  // all patterns' pre-activations and outputs
  Eigen::MatrixXd& S_;       // track_: column p = D[:, :p] Kᵀ[:p, p] as step p computed it
  // Columns of S written: up to and including the current step's, one more than D's hi_ between
  // a step's forward pass and its update (where a fold must scale it too).
  int s_cols_ = 0;
  // The current block (begin_block): its patterns, their products with D at its start, the updates
  // of its first blk_count_ steps, the gathered Kᵀ columns, the block's own Gram matrix.
  Eigen::MatrixXd &Ablk_, &Dblk_, &Kblk_, &Cblk_;
  const int* blk_ = nullptr;
  int blk_len_ = 0, blk_count_ = 0;
  bool direct_ = false;
  Eigen::VectorXd gamma_, alpha_;  // per output unit
  Eigen::VectorXd d_sum_;
  Eigen::ArrayXd coef_;            // η / γ, recomputed only after γ changed
  bool coef_stale_ = false;
  Eigen::VectorXd c_, next_, fold_;  // this step's column factors (oja, instar), γ ⊙ c, folded factors
  int hi_ = 0;  // columns [hi_, P) of D are still zero
  Eigen::VectorXd b_;
  Eigen::MatrixXd W_;  // direct mode only (and the rebuilt W at the end)

  Eigen::VectorXd a_, h_, xc_, krow_;
  RuleStep step_;
};

// The closed form of gram_closed_form's runs (see LinearTerms): false, with `r` untouched, when the
// divergence bound does not prove every step's pre-activation safe, or an output is not finite;
// the run then takes the step-by-step path, which finds the diverging step.
bool train_closed_form(const TrainSpec& spec, const GramData& g, uint64_t shuffle_seed, bool final_weights,
                       RunResult& r) {
  const int P = g.P;
  const bool online = spec.protocol == Protocol::online;
  const int epochs = online ? 1 : std::max(spec.epochs, 0);
  const LinearTerms& lt = g.linear_terms(spec.rule);
  const double coef = spec.eta * epochs;
  // With decay (DecayTerms): A = γ^S G₀ + η (T' diag(c)) Kᵀ + b instead of G₀ + E η T'Kᵀ + b.
  std::shared_ptr<const DecayTerms> dt;
  if (spec.weight_decay != 0.0) dt = g.decay_terms(spec.rule, spec.weight_decay, online ? P : epochs * P);
  const double g0_scale = dt ? dt->gamma_steps : 1.0;
  const double dk_scale = dt ? spec.eta : coef;
  const Eigen::MatrixXd& DK = dt ? dt->DcK : lt.DK;
  // |a_j| at any step ≤ max|G₀| + η (Σ of the |d| presented so far) max|K| + |b0_j| + η Σ|db| so far
  // (with decay too: 0 < γ ≤ 1 only shrinks the terms).
  const double bound = g.g0_max + std::abs(coef) * lt.d_abs_max * g.k_max +
                       (g.b0.size() ? g.b0.cwiseAbs().maxCoeff() : 0.0) +
                       (spec.learn_bias ? std::abs(coef) * lt.d_abs_max : 0.0);
  if (!(bound <= kSafeMagnitude)) return false;
  Workspace& w = thread_workspace();
  Eigen::VectorXd b = g.b0;
  if (spec.learn_bias) b.noalias() += coef * lt.db;
  // A few columns at a time, so that A and H stay in cache and G₀, T'Kᵀ and T are read once.
  constexpr int kColumns = 32;
  Eigen::VectorXd curve(P);
  w.A.resize(g.n_out, kColumns);
  w.H.resize(g.n_out, kColumns);
  for (int p0 = 0; p0 < P; p0 += kColumns) {
    const int n = std::min(kColumns, P - p0);
    auto A = w.A.leftCols(n);
    auto H = w.H.leftCols(n);
    A = (g0_scale * g.G0.middleCols(p0, n) + dk_scale * DK.middleCols(p0, n)).colwise() + b;  // 1·G₀ is exact
    spec.act.apply(A, H);
    curve.segment(p0, n) = (H - g.T.middleCols(p0, n)).cwiseAbs().colwise().mean().transpose();
  }
  if (!all_finite(curve)) return false;
  r.curve = std::move(curve);
  r.b = std::move(b);
  if (final_weights) {
    r.W = g0_scale * g.W0;
    if (dt) r.W.noalias() += dk_scale * (g.u_matrix(spec.rule) * (lt.D * dt->c.asDiagonal()).transpose());
    else r.W.noalias() += dk_scale * (g.u_matrix(spec.rule) * lt.D.transpose());
  }
  std::vector<int> order(P);
  std::iota(order.begin(), order.end(), 0);
  if (spec.reshuffle && !online) {
    Rng shuffle_rng(shuffle_seed);
    for (int e = 0; e < epochs; ++e) reshuffle(order, shuffle_rng);
  }
  r.last_order = std::move(order);
  return true;
}

}  // namespace

namespace {

// D Kᵀ (D n_out × P) with Kᵀ = Uᵀ X̃ of `rule`: as (D Uᵀ) X̃ when that is cheaper (2 n_out n_in P against
// n_out P² multiply-adds: P > 2 n_in).
Eigen::MatrixXd times_kt(const GramData& g, const Eigen::MatrixXd& D, Rule rule) {
  Eigen::MatrixXd DK;
  if (g.P > 2 * g.n_in) {
    const Eigen::MatrixXd DU = D * g.u_matrix(rule).transpose();
    DK.noalias() = DU * g.x_tilde();
  } else {
    DK.noalias() = D * g.kt_matrix(rule);
  }
  return DK;
}

}  // namespace

const LinearTerms& GramData::linear_terms(Rule rule) const {
  if (rule != Rule::hebb && rule != Rule::cov)
    throw std::invalid_argument("GramData::linear_terms: only hebb and cov have output-free updates");
  const int i = rule == Rule::hebb ? 0 : 1;
  std::call_once(linear->once[i], [&] {
    SingleThreaded single;
    LinearTerms& lt = linear->terms[i];
    lt.D = rule == Rule::hebb ? T : Eigen::MatrixXd(T.colwise() - means.t);
    lt.DK = times_kt(*this, lt.D, rule);
    lt.d_abs = lt.D.cwiseAbs().rowwise().sum();
    lt.db = lt.D.rowwise().sum();
    lt.d_abs_max = lt.d_abs.size() ? lt.d_abs.maxCoeff() : 0.0;
  });
  return linear->terms[i];
}

std::shared_ptr<const DecayTerms> GramData::decay_terms(Rule rule, double omega, int steps) const {
  if (rule != Rule::hebb && rule != Rule::cov)
    throw std::invalid_argument("GramData::decay_terms: only hebb and cov have output-free updates");
  if (!(omega > 0.0 && omega < 1.0) || steps < 0)
    throw std::invalid_argument("GramData::decay_terms: needs a weight decay in (0, 1) and steps >= 0");
  std::shared_ptr<DecayTerms> t;
  {
    std::lock_guard<std::mutex> lock(linear->decay_mutex);
    for (const auto& e : linear->decay)
      if (e->rule == rule && e->omega == omega && e->steps == steps) t = e;
    const size_t bytes = sizeof(double) * static_cast<size_t>(n_out) * static_cast<size_t>(P);
    if (!t) {
      t = std::make_shared<DecayTerms>();
      t->rule = rule;
      t->omega = omega;
      t->steps = steps;
      if (linear->decay_bytes + bytes <= linear->decay_cap_bytes) {
        linear->decay.push_back(t);
        linear->decay_bytes += bytes;
      }
    }
  }
  std::call_once(t->once, [&] {
    SingleThreaded single;
    const LinearTerms& lt = linear_terms(rule);
    const double gamma = 1.0 - omega;
    // Step s presents pattern s mod P (sequence order every epoch); its weight in W is γ^{S−1−s}.
    t->c = Eigen::VectorXd::Zero(P);
    double w = 1.0;
    for (int s = steps - 1; s >= 0; --s) {
      t->c[s % P] += w;
      w *= gamma;
    }
    t->gamma_steps = w;
    t->DcK = times_kt(*this, lt.D * t->c.asDiagonal(), rule);
  });
  return t;
}

bool gram_closed_form(const TrainSpec& spec) {
  const bool fixed_order = spec.protocol == Protocol::online || !spec.reshuffle;
  const bool decay_ok = spec.weight_decay == 0.0 || (spec.weight_decay > 0.0 && spec.weight_decay < 1.0 && fixed_order);
  return (spec.rule == Rule::hebb || spec.rule == Rule::cov) && decay_ok && !spec.error_matrix && gram_supports(spec);
}

std::shared_ptr<const GramData> prepare_gram(const Eigen::MatrixXd& X, const Eigen::MatrixXd& T,
                                             const Eigen::MatrixXd& W0, const Eigen::VectorXd& b0,
                                             Centering centering) {
  HDS_ISA_FORWARD(prepare_gram, (X, T, W0, b0, centering));
  if (centering == Centering::running)
    throw std::invalid_argument("prepare_gram: centering 'running' changes μ every step; use the direct engine");
  if (X.cols() != T.cols() || W0.rows() != X.rows() || W0.cols() != T.rows() || b0.size() != T.rows())
    throw std::invalid_argument("prepare_gram: shapes do not match (X n_in×P, T n_out×P, W0 n_in×n_out, b0 n_out)");
  SingleThreaded single;
  auto g = std::make_shared<GramData>();
  g->centering = centering;
  g->P = static_cast<int>(X.cols());
  g->n_in = static_cast<int>(X.rows());
  g->n_out = static_cast<int>(T.rows());
  g->X = X;
  g->T = T;
  g->W0 = W0;
  g->b0 = b0;
  g->means.x = X.rowwise().mean();
  g->means.t = T.rowwise().mean();
  if (centering == Centering::dataset) {
    g->mu = g->means.x;
    g->Xc = X.colwise() - g->mu;
  } else {
    g->mu = Eigen::VectorXd::Zero(g->n_in);
    g->Xcov = X.colwise() - g->means.x;
  }
  const Eigen::MatrixXd& Xt = g->x_tilde();
  g->G0.noalias() = W0.transpose() * Xt;
  // K = X̃ᵀX̃ from one triangle, so that it is exactly symmetric (the online projection reads its
  // columns as rows).
  g->Kt = Eigen::MatrixXd::Zero(g->P, g->P);
  g->Kt.selfadjointView<Eigen::Lower>().rankUpdate(Xt.transpose());
  g->Kt.triangularView<Eigen::StrictlyUpper>() = g->Kt.transpose();
  if (g->Xcov.size()) g->Kt_cov.noalias() = g->Xcov.transpose() * Xt;
  g->g0_max = g->G0.size() ? g->G0.cwiseAbs().maxCoeff() : 0.0;
  g->k_max = g->Kt.size() ? g->Kt.cwiseAbs().maxCoeff() : 0.0;
  if (g->Kt_cov.size()) g->k_max = std::max(g->k_max, g->Kt_cov.cwiseAbs().maxCoeff());
  return g;
}

bool gram_supports(const TrainSpec& spec) { return spec.centering != Centering::running; }

RunResult train_gram(const TrainSpec& spec, const GramData& g, uint64_t shuffle_seed, bool final_weights) {
  HDS_ISA_FORWARD(train_gram, (spec, g, shuffle_seed, final_weights));
  if (!gram_supports(spec))
    throw std::invalid_argument("train_gram: centering '" + centering_name(spec.centering) +
                                "' changes μ every step; use the direct engine");
  if (spec.centering != g.centering)
    throw std::invalid_argument("train_gram: the GramData was prepared for centering '" +
                                centering_name(g.centering) + "', the run asks for '" +
                                centering_name(spec.centering) + "'");
  SingleThreaded single;
  const int P = g.P;
  const bool online = spec.protocol == Protocol::online;
  const int epochs = online ? 1 : spec.epochs;
  const int S = online ? P : std::max(epochs, 0);

  RunResult r;
  r.engine_used = EngineKind::gram;
  r.mu = g.mu;
  if (gram_closed_form(spec) && train_closed_form(spec, g, shuffle_seed, final_weights, r)) {
    finish_run(spec, r);
    return r;
  }
  if (spec.error_matrix) r.error_matrix.setConstant(S, P, spec.diverged_error);

  GramRun run(spec, g);
  std::vector<int> order(P);
  std::iota(order.begin(), order.end(), 0);
  Rng shuffle_rng(shuffle_seed);

  long presentation = 0;
  const int block = gram_block(P);
  for (int e = 0; e < epochs && !r.diverged; ++e) {
    if (spec.reshuffle && !online) reshuffle(order, shuffle_rng);
    for (int k = 0; k < P; ++k, ++presentation) {
      if (k % block == 0) run.begin_block(order.data() + k, std::min(block, P - k));
      const int p = order[k];
      if (!run.forward(p)) {
        r.diverged = true;
        r.diverged_step = presentation;
        break;
      }
      run.update(p);
      if (spec.error_matrix && online && !run.errors(r.error_matrix.row(k)))
        r.error_matrix.row(k).setConstant(spec.diverged_error);
    }
    if (spec.error_matrix && !online && !r.diverged && !run.errors(r.error_matrix.row(e)))
      r.error_matrix.row(e).setConstant(spec.diverged_error);
  }
  r.last_order = order;

  if (!r.diverged) {
    const bool finite = run.final_errors(r.curve);
    if (final_weights || run.direct_mode()) run.rebuild_weights(r.W);
    if (!finite || !r.W.allFinite()) {
      r.diverged = true;
      r.diverged_step = presentation;
    }
  } else {
    run.rebuild_weights(r.W);
  }
  r.b = run.bias();
  finish_run(spec, r);
  return r;
}

}  // namespace hds
