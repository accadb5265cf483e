// The blocked engine: the direct engine's arithmetic regrouped so that most of it runs as matrix–matrix
// products (level 3) instead of one rank-one update of W per presentation (level 2, memory-bound).
// Trains every rule, centering and protocol of the association kind; pays off when P > n_in, where the
// Gram engine (gram_engine.hpp) costs P² per output unit and the direct one streams W through memory
// twice per step.
//
// B consecutive presentations k0 … k0+B−1 form a block. Within it column j of W stays
//     W_j = γ_j (α_j W⁽ᵏ⁰⁾_j + U_b D_jᵀ)      U_b: the block's u columns (x̃, or x − x̄ for cov)
// (W⁽ᵏ⁰⁾: the weights at the block's start; D: n_out × B coefficients; γ_j ← γ_j c_j each step, with
// c_j = (1 − ω) − η s_j as in rules.hpp; α_j takes γ_j over when it leaves [1e-30, 1e30], as in the
// Gram engine). So the pre-activation of the block's i-th presentation is
//     a_i = γ ⊙ (α ⊙ A₀[:, i] + D[:, :i] G_b[:i, i]) + b        A₀ = W⁽ᵏ⁰⁾ᵀ X̃_b,  G_b = U_bᵀ X̃_b
// with A₀ (n_out × B) one GEMM at the block's start and G_b (B × B) the block's small Gram matrix; at the
// block's end W ← (W⁽ᵏ⁰⁾ diag(α) + U_b Dᵀ) diag(γ), one more GEMM (the delayed update of blocked
// factorisations). Running centering is exact too: the block's μ sequence depends only on its inputs,
// so X̃_b is built with the direct path's own arithmetic before the block starts.
//
// Divergence: as soon as a pre-activation leaves ±kDivergedMagnitude (or is non-finite) the run rebuilds
// W at that step and continues on the direct arithmetic (train_direct's step), so the diverged step is
// the direct path's. An online error matrix needs the errors after every step: the block is then one
// presentation long (correct, but no faster than the direct engine; choose_engine does not pick it).
#pragma once
#include <Eigen/Dense>
#include <cstdint>

#include "core/training_run.hpp"

namespace hds {

// The block length used when none is given: chosen by measurement (bench/RESULTS.md, "blocked engine").
constexpr int kDefaultBlock = 32;

// One run on the blocked engine with blocks of `block` presentations (≤ 0: kDefaultBlock); the same
// result as train_direct(spec, X, T, W0, b0, shuffle_seed) up to rounding, engine_used = blocked.
// Single-threaded: its products run on the calling thread only, whatever the OpenMP setting.
RunResult train_blocked(const TrainSpec& spec, const Eigen::MatrixXd& X, const Eigen::MatrixXd& T,
                        const Eigen::MatrixXd& W0, const Eigen::VectorXd& b0, uint64_t shuffle_seed, int block = 0);

}  // namespace hds
