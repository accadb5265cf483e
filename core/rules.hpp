// The learning rules. Every rule's step on one pair (x, t) has the common form
//     W ← W·diag(c) + η u dᵀ,   c = (1 − ω) − η s,   b ← b + η Δb
// with x̃ = x − μ, so each rule is the choice of u, d, s and Δb below:
//
//   rule     u        d                    s      Δb
//   hd       x̃        t − h                0      t − h               Hebbian descent
//   gd       x̃        J_φ(a)ᵀ(t − h)       0      J_φ(a)ᵀ(t − h)      squared-error gradient descent
//   hebb     x̃        t                    0      t                   Hebb
//   cov      x − x̄    t − t̄                0      t − t̄               covariance (x̄, t̄: sequence means)
//   oja      x̃        t                    t²     t − h               column j: t_j (x̃ − t_j W_j)
//   instar   x̃        t                    t      t − h               column j: t_j (x̃ − W_j)
#pragma once
#include <Eigen/Dense>
#include <string>
#include <vector>

#include "core/activation.hpp"

namespace hds {

enum class Rule { hd, gd, hebb, cov, oja, instar };

bool rule_from_name(const std::string& name, Rule& rule);
std::string rule_name(Rule rule);
const std::vector<std::string>& rule_names();

// True when W always stays W₀·c + Σ_s c_s u_s d_sᵀ (no column shrink that depends on t).
inline bool is_outer_product_rule(Rule r) { return r != Rule::oja && r != Rule::instar; }

// What one step needs to know besides the pair: the means of the whole sequence (cov only).
struct SequenceMeans {
  Eigen::VectorXd x;  // x̄
  Eigen::VectorXd t;  // t̄
};

// The pieces of one update (see the table above). `u` points at x̃ or at the scratch vector `u_buf`.
struct RuleStep {
  const Eigen::VectorXd* u = nullptr;
  Eigen::VectorXd u_buf;
  Eigen::VectorXd d;
  Eigen::VectorXd s;   // empty when the rule has no column shrink
  Eigen::VectorXd db;
};

// Fills `step` for one pair. xc = x − μ, x the raw input, a and h the forward pass, t the target.
void rule_step(Rule rule, const Activation& act, const Eigen::VectorXd& xc,
               const Eigen::Ref<const Eigen::VectorXd>& x, const Eigen::VectorXd& a,
               const Eigen::VectorXd& h, const Eigen::Ref<const Eigen::VectorXd>& t,
               const SequenceMeans& means, RuleStep& step);

// Applies W ← W·diag((1 − ω) − η s) + η u dᵀ and, when learn_bias, b ← b + η Δb.
void apply_step(const RuleStep& step, double eta, double weight_decay, bool learn_bias,
                Eigen::MatrixXd& W, Eigen::VectorXd& b);

}  // namespace hds
