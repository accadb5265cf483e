// The Gram-space engine: trains every rule (hd, gd, hebb, cov, oja, instar) with a fixed input offset
// μ (centering none or dataset) in the space of the P training patterns instead of the n_in × n_out
// weight space.
//
// Every step is W_j ← c_j W_j + η d_j u for each output unit j, with c_j = (1 − ω) − η s_j (s = t² for
// oja, t for instar, 0 otherwise; see rules.hpp), so column j of W never leaves the form
//     W_j = γ_j (α_j W₀_j + U D_jᵀ)        U = X̃ (or X − x̄1ᵀ for cov), D: n_out × P coefficients
// (D[j, q] sums the η d_j of every presentation of pattern q, divided by the scale γ_j current then;
// γ_j ← γ_j c_j each step). The pre-activation of pattern p is therefore
//     a_p = γ ⊙ (α ⊙ G₀[:, p] + D K[p, :]ᵀ) + b      G₀ = W₀ᵀ X̃,   K = X̃ᵀ U   (the cross-Gram matrix)
// and a whole run costs O(P · n_out) per step plus O(P² · n_out) for the final errors, once G₀ and K
// are known. Both depend only on the data, W₀ and the centering, so GramData computes them once per
// repetition and every grid point (η, ω, rule, activation, protocol) shares them.
//
// Three ways the work shrinks (each checked against train_direct in tests/test_gram.cpp):
// - Left-looking blocks: the forward passes of up to 20 consecutive steps against the D of the block's
//   start are one GEMM, D Kᵀ[:, block]; each step adds only its block's earlier updates (a gemv over at
//   most 19 columns), as the blocked engine does in weight space.
// - Partial sums (online, no error matrix): step p has computed pattern p's sum over the columns of D
//   written before it, and those never change again, so the final errors need only the columns from p
//   on: D times the lower triangle of Kᵀ, half the product.
// - Closed form (hebb and cov without decay or error matrix): their d does not read the output, so
//   D = E η T' in any order and the final pre-activations are G₀ + E η T'Kᵀ + b, with T'Kᵀ computed
//   once per repetition (LinearTerms): O(P n_out) per run.
//
// Exactness: the results equal train_direct's up to rounding (tests/test_gram.cpp checks ~1e-12).
// Divergence: as soon as a pre-activation leaves ±kSafeMagnitude (or is non-finite) the run rebuilds
// W and continues on the direct path, so non-finite values are detected by the very arithmetic of
// train_direct and the diverged step agrees.
#pragma once
#include <Eigen/Dense>
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

#include "core/training_run.hpp"
#include "core/rules.hpp"

namespace hds {

// hebb and cov without weight decay update every column by η d with d independent of the outputs
// (t, or t − t̄), so after S presentations of each pattern E = S/P times, D = E η T' (T' = T or
// T − t̄1ᵀ) whatever the order, and the final pre-activations are G₀ + E η T'Kᵀ + b: one product per
// repetition and rule, shared by every η and epoch count. `DK` = T'Kᵀ (n_out × P), `d_abs` the row sums
// of |T'| (for the divergence bound), `db` the row sums of T' (the bias update).
struct LinearTerms {
  Eigen::MatrixXd D, DK;
  Eigen::VectorXd d_abs, db;
  double d_abs_max = 0.0;
};
// hebb and cov with weight decay ω (0 < ω < 1) in a fixed order (online, or multi-epoch without
// reshuffling): every step is W ← γW + η ũ dᵀ with γ = 1 − ω and d independent of the outputs, so
// after S steps W = γ^S W₀ + η Σ_s γ^{S−1−s} ũ_s d_sᵀ and the final pre-activations are
// γ^S G₀ + η (T' diag(c)) Kᵀ + b, with c_p the sum of γ^{S−1−s} over the steps s that present pattern p.
// `DcK` = (T' diag(c)) Kᵀ: one product per repetition, rule, ω and step count, shared by every η.
struct DecayTerms {
  Rule rule = Rule::hebb;
  double omega = 0.0;
  int steps = 0;
  Eigen::VectorXd c;     // P
  Eigen::MatrixXd DcK;   // n_out × P
  double gamma_steps = 1.0;  // γ^S, as S multiplications
  std::once_flag once;
};
struct LinearCache {
  std::once_flag once[2];
  LinearTerms terms[2];
  // The DecayTerms asked for so far, up to decay_cap_bytes of DcK per repetition (then each run computes
  // its own, uncached: a sweep with many ω and large targets keeps a bounded cache).
  std::mutex decay_mutex;
  std::vector<std::shared_ptr<DecayTerms>> decay;
  size_t decay_bytes = 0;
  size_t decay_cap_bytes = size_t{32} << 20;
};

// One repetition's data, initial weights and the products every run of it needs. Immutable once
// built (the linear terms are computed on first use, once, under std::call_once), so one instance
// can serve many runs on many threads.
struct GramData {
  Centering centering = Centering::dataset;
  int P = 0, n_in = 0, n_out = 0;
  Eigen::MatrixXd X, T;   // n_in × P inputs, n_out × P targets (sequence order)
  Eigen::MatrixXd W0;     // n_in × n_out
  Eigen::VectorXd b0;     // n_out
  SequenceMeans means;    // x̄, t̄ (cov)
  Eigen::VectorXd mu;     // μ: x̄ (dataset) or 0 (none)
  Eigen::MatrixXd Xc;     // X̃ = X − μ1ᵀ; empty for centering none (then X̃ = X)
  Eigen::MatrixXd Xcov;   // X − x̄1ᵀ, cov's u; empty for centering dataset (then it is X̃)
  Eigen::MatrixXd G0;     // W₀ᵀ X̃, n_out × P
  Eigen::MatrixXd Kt;     // Kᵀ for U = X̃: X̃ᵀX̃, exactly symmetric; column p is K's row p
  Eigen::MatrixXd Kt_cov; // Kᵀ = (X − x̄1ᵀ)ᵀ X̃ for cov; empty for centering dataset (then it is Kt)
  double g0_max = 0.0;    // max |G₀|
  double k_max = 0.0;     // max |K| over both Gram matrices

  const Eigen::MatrixXd& x_tilde() const { return Xc.size() ? Xc : X; }
  const Eigen::MatrixXd& u_matrix(Rule rule) const {
    return rule == Rule::cov && Xcov.size() ? Xcov : x_tilde();
  }
  const Eigen::MatrixXd& kt_matrix(Rule rule) const {
    return rule == Rule::cov && Kt_cov.size() ? Kt_cov : Kt;
  }
  // The linear terms of hebb or cov (see LinearTerms), computed by the first run that asks.
  const LinearTerms& linear_terms(Rule rule) const;
  // The decay terms of hebb or cov for ω in (0, 1) and `steps` presentations in sequence order (see
  // DecayTerms), computed by the first run that asks (cached while the cache has room).
  std::shared_ptr<const DecayTerms> decay_terms(Rule rule, double omega, int steps) const;

  std::shared_ptr<LinearCache> linear = std::make_shared<LinearCache>();
};

// Builds the shared data of one repetition: X n_in × P, T n_out × P, W0 n_in × n_out, b0 n_out.
// Costs O(P² n_in + P n_in n_out) (twice the Gram product for centering none, where cov needs its own).
// Throws std::invalid_argument for centering `running` or inconsistent shapes.
std::shared_ptr<const GramData> prepare_gram(const Eigen::MatrixXd& X, const Eigen::MatrixXd& T,
                                             const Eigen::MatrixXd& W0, const Eigen::VectorXd& b0,
                                             Centering centering);

// True when the Gram engine can train `spec` exactly: any rule, centering none or dataset (running
// centering changes μ, hence X̃ and K, every step).
bool gram_supports(const TrainSpec& spec);

// True when train_gram(spec, …, final_weights) computes the run in closed form from the linear terms:
// hebb or cov, no error matrix (the sweeper's grid points), and no weight decay or a decay in (0, 1) with
// the patterns in a fixed order (online, or multi-epoch without reshuffling; DecayTerms). O(P n_out) per
// run once its terms exist.
bool gram_closed_form(const TrainSpec& spec);

// One run on the Gram engine; the same result as train_direct(spec, g.X, g.T, g.W0, g.b0,
// shuffle_seed) up to rounding, with engine_used = gram. spec.centering must equal g.centering.
// `final_weights` false skips rebuilding W at the end (an O(n_in P n_out) product the sweeper does
// not need for most grid points): RunResult::W is then left empty, everything else is filled.
// Single-threaded: the products run on the calling thread only, whatever the OpenMP setting. Each
// calling thread keeps up to four n_out × P matrices between runs (reused, not reallocated).
RunResult train_gram(const TrainSpec& spec, const GramData& g, uint64_t shuffle_seed,
                     bool final_weights = true);

}  // namespace hds
