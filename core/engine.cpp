// The choice of engine and its cost model (see engine.hpp).
#include "core/engine.hpp"

#include <algorithm>
#include <stdexcept>

#include "core/blocked_engine.hpp"
#include "core/isa.hpp"

namespace hds {
namespace {

// Measured speeds of one thread on the kinds of work the engines do, relative to the direct step's
// (W read and written once per presentation, level 2). Only their ratios matter. Fitted to the CPU time
// per run of hds_bench (rules hd and oja) at (P, n_in, n_out) = (300, 50, 200), (100, 200, 200),
// (300, 200, 200), (300, 800, 200), (1000, 200, 200), (3000, 200, 200), (1000, 200, 20) on the 2-core
// AMD EPYC (bench/RESULTS.md, "cost model"). Baseline kernels (SSE2): blocked beats direct by 1.3–1.5×
// once n_out amortises the block's Gram matrix, and ties at n_out = 20 or n_in = 50; AVX-512 kernels
// gain more on the matrix products than on the memory-bound step: 1.5–2× (1.14× at n_out = 20).
constexpr double kStreamRate = 1.0;  // the direct step
// W-sized matrix products (A₀, the fold, the final errors, Gram's D Kᵀ), by instruction-set level.
double gemm_rate() { return isa_level() == IsaLevel::baseline ? 1.45 : 2.0; }
constexpr double kGemvRate = 1.5;      // a gemv over columns of D (in cache)
constexpr double kGramOwn = 10.0;      // the Gram step's gemv over its block's earlier steps (blocks ≤ 20)
constexpr double kSmallRate = 1.0;     // the blocked step's correction: a gemv on the block's n_out × B
constexpr double kStepOverhead = 4.0;  // per presentation and output unit: activation, rule, bias

}  // namespace

EngineCosts engine_costs(const TrainSpec& spec, int P, int n_in, int n_out, bool gram_shared) {
  // Time per output unit in multiply-adds at the stream rate. direct: a forward and a rank-one
  // update of W per step (2 n_in), plus a pass scaling W (n_in) for weight decay or a column-shrinking
  // rule; the final errors (n_in P, a GEMM); an online error row (n_in P) per step. gram: for the rules
  // that read the output, the forward pass over the touched columns of D (P/2 on average in the first
  // epoch, P after) in one GEMM per block plus a gemv over the block's own earlier steps; the final
  // errors (P², a GEMM; online without error matrix only the half the steps have not summed), the
  // rebuilt W (n_in P), an online error row (P) per step, and its GramData when it is not shared; hebb
  // and cov skip the forward pass, and without decay or error matrix take the closed form
  // (gram_engine.hpp: LinearTerms, shared by the repetition's runs). blocked: per step the block's share
  // of two GEMMs (2 n_in) and of its Gram matrix (B n_in / n_out), the correction (B/2); its online
  // error matrix forces blocks of one (direct's cost and more).
  const bool online = spec.protocol == Protocol::online;
  const bool shrink = spec.weight_decay != 0.0 || !is_outer_product_rule(spec.rule);
  const double epochs = online ? 1.0 : std::max(spec.epochs, 0);
  const double p = P, ni = n_in, no = std::max(n_out, 1);
  const double steps = epochs * p;
  const double B = kDefaultBlock;
  const double g = kStreamRate / gemm_rate(), v = kStreamRate / kGemvRate, s = kStreamRate / kSmallRate;
  EngineCosts c;
  c.direct = steps * ((shrink ? 3.0 : 2.0) * ni + kStepOverhead) + g * ni * p;
  const bool forward_free = spec.rule == Rule::hebb || spec.rule == Rule::cov;
  const double forward = forward_free ? 0.0 : g * (epochs > 0 ? p * p * (epochs - 0.5) : 0.0) + v * steps * kGramOwn;
  const double final_errors = (online && !forward_free && !spec.error_matrix ? 0.5 : 1.0) * g * p * p;
  c.gram = forward + final_errors + g * ni * p + steps * kStepOverhead;
  c.blocked = steps * (g * (2.0 * ni + B * ni / no) + s * B / 2 + kStepOverhead) + g * ni * p;
  if (spec.error_matrix) {
    const double rows = online ? steps : epochs;
    c.direct += g * rows * ni * p;
    c.gram += online ? steps * p : g * epochs * p * p;
    c.blocked = online ? c.direct * 1.5 : c.blocked + g * rows * ni * p;
  }
  if (gram_closed_form(spec)) c.gram = p * kStepOverhead + (gram_shared ? 0.0 : g * p * p);  // G₀ + E η T'Kᵀ
  if (!gram_shared) c.gram += g * (ni * p + 0.5 * p * p * ni / no);
  c.gram_supported = gram_supports(spec);
  return c;
}

EngineKind choose_engine(const TrainSpec& spec, int P, int n_in, int n_out, bool gram_shared) {
  const bool supported = gram_supports(spec);
  switch (spec.engine) {
    case EngineKind::direct: return EngineKind::direct;
    case EngineKind::blocked: return EngineKind::blocked;
    case EngineKind::gram:
      if (!supported)
        throw std::invalid_argument("engine 'gram' needs centering 'none' or 'dataset' (this run: centering '" +
                                    centering_name(spec.centering) + "'); use engine 'auto', 'direct' or 'blocked'");
      return EngineKind::gram;
    case EngineKind::auto_select: break;
  }
  const EngineCosts c = engine_costs(spec, P, n_in, n_out, gram_shared);
  EngineKind best = c.blocked < c.direct ? EngineKind::blocked : EngineKind::direct;
  const double best_cost = std::min(c.blocked, c.direct);
  if (supported && c.gram < best_cost) best = EngineKind::gram;
  return best;
}

RunResult train(const TrainSpec& spec, const Eigen::MatrixXd& X, const Eigen::MatrixXd& T,
                const Eigen::MatrixXd& W0, const Eigen::VectorXd& b0, uint64_t shuffle_seed) {
  const int P = static_cast<int>(X.cols()), n_in = static_cast<int>(X.rows()), n_out = static_cast<int>(T.rows());
  switch (choose_engine(spec, P, n_in, n_out, false)) {
    case EngineKind::gram: return train_gram(spec, *prepare_gram(X, T, W0, b0, spec.centering), shuffle_seed);
    case EngineKind::blocked: return train_blocked(spec, X, T, W0, b0, shuffle_seed);
    default: return train_direct(spec, X, T, W0, b0, shuffle_seed);
  }
}

RunResult train_shared(const TrainSpec& spec, const Eigen::MatrixXd& X, const Eigen::MatrixXd& T,
                       const Eigen::MatrixXd& W0, const Eigen::VectorXd& b0, const GramData* gram,
                       uint64_t shuffle_seed, bool final_weights) {
  const int P = static_cast<int>(X.cols()), n_in = static_cast<int>(X.rows()), n_out = static_cast<int>(T.rows());
  const EngineKind e = choose_engine(spec, P, n_in, n_out, true);
  if (gram && e == EngineKind::gram) return train_gram(spec, *gram, shuffle_seed, final_weights);
  if (e == EngineKind::blocked) return train_blocked(spec, X, T, W0, b0, shuffle_seed);
  return train_direct(spec, X, T, W0, b0, shuffle_seed);
}

}  // namespace hds
